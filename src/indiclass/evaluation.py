"""Scoring classifications against labels: accuracy per field and the most frequent confusions.

A prediction is right when it equals the label or one of the values listed for that field in the
label's ``alt``. Label fields map to classification fields as in ``FIELD_MAP``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from indiclass.domain.models import Classification

FIELD_MAP: dict[str, str] = {
    "family": "family",
    "indicator_type": "indicator_type",
    "time_basis": "time_basis",
    "is_currency": "is_currency_denominated",
    "currency": "detected_currency",
    "scale": "scale",
    "heat_map_orientation": "heat_map_orientation",
    "is_cumulative": "is_cumulative",
}
"""Label field → Classification field."""

TARGETS: dict[str, float] = {
    "family": 0.90,
    "indicator_type": 0.80,
    "time_basis": 0.90,
    "is_currency": 0.95,
    "currency": 0.95,
    "scale": 0.90,
    "heat_map_orientation": 0.80,
    "is_cumulative": 0.97,
}
"""The accuracy each field must reach on the labelled sets (issue #2)."""


@dataclass
class FieldScore:
    right: int = 0
    total: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class EvalReport:
    fields: dict[str, FieldScore]
    scored: int
    missing: list[str]

    def accuracy(self) -> dict[str, float]:
        return {name: round(s.accuracy, 4) for name, s in self.fields.items()}

    def top_confusions(self, n: int = 10) -> list[dict[str, Any]]:
        found = [
            (count, name, exp, got, s.examples[(exp, got)][:3])
            for name, s in self.fields.items()
            for (exp, got), count in s.confusions.items()
        ]
        found.sort(key=lambda r: (-r[0], r[1], r[2]))
        return [
            {"field": name, "expected": exp, "predicted": got, "count": count, "examples": examples}
            for count, name, exp, got, examples in found[:n]
        ]

    def to_dict(self, n: int = 10) -> dict[str, Any]:
        return {
            "scored": self.scored,
            "missing": self.missing,
            "accuracy": self.accuracy(),
            "targets": TARGETS,
            "confusions": self.top_confusions(n),
        }


def as_text(value: Any) -> str:
    """Comparable string form (enums → value, None → "null", bools → true/false)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def is_right(label: Mapping[str, Any], label_field: str, predicted: Any) -> bool:
    accepted = [label.get(label_field), *(label.get("alt") or {}).get(label_field, [])]
    got = as_text(predicted)
    return any(as_text(a) == got for a in accepted)


def score(
    predictions: Mapping[str, Classification], labels: Iterable[Mapping[str, Any]]
) -> EvalReport:
    """Accuracy per label field over the labels that have a prediction."""
    fields = {name: FieldScore() for name in FIELD_MAP}
    scored, missing = 0, []
    for label in labels:
        pred = predictions.get(str(label.get("id")))
        if pred is None:
            missing.append(str(label.get("id")))
            continue
        scored += 1
        for lf, cf in FIELD_MAP.items():
            if lf in label:
                _score_one(fields[lf], label, lf, getattr(pred, cf))
    return EvalReport(fields, scored, missing)


def _score_one(s: FieldScore, label: Mapping[str, Any], lf: str, predicted: Any) -> None:
    s.total += 1
    if is_right(label, lf, predicted):
        s.right += 1
        return
    key = (as_text(label.get(lf)), as_text(predicted))
    s.confusions[key] += 1
    s.examples[key].append(str(label.get("id")))
