"""Mapping between domain objects and table rows (no I/O), derived from the stage declarations,
plus SQL text helpers."""

from __future__ import annotations

import enum
import hashlib
import json
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from pydantic import BaseModel

from indiclass.domain.history import PROVENANCE_COLUMNS
from indiclass.domain.models import (
    CORE_FIELDS,
    Classification,
    Indicator,
    StageOutcome,
    StageResult,
)
from indiclass.domain.run import RunConfig
from indiclass.domain.store import BatchStats
from indiclass.domain.usage import Usage
from indiclass.stages import Stage, StageSet

STAGE_HEAD = ("indicator_id", "trace_id")
STAGE_TAIL: tuple[tuple[str, str], ...] = (
    ("confidence", "real!"),
    ("reasoning", "text!"),
    ("result_json", "text!"),
    ("source", "text!"),
    ("provider", "text!"),
    ("model", "text!"),
    ("attempts", "int!"),
    ("error", "text"),
    ("input_tokens", "int!"),
    ("output_tokens", "int!"),
    ("cached_tokens", "int!"),
    ("cost_usd", "real"),
    ("created_at", "text!"),
    ("updated_at", "text!"),
)
STAGE_PROVENANCE: tuple[tuple[str, str], ...] = tuple(
    (c, "real" if c == "temperature" else "text") for c in PROVENANCE_COLUMNS
)
"""Added by migration 011 after the tail: how the answer was made (``domain.history``)."""
_OWN_FIELDS = frozenset(StageResult.model_fields)
"""Fields every result has (confidence, reasoning, field_confidence): not typed columns."""

BOOL_COLUMNS = frozenset(
    {
        "is_currency_denominated",
        "is_cumulative",
        "cache_hit",
        "passed",
        "needs_review",
    }
)
JSON_COLUMNS = frozenset({"field_confidence", "issues", "corrections", "run_config"})
FIXED_TABLES = (
    "source_indicators",
    "pipeline_stats",
    "batch_items",
    "classifications",
    "processing_log",
    "llm_calls",
    "runs",
    "run_items",
    "executors",
    "provider_batches",
    "provider_batch_requests",
    "classification_history",
    "webhook_deliveries",
)


def data_tables(stages: StageSet) -> tuple[str, ...]:
    return (*FIXED_TABLES, *stages.tables.values())


# ---------------------------------------------------------------- times


def now_iso() -> str:
    """UTC now as ``2026-01-31T12:00:00.123Z`` (the seed's JavaScript toISOString form)."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_epoch(seconds: float) -> str:
    return iso(datetime.fromtimestamp(seconds, UTC))


def parse_iso(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text)


def ms_between(start: str | None, end: str | None) -> float | None:
    a, b = parse_iso(start), parse_iso(end)
    return None if a is None or b is None else max(0.0, (b - a).total_seconds() * 1000)


# ---------------------------------------------------------------- SQL text


def upsert_sql(
    table: str, columns: Sequence[str], conflict: Sequence[str], update: Sequence[str] | None = None
) -> str:
    """``INSERT ... ON CONFLICT (...) DO UPDATE SET c = excluded.c`` (DO NOTHING if no update).

    ``update`` None: every column except the conflict keys and ``created_at``.
    """
    return _upsert_sql(
        table, tuple(columns), tuple(conflict), None if update is None else tuple(update)
    )


@lru_cache(maxsize=256)
def _upsert_sql(
    table: str, columns: tuple[str, ...], conflict: tuple[str, ...], update: tuple[str, ...] | None
) -> str:
    if update is None:
        update = tuple(c for c in columns if c not in conflict and c != "created_at")
    head = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        f"({', '.join('?' * len(columns))}) ON CONFLICT ({', '.join(conflict)}) "
    )
    if not update:
        return head + "DO NOTHING"
    return head + "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update)


def clean(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with SQLite's 0/1 booleans turned back into bools and JSON columns decoded."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k in BOOL_COLUMNS and v is not None:
            v = bool(v)
        elif k in JSON_COLUMNS and isinstance(v, str):
            v = json.loads(v) if v else None
        out[k] = v
    return out


# ---------------------------------------------------------------- stage tables


@cache
def stage_columns(stage: Stage) -> tuple[tuple[str, str, str], ...]:
    """(column, abstract type, result field) of the stage's own result fields, in model order."""
    out = []
    for name, info in stage.result_model.model_fields.items():
        if name in _OWN_FIELDS:
            continue
        out.append((stage.columns.get(name, name), column_type(info.annotation), name))
    return tuple(out)


