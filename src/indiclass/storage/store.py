"""``SqlStore``: the results store (``indiclass.domain.store.ResultStore``) on SQLite or PostgreSQL.

One code path for both databases (see ``storage.db``). Writes are bulk and idempotent
(``apply``, see ``storage.writes``); batch statistics move in the same transactions as their
members, so reading them is one row.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from indiclass.domain.errors import StorageError
from indiclass.domain.models import Indicator
from indiclass.domain.ports import LLMReply
from indiclass.domain.run import RunConfig
from indiclass.domain.store import (
    TERMINAL,
    Applied,
    BatchSpec,
    BatchStats,
    CallBegun,
    CallEnded,
    FailedItem,
    ItemStatus,
    RunBatch,
    RunRecord,
    WriteOp,
)
from indiclass.domain.usage import Usage
from indiclass.domain.waves import WaveOutcome, WavePart, WaveRequest
from indiclass.stages import DEFAULT_STAGES, StageSet
from indiclass.storage import outbox
from indiclass.storage import overrides as O
from indiclass.storage import rows as R
from indiclass.storage import waves as W
from indiclass.storage.db import Cursor, Database
from indiclass.storage.history import HistoryQueries
from indiclass.storage.migrations import ensure_declared, migrate
from indiclass.storage.outbox import WebhookQueries
from indiclass.storage.writes import Writer, close_batch

_CHUNK = 500
_CLAIM_LOCK = 7_283_910_452
"""PostgreSQL advisory lock: runners claiming indicators take turns."""
_FILTERS = ("family", "indicator_type", "review_status", "provider", "trace_id", "needs_review")


class SqlStore(HistoryQueries, WebhookQueries):
    """The results store over a :class:`~indiclass.storage.db.Database` (history, provenance
    and retention reads in ``storage.history``, the webhook outbox in ``storage.outbox``)."""

    def __init__(self, db: Database, stages: StageSet = DEFAULT_STAGES) -> None:
        self.db = db
        self.stages = stages
        self._class_columns = R.classification_columns(stages)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    # ------------------------------------------------------------ lifecycle

    def migrate(self) -> None:
        migrate(self.db)
        ensure_declared(self.db, self.stages)

    def close(self) -> None:
        self.db.close()

    def reset(self) -> None:
        """Delete every row of every data table (the schema and its version stay)."""

        def wipe(cur: Cursor) -> None:
            for table in R.data_tables(self.stages):
                cur.execute(f"DELETE FROM {table}")

        self.db.write(wipe, what="reset")

    # ------------------------------------------------------------ source indicators

    def upsert_source_indicators(self, indicators: Sequence[Indicator]) -> int:
        now = R.now_iso()
        rows = [R.indicator_row(i, now) for i in indicators]
        if not rows:
            return 0
        sql = R.upsert_sql("source_indicators", list(rows[0]), ("indicator_id",))
        for start in range(0, len(rows), _CHUNK):
            chunk = [list(r.values()) for r in rows[start : start + _CHUNK]]
            self.db.write(
                lambda cur, c=chunk: cur.executemany(sql, c),  # type: ignore[misc]
                what="upsert source_indicators",
            )
        return len(rows)

    def list_source_indicators(
        self,
        *,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        random_order: bool = False,
        unclassified_only: bool = False,
    ) -> list[Indicator]:
        """Catalogue rows in insertion order (or random), optionally only ``ids`` (any number:
        looked up in chunks) and/or only those without a classification."""
        if ids is not None and len(ids) > _CHUNK:
            rows = [
                r
                for at in range(0, len(ids), _CHUNK)
                for r in self._source_rows(ids[at : at + _CHUNK], None, False, unclassified_only)
            ]
            if random_order:
                random.shuffle(rows)
            else:
                rows.sort(key=lambda r: int(r["id"]))
            rows = rows if limit is None else rows[:limit]
        else:
            rows = self._source_rows(ids, limit, random_order, unclassified_only)
        return [R.indicator_from_row(r) for r in rows]

    def _source_rows(
        self,
        ids: Sequence[str] | None,
        limit: int | None,
        random_order: bool,
        unclassified_only: bool,
    ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        if ids is not None:
            if not ids:
                return []
            where.append(f"s.indicator_id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        if unclassified_only:
            where.append(
                "NOT EXISTS (SELECT 1 FROM classifications c WHERE c.indicator_id = s.indicator_id)"
            )
        sql = "SELECT s.* FROM source_indicators s"
        sql += (" WHERE " + " AND ".join(where)) if where else ""
        sql += " ORDER BY RANDOM()" if random_order else " ORDER BY s.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.db.read(lambda cur: cur.execute(sql, params).fetchall())

    # ------------------------------------------------------------ batches

    def create_batch(self, spec: BatchSpec) -> None:
        """The ``pipeline_stats`` row and ``batch_items`` (numbered into chunks), in one
        transaction; a batch that exists is left as it is."""
        now, start = R.now_iso(), R.iso(spec.created_at)
        ids = list(dict.fromkeys(spec.indicator_ids))
        size = max(1, spec.chunk_size)
        stats = {
            "batch_id": spec.trace_id,
            "model": spec.model,
            "provider": spec.provider,
            "total_indicators": len(ids),
            "successful_indicators": 0,
            "failed_indicators": 0,
            "batch_start_time": start,
            "created_at": now,
            "updated_at": now,
            "strategy": spec.run_config.strategy.value,
            "llm_calls": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "cached_tokens": 0,
            "cost_usd": 0.0,
            "status": "running" if ids else "completed",
            "run_id": spec.run_id,
            "run_config": spec.run_config.to_json(),
            "body_hash": spec.body_hash,
            "dispatch": spec.dispatch,
            "chunks": -(-len(ids) // size),
            "pending_indicators": len(ids),
            "cancelled_indicators": 0,
            "fallback_indicators": 0,
            "sum_confidence": 0.0,
            "sum_duration_ms": 0.0,
            "unknown_cost_calls": 0,
        }
        if not ids:
            stats.update(batch_end_time=now, total_duration_ms=0)
        items = [(spec.trace_id, i, "pending", n // size, now, now) for n, i in enumerate(ids)]
        item_sql = (
            "INSERT INTO batch_items (trace_id, indicator_id, status, chunk, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id, indicator_id) DO NOTHING"
        )

        def write(cur: Cursor) -> None:
            if cur.execute(
                "SELECT 1 FROM pipeline_stats WHERE batch_id = ?", (spec.trace_id,)
            ).fetchone():
                return
            cur.execute(
                R.upsert_sql("pipeline_stats", list(stats), ("batch_id",), ()),
                list(stats.values()),
            )
            for at in range(0, len(items), _CHUNK):
                cur.executemany(item_sql, items[at : at + _CHUNK])
            if not ids:  # closed as it is created: its webhook too
                outbox.enqueue(cur, stats, now)

        self.db.write(write, what=f"create batch {spec.trace_id}")

    def batch_stats(self, trace_id: str) -> BatchStats | None:
        row = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)
            ).fetchone()
        )
        return None if row is None else R.stats_from_row(row)

    def list_batches(
        self, *, limit: int = 50, status: str | None = None, run_id: str | None = None
    ) -> list[BatchStats]:
        where, params = _where({"status": status, "run_id": run_id})
        found = self.db.read(
            lambda cur: cur.execute(
                f"SELECT * FROM pipeline_stats{where}"
                " ORDER BY batch_start_time DESC, id DESC LIMIT ?",
                [*params, int(limit)],
            ).fetchall()
        )
        return [R.stats_from_row(r) for r in found]

    def open_batches(self) -> list[BatchStats]:
        marks = ", ".join("?" * len(TERMINAL))
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM pipeline_stats WHERE COALESCE(status, 'running') NOT IN"
                f" ({marks}) ORDER BY id",
                sorted(TERMINAL),
            ).fetchall()
        )
        return [R.stats_from_row(r) for r in found]

    def batch_items(self, trace_id: str) -> list[tuple[str, ItemStatus]]:
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT indicator_id, status FROM batch_items WHERE trace_id = ? ORDER BY id",
                (trace_id,),
            ).fetchall()
        )
        return [(r["indicator_id"], r["status"]) for r in found]

    def chunk_members(self, trace_id: str, chunk: int) -> list[Indicator]:
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT s.* FROM batch_items b JOIN source_indicators s"
                " ON s.indicator_id = b.indicator_id WHERE b.trace_id = ? AND b.chunk = ?"
                " AND b.status = 'pending' ORDER BY b.id",
                (trace_id, chunk),
            ).fetchall()
        )
        return [R.indicator_from_row(r) for r in found]

    def missing_members(self, trace_id: str, chunk: int) -> list[str]:
        """Pending members of the chunk with no source indicator (cannot be classified)."""
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT b.indicator_id FROM batch_items b WHERE b.trace_id = ? AND b.chunk = ?"
                " AND b.status = 'pending' AND NOT EXISTS (SELECT 1 FROM source_indicators s"
                " WHERE s.indicator_id = b.indicator_id)",
                (trace_id, chunk),
            ).fetchall()
        )
        return [r["indicator_id"] for r in found]

    def pending_chunks(self, trace_id: str) -> list[int]:
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT DISTINCT chunk FROM batch_items WHERE trace_id = ? AND status = 'pending'"
                " ORDER BY chunk",
                (trace_id,),
            ).fetchall()
        )
        return [int(r["chunk"] or 0) for r in found]

    def replies(self, trace_id: str, indicator_ids: Sequence[str]) -> dict[str, LLMReply]:
        out: dict[str, LLMReply] = {}
        for at in range(0, len(indicator_ids), _CHUNK):
            chunk = list(indicator_ids[at : at + _CHUNK])
            sql = (
                "SELECT call_key, response, provider, model, input_tokens, output_tokens,"
                " cached_tokens, cost_usd, duration_ms, cache_hit FROM llm_calls"
                " WHERE trace_id = ? AND status = 'ok' AND response IS NOT NULL"
                " AND indicator_id IN"
                f" ({', '.join('?' * len(chunk))})"
            )
            params = [trace_id, *chunk]
            rows = self.db.read(
                lambda cur, s=sql, p=params: cur.execute(s, p).fetchall()  # type: ignore[misc]
            )
            for r in rows:
                out[r["call_key"]] = _reply(r)
        return out

    def apply(self, ops: Sequence[WriteOp]) -> Applied:
        if not ops:
            return Applied()
        return self.db.write(
            lambda cur: Writer(cur, self.stages, self._class_columns).run(ops),
            what=f"write {len(ops)} results",
        )

    def set_batch_status(
        self, trace_id: str, status: str, reason: str | None = None, *, only_if_open: bool = True
    ) -> BatchStats | None:
        def write(cur: Cursor) -> dict[str, Any] | None:
            guard = ""
            params: list[Any] = [status, reason, R.now_iso(), trace_id]
            if only_if_open:
                guard = (
                    f" AND COALESCE(status, 'running') NOT IN ({', '.join('?' * len(TERMINAL))})"
                )
                params += sorted(TERMINAL)
            cur.execute(
                "UPDATE pipeline_stats SET status = ?, reason = ?, updated_at = ?"
                f" WHERE batch_id = ?{guard}",
                params,
            )
            return cur.execute(
                "SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)
            ).fetchone()

        row = self.db.write(write, what=f"status of {trace_id}")
        return None if row is None else R.stats_from_row(row)

    def stage_counts(self, trace_id: str) -> dict[str, dict[str, Any]]:
        """Per stage: how many members started, completed and failed it, and its mean time."""
        rows = self.db.read(
            lambda cur: cur.execute(
                "SELECT stage, status, COUNT(*) AS n, AVG(duration_ms) AS ms FROM processing_log"
                " WHERE trace_id = ? GROUP BY stage, status",
                (trace_id,),
            ).fetchall()
        )
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            entry = out.setdefault(
                r["stage"], {"started": 0, "completed": 0, "failed": 0, "avg_duration_ms": None}
            )
            entry[r["status"]] = int(r["n"])
            if r["status"] == "completed" and r["ms"] is not None:
                entry["avg_duration_ms"] = round(float(r["ms"]), 2)
        return out

    def batch_members(
        self, trace_id: str, *, offset: int = 0, limit: int = 100, status: str | None = None
    ) -> list[dict[str, Any]]:
        """A page of the batch's members with their status, stage, error and timing."""
        where, params = _where({"trace_id": trace_id, "status": status})
        return self.db.read(
            lambda cur: cur.execute(
                "SELECT indicator_id, status, stage, error, started_at, finished_at, duration_ms,"
                f" confidence FROM batch_items{where} ORDER BY id LIMIT ? OFFSET ?",
                [*params, int(limit), int(offset)],
            ).fetchall()
        )

    def set_run_config(self, trace_id: str, config: RunConfig) -> None:
        self.db.write(
            lambda cur: cur.execute(
                "UPDATE pipeline_stats SET run_config = ?, updated_at = ? WHERE batch_id = ?",
                (config.to_json(), R.now_iso(), trace_id),
            ),
            what=f"configuration of {trace_id}",
        )

    def summary(self, trace_ids: Sequence[str]) -> dict[str, Any]:
        """Families, failure reasons and failed LLM calls' errors (counted) over some batches:
        a run's summary."""
        families: dict[str, int] = {}
        reasons: dict[str, int] = {}
        call_errors: dict[str, int] = {}
        for at in range(0, len(trace_ids), _CHUNK):
            part = list(trace_ids[at : at + _CHUNK])
            marks = ", ".join("?" * len(part))
            rows = self.db.read(
                lambda cur, m=marks, p=part: cur.execute(  # type: ignore[misc]
                    "SELECT c.family AS family, COUNT(*) AS n FROM batch_items b JOIN"
                    " classifications c ON c.indicator_id = b.indicator_id WHERE b.trace_id IN"
                    f" ({m}) AND b.status = 'completed' GROUP BY c.family",
                    p,
                ).fetchall()
            )
            for r in rows:
                families[r["family"]] = families.get(r["family"], 0) + int(r["n"])
            rows = self.db.read(
                lambda cur, m=marks, p=part: cur.execute(  # type: ignore[misc]
                    "SELECT error, COUNT(*) AS n FROM batch_items WHERE trace_id IN"
                    f" ({m}) AND status = 'failed' GROUP BY error",
                    p,
                ).fetchall()
            )
            for r in rows:
                key = (r["error"] or "no reason recorded").splitlines()[0][:200]
                reasons[key] = reasons.get(key, 0) + int(r["n"])
            rows = self.db.read(
                lambda cur, m=marks, p=part: cur.execute(  # type: ignore[misc]
                    "SELECT error, COUNT(*) AS n FROM llm_calls WHERE trace_id IN"
                    f" ({m}) AND status = 'error' GROUP BY error",
                    p,
                ).fetchall()
            )
            for r in rows:
                key = (r["error"] or "no reason recorded").splitlines()[0][:200]
                call_errors[key] = call_errors.get(key, 0) + int(r["n"])
        return {"families": families, "reasons": reasons, "call_errors": call_errors}

    def set_dispatch(self, trace_id: str, dispatch: str) -> None:
        self.db.write(
            lambda cur: cur.execute(
                "UPDATE pipeline_stats SET dispatch = ?, updated_at = ? WHERE batch_id = ?",
                (dispatch, R.now_iso(), trace_id),
            ),
            what=f"dispatch of {trace_id}",
        )

    def cancel_pending(self, trace_id: str, reason: str = "cancelled") -> int:
        def write(cur: Cursor) -> int:
            now = R.now_iso()
            cur.execute(
                "UPDATE batch_items SET status = 'cancelled', error = ?, finished_at = ?,"
                " updated_at = ? WHERE trace_id = ? AND status = 'pending'",
                (reason, now, now, trace_id),
            )
            n = cur.rowcount
            cur.execute(
                "UPDATE pipeline_stats SET cancelled_indicators ="
                " COALESCE(cancelled_indicators, 0) + ?, pending_indicators ="
                " COALESCE(pending_indicators, 0) - ?, status = 'cancelled', reason = ?,"
                " updated_at = ? WHERE batch_id = ?",
                (n, n, reason, now, trace_id),
            )
            close_batch(cur, trace_id, now)
            return n

        return self.db.write(write, what=f"cancel {trace_id}")

    def requeue_items(
        self,
        trace_id: str,
        indicator_ids: Sequence[str] | None = None,
        *,
        statuses: Sequence[str] = ("failed",),
    ) -> list[str]:
        wanted = None if indicator_ids is None else set(indicator_ids)

        def write(cur: Cursor) -> list[str]:
            found = cur.execute(
                "SELECT indicator_id, status FROM batch_items WHERE trace_id = ? ORDER BY id",
                (trace_id,),
            ).fetchall()
            ids = [
                r["indicator_id"]
                for r in found
                if r["status"] in statuses and (wanted is None or r["indicator_id"] in wanted)
            ]
            now = R.now_iso()
            cur.executemany(
                "UPDATE batch_items SET status = 'pending', error = NULL, started_at = NULL,"
                " finished_at = NULL, duration_ms = NULL, confidence = NULL, updated_at = ?"
                " WHERE trace_id = ? AND indicator_id = ?",
                [(now, trace_id, i) for i in ids],
            )
            if ids:
                self._recount(cur, trace_id, reopen=True)
            return ids

        return self.db.write(write, what=f"requeue {trace_id}")

    def recount(self, trace_id: str) -> BatchStats:
        row = self.db.write(lambda cur: self._recount(cur, trace_id), what=f"recount {trace_id}")
        if row is None:
            raise StorageError(f"unknown batch {trace_id!r}: no pipeline_stats row")
        return R.stats_from_row(row)

    def _recount(
        self, cur: Cursor, trace_id: str, *, reopen: bool = False
    ) -> dict[str, Any] | None:
        """Counters recomputed from the members and calls (O(members): repair only)."""
        items = cur.execute(
            "SELECT COUNT(*) AS total,"
            " SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok,"
            " SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,"
            " SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,"
            " SUM(CASE WHEN status = 'completed' THEN confidence ELSE 0 END) AS conf,"
            " SUM(CASE WHEN status IN ('completed', 'failed') THEN duration_ms ELSE 0 END) AS ms"
            " FROM batch_items WHERE trace_id = ?",
            (trace_id,),
        ).fetchone()
        assert items is not None
        total, ok = int(items["total"] or 0), int(items["ok"] or 0)
        failed, cancelled = int(items["failed"] or 0), int(items["cancelled"] or 0)
        fallback = cur.execute(
            "SELECT COUNT(*) AS n FROM classifications WHERE trace_id = ? AND"
            " COALESCE(fallback_stages, '') <> ''",
            (trace_id,),
        ).fetchone()
        pending = total - ok - failed - cancelled
        status_sql = (
            ", status = 'running', reason = NULL, batch_end_time = NULL"
            if reopen and pending
            else ""
        )
        cur.execute(
            "UPDATE pipeline_stats SET total_indicators = ?, successful_indicators = ?,"
            " failed_indicators = ?, cancelled_indicators = ?, pending_indicators = ?,"
            " fallback_indicators = ?, sum_confidence = ?, sum_duration_ms = ?,"
            f" updated_at = ?{status_sql} WHERE batch_id = ?",
            (
                total,
                ok,
                failed,
                cancelled,
                pending,
                int(fallback["n"] if fallback else 0),
                float(items["conf"] or 0.0),
                float(items["ms"] or 0.0),
                R.now_iso(),
                trace_id,
            ),
        )
        row = cur.execute("SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)).fetchone()
        if row is not None and pending <= 0 and row["status"] not in TERMINAL:
            row = close_batch(cur, trace_id, R.now_iso())
        return row

    # ------------------------------------------------------------ runs

    def create_run(self, run: RunRecord, batches: Sequence[RunBatch]) -> None:
        self.db.write(
            lambda cur: self._insert_run(cur, run, batches), what=f"create run {run.run_id}"
        )

    def _insert_run(self, cur: Cursor, run: RunRecord, batches: Sequence[RunBatch]) -> None:
        now = R.now_iso()
        items = [
            (run.run_id, seq, ind, b.batch_no, b.trace_id)
            for seq, (b, ind) in enumerate((b, i) for b in batches for i in b.indicator_ids)
        ]
        cur.execute(
            "INSERT INTO runs (run_id, kind, status, config, options, total_indicators,"
            " batches, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id) DO NOTHING",
            (
                run.run_id,
                run.kind,
                run.status,
                run.config.to_json(),
                json.dumps(run.options),
                run.total_indicators,
                run.batches,
                run.reason,
                now,
                now,
            ),
        )
        for at in range(0, len(items), _CHUNK):
            cur.executemany(
                "INSERT INTO run_items (run_id, seq, indicator_id, batch_no, trace_id)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, seq) DO NOTHING",
                items[at : at + _CHUNK],
            )

    def claim_run(
        self,
        run: RunRecord,
        *,
        batch_size: int,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        random_order: bool = False,
        unclassified_only: bool = True,
    ) -> list[RunBatch]:
        """Choose the run's indicators and record the run, in one transaction: indicators
        being classified by another open run or batch are never chosen, so two runners on one
        database take disjoint indicators. Returns the planned batches (trace_ids assigned)."""

        def write(cur: Cursor) -> list[RunBatch]:
            if self.dialect == "postgresql":
                cur.execute(f"SELECT pg_advisory_xact_lock({_CLAIM_LOCK})")
            chosen = self._claimable(cur, ids, limit, random_order, unclassified_only)
            batches = [
                RunBatch(n, str(uuid.uuid4()), tuple(chosen[at : at + batch_size]))
                for n, at in enumerate(range(0, len(chosen), batch_size))
            ]
            record = run.model_copy(
                update={"total_indicators": len(chosen), "batches": len(batches)}
            )
            self._insert_run(cur, record, batches)
            return batches

        return self.db.write(write, what=f"claim run {run.run_id}")

    def _claimable(
        self,
        cur: Cursor,
        ids: Sequence[str] | None,
        limit: int | None,
        random_order: bool,
        unclassified_only: bool,
    ) -> list[str]:
        where = [
            "NOT EXISTS (SELECT 1 FROM batch_items b WHERE b.indicator_id = s.indicator_id"
            " AND b.status = 'pending')",
            "NOT EXISTS (SELECT 1 FROM run_items i JOIN runs r ON r.run_id = i.run_id"
            " WHERE i.indicator_id = s.indicator_id AND r.status = 'running')",
        ]
        params: list[Any] = []
        if unclassified_only:
            where.append(
                "NOT EXISTS (SELECT 1 FROM classifications c WHERE c.indicator_id = s.indicator_id)"
            )
        if ids is not None:
            found: list[str] = []
            for at in range(0, len(ids), _CHUNK):
                part = list(ids[at : at + _CHUNK])
                rows = cur.execute(
                    "SELECT s.indicator_id FROM source_indicators s WHERE s.indicator_id IN"
                    f" ({', '.join('?' * len(part))}) AND " + " AND ".join(where),
                    [*part, *params],
                ).fetchall()
                found += [r["indicator_id"] for r in rows]
            order = {i: n for n, i in enumerate(ids)}
            return sorted(set(found), key=order.__getitem__)[: limit or None]
        sql = "SELECT s.indicator_id FROM source_indicators s WHERE " + " AND ".join(where)
        sql += " ORDER BY RANDOM()" if random_order else " ORDER BY s.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r["indicator_id"] for r in cur.execute(sql, params).fetchall()]

    def get_run(self, run_id: str) -> RunRecord | None:
        row = self.db.read(
            lambda cur: cur.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        )
        return None if row is None else _run(row)

    def run_batches(self, run_id: str) -> list[RunBatch]:
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT batch_no, trace_id, indicator_id FROM run_items WHERE run_id = ?"
                " ORDER BY seq",
                (run_id,),
            ).fetchall()
        )
        grouped: dict[int, tuple[str, list[str]]] = {}
        for r in found:
            grouped.setdefault(int(r["batch_no"]), (r["trace_id"], []))[1].append(r["indicator_id"])
        return [RunBatch(n, t, tuple(ids)) for n, (t, ids) in sorted(grouped.items())]

    def list_runs(self, *, limit: int = 50, status: str | None = None) -> list[RunRecord]:
        where, params = _where({"status": status})
        found = self.db.read(
            lambda cur: cur.execute(
                f"SELECT * FROM runs{where} ORDER BY id DESC LIMIT ?", [*params, int(limit)]
            ).fetchall()
        )
        return [_run(r) for r in found]

    def set_run_status(self, run_id: str, status: str, reason: str | None = None) -> None:
        self.db.write(
            lambda cur: cur.execute(
                "UPDATE runs SET status = ?, reason = ?, updated_at = ? WHERE run_id = ?",
                (status, reason, R.now_iso(), run_id),
            ),
            what=f"run {run_id} status",
        )

    # ------------------------------------------------------------ executors

    def heartbeat(self, executor_id: str, kind: str, info: dict[str, Any]) -> None:
        now = R.now_iso()
        row = {
            "executor_id": executor_id,
            "kind": kind,
            "pid": info.get("pid"),
            "host": info.get("host"),
            "queues": json.dumps(info.get("queues", [])),
            "providers": json.dumps(info.get("providers", [])),
            "started_at": info.get("started_at", now),
            "heartbeat_at": now,
        }
        sql = R.upsert_sql("executors", list(row), ("executor_id",))
        self.db.write(lambda cur: cur.execute(sql, list(row.values())), what="heartbeat")

    def live_executors(self, max_age_s: float = 15.0) -> list[dict[str, Any]]:
        rows = self.db.read(lambda cur: cur.execute("SELECT * FROM executors").fetchall())
        now = R.now_iso()
        live = []
        for r in rows:
            age = R.ms_between(r["heartbeat_at"], now)
            if age is not None and age <= max_age_s * 1000:
                live.append({**r, "queues": json.loads(r["queues"] or "[]")})
        return live

    def forget_executor(self, executor_id: str) -> None:
        self.db.write(
            lambda cur: cur.execute("DELETE FROM executors WHERE executor_id = ?", (executor_id,)),
            what="forget executor",
        )

    # ------------------------------------------------------------ reads

    def classified_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for at in range(0, len(ids), _CHUNK):
            chunk = list(ids[at : at + _CHUNK])
            sql = (
                "SELECT indicator_id FROM classifications WHERE indicator_id IN "
                f"({', '.join('?' * len(chunk))})"
            )
            found.update(
                r["indicator_id"]
                for r in self.db.read(lambda cur, s=sql, c=chunk: cur.execute(s, c).fetchall())  # type: ignore[misc]
            )
        return found

    def is_classified(self, indicator_id: str) -> bool:
        return bool(self.classified_ids([indicator_id]))

    def get_classification(self, indicator_id: str) -> dict[str, Any] | None:
        row = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM classifications WHERE indicator_id = ?", (indicator_id,)
            ).fetchone()
        )
        return None if row is None else R.classification_from_row(row)

    def query_classifications(
        self,
        *,
        family: str | None = None,
        indicator_type: str | None = None,
        review_status: str | None = None,
        provider: str | None = None,
        trace_id: str | None = None,
        needs_review: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        where, params = _where(
            dict(
                zip(
                    _FILTERS,
                    (family, indicator_type, review_status, provider, trace_id, needs_review),
                    strict=True,
                )
            )
        )
        sql = f"SELECT * FROM classifications{where} ORDER BY id LIMIT ? OFFSET ?"
        rows = self.db.read(
            lambda cur: cur.execute(sql, [*params, int(limit), int(offset)]).fetchall()
        )
        return [R.classification_from_row(r) for r in rows]

    def count_classifications(self, **filters: Any) -> int:
        unknown = set(filters) - set(_FILTERS)
        if unknown:
            raise ValueError(f"unknown filters {sorted(unknown)}")
        where, params = _where(filters)
        return int(
            self.db.read(
                lambda cur: cur.execute(
                    f"SELECT COUNT(*) FROM classifications{where}", params
                ).scalar()
            )
        )

    def iter_classifications(self, *, batch_size: int = 1_000) -> Iterator[dict[str, Any]]:
        """Every classification in id order, read page by page (flat memory for exports)."""
        last = 0
        while True:
            page = self.db.read(
                lambda cur, after=last: cur.execute(  # type: ignore[misc]
                    "SELECT * FROM classifications WHERE id > ? ORDER BY id LIMIT ?",
                    (after, batch_size),
                ).fetchall()
            )
            if not page:
                return
            yield from (R.classification_from_row(r) for r in page)
            last = page[-1]["id"]

    def count(self, table: str) -> int:
        if table not in (*R.data_tables(self.stages), "schema_version"):
            raise ValueError(f"unknown table {table!r}")
        return int(self.db.read(lambda cur: cur.execute(f"SELECT COUNT(*) FROM {table}").scalar()))

    def stage_results(self, indicator_id: str) -> dict[str, dict[str, Any]]:
        """Every stage's latest row for the indicator, keyed by stage name."""

        def read(cur: Cursor) -> dict[str, dict[str, Any]]:
            out = {}
            for stage in self.stages:
                if not stage.table:
                    continue
                row = cur.execute(
                    f"SELECT * FROM {stage.table} WHERE indicator_id = ?"
                    " ORDER BY updated_at DESC, id DESC LIMIT 1",
                    (indicator_id,),
                ).fetchone()
                if row is not None:
                    out[str(stage.name)] = R.decoded_stage_row(stage, row)
            return out

        return self.db.read(read)

    def llm_calls_for(self, indicator_id: str) -> list[dict[str, Any]]:
        return [
            R.clean(r)
            for r in self.db.read(
                lambda cur: cur.execute(
                    "SELECT * FROM llm_calls WHERE indicator_id = ? ORDER BY id", (indicator_id,)
                ).fetchall()
            )
        ]

    def recent_llm_calls(
        self,
        *,
        limit: int = 20,
        trace_id: str | None = None,
        stage: str | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        """The newest LLM exchanges first (``indiclass logs``), prompts and replies included."""
        where, params = _where({"trace_id": trace_id, "stage": stage, "status": status})
        found = self.db.read(
            lambda cur: cur.execute(
                f"SELECT * FROM llm_calls{where} ORDER BY id DESC LIMIT ?", [*params, int(limit)]
            ).fetchall()
        )
        return [R.clean(r) for r in found]

    def processing_log(
        self, trace_id: str, indicator_id: str | None = None
    ) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM processing_log WHERE trace_id = ?", [trace_id]
        if indicator_id is not None:
            sql, params = sql + " AND indicator_id = ?", [*params, indicator_id]
        return self.db.read(lambda cur: cur.execute(sql + " ORDER BY id", params).fetchall())

    def failed_items(self, trace_id: str | None = None) -> list[FailedItem]:
        sql, params = "SELECT * FROM batch_items WHERE status = 'failed'", []
        if trace_id is not None:
            sql, params = sql + " AND trace_id = ?", [trace_id]
        found = self.db.read(lambda cur: cur.execute(sql + " ORDER BY id", params).fetchall())
        return [
            FailedItem(
                trace_id=r["trace_id"],
                indicator_id=r["indicator_id"],
                stage=r["stage"],
                error=r["error"],
                failed_at=R.parse_iso(r["finished_at"]),
            )
            for r in found
        ]

    # --- console and overrides

    def add_overrides(
        self, indicator_id: str, values: Mapping[str, Any], *, reason: str, who: str
    ) -> list[dict[str, Any]]:
        """Store a person's corrections (see ``storage.overrides``); the active overrides."""
        found = self.db.write(
            lambda cur: O.add(cur, indicator_id, values, reason=reason, who=who),
            what=f"override {indicator_id}",
        )
        return [O.decoded(r) for r in found]

    def remove_overrides(
        self, indicator_id: str, fields: Sequence[str] | None = None, *, who: str
    ) -> list[dict[str, Any]]:
        """Retire overrides (of ``fields``, or all): the pipeline's answers come back."""
        gone = self.db.write(
            lambda cur: O.remove(cur, indicator_id, fields, who=who),
            what=f"remove overrides of {indicator_id}",
        )
        return [O.decoded(r) for r in gone]

    def list_overrides(
        self,
        indicator_id: str | None = None,
        *,
        include_deleted: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self.db.read(
            lambda cur: O.listed(
                cur, indicator_id, include_deleted=include_deleted, limit=limit, offset=offset
            )
        )

    def count_overrides(self, *, include_deleted: bool = False) -> int:
        where = "" if include_deleted else " WHERE deleted_at IS NULL"
        return int(
            self.db.read(lambda cur: cur.execute(f"SELECT COUNT(*) FROM overrides{where}").scalar())
        )

    def iter_overrides(
        self, *, include_deleted: bool = False, batch_size: int = 1_000
    ) -> Iterator[dict[str, Any]]:
        """Every override record in id order, page by page (export)."""
        last, alive = 0, "" if include_deleted else " AND deleted_at IS NULL"
        while True:
            page = self.db.read(
                lambda cur, after=last: cur.execute(  # type: ignore[misc]
                    f"SELECT * FROM overrides WHERE id > ?{alive} ORDER BY id LIMIT ?",
                    (after, batch_size),
                ).fetchall()
            )
            if not page:
                return
            yield from (O.decoded(r) for r in page)
            last = page[-1]["id"]

    def find_batches(
        self,
        *,
        status: str | None = None,
        provider: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[BatchStats]:
        """A page of batches, newest first, filtered by status and provider."""
        where, params = _where({"status": status, "provider": provider})
        found = self.db.read(
            lambda cur: cur.execute(
                f"SELECT * FROM pipeline_stats{where}"
                " ORDER BY batch_start_time DESC, id DESC LIMIT ? OFFSET ?",
                [*params, int(limit), int(offset)],
            ).fetchall()
        )
        return [R.stats_from_row(r) for r in found]

    def count_batches(self, *, status: str | None = None, provider: str | None = None) -> int:
        where, params = _where({"status": status, "provider": provider})
        return int(
            self.db.read(
                lambda cur: cur.execute(
                    f"SELECT COUNT(*) FROM pipeline_stats{where}", params
                ).scalar()
            )
        )

    def batch_charts(self, trace_id: str) -> dict[str, Any]:
        """What the batch page draws, one grouped query each: families and types of its
        completed members, their confidence in tenths, LLM calls and cost per stage, and
        each stage's span in ``processing_log`` (first start, last end, mean duration)."""

        def read(cur: Cursor) -> dict[str, Any]:
            return {
                "kinds": self._chart_kinds(cur, trace_id),
                "confidence": self._chart_confidence(cur, trace_id),
                "stages": self._chart_calls(cur, trace_id),
                "timeline": self._chart_timeline(cur, trace_id),
            }

        return self.db.read(read)

    @staticmethod
    def _chart_kinds(cur: Cursor, trace_id: str) -> list[dict[str, Any]]:
        return cur.execute(
            "SELECT c.family AS family, c.indicator_type AS indicator_type, COUNT(*) AS n"
            " FROM batch_items b JOIN classifications c ON c.indicator_id = b.indicator_id"
            " WHERE b.trace_id = ? AND b.status = 'completed'"
            " GROUP BY c.family, c.indicator_type ORDER BY n DESC",
            (trace_id,),
        ).fetchall()

    @staticmethod
    def _chart_confidence(cur: Cursor, trace_id: str) -> list[int]:
        """Completed members per tenth of confidence (0-0.1, ..., 0.9-1.0)."""
        bins = ", ".join(
            f"SUM(CASE WHEN confidence >= {k / 10} AND confidence < {(k + 1) / 10 if k < 9 else 2}"
            f" THEN 1 ELSE 0 END) AS b{k}"
            for k in range(10)
        )
        row = cur.execute(
            f"SELECT {bins} FROM batch_items WHERE trace_id = ? AND status = 'completed'",
            (trace_id,),
        ).fetchone()
        return [int((row or {}).get(f"b{k}") or 0) for k in range(10)]

    @staticmethod
    def _chart_calls(cur: Cursor, trace_id: str) -> list[dict[str, Any]]:
        return cur.execute(
            "SELECT stage, COUNT(*) AS calls, SUM(input_tokens) AS input_tokens,"
            " SUM(output_tokens) AS output_tokens, SUM(cached_tokens) AS cached_tokens,"
            " SUM(cost_usd) AS cost_usd, SUM(duration_ms) AS duration_ms,"
            " SUM(CASE WHEN status = 'ok' THEN 0 ELSE 1 END) AS not_ok"
            " FROM llm_calls WHERE trace_id = ? GROUP BY stage ORDER BY MIN(id)",
            (trace_id,),
        ).fetchall()

    @staticmethod
    def _chart_timeline(cur: Cursor, trace_id: str) -> list[dict[str, Any]]:
        return cur.execute(
            "SELECT stage, status, COUNT(*) AS n, MIN(created_at) AS first_at,"
            " MAX(created_at) AS last_at, AVG(duration_ms) AS avg_ms FROM processing_log"
            " WHERE trace_id = ? GROUP BY stage, status ORDER BY first_at, stage, status",
            (trace_id,),
        ).fetchall()

    _REVIEW_SORTS = frozenset(
        {"overall_confidence", "indicator_id", "name", "family", "indicator_type", "updated_at"}
    )

    def review_queue(
        self,
        *,
        why: str = "any",
        below: float = 0.8,
        trace_id: str | None = None,
        sort: str = "overall_confidence",
        descending: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """A page of classifications to review: ``why`` any (needs_review, below the
        confidence ``below``, or flagged by the review stages), or only one of
        ``needs_review`` | ``low`` | ``flagged``; those a person reviewed (an active
        ``needs_review`` override) are left out."""
        if sort not in self._REVIEW_SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        where, params = self._review_where(why, below, trace_id)
        order = f"{sort} {'DESC' if descending else 'ASC'}, id ASC"
        rows = self.db.read(
            lambda cur: cur.execute(
                f"SELECT * FROM classifications c WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, int(limit), int(offset)],
            ).fetchall()
        )
        return [R.classification_from_row(r) for r in rows]

    def count_review_queue(
        self, *, why: str = "any", below: float = 0.8, trace_id: str | None = None
    ) -> int:
        where, params = self._review_where(why, below, trace_id)
        return int(
            self.db.read(
                lambda cur: cur.execute(
                    f"SELECT COUNT(*) FROM classifications c WHERE {where}", params
                ).scalar()
            )
        )

    @staticmethod
    def _review_where(why: str, below: float, trace_id: str | None) -> tuple[str, list[Any]]:
        reasons: dict[str, tuple[str, list[Any]]] = {
            "needs_review": ("c.needs_review = ?", [True]),
            "low": ("c.overall_confidence < ?", [float(below)]),
            "flagged": ("c.review_status <> ?", ["passed"]),
        }
        if why != "any" and why not in reasons:
            raise ValueError(f"unknown review reason {why!r}")
        chosen = list(reasons.values()) if why == "any" else [reasons[why]]
        where = "(" + " OR ".join(sql for sql, _ in chosen) + ")"
        params = [p for _, ps in chosen for p in ps]
        where += (
            " AND NOT EXISTS (SELECT 1 FROM overrides o WHERE o.indicator_id = c.indicator_id"
            " AND o.field = 'needs_review' AND o.deleted_at IS NULL)"
        )
        if trace_id is not None:
            where += " AND c.trace_id = ?"
            params.append(trace_id)
        return where, params

    def indicator_trail(self, indicator_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The batches the indicator was a member of, newest first, with its status in each."""
        return self.db.read(
            lambda cur: cur.execute(
                "SELECT trace_id, status, stage, error, started_at, finished_at, duration_ms,"
                " confidence FROM batch_items WHERE indicator_id = ? ORDER BY id DESC LIMIT ?",
                (indicator_id, int(limit)),
            ).fetchall()
        )

    # --- provider batches (provider-batch mode; the SQL is in ``storage.waves``)

    def record_wave_part(
        self, part: WavePart, requests: Sequence[WaveRequest], begun: Sequence[CallBegun]
    ) -> bool:
        return self.db.write(
            lambda cur: W.record_part(cur, self.stages, self._class_columns, part, requests, begun),
            what=f"record provider batch {part.key}",
        )

    def wave_part(self, key: str) -> WavePart | None:
        return self.db.read(lambda cur: W.get_part(cur, key))

    def wave_parts(self, trace_id: str, *, open_only: bool = False) -> list[WavePart]:
        return self.db.read(lambda cur: W.list_parts(cur, trace_id, open_only))

    def wave_requests(self, key: str) -> list[WaveRequest]:
        return self.db.read(lambda cur: W.part_requests(cur, key))

    def update_wave_part(self, key: str, **changes: Any) -> WavePart | None:
        return self.db.write(
            lambda cur: W.update_part(cur, key, changes), what=f"provider batch {key}"
        )

    def finish_wave_part(
        self, key: str, outcomes: Sequence[WaveOutcome], ended: Sequence[CallEnded]
    ) -> Applied:
        return self.db.write(
            lambda cur: W.finish_part(cur, self.stages, self._class_columns, key, outcomes, ended),
            what=f"results of provider batch {key}",
        )

    def wave_failures(self, trace_id: str, epoch: int) -> dict[str, list[str]]:
        return self.db.read(lambda cur: W.failures(cur, trace_id, epoch))

    def next_wave(self, trace_id: str) -> int:
        return self.db.read(lambda cur: W.next_wave(cur, trace_id))

    def provider_batch_ids(self) -> set[str]:
        return self.db.read(W.batch_ids)

    def provider_batches(self, trace_id: str) -> list[dict[str, Any]]:
        return self.db.read(lambda cur: W.report(cur, trace_id))


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    used = {k: v for k, v in filters.items() if v is not None}
    if not used:
        return "", []
    return " WHERE " + " AND ".join(f"{k} = ?" for k in used), list(used.values())


def _reply(row: dict[str, Any]) -> LLMReply:
    return LLMReply(
        content=row["response"] or "",
        provider=row["provider"],
        model=row["model"],
        usage=Usage(
            requests=1,
            input_tokens=int(row["input_tokens"] or 0),
            output_tokens=int(row["output_tokens"] or 0),
            cached_tokens=int(row["cached_tokens"] or 0),
            cost_usd=row["cost_usd"],
        ),
        duration_ms=float(row["duration_ms"] or 0.0),
        cache_hit=bool(row["cache_hit"]),
    )


def _run(row: dict[str, Any]) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        kind=row["kind"],
        status=row["status"],
        config=RunConfig.from_json(row["config"]),
        options=json.loads(row["options"] or "{}"),
        total_indicators=int(row["total_indicators"]),
        batches=int(row["batches"]),
        reason=row["reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
