"""Runs side by side: every answer's provenance, past runs' predictions, and what changed.

    provenance(store, "us-cpi")          # how the current answer was made, and every past one
    history_predictions(store, run_id)   # {indicator_id: Classification} of a past run (eval)
    diff_runs(store, "run-a", "run-b")   # indicators whose answers changed, field by field
    list_runs(store)                     # runs, and API batches (each is its own run)

A run key is a run id (``indiclass run ...``) or a batch's trace_id: a batch that belongs to no
run is its own run, and a batch of a run can be named alone too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from indiclass.domain.errors import InputError
from indiclass.domain.history import PROVENANCE_COLUMNS, HistoryStore
from indiclass.domain.models import Classification
from indiclass.stages import DEFAULT_STAGES, StageSet
from indiclass.stages.complete import FIELD_SOURCE, SCORED_FIELDS

DIFF_FIELDS: tuple[str, ...] = (*FIELD_SOURCE, "review_status")
"""The answer fields a diff compares (confidences, provider and model are shown, not compared)."""


def _store(store: Any) -> HistoryStore:
    return cast(HistoryStore, store)


# ---------------------------------------------------------------- provenance


def provenance(store: Any, indicator_id: str) -> dict[str, Any] | None:
    """How the indicator's current answer was made — the rules version, prompt and request
    hashes, temperature, strategy, run and batch of the classification and of each stage — and
    its answer in every run that classified it. None when it was never classified."""
    current = _store(store).provenance_rows(indicator_id)
    past = _store(store).indicator_history(indicator_id)
    if current is None and not past:
        return None
    out: dict[str, Any] = {"indicator_id": indicator_id, "current": None, "stages": {}}
    if current is not None:
        c = current["classification"]
        out["current"] = {
            "trace_id": c["trace_id"],
            "provider": c["provider"],
            "model": c["model"],
            "overall_confidence": c["overall_confidence"],
            "classified_at": c["updated_at"],
            **{k: c[k] for k in PROVENANCE_COLUMNS},
        }
        out["stages"] = current["stages"]
    out["history"] = [_past(row) for row in past]
    return out


def _past(row: Mapping[str, Any]) -> dict[str, Any]:
    keep = (
        "run_key",
        "run_id",
        "trace_id",
        "family",
        "indicator_type",
        "review_status",
        "overall_confidence",
        "provider",
        "model",
        "strategy",
        "rules_version",
        "prompt_hash",
        "request_hash",
        "temperature",
        "created_at",
    )
    return {k: row.get(k) for k in keep}


# ---------------------------------------------------------------- past runs


def history_predictions(store: Any, run_id: str) -> dict[str, Classification]:
    """The run's classifications as they were when it ran (``indiclass eval`` of a past run);
    InputError for a run key nothing is known about."""
    _require(store, run_id)
    rows = _store(store).history_rows(run_id)
    return {i: Classification.model_validate(r["classification"]) for i, r in rows.items()}


def list_runs(store: Any, *, limit: int = 50) -> list[dict[str, Any]]:
    """Runs and batches of no run, newest first: id, kind, status, strategy, provider, model,
    indicators planned, classified (history rows), created_at."""
    return _store(store).runs_overview(limit=limit)


def _require(store: Any, run_key: str) -> dict[str, Any]:
    found = _store(store).run_info(run_key)
    if found is None:
        raise InputError(f"unknown run {run_key!r}: neither a run id nor a batch trace_id")
    return found


# ---------------------------------------------------------------- diff


@dataclass(frozen=True)
class FieldChange:
    field: str
    stage: str
    """The stage whose answer decides the field (the reviewing stage when it changed it)."""
    a: Any
    b: Any
    a_confidence: float | None
    b_confidence: float | None
    a_source: str | None
    """Who answered that stage in run A: ``llm``, ``rules``, ``rules-fallback``, ``skipped``."""
    b_source: str | None
    a_model: str | None
    b_model: str | None


@dataclass(frozen=True)
class IndicatorDiff:
    indicator_id: str
    name: str
    changes: tuple[FieldChange, ...]
    a: dict[str, Any]
    """Run A's answer: the compared fields, overall confidence, provider, model."""
    b: dict[str, Any]

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.changes]

    @property
    def stages(self) -> list[str]:
        return list(dict.fromkeys(c.stage for c in self.changes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator_id": self.indicator_id,
            "name": self.name,
            "fields": self.fields,
            "stages": self.stages,
            "a": self.a,
            "b": self.b,
            "changes": [asdict(c) for c in self.changes],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per changed field (the table and CSV form)."""
        return [{"indicator_id": self.indicator_id, **asdict(c)} for c in self.changes]


@dataclass
class RunDiff:
    a: dict[str, Any]
    b: dict[str, Any]
    changed: list[IndicatorDiff] = field(default_factory=list)
    unchanged: int = 0
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "compared": len(self.changed) + self.unchanged,
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "only_a": self.only_a,
            "only_b": self.only_b,
        }


def diff_runs(store: Any, a: str, b: str, stages: StageSet = DEFAULT_STAGES) -> RunDiff:
    """Indicators both runs classified whose answers differ, field by field, with both
    answers, their confidences and the stage that differed; and those only one classified."""
    out = RunDiff(_require(store, a), _require(store, b))
    pairs = _aligned(_store(store).iter_history(a), _store(store).iter_history(b))
    for row_a, row_b in pairs:
        if row_a is not None and row_b is not None:
            found = compare(row_a, row_b, stages)
            if found is None:
                out.unchanged += 1
            else:
                out.changed.append(found)
        elif row_a is not None:
            out.only_a.append(row_a["indicator_id"])
        elif row_b is not None:
            out.only_b.append(row_b["indicator_id"])
    return out


Row = dict[str, Any]


def _aligned(a: Iterator[Row], b: Iterator[Row]) -> Iterator[tuple[Row | None, Row | None]]:
    """The rows of two streams sorted by indicator side by side (None where one lacks it)."""
    row_a, row_b = next(a, None), next(b, None)
    while row_a is not None or row_b is not None:
        if row_b is None or (row_a is not None and row_a["indicator_id"] < row_b["indicator_id"]):
            yield row_a, None
            row_a = next(a, None)
        elif row_a is None or row_b["indicator_id"] < row_a["indicator_id"]:
            yield None, row_b
            row_b = next(b, None)
        else:
            yield row_a, row_b
            row_a, row_b = next(a, None), next(b, None)


def compare(
    row_a: Mapping[str, Any], row_b: Mapping[str, Any], stages: StageSet = DEFAULT_STAGES
) -> IndicatorDiff | None:
    """The differences between two history rows of one indicator (None: same answer)."""
    ca, cb = row_a["classification"], row_b["classification"]
    changes = tuple(
        _change(name, ca, cb, row_a["stages"], row_b["stages"], stages)
        for name in DIFF_FIELDS
        if not _same(ca.get(name), cb.get(name))
    )
    if not changes:
        return None
    return IndicatorDiff(ca["indicator_id"], ca["name"], changes, _answer(ca), _answer(cb))


def _change(
    name: str,
    ca: Mapping[str, Any],
    cb: Mapping[str, Any],
    stages_a: Mapping[str, Any],
    stages_b: Mapping[str, Any],
    stages: StageSet,
) -> FieldChange:
    stage = _deciding_stage(name, stages_a, stages_b, stages)
    sa, sb = stages_a.get(stage, {}), stages_b.get(stage, {})
    return FieldChange(
        field=name,
        stage=stage,
        a=ca.get(name),
        b=cb.get(name),
        a_confidence=_confidence(name, ca, stages),
        b_confidence=_confidence(name, cb, stages),
        a_source=sa.get("source"),
        b_source=sb.get("source"),
        a_model=_label(sa),
        b_model=_label(sb),
    )


def _reviewer(stages: StageSet) -> Any:
    """The stage that corrects other stages' fields (its result has ``corrections``)."""
    return next(s for s in reversed(list(stages)) if "corrections" in s.result_model.model_fields)


def _deciding_stage(
    name: str, stages_a: Mapping[str, Any], stages_b: Mapping[str, Any], stages: StageSet
) -> str:
    """The stage that decides ``name``; the reviewing stage when its corrections touched it in
    either run (or for the review status itself)."""
    final = str(_reviewer(stages).name)
    corrected = any(name in s.get(final, {}).get("corrections", ()) for s in (stages_a, stages_b))
    if name == "review_status" or corrected or name not in FIELD_SOURCE:
        return final
    return str(stages.by_key[FIELD_SOURCE[name][0]].name)


def _confidence(name: str, c: Mapping[str, Any], stages: StageSet) -> float | None:
    """The field's own confidence where it is scored, else its deciding stage's."""
    if name in SCORED_FIELDS and name in (c.get("field_confidence") or {}):
        return float(c["field_confidence"][name])
    key = FIELD_SOURCE[name][0] if name in FIELD_SOURCE else _reviewer(stages).key
    value = c.get(f"{key}_confidence")
    return None if value is None else float(value)


def _label(stage: Mapping[str, Any]) -> str | None:
    if not stage.get("provider"):
        return None
    return f"{stage['provider']}/{stage.get('model')}"


def _answer(c: Mapping[str, Any]) -> dict[str, Any]:
    keep = (*DIFF_FIELDS, "overall_confidence", "provider", "model")
    return {k: c.get(k) for k in keep}


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return bool(x == y)
