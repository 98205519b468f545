"""The SQL of provider batch mode (``provider_batches``, ``provider_batch_requests``): functions
over one cursor, called by ``SqlStore`` inside its transactions.

A part and its requests are written in the same transaction as their calls begun (the intent,
before anything is sent), and its results in the same transaction as their calls ended (the
replies): a restart sees either all of a part's intent or none of it, all of its results or
none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from indiclass.domain.store import Applied, CallBegun, CallEnded
from indiclass.domain.waves import OPEN, WaveOutcome, WavePart, WaveRequest
from indiclass.stages import StageSet
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor
from indiclass.storage.writes import Writer

PART_COLUMNS = (
    "wave_key", "trace_id", "epoch", "wave", "part", "stage", "provider", "model", "status",
    "requests", "first_custom_id", "provider_batch_id", "input_file_id", "provider_status",
    "succeeded", "errored", "expired", "canceled", "missing", "polls", "estimated_cost_usd",
    "cost_usd", "error", "created_at", "submitted_at", "ended_at", "fetched_at", "updated_at",
)  # fmt: skip
CHANGEABLE = frozenset(PART_COLUMNS) - {"wave_key", "trace_id", "epoch", "wave", "part"}
_TIMES = ("created_at", "submitted_at", "ended_at", "fetched_at")
_OUTCOMES = ("succeeded", "errored", "expired", "canceled", "missing")


def record_part(
    cur: Cursor,
    stages: StageSet,
    class_columns: tuple[str, ...],
    part: WavePart,
    requests: Sequence[WaveRequest],
    begun: Sequence[CallBegun],
) -> bool:
    if cur.execute("SELECT 1 FROM provider_batches WHERE wave_key = ?", (part.key,)).fetchone():
        return False
    Writer(cur, stages, class_columns).run(begun)
    cur.executemany(
        "INSERT INTO provider_batch_requests (wave_key, custom_id, call_key, trace_id,"
        " indicator_id, body) VALUES (?, ?, ?, ?, ?, ?)",
        [(r.key, r.custom_id, r.call_key, r.trace_id, r.indicator_id, r.body) for r in requests],
    )
    row = _part_row(part)
    cur.execute(
        f"INSERT INTO provider_batches ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    return True


def _part_row(part: WavePart) -> dict[str, Any]:
    row = part.model_dump(exclude={"key"})
    for name in _TIMES:
        row[name] = R.iso(row[name]) if row[name] is not None else None
    now = R.now_iso()
    return {"wave_key": part.key, **row, "updated_at": now}


def part_from_row(row: dict[str, Any]) -> WavePart:
    values = {k: v for k, v in row.items() if k in PART_COLUMNS and k != "wave_key"}
    values.pop("updated_at", None)
    return WavePart(key=row["wave_key"], **values)


def get_part(cur: Cursor, key: str) -> WavePart | None:
    row = cur.execute("SELECT * FROM provider_batches WHERE wave_key = ?", (key,)).fetchone()
    return None if row is None else part_from_row(row)


def list_parts(cur: Cursor, trace_id: str, open_only: bool) -> list[WavePart]:
    sql, params = "SELECT * FROM provider_batches WHERE trace_id = ?", [trace_id]
    if open_only:
        sql += f" AND status IN ({', '.join('?' * len(OPEN))})"
        params += list(OPEN)
    rows = cur.execute(sql + " ORDER BY wave, part", params).fetchall()
    return [part_from_row(r) for r in rows]


def update_part(cur: Cursor, key: str, changes: dict[str, Any]) -> WavePart | None:
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"provider_batches has no changeable columns {sorted(unknown)}")
    values = {k: (R.iso(v) if k in _TIMES and v is not None else v) for k, v in changes.items()}
    values["updated_at"] = R.now_iso()
    sets = ", ".join(f"{k} = ?" for k in values)
    cur.execute(f"UPDATE provider_batches SET {sets} WHERE wave_key = ?", [*values.values(), key])
    return get_part(cur, key)


def part_requests(cur: Cursor, key: str) -> list[WaveRequest]:
    rows = cur.execute(
        "SELECT wave_key, custom_id, call_key, trace_id, indicator_id, body, outcome, error"
        " FROM provider_batch_requests WHERE wave_key = ? ORDER BY id",
        (key,),
    ).fetchall()
    return [
        WaveRequest(
            r["wave_key"],
            r["custom_id"],
            r["call_key"],
            r["trace_id"],
            r["indicator_id"],
            r["body"],
            r["outcome"],
            r["error"],
        )
        for r in rows
    ]


def finish_part(
    cur: Cursor,
    stages: StageSet,
    class_columns: tuple[str, ...],
    key: str,
    outcomes: Sequence[WaveOutcome],
    ended: Sequence[CallEnded],
) -> Applied:
    part = get_part(cur, key)
    if part is None or part.status in ("fetched", "cancelled"):
        return Applied()
    applied = Writer(cur, stages, class_columns).run(ended)
    cur.executemany(
        "UPDATE provider_batch_requests SET outcome = ?, error = ?, body = NULL"
        " WHERE wave_key = ? AND custom_id = ?",
        [(o.outcome, o.error, key, o.custom_id) for o in outcomes],
    )
    counts = {name: sum(1 for o in outcomes if o.outcome == name) for name in _OUTCOMES}
    done = {"status": "fetched", "cost_usd": _cost(ended), "fetched_at": datetime.now(UTC)}
    update_part(cur, key, {**counts, **done})
    return applied


def _cost(ended: Sequence[CallEnded]) -> float | None:
    costs = [e.reply.usage.cost_usd for e in ended if e.reply is not None]
    if any(c is None for c in costs):
        return None
    return float(sum(c for c in costs if c is not None))


def failures(cur: Cursor, trace_id: str, epoch: int) -> dict[str, list[str]]:
    rows = cur.execute(
        "SELECT r.call_key, r.outcome, r.error FROM provider_batch_requests r JOIN"
        " provider_batches p ON p.wave_key = r.wave_key WHERE p.trace_id = ? AND p.epoch = ?"
        " AND r.outcome IS NOT NULL AND r.outcome <> 'succeeded' ORDER BY r.id",
        (trace_id, epoch),
    ).fetchall()
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["call_key"], []).append(r["error"] or r["outcome"])
    return out


def next_wave(cur: Cursor, trace_id: str) -> int:
    found = cur.execute(
        "SELECT MAX(wave) FROM provider_batches WHERE trace_id = ?", (trace_id,)
    ).scalar()
    return 0 if found is None else int(found) + 1


def batch_ids(cur: Cursor) -> set[str]:
    rows = cur.execute(
        "SELECT provider_batch_id FROM provider_batches WHERE provider_batch_id IS NOT NULL"
    ).fetchall()
    return {r["provider_batch_id"] for r in rows}


def report(cur: Cursor, trace_id: str) -> list[dict[str, Any]]:
    rows = cur.execute(
        "SELECT * FROM provider_batches WHERE trace_id = ? ORDER BY wave, part", (trace_id,)
    ).fetchall()
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]
