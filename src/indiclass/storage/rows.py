"""Mapping between domain objects and table rows (no I/O), plus SQL text helpers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from indiclass.domain.enums import StageName
from indiclass.domain.models import Classification, Indicator, StageRecord, StageResult
from indiclass.domain.ports import CallRecord
from indiclass.domain.store import BatchStats
from indiclass.domain.usage import Usage
from indiclass.storage.migrations import (
    BATCH_ITEMS,
    CLASSIFICATIONS,
    LLM_CALLS,
    STAGE_COMMON_TAIL,
    STAGE_TABLES,
)

STAGE_TABLE: dict[StageName, str] = {
    StageName.NORMALIZE: "normalization_results",
    StageName.TIME: "time_inference_results",
    StageName.CUMULATIVE: "cumulative_detection_results",
    StageName.FAMILY: "family_assignment_results",
    StageName.TYPE: "type_classification_results",
    StageName.BOOLEAN_REVIEW: "boolean_review_results",
    StageName.FINAL_REVIEW: "final_review_results",
}
"""Stages with a results table; the router and complete stages only log to processing_log."""

_RENAMED = {"pattern": "cumulative_pattern_type"}
_BOOL_COLUMNS = frozenset(
    col
    for cols in (CLASSIFICATIONS, LLM_CALLS, BATCH_ITEMS, STAGE_COMMON_TAIL, *STAGE_TABLES.values())
    for col, spec in cols
    if spec.rstrip("!") == "bool"
)
DATA_TABLES = (
    "source_indicators",
    "pipeline_stats",
    "batch_items",
    "classifications",
    *STAGE_TABLE.values(),
    "processing_log",
    "llm_calls",
)


def now_iso() -> str:
    """UTC now as ``2026-01-31T12:00:00.123Z`` (the seed's JavaScript toISOString form)."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text)


def ms_between(start: str | None, end: str | None) -> float | None:
    a, b = parse_iso(start), parse_iso(end)
    return None if a is None or b is None else max(0.0, (b - a).total_seconds() * 1000)


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
    """A row with SQLite's 0/1 booleans turned back into bools."""
    return {k: (bool(v) if k in _BOOL_COLUMNS and v is not None else v) for k, v in row.items()}


# ---------------------------------------------------------------- indicators


def indicator_row(ind: Indicator, now: str) -> dict[str, Any]:
    row = ind.model_dump(mode="json")
    row["sample_values"] = json.dumps(row["sample_values"], separators=(",", ":"))
    return {**row, "created_at": now, "updated_at": now}


def indicator_from_row(row: Mapping[str, Any]) -> Indicator:
    data = {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
    data["sample_values"] = json.loads(data.get("sample_values") or "[]")
    return Indicator.model_validate({k: v for k, v in data.items() if v is not None})


# ---------------------------------------------------------------- stage results


def stage_row(
    trace_id: str,
    indicator_id: str,
    result: StageResult,
    record: StageRecord,
    usage: Usage,
    now: str,
) -> dict[str, Any]:
    fields = result.model_dump(mode="json")
    row: dict[str, Any] = {"indicator_id": indicator_id, "trace_id": trace_id}
    for key, value in fields.items():
        if key in ("confidence", "reasoning"):
            continue
        row[_RENAMED.get(key, key)] = json.dumps(value) if isinstance(value, list) else value
    return {
        **row,
        "confidence": result.confidence,
        "reasoning": result.reasoning,
        "result_json": result.model_dump_json(),
        "source": record.source.value,
        "provider": record.provider,
        "model": record.model,
        "attempts": record.attempts,
        "error": record.error,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
        "cost_usd": usage.cost_usd,
        "created_at": now,
        "updated_at": now,
    }


# ---------------------------------------------------------------- classifications and calls


def classification_row(trace_id: str, c: Classification, now: str) -> dict[str, Any]:
    return {**c.model_dump(mode="json"), "trace_id": trace_id, "created_at": now, "updated_at": now}


def call_row(
    call: CallRecord, trace_id: str | None, indicator_id: str | None, now: str
) -> dict[str, Any]:
    tags = call.tags
    key = hashlib.sha256(call.model_dump_json().encode()).hexdigest()
    return {
        "call_key": key,
        "trace_id": trace_id or tags.get("trace_id") or tags.get("batch_id"),
        "indicator_id": indicator_id or tags.get("indicator_id") or tags.get("indicator"),
        "stage": call.stage,
        "provider": call.provider,
        "model": call.model,
        "prompt_system": call.system,
        "prompt_user": call.user,
        "response": call.response,
        "input_tokens": call.usage.input_tokens,
        "output_tokens": call.usage.output_tokens,
        "cached_tokens": call.usage.cached_tokens,
        "cost_usd": call.usage.cost_usd,
        "duration_ms": call.duration_ms,
        "error": call.error,
        "cache_hit": call.cache_hit,
        "created_at": now,
    }


def stats_from_row(row: Mapping[str, Any]) -> BatchStats:
    total = int(row["total_indicators"])
    ok, failed = int(row["successful_indicators"] or 0), int(row["failed_indicators"] or 0)
    start = parse_iso(row["batch_start_time"])
    assert start is not None
    return BatchStats(
        batch_id=row["batch_id"],
        provider=row["provider"],
        model=row["model"],
        total_indicators=total,
        successful_indicators=ok,
        failed_indicators=failed,
        pending_indicators=max(0, total - ok - failed),
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
            cost_usd=row["cost_usd"],
        ),
    )
