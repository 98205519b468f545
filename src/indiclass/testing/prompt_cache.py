"""Provider-like prompt caching for the fake LLM server: which part of a prompt a provider would
report as read from (or written to) its prompt cache.

* OpenAI (automatic): the longest prefix seen before for the same model, counted in whole blocks
  of 128 tokens, reported only when the prompt reaches the model's minimum (1,024 tokens), so
  ``cached_tokens`` is 0 or 1,024 + k x 128.
* Anthropic (explicit): only content up to a ``cache_control`` breakpoint (on the tools, a system
  block, a message, or the request itself: then the whole prompt) is cached, once that prefix
  reaches the model's minimum (:data:`CACHE_MIN_TOKENS`). A breakpoint prefix seen before is a
  cache read, a new one a cache write (of the tokens beyond the read); no breakpoint, no caching.

Tokens are the server's estimate: ceil(characters / 4) per prompt part, a part ending a token.
Nothing expires (providers keep an entry 5 minutes to an hour after its last use).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterator, Sequence
from typing import Literal

from indiclass.providers._wire import estimate_tokens

CACHE_MIN_TOKENS: dict[str, int] = {
    "claude-3-haiku": 2048,
    "claude-3-5-haiku": 2048,
    "claude-haiku": 2048,
    "claude-haiku-4-5": 4096,
    "claude-opus-4-5": 4096,
    "claude-opus-4-6": 4096,
    "claude-sonnet-4-6": 2048,
}
"""Smallest cacheable prompt per model-name prefix (the longest matching prefix wins); models
not listed use :data:`DEFAULT_CACHE_MIN_TOKENS` (OpenAI models and Sonnet/Opus-class Claude)."""
DEFAULT_CACHE_MIN_TOKENS = 1024
OPENAI_CACHE_BLOCK = 128
"""OpenAI reports cache hits in increments of this many tokens."""

PER_MODEL: Literal["per-model"] = "per-model"
CacheMinimum = int | Literal["per-model"] | None
"""A minimum for every model (``0``: cache any repeated prefix), the per-model table, or None:
caching off (no cached tokens reported at all)."""


def min_cache_tokens(model: str, table: dict[str, int] = CACHE_MIN_TOKENS) -> int:
    """The table's minimum for ``model``: its longest matching name prefix, else the default."""
    matches = [prefix for prefix in table if model.startswith(prefix)]
    return table[max(matches, key=len)] if matches else DEFAULT_CACHE_MIN_TOKENS


class PromptCache:
    """The prefixes a provider has seen, per model (thread-safe)."""

    def __init__(self, minimum: CacheMinimum = PER_MODEL) -> None:
        self.minimum = minimum
        self._seen: set[bytes] = set()
        self._lock = threading.Lock()

    def minimum_for(self, model: str) -> int | None:
        """Tokens a prompt (or breakpoint prefix) needs before it is cached; None: never."""
        if self.minimum == PER_MODEL:
            return min_cache_tokens(model)
        return self.minimum

    def forget(self) -> None:
        with self._lock:
            self._seen.clear()

    def openai(self, model: str, parts: Sequence[str]) -> int:
        """Cached tokens of this prompt; records its blocks for the next request."""
        minimum = self.minimum_for(model)
        if minimum is None or sum(estimate_tokens(p) for p in parts) < minimum:
            return 0
        keys = list(_chain(model, token_blocks(parts, OPENAI_CACHE_BLOCK)))
        with self._lock:
            hits = next((k for k, key in enumerate(keys) if key not in self._seen), len(keys))
            self._seen.update(keys)
        cached = hits * OPENAI_CACHE_BLOCK
        return cached if cached >= minimum else 0

    def anthropic(
        self, model: str, parts: Sequence[str], breakpoints: Sequence[int]
    ) -> tuple[int, int]:
        """(cache read, cache write) tokens; records this request's breakpoint prefixes."""
        minimum = self.minimum_for(model)
        if minimum is None:
            return 0, 0
        prefixes = _breakpoint_prefixes(model, parts, breakpoints, minimum)
        if not prefixes:
            return 0, 0
        with self._lock:
            read = max((tokens for tokens, key in prefixes if key in self._seen), default=0)
            self._seen.update(key for _, key in prefixes)
        longest = prefixes[-1][0]
        return read, longest - read


def token_blocks(parts: Sequence[str], size: int) -> Iterator[str]:
    """The whole blocks of ``size`` tokens (4 characters each, a part ending a token) at the
    start of the prompt; a trailing partial block is left out."""
    pending: list[str] = []
    room = size
    for part in parts:
        pos = 0
        while pos < len(part):
            take = min(4 * room, len(part) - pos)
            pending.append(part[pos : pos + take])
            pos += take
            room -= math.ceil(take / 4)
            if room == 0:
                yield "\x00".join(pending)
                pending, room = [], size


def _chain(model: str, blocks: Iterator[str]) -> Iterator[bytes]:
    """One key per block that names the block and everything before it."""
    digest = hashlib.sha256(model.encode())
    for block in blocks:
        digest.update(b"\x01" + block.encode())
        yield digest.digest()


def _breakpoint_prefixes(
    model: str, parts: Sequence[str], breakpoints: Sequence[int], minimum: int
) -> list[tuple[int, bytes]]:
    """(tokens, key) of every breakpoint prefix long enough to cache, shortest first."""
    digest = hashlib.sha256(model.encode())
    tokens, out = 0, []
    marks = set(breakpoints)
    for index, part in enumerate(parts):
        digest.update(b"\x01" + part.encode())
        tokens += estimate_tokens(part)
        if index in marks and tokens >= minimum and tokens > 0:
            out.append((tokens, digest.copy().digest()))
    return out
