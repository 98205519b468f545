"""The fake LLM itself, without HTTP: the fault script, the prompt cache, the counters, and the
answer to one parsed request (:meth:`FakeLLM.answer`). The HTTP routes, and every request inside a
batch, are answered by this same code."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, Literal, NamedTuple

from indiclass.providers._wire import compact_json, estimate_tokens
from indiclass.testing import answers
from indiclass.testing.prompt_cache import CacheMinimum, PromptCache
from indiclass.testing.wire import Exchange, Tokens, error_body, reply_body

FaultKind = Literal[
    "429", "500", "slow", "invalid_json", "out_of_enum", "truncated", "empty", "reply",
    "batch_error", "batch_expired",
]  # fmt: skip
BATCH_ONLY: frozenset[str] = frozenset({"batch_error", "batch_expired"})
"""Faults only requests inside a batch take (a synchronous call skips them)."""


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1
    """How many matching calls get this fault; -1 for every one."""
    stage: str | None = None
    """Only calls of this stage (``time``, ``family``, ``type``, ``boolean-review``, ...)."""
    retry_after: float | None = 0.01
    """Seconds sent in the Retry-After header of a 429 or 500 (None: no header)."""
    delay_ms: int = 1000
    content: str = ""
    """For ``reply``: the exact reply text to send (e.g. a review that fails)."""

    def matches(self, stage: str | None, *, batch: bool = False) -> bool:
        if self.times == 0 or (self.kind in BATCH_ONLY and not batch):
            return False
        return self.stage is None or self.stage == stage


@dataclass
class Stats:
    calls: int = 0
    answered: int = 0
    faults: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    """Prompt tokens reported as read from the prompt cache."""
    cache_write_tokens: int = 0
    """Prompt tokens reported as written to the prompt cache (Anthropic)."""
    by_stage: Counter[str] = field(default_factory=Counter)
    by_model: Counter[str] = field(default_factory=Counter)
    by_api: Counter[str] = field(default_factory=Counter)
    prompt_tokens_by_stage: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    """Synchronous calls being answered right now (waiting out their latency included)."""
    peak_in_flight: int = 0


class Reply(NamedTuple):
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class FakeLLM:
    """The server's state: fault script, prompt cache and counters (thread-safe)."""

    def __init__(
        self,
        *,
        latency_ms: int = 0,
        faults: list[Fault] | None = None,
        cache_min_tokens: CacheMinimum = 0,
    ) -> None:
        self.latency_ms = latency_ms
        self.cache = PromptCache(cache_min_tokens)
        """Prompt caching: ``cache_min_tokens`` is the minimum cacheable prompt for every model,
        ``"per-model"`` the providers' table, None no caching (see :mod:`prompt_cache`)."""
        self._lock = threading.Lock()
        self.faults = list(faults or [])
        self.stats = Stats()
        self.requests: list[dict[str, Any]] = []

    def set_faults(self, faults: list[Fault]) -> None:
        with self._lock:
            self.faults = list(faults)

    def reset(self, *, forget_cache: bool = True) -> None:
        with self._lock:
            self.stats, self.requests, self.faults = Stats(), [], []
        if forget_cache:
            self.cache.forget()

    def take_fault(self, stage: str | None, *, batch: bool = False) -> Fault | None:
        """The next scripted fault for a call of ``stage`` (counted as a call), if any."""
        with self._lock:
            self.stats.calls += 1
            for fault in self.faults:
                if fault.matches(stage, batch=batch):
                    fault.times -= 1 if fault.times > 0 else 0
                    self.stats.faults += 1
                    return fault
            return None

    def record(self, ex: Exchange, tokens: Tokens, *, batch: bool = False) -> None:
        with self._lock:
            s = self.stats
            s.answered += 1
            s.prompt_tokens += tokens.prompt
            s.completion_tokens += tokens.completion
            s.cached_tokens += tokens.cached
            s.cache_write_tokens += tokens.written
            stage = ex.stage or "unknown"
            s.by_stage[stage] += 1
            s.by_model[ex.model] += 1
            s.by_api[f"{ex.api}-batch" if batch else ex.api] += 1
            s.prompt_tokens_by_stage[stage] += tokens.prompt
            self.requests.append(ex.body)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {f.name: _plain(getattr(self.stats, f.name)) for f in fields(self.stats)}

    # ------------------------------------------------------------ one exchange

    async def respond(self, ex: Exchange) -> Reply:
        """The reply to a synchronous call, after the latency (and a ``slow`` fault's delay)."""
        self._count_in_flight(+1)
        try:
            if self.latency_ms:
                await asyncio.sleep(self.latency_ms / 1000)
            fault = self.take_fault(ex.stage)
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay_ms / 1000)
            return self.answer(ex, fault)
        finally:
            self._count_in_flight(-1)

    def _count_in_flight(self, step: int) -> None:
        with self._lock:
            s = self.stats
            s.in_flight = max(0, s.in_flight + step)
            s.peak_in_flight = max(s.peak_in_flight, s.in_flight)

    def answer(self, ex: Exchange, fault: Fault | None, *, batch: bool = False) -> Reply:
        """The reply to ``ex`` under ``fault`` (already taken from the script), usage recorded;
        ``batch``: a request inside a batch (counted under ``by_api`` ``<api>-batch``)."""
        if fault is not None and fault.kind in ("429", "500"):
            return _error(ex.api, fault)
        content, truncated = self._content(ex, fault)
        tokens = self.usage(ex, content)
        self.record(ex, tokens, batch=batch)
        return Reply(200, {}, reply_body(ex, content, truncated, tokens))

    def usage(self, ex: Exchange, content: str) -> Tokens:
        """Tokens as the provider would report them, prompt cache included."""
        parts = ex.prompt_parts()
        prompt = sum(estimate_tokens(p) for p in parts)
        completion = max(1, estimate_tokens(content))
        if ex.api == "anthropic":
            read, written = self.cache.anthropic(ex.model, parts, ex.breakpoints)
            return Tokens(prompt, completion, read, written)
        return Tokens(prompt, completion, self.cache.openai(ex.model, parts))

    def _content(self, ex: Exchange, fault: Fault | None) -> tuple[str, bool]:
        obj = answers.answer(ex.stage, ex.schema, ex.user)
        kind = fault.kind if fault else None
        if kind == "out_of_enum":
            obj = answers.break_enum(obj, ex.schema)
        text = compact_json(obj)
        if kind == "invalid_json":
            return text[:-1] + ",}", False
        if kind == "truncated":
            return text[: len(text) // 2], True
        if kind == "empty":
            return "", False
        if kind == "reply" and fault is not None:
            return fault.content, False
        return text, False


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Counter) else value


def _error(api: str, fault: Fault) -> Reply:
    status = int(fault.kind)
    headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after else {}
    return Reply(status, headers, error_body(api, status, f"fake {status}"))
