"""Prices per model in dollars per million tokens, and what each model's prompt cache needs.

A row gives the input and output prices, the price of a cache read, the price of a cache write
(Anthropic: 1.25x input for the 5-minute TTL, 2x for the 1-hour one; OpenAI bills no writes), the
smallest prompt prefix the provider caches for that model, and the provider-batch multiplier
(both providers bill their batch APIs at half price, cache reads and writes included).

Overridable by a JSON file (``LLM_PRICES_FILE``)::

    {"gpt-4o-mini": {"input": 0.15, "output": 0.6, "cached": 0.075},
     "my-claude": {"input": 3, "output": 15, "cached": 0.3, "cache_write": 3.75,
                   "cache_write_1h": 6, "min_cache_tokens": 1024, "batch": 0.5}}

A model matches its exact name first, then the longest listed prefix (``gpt-4o-mini-2024-07-18``
→ ``gpt-4o-mini``). A model with no price has cost ``None`` (unknown), never 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from indiclass.domain.errors import ConfigError
from indiclass.domain.usage import Usage

CacheTTL = Literal["5m", "1h"]
"""Anthropic's cache lifetimes: the write price depends on which one the request asked for."""

DEFAULT_MIN_CACHE_TOKENS = 1024
"""OpenAI's minimum for every model, and Anthropic's for Sonnet 4/4.5 and Opus 4/4.1."""

BATCH_MULTIPLIER = 0.5


@dataclass(frozen=True)
class Price:
    """USD per million tokens for one model, and its prompt-cache minimum."""

    input: float
    output: float
    cached: float | None = None
    """Price of a cache read; None: the input price."""
    cache_write: float | None = None
    """Price of a cache write with the 5-minute TTL; None: the input price (OpenAI)."""
    cache_write_1h: float | None = None
    """Price of a cache write with the 1-hour TTL; None: ``cache_write``."""
    min_cache_tokens: int = DEFAULT_MIN_CACHE_TOKENS
    """The smallest prefix the provider caches for this model."""
    batch: float = BATCH_MULTIPLIER
    """Multiplier on every line in provider-batch mode."""

    def cost(self, usage: Usage, *, cache_ttl: CacheTTL = "5m", batch: bool = False) -> float:
        """Dollars for ``usage``: fresh input, cache reads, cache writes and output apart."""
        fresh = max(0, usage.input_tokens - usage.cached_tokens - usage.cache_write_tokens)
        total = (
            fresh * self.input
            + usage.cached_tokens * self.read_price
            + usage.cache_write_tokens * self.write_price(cache_ttl)
            + usage.output_tokens * self.output
        )
        return total / 1_000_000 * (self.batch if batch else 1.0)

    @property
    def read_price(self) -> float:
        return self.input if self.cached is None else self.cached

    def write_price(self, cache_ttl: CacheTTL = "5m") -> float:
        five_minutes = self.input if self.cache_write is None else self.cache_write
        if cache_ttl == "1h" and self.cache_write_1h is not None:
            return self.cache_write_1h
        return five_minutes


def openai_price(input: float, output: float, cached: float) -> Price:
    """An OpenAI row: automatic caching from 1,024 tokens, no write premium."""
    return Price(input, output, cached)


def anthropic_price(input: float, output: float, min_cache_tokens: int) -> Price:
    """An Anthropic row: reads at 0.1x input, writes at 1.25x (5 minutes) or 2x (1 hour)."""
    return Price(
        input,
        output,
        cached=round(input * 0.1, 6),
        cache_write=round(input * 1.25, 6),
        cache_write_1h=round(input * 2, 6),
        min_cache_tokens=min_cache_tokens,
    )


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": openai_price(0.15, 0.60, 0.075),
    "gpt-4o": openai_price(2.50, 10.00, 1.25),
    "gpt-4.1-nano": openai_price(0.10, 0.40, 0.025),
    "gpt-4.1-mini": openai_price(0.40, 1.60, 0.10),
    "gpt-4.1": openai_price(2.00, 8.00, 0.50),
    "o4-mini": openai_price(1.10, 4.40, 0.275),
    "claude-3-haiku": anthropic_price(0.25, 1.25, 2048),
    "claude-3-5-haiku": anthropic_price(0.80, 4.00, 2048),
    "claude-haiku-4-5": anthropic_price(1.00, 5.00, 4096),
    "claude-3-7-sonnet": anthropic_price(3.00, 15.00, 1024),
    "claude-sonnet-4": anthropic_price(3.00, 15.00, 1024),
    "claude-sonnet-4-6": anthropic_price(3.00, 15.00, 2048),
    "claude-opus-4": anthropic_price(15.00, 75.00, 1024),
    "claude-opus-4-5": anthropic_price(5.00, 25.00, 4096),
    "claude-opus-4-6": anthropic_price(5.00, 25.00, 4096),
    "indiclass-rules": Price(0.0, 0.0, 0.0),
}
"""Vendor list prices, USD per million tokens (``claude-sonnet-4`` covers ``-4-5`` and dated
names; ``claude-opus-4`` covers ``-4-1``). Batch prices are half of every line."""


class PriceTable:
    """The prices of every known model; ``cache_ttl`` is the TTL the Anthropic adapter asks
    for, which decides the price of a cache write."""

    def __init__(
        self, prices: dict[str, Price] | None = None, *, cache_ttl: CacheTTL = "5m"
    ) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)
        self.cache_ttl: CacheTTL = cache_ttl

    @classmethod
    def load(cls, path: str | None, *, cache_ttl: CacheTTL = "5m") -> PriceTable:
        """The defaults, overridden/extended by the JSON file at ``path`` (when given)."""
        table = cls(cache_ttl=cache_ttl)
        if path:
            table.prices.update(_read(Path(path)))
        return table

    def price(self, model: str) -> Price | None:
        if model in self.prices:
            return self.prices[model]
        prefixes = [m for m in self.prices if model.startswith(m)]
        return self.prices[max(prefixes, key=len)] if prefixes else None

    def cost(self, model: str, usage: Usage, *, batch: bool = False) -> float | None:
        """Dollars for ``usage`` of ``model`` (None: the model has no price)."""
        price = self.price(model)
        return None if price is None else price.cost(usage, cache_ttl=self.cache_ttl, batch=batch)

    def cache_minimum(self, model: str) -> int:
        """The smallest prefix the provider caches for ``model`` (1,024 for an unknown one)."""
        price = self.price(model)
        return DEFAULT_MIN_CACHE_TOKENS if price is None else price.min_cache_tokens


_OPTIONAL_PRICES = ("cached", "cache_write", "cache_write_1h")


def _read(path: Path) -> dict[str, Price]:
    try:
        raw = json.loads(path.read_text())
        return {str(m): _row(p) for m, p in raw.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ConfigError(
            f"LLM_PRICES_FILE {path}: cannot read prices ({exc}); expected "
            '{"model": {"input": 0.15, "output": 0.6, "cached": 0.075}}'
        ) from None


def _row(p: dict[str, Any]) -> Price:
    values: dict[str, Any] = {"input": float(p["input"]), "output": float(p["output"])}
    values.update({k: None if p.get(k) is None else float(p[k]) for k in _OPTIONAL_PRICES})
    values["min_cache_tokens"] = int(p.get("min_cache_tokens", DEFAULT_MIN_CACHE_TOKENS))
    values["batch"] = float(p.get("batch", BATCH_MULTIPLIER))
    return Price(**values)
