"""Prices per model in dollars per million tokens; overridable by a JSON file (``LLM_PRICES_FILE``).

File shape: ``{"gpt-4o-mini": {"input": 0.15, "output": 0.6, "cached": 0.075}, ...}``. A model
matches its exact name first, then the longest listed prefix (``gpt-4o-mini-2024-07-18`` →
``gpt-4o-mini``). A model with no price has cost ``None`` (unknown), never 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from indiclass.domain.errors import ConfigError
from indiclass.domain.usage import Usage


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cached: float | None = None
    """Price of cached input tokens; None means the same as ``input``."""

    def cost(self, usage: Usage) -> float:
        cached_price = self.input if self.cached is None else self.cached
        fresh = max(0, usage.input_tokens - usage.cached_tokens)
        total = fresh * self.input + usage.cached_tokens * cached_price
        return (total + usage.output_tokens * self.output) / 1_000_000


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60, 0.075),
    "gpt-4o": Price(2.50, 10.00, 1.25),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10),
    "gpt-4.1": Price(2.00, 8.00, 0.50),
    "claude-3-5-haiku": Price(0.80, 4.00, 0.08),
    "claude-haiku-4-5": Price(1.00, 5.00, 0.10),
    "claude-sonnet-4": Price(3.00, 15.00, 0.30),
    "indiclass-rules": Price(0.0, 0.0, 0.0),
}
"""Vendor list prices, USD per million tokens: input, output, cached input."""


class PriceTable:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)

    @classmethod
    def load(cls, path: str | None) -> PriceTable:
        """The defaults, overridden/extended by the JSON file at ``path`` (when given)."""
        table = cls()
        if path:
            table.prices.update(_read(Path(path)))
        return table

    def price(self, model: str) -> Price | None:
        if model in self.prices:
            return self.prices[model]
        prefixes = [m for m in self.prices if model.startswith(m)]
        return self.prices[max(prefixes, key=len)] if prefixes else None

    def cost(self, model: str, usage: Usage) -> float | None:
        price = self.price(model)
        return None if price is None else price.cost(usage)


def _read(path: Path) -> dict[str, Price]:
    try:
        raw = json.loads(path.read_text())
        return {
            str(m): Price(
                float(p["input"]),
                float(p["output"]),
                None if p.get("cached") is None else float(p["cached"]),
            )
            for m, p in raw.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ConfigError(
            f"LLM_PRICES_FILE {path}: cannot read prices ({exc}); expected "
            '{"model": {"input": 0.15, "output": 0.6, "cached": 0.075}}'
        ) from None
