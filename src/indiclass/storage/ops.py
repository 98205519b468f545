"""Writes and computations that run inside one store transaction (no connection handling)."""

from __future__ import annotations

import json
from typing import Any

from indiclass.domain.enums import StageName
from indiclass.domain.models import StageRecord, StageResult
from indiclass.domain.usage import Usage
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor


def save_stage(
    cur: Cursor,
    trace_id: str,
    indicator_id: str,
    stage: StageName,
    result: StageResult,
    record: StageRecord,
    usage: Usage,
    now: str,
) -> None:
    table = R.STAGE_TABLE.get(StageName(stage))
    if table is None:
        return
    row = R.stage_row(trace_id, indicator_id, result, record, usage, now)
    cur.execute(R.upsert_sql(table, list(row), ("indicator_id", "trace_id")), list(row.values()))


def log(
    cur: Cursor,
    trace_id: str,
    indicator_id: str,
    stage: str,
    event: str,
    duration_ms: float | None,
    error: str | None,
    now: str,
) -> None:
    row = {
        "trace_id": trace_id,
        "indicator_id": indicator_id,
        "stage": stage,
        "status": event,
        "duration_ms": duration_ms,
        "error_message": error,
        "created_at": now,
        "updated_at": now,
    }
    cur.execute(
        R.upsert_sql("processing_log", list(row), ("trace_id", "indicator_id", "stage", "status")),
        list(row.values()),
    )


def finish_item(
    cur: Cursor,
    trace_id: str,
    indicator_id: str,
    status: str,
    stage: str | None,
    error: str | None,
    confidence: float | None,
    now: str,
) -> None:
    """Move a batch item to completed/failed; re-finishing keeps the first finish time."""
    item = cur.execute(
        "SELECT status, started_at, created_at, finished_at FROM batch_items"
        " WHERE trace_id = ? AND indicator_id = ?",
        (trace_id, indicator_id),
    ).fetchone()
    if item is None:
        cur.execute(
            "INSERT INTO batch_items (trace_id, indicator_id, status, stage, error,"
            " started_at, finished_at, confidence, duration_ms, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (trace_id, indicator_id, status, stage, error, now, now, confidence, 0.0, now, now),
        )
        return
    if item["status"] == "completed":  # never downgraded; a re-run refreshes the confidence
        if status == "completed":
            cur.execute(
                "UPDATE batch_items SET confidence = ?, updated_at = ? WHERE trace_id = ?"
                " AND indicator_id = ?",
                (confidence, now, trace_id, indicator_id),
            )
        return
    if item["status"] == status == "failed":  # failed again: newest reason, first finish time
        cur.execute(
            "UPDATE batch_items SET stage = COALESCE(?, stage), error = ?, updated_at = ?"
            " WHERE trace_id = ? AND indicator_id = ?",
            (stage, error, now, trace_id, indicator_id),
        )
        return
    duration = R.ms_between(item["started_at"] or item["created_at"], now)
    cur.execute(
        "UPDATE batch_items SET status = ?, stage = COALESCE(?, stage), error = ?,"
        " finished_at = ?, confidence = ?, duration_ms = ?, updated_at = ?"
        " WHERE trace_id = ? AND indicator_id = ?",
        (status, stage, error, now, confidence, duration, now, trace_id, indicator_id),
    )


def stats_values(start: str, items: dict[str, Any], calls: dict[str, Any]) -> dict[str, Any]:
    total, ok, failed = int(items["total"] or 0), int(items["ok"] or 0), int(items["failed"] or 0)
    done = total > 0 and ok + failed == total
    end = items["last_done"] if done else None
    total_ms = R.ms_between(start, end)
    avg_ms = items["avg_ms"]
    cost = None if int(calls["unknown"] or 0) else float(calls["cost"] or 0.0)
    return {
        "total_indicators": total,
        "successful_indicators": ok,
        "failed_indicators": failed,
        "batch_end_time": end,
        "total_duration_ms": None if total_ms is None else round(total_ms),
        "avg_time_per_indicator_ms": None if avg_ms is None else round(float(avg_ms)),
        "avg_confidence": None if items["avg_conf"] is None else float(items["avg_conf"]),
        "llm_calls": int(calls["n"] or 0),
        "input_tokens": int(calls["inp"] or 0),
        "output_tokens": int(calls["outp"] or 0),
        "cached_tokens": int(calls["cached"] or 0),
        "cost_usd": cost,
        "updated_at": R.now_iso(),
    }


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("issues", "corrections"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row