def column_type(annotation: Any) -> str:
    """The abstract column type of a result field: bool, int, real or text (JSON for lists)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return column_type(args[0]) if len(args) == 1 else "text"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "real"
    return "text"


def stage_table_columns(stage: Stage) -> tuple[tuple[str, str], ...]:
    """Every column of the stage's table as (name, abstract type), in table order."""
    own = tuple((col, typ) for col, typ, _ in stage_columns(stage))
    head = (("id", "pk"), ("indicator_id", "text!"), ("trace_id", "text!"))
    return (*head, *own, *STAGE_TAIL, *STAGE_PROVENANCE)


def stage_row(
    trace_id: str,
    indicator_id: str,
    stage: Stage,
    outcome: StageOutcome,
    now: str,
    batch: Mapping[str, Any] | None = None,
) -> tuple[Any, ...]:
    """The row of ``stage_row_columns(stage)`` for one stage outcome; ``batch`` gives the
    batch's ``strategy`` and ``run_id``."""
    result, record, usage = outcome.result, outcome.record, outcome.usage
    batch = batch or {}
    own = [_cell(getattr(result, field)) for _, _, field in stage_columns(stage)]
    return (
        indicator_id,
        trace_id,
        *own,
        result.confidence,
        result.reasoning,
        _result_json(result, stage),
        record.source.value,
        record.provider,
        record.model,
        record.attempts,
        record.error,
        usage.input_tokens,
        usage.output_tokens,
        usage.cached_tokens,
        usage.cost_usd,
        now,
        now,
        record.rules_version,
        record.prompt_hash,
        record.request_hash,
        record.temperature,
        batch.get("strategy"),
        batch.get("run_id"),
    )


@cache
def stage_row_columns(stage: Stage) -> tuple[str, ...]:
    return tuple(col for col, _ in stage_table_columns(stage) if col != "id")


def _result_json(result: StageResult, stage: Stage) -> str:
    """What the typed columns do not hold (lists, per-field confidences): compact JSON."""
    typed = {field for _, _, field in stage_columns(stage)}
    rest = {
        k: v
        for k, v in result.model_dump(mode="json").items()
        if k not in typed and k not in ("confidence", "reasoning") and v not in ({}, [], None)
    }
    return json.dumps(rest, separators=(",", ":")) if rest else "{}"


def _cell(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple | dict):
        return json.dumps(_plain(value), separators=(",", ":"))
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def decoded_stage_row(stage: Stage, row: dict[str, Any]) -> dict[str, Any]:
    """A stage table row for reading: booleans back, JSON list columns parsed, extras merged."""
    out = clean(row)
    for col, typ, field in stage_columns(stage):
        value = out.get(col)
        if typ == "text" and isinstance(value, str) and value[:1] in ("[", "{"):
            out[col] = json.loads(value)
        if field != col:
            out.setdefault(field, out.get(col))
    extra = out.get("result_json")
    if isinstance(extra, str) and extra not in ("", "{}"):
        loaded = json.loads(extra)
        for k, v in loaded.items():
            out.setdefault(k, v)
    return out


# ---------------------------------------------------------------- indicators


def indicator_row(ind: Indicator, now: str) -> dict[str, Any]:
    row = ind.model_dump(mode="json")
    row["sample_values"] = json.dumps(row["sample_values"], separators=(",", ":"))
    return {**row, "created_at": now, "updated_at": now}


