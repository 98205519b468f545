"""Confidence that means a probability: per scored field, the share of answers that were right
on the tuning corpus for the same kind of evidence, as a table fitted from labelled rows.

Each answer comes with a chain of evidence keys, most specific first (e.g. for ``family``:
``"units:percent>rate|name|latin"``, ``"percent>rate|name"``, ``"percent|name"``, ``"name"``).
The table stores (right, total) counts per key; the estimate is a hierarchical Beta smoothing
from an uninformed 0.5 at the most general key down the chain, so a key seen on few rows stays
close to its more general parent, a key never seen is its parent, and a general kind of
evidence seen on few rows stays uncertain. ``benchmarks/calibration.py`` fits the table
on the tuning corpus (``fit``) and measures it with leave-one-publisher-out (``lopo``).

The table is package data (``rules/data/calibration.json``); the fit here is pure and tested.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SCORED_FIELDS: tuple[str, ...] = (
    "family",
    "indicator_type",
    "time_basis",
    "is_currency_denominated",
    "detected_currency",
    "scale",
    "heat_map_orientation",
    "is_cumulative",
)
"""The classification fields with a calibrated confidence (their labels are scored)."""

STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "normalization": ("is_currency_denominated", "detected_currency", "scale"),
    "time": ("time_basis",),
    "cumulative": ("is_cumulative",),
    "family": ("family",),
    "type": ("indicator_type", "heat_map_orientation"),
}
"""Each rule stage's scored fields: the stage's confidence is the least of theirs (hybrid
compares it with ``min_confidence``)."""

PRIOR_STRENGTH = 8.0
"""Pseudo-rows of the parent estimate added to each key's counts."""
FLOOR, CEILING = 0.05, 0.99
"""No estimate leaves this range (a table fitted on a few hundred rows is never certain)."""
UNINFORMED = 0.5
"""The estimate before any row of a kind of evidence is seen."""
TABLE_PATH = Path(__file__).parent / "data" / "calibration.json"

Counts = dict[str, tuple[int, int]]
Keys = tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """(right, total) counts per field and evidence key; the empty key is the field total."""

    fields: dict[str, Counts]
    prior_strength: float = PRIOR_STRENGTH
    meta: dict[str, Any] = field(default_factory=dict)

    def estimate(self, name: str, keys: Sequence[str]) -> float:
        """The smoothed share of right answers for ``keys`` (most specific first), starting
        from an uninformed ``UNINFORMED`` at the most general key: a kind of evidence seen on
        few rows is not credited with the field's overall accuracy."""
        counts = self.fields.get(name, {})
        p = UNINFORMED
        m = self.prior_strength
        for key in reversed(keys):
            r, n = counts.get(key, (0, 0))
            p = (r + m * p) / (n + m)
        return round(min(CEILING, max(FLOOR, p)), 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "prior_strength": self.prior_strength,
            "meta": self.meta,
            "fields": {
                name: {k: list(v) for k, v in sorted(counts.items())}
                for name, counts in sorted(self.fields.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Table:
        fields = {
            name: {k: (int(v[0]), int(v[1])) for k, v in counts.items()}
            for name, counts in data.get("fields", {}).items()
        }
        return cls(fields, float(data.get("prior_strength", PRIOR_STRENGTH)), data.get("meta", {}))


@dataclass(frozen=True, slots=True)
class Record:
    """One scored answer: the field, its evidence chain and whether it was right."""

    field: str
    keys: Keys
    right: bool


def fit(
    records: Iterable[Record],
    prior_strength: float = PRIOR_STRENGTH,
    meta: Mapping[str, Any] | None = None,
) -> Table:
    """Counts per field and key from scored answers (every key of a chain counts the row)."""
    fields: dict[str, dict[str, list[int]]] = {}
    for rec in records:
        counts = fields.setdefault(rec.field, {})
        for key in ("", *rec.keys):
            cell = counts.setdefault(key, [0, 0])
            cell[0] += int(rec.right)
            cell[1] += 1
    frozen = {name: {k: (v[0], v[1]) for k, v in c.items()} for name, c in fields.items()}
    return Table(frozen, prior_strength, dict(meta or {}))


def load(path: Path = TABLE_PATH) -> Table:
    """The fitted table (an empty table when the file is missing: every field at its default)."""
    if not path.exists():
        return Table({})
    return Table.from_json(json.loads(path.read_text()))


@cache
def _default_table() -> Table:
    return load()


@cache
def confidence(name: str, keys: Keys) -> float:
    """The calibrated confidence of field ``name`` for an evidence chain (memoised)."""
    return _default_table().estimate(name, keys)


def stage_confidence(field_confidence: Mapping[str, float], fallback: float) -> float:
    """A stage's confidence: the least of its fields' (``fallback`` when it has none)."""
    return min(field_confidence.values(), default=fallback)
