"""Corrections teach: few-shot examples for the LLM stages, drawn from people's overrides of
the most similar indicators (``INDICLASS_FEWSHOT_EXAMPLES`` = how many per request; 0 = off).

Similarity, documented and deterministic: the names' word tokens (NFKC-folded, lower-cased,
letters and digits; CJK characters one token each) compared by Jaccard index, plus a quarter of
the Jaccard index of the units' tokens; ties go to the newer correction. Only corrections of the
fields the stage decides are offered to that stage (a family correction to ``family``, a type or
orientation correction to ``type`` ...), and never the indicator's own.

The examples go at the end of the user message, after the stage's static system prompt and the
indicator's description: the cacheable prefix stays byte-identical with or without them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indiclass.domain.models import Indicator
from indiclass.stages.complete import FIELD_SOURCE

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+", re.UNICODE)
HEADER = "Corrections people made for similar indicators (follow them where they apply):"


def tokens(text: str | None) -> frozenset[str]:
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return frozenset(_TOKEN.findall(folded))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Example:
    indicator_id: str
    name: str
    units: str | None
    values: Mapping[str, Any]
    """Corrected classification fields → value."""
    order: int = 0
    name_tokens: frozenset[str] = field(default_factory=frozenset)
    unit_tokens: frozenset[str] = field(default_factory=frozenset)

    def line(self, fields: Iterable[str]) -> str:
        shown = ", ".join(f"{f}={_text(self.values[f])}" for f in fields if f in self.values)
        units = f" | {self.units}" if self.units else ""
        return f"- {self.name}{units}: {shown}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


class Examples:
    """The overrides as examples, ranked per request by similarity."""

    def __init__(self, examples: Sequence[Example], k: int) -> None:
        self.k = k
        self.examples = list(examples)

    @classmethod
    def from_overrides(
        cls, records: Iterable[Mapping[str, Any]], indicators: Mapping[str, Indicator], k: int
    ) -> Examples:
        """Active override records (``store.iter_overrides()``) and the indicators they
        correct (by id) → examples, one per indicator with all its corrected fields."""
        values: dict[str, dict[str, Any]] = {}
        newest: dict[str, int] = {}
        for n, r in enumerate(records):
            if r["field"] not in FIELD_SOURCE:
                continue  # needs_review and the like are not answers to teach
            values.setdefault(r["indicator_id"], {})[r["field"]] = r["value"]
            newest[r["indicator_id"]] = n
        out = []
        for ind_id, fields in values.items():
            ind = indicators.get(ind_id)
            if ind is None:
                continue
            out.append(
                Example(
                    ind_id,
                    ind.name,
                    ind.units,
                    fields,
                    newest[ind_id],
                    tokens(ind.name),
                    tokens(ind.units),
                )
            )
        return cls(out, k)

    def for_stage(self, indicator: Indicator, stage_key: str) -> str | None:
        """The examples for one request of the stage whose state key is ``stage_key``, as text
        to append to the user message (None: nothing relevant)."""
        fields = [f for f, (key, _) in FIELD_SOURCE.items() if key == stage_key]
        name, units = tokens(indicator.name), tokens(indicator.units)
        ranked = sorted(
            (
                (_jaccard(name, e.name_tokens) + 0.25 * _jaccard(units, e.unit_tokens), e.order, e)
                for e in self.examples
                if e.indicator_id != indicator.indicator_id and any(f in e.values for f in fields)
            ),
            key=lambda t: (-t[0], -t[1]),
        )
        chosen = [e for score, _, e in ranked[: self.k] if score > 0]
        if not chosen:
            return None
        return "\n".join([HEADER, *(e.line(fields) for e in chosen)])