def indicator_from_row(row: Mapping[str, Any]) -> Indicator:
    data = {k: v for k, v in row.items() if k in Indicator.model_fields}
    data["sample_values"] = json.loads(row.get("sample_values") or "[]")
    return Indicator.model_validate({k: v for k, v in data.items() if v is not None})


# ---------------------------------------------------------------- classifications


def classification_columns(stages: StageSet) -> tuple[str, ...]:
    per_stage = tuple(f"{k}_{p}" for k in stages.summarised for p in ("confidence", "reasoning"))
    return (*CORE_FIELDS, *per_stage, "trace_id", "created_at", "updated_at", *PROVENANCE_COLUMNS)


def classification_row(
    trace_id: str,
    c: Classification,
    columns: Sequence[str],
    now: str,
    provenance: Mapping[str, Any] | None = None,
) -> tuple[Any, ...]:
    """The ``classifications`` row; ``provenance``: its ``PROVENANCE_COLUMNS`` values."""
    data = c.model_dump(mode="json")
    data.update(provenance or {})
    data["fallback_stages"] = ",".join(c.fallback_stages) or None
    data["field_confidence"] = json.dumps(data["field_confidence"], separators=(",", ":"))
    data.update(trace_id=trace_id, created_at=now, updated_at=now)
    return tuple(data.get(col, "" if col.endswith("_reasoning") else None) for col in columns)


def classification_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``classifications`` row as the classification JSON (flat; booleans; lists)."""
    out = clean(row)
    stages = out.get("fallback_stages")
    out["fallback_stages"] = [s for s in stages.split(",") if s] if stages else []
    if out.get("needs_review") is None:
        out["needs_review"] = False
    return out


# ---------------------------------------------------------------- calls and batches


def request_hash(system: str, user: str) -> str:
    return hashlib.sha256(f"{system}\x1f{user}".encode()).hexdigest()[:32]


def stats_from_row(row: Mapping[str, Any]) -> BatchStats:
    total = int(row["total_indicators"])
    ok, failed = int(row["successful_indicators"] or 0), int(row["failed_indicators"] or 0)
    cancelled = int(row.get("cancelled_indicators") or 0)
    pending = row.get("pending_indicators")
    pending = max(0, total - ok - failed - cancelled) if pending is None else int(pending)
    start = parse_iso(row["batch_start_time"])
    assert start is not None
    config = row.get("run_config")
    return BatchStats(
        batch_id=row["batch_id"],
        provider=row["provider"],
        model=row["model"],
        strategy=row.get("strategy"),
        status=row.get("status") or ("running" if pending else "completed"),
        reason=row.get("reason"),
        total_indicators=total,
        successful_indicators=ok,
        failed_indicators=failed,
        pending_indicators=pending,
        cancelled_indicators=cancelled,
        fallback_indicators=int(row.get("fallback_indicators") or 0),
        batch_start_time=start,
        batch_end_time=parse_iso(row["batch_end_time"]),
        total_duration_ms=row["total_duration_ms"],
        avg_time_per_indicator_ms=row["avg_time_per_indicator_ms"],
        avg_confidence=row["avg_confidence"],
        llm_calls=int(row["llm_calls"] or 0),
        usage=Usage(
            requests=int(row["llm_calls"] or 0),
            input_tokens=int(row["input_tokens"] or 0),
            output_tokens=int(row["output_tokens"] or 0),
            cached_tokens=int(row["cached_tokens"] or 0),
            cost_usd=None if int(row.get("unknown_cost_calls") or 0) else row["cost_usd"],
        ),
        run_id=row.get("run_id"),
        run_config=RunConfig.from_json(config) if config else None,
        body_hash=row.get("body_hash"),
        dispatch=row.get("dispatch"),
        chunks=int(row.get("chunks") or 0),
    )
