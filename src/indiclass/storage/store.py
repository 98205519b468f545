"""``SqlStore``: the results store (``indiclass.domain.store.ResultStore``) on SQLite or PostgreSQL.

One code path for both databases (see ``storage.db``). Every write is an idempotent upsert, so a
durable step that re-runs after a crash writes the same rows again instead of new ones. Batch
statistics are recomputed from ``batch_items`` and ``llm_calls`` (never incremented), under a
row lock on the ``pipeline_stats`` row, so concurrent or repeated refreshes cannot double count.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from indiclass.domain.enums import StageName
from indiclass.domain.errors import StorageError
from indiclass.domain.models import Classification, Indicator, StageRecord, StageResult
from indiclass.domain.ports import CallRecord
from indiclass.domain.store import (
    BatchSpec,
    BatchStats,
    FailedItem,
    ItemStatus,
    Refresh,
    StageEvent,
)
from indiclass.domain.usage import Usage
from indiclass.storage import ops
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor, Database
from indiclass.storage.migrations import migrate

_CHUNK = 500


class SqlStore:
    """The results store over a :class:`~indiclass.storage.db.Database`."""

    auto_refresh_interval_ms = 1_000.0
    """``refresh="auto"``: recompute a batch's stats at most this often until it closes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def dialect(self) -> str:
        return self.db.dialect

    # ------------------------------------------------------------ lifecycle

    def migrate(self) -> None:
        migrate(self.db)

    def close(self) -> None:
        self.db.close()

    def reset(self) -> None:
        """Delete every row of every data table (the schema and its version stay)."""

        def wipe(cur: Cursor) -> None:
            for table in R.DATA_TABLES:
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
        """Insert the ``pipeline_stats`` row and ``batch_items`` (no-op for what exists)."""
        now, start = R.now_iso(), R.iso(spec.created_at)
        stats = {
            "batch_id": spec.trace_id,
            "model": spec.model,
            "provider": spec.provider,
            "total_indicators": len(spec.indicator_ids),
            "successful_indicators": 0,
            "failed_indicators": 0,
            "batch_start_time": start,
            "created_at": now,
            "updated_at": now,
            "strategy": spec.strategy,
            "llm_calls": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "cached_tokens": 0,
            "cost_usd": 0.0,
        }
        items = [(spec.trace_id, i, "pending", now, now) for i in dict.fromkeys(spec.indicator_ids)]
        item_sql = R.upsert_sql(
            "batch_items",
            ("trace_id", "indicator_id", "status", "created_at", "updated_at"),
            ("trace_id", "indicator_id"),
            (),
        )

        def write(cur: Cursor) -> None:
            cur.execute(
                R.upsert_sql("pipeline_stats", list(stats), ("batch_id",), ()), list(stats.values())
            )
            for at in range(0, len(items), _CHUNK):
                cur.executemany(item_sql, items[at : at + _CHUNK])
            if not cur.execute(
                "SELECT 1 FROM pipeline_stats WHERE batch_id = ? AND "
                "total_indicators = (SELECT COUNT(*) FROM batch_items "
                "WHERE trace_id = ?)",
                (spec.trace_id, spec.trace_id),
            ).fetchone():
                self._refresh(cur, spec.trace_id)  # members were added to an existing batch

        self.db.write(write, what=f"create batch {spec.trace_id}")

    def batch_items(self, trace_id: str) -> list[tuple[str, ItemStatus]]:
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT indicator_id, status FROM batch_items WHERE trace_id = ? ORDER BY id",
                (trace_id,),
            ).fetchall()
        )
        return [(r["indicator_id"], r["status"]) for r in found]

    def batch_stats(self, trace_id: str) -> BatchStats | None:
        row = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)
            ).fetchone()
        )
        return None if row is None else R.stats_from_row(row)

    def list_batches(self, *, limit: int = 50) -> list[BatchStats]:
        found = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC, id DESC LIMIT ?",
                (int(limit),),
            ).fetchall()
        )
        return [R.stats_from_row(r) for r in found]

    def refresh_batch_stats(self, trace_id: str) -> BatchStats:
        """Recompute counts, end time, durations, averages and LLM totals from the batch's rows."""
        row = self.db.write(
            lambda cur: self._refresh(cur, trace_id), what=f"refresh stats {trace_id}"
        )
        if row is None:
            raise StorageError(f"unknown batch {trace_id!r}: no pipeline_stats row")
        return R.stats_from_row(row)

    def _lock_stats(self, cur: Cursor, trace_id: str) -> dict[str, Any] | None:
        """The batch's stats row, locked until commit (PostgreSQL; SQLite has one writer)."""
        lock = " FOR UPDATE" if self.dialect == "postgresql" else ""
        return cur.execute(
            f"SELECT batch_start_time, updated_at FROM pipeline_stats WHERE batch_id = ?{lock}",
            (trace_id,),
        ).fetchone()

    def _maybe_refresh(self, cur: Cursor, trace_id: str, mode: Refresh, now: str) -> None:
        if mode is False:
            return
        if mode == "auto":
            # Lock first: after the lock, every other completion of this batch is visible, so
            # the completion that empties the batch always sees it empty and closes it.
            head = self._lock_stats(cur, trace_id)
            if head is None:
                return
            age = R.ms_between(head["updated_at"], now) or 0.0
            pending = cur.execute(
                "SELECT 1 FROM batch_items WHERE trace_id = ? AND status = 'pending' LIMIT 1",
                (trace_id,),
            ).fetchone()
            if pending is not None and age < self.auto_refresh_interval_ms:
                return
        self._refresh(cur, trace_id)

    def _refresh(self, cur: Cursor, trace_id: str) -> dict[str, Any] | None:
        head = self._lock_stats(cur, trace_id)
        if head is None:
            return None
        items = cur.execute(
            "SELECT COUNT(*) AS total,"
            " SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok,"
            " SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,"
            " AVG(CASE WHEN status = 'completed' THEN confidence END) AS avg_conf,"
            " AVG(CASE WHEN status <> 'pending' THEN duration_ms END) AS avg_ms,"
            " MAX(finished_at) AS last_done"
            " FROM batch_items WHERE trace_id = ?",
            (trace_id,),
        ).fetchone()
        calls = cur.execute(
            "SELECT SUM(CASE WHEN cache_hit THEN 0 ELSE 1 END) AS n,"
            " SUM(input_tokens) AS inp, SUM(output_tokens) AS outp, SUM(cached_tokens) AS cached,"
            " SUM(cost_usd) AS cost,"
            " SUM(CASE WHEN cost_usd IS NULL AND NOT cache_hit THEN 1 ELSE 0 END) AS unknown"
            " FROM llm_calls WHERE trace_id = ?",
            (trace_id,),
        ).fetchone()
        assert items is not None and calls is not None
        values = ops.stats_values(head["batch_start_time"], items, calls)
        cur.execute(
            "UPDATE pipeline_stats SET "
            + ", ".join(f"{k} = ?" for k in values)
            + " WHERE batch_id = ?",
            [*values.values(), trace_id],
        )
        return cur.execute(
            "SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)
        ).fetchone()

    # ------------------------------------------------------------ per-stage progress

    def log_stage(
        self,
        trace_id: str,
        indicator_id: str,
        stage: StageName,
        event: StageEvent,
        *,
        duration_ms: float | None = None,
        error: str | None = None,
    ) -> None:
        """A ``processing_log`` row, idempotent per (trace, indicator, stage, event)."""
        now = R.now_iso()

        def write(cur: Cursor) -> None:
            ops.log(cur, trace_id, indicator_id, str(stage), event, duration_ms, error, now)
            if event == "started":
                cur.execute(
                    "UPDATE batch_items SET stage = ?, updated_at = ?,"
                    " started_at = COALESCE(started_at, ?)"
                    " WHERE trace_id = ? AND indicator_id = ? AND status <> 'completed'",
                    (str(stage), now, now, trace_id, indicator_id),
                )

        self.db.write(write, what=f"log {stage} {event}")

    def save_stage_result(
        self,
        trace_id: str,
        indicator_id: str,
        stage: StageName,
        result: StageResult,
        record: StageRecord,
        usage: Usage,
    ) -> None:
        """Upsert into the stage's table; the router and complete stages have none (no-op)."""
        now = R.now_iso()
        self.db.write(
            lambda cur: ops.save_stage(
                cur, trace_id, indicator_id, stage, result, record, usage, now
            ),
            what=f"save {stage} result",
        )

    def complete_stage(
        self,
        trace_id: str,
        indicator_id: str,
        stage: StageName,
        result: StageResult,
        record: StageRecord,
        usage: Usage,
        *,
        duration_ms: float | None = None,
    ) -> None:
        """``save_stage_result`` plus the ``completed`` processing_log row, in one transaction."""
        now = R.now_iso()

        def write(cur: Cursor) -> None:
            ops.save_stage(cur, trace_id, indicator_id, stage, result, record, usage, now)
            ops.log(cur, trace_id, indicator_id, str(stage), "completed", duration_ms, None, now)

        self.db.write(write, what=f"complete {stage}")

    def record_llm_call(
        self, call: CallRecord, *, trace_id: str | None = None, indicator_id: str | None = None
    ) -> None:
        """One ``llm_calls`` row; the same record written twice is stored once."""
        row = R.call_row(call, trace_id, indicator_id, R.now_iso())
        sql = R.upsert_sql("llm_calls", list(row), ("call_key",), ())
        self.db.write(lambda cur: cur.execute(sql, list(row.values())), what="record llm call")

    # ------------------------------------------------------------ outcomes

    def save_classification(
        self, trace_id: str, classification: Classification, *, refresh: Refresh = False
    ) -> None:
        """Upsert the ``classifications`` row and mark the batch item completed (one tx).

        ``refresh``: True recomputes the batch's stats in the same transaction; ``"auto"`` does
        so only when the batch has just closed or its stats are older than
        ``auto_refresh_interval_ms`` (a full recompute is O(batch size)).
        """
        now = R.now_iso()
        row = R.classification_row(trace_id, classification, now)
        sql = R.upsert_sql("classifications", list(row), ("indicator_id",))

        def write(cur: Cursor) -> None:
            cur.execute(sql, list(row.values()))
            ops.finish_item(
                cur,
                trace_id,
                classification.indicator_id,
                "completed",
                None,
                None,
                classification.overall_confidence,
                now,
            )
            self._maybe_refresh(cur, trace_id, refresh, now)

        self.db.write(write, what="save classification")

    def mark_failed(
        self,
        trace_id: str,
        indicator_id: str,
        stage: StageName | None,
        error: str,
        *,
        refresh: Refresh = False,
    ) -> None:
        """Item failed with the stage and reason, logged as a ``failed`` processing_log row.

        A completed item stays completed; a later successful run flips a failed one.
        """
        now, name = R.now_iso(), str(stage) if stage is not None else None

        def write(cur: Cursor) -> None:
            ops.log(cur, trace_id, indicator_id, name or "unknown", "failed", None, error, now)
            ops.finish_item(cur, trace_id, indicator_id, "failed", name, error, None, now)
            self._maybe_refresh(cur, trace_id, refresh, now)

        self.db.write(write, what="mark failed")

    def requeue_items(
        self,
        trace_id: str,
        indicator_ids: Sequence[str] | None = None,
        *,
        include_completed: bool = False,
    ) -> list[str]:
        """Put failed items (all, or those listed) back to pending for a re-run and refresh
        the batch's stats in the same transaction; returns the ids requeued.

        ``include_completed`` also reopens completed items (a forced re-run); their
        classification rows stay until the re-run overwrites them.
        """
        states = ("failed", "completed") if include_completed else ("failed",)

        def write(cur: Cursor) -> list[str]:
            found = cur.execute(
                "SELECT indicator_id, status FROM batch_items WHERE trace_id = ? ORDER BY id",
                (trace_id,),
            ).fetchall()
            wanted = None if indicator_ids is None else set(indicator_ids)
            ids = [
                r["indicator_id"]
                for r in found
                if r["status"] in states and (wanted is None or r["indicator_id"] in wanted)
            ]
            cur.executemany(
                "UPDATE batch_items SET status = 'pending', error = NULL,"
                " started_at = NULL, finished_at = NULL, duration_ms = NULL,"
                " confidence = NULL, updated_at = ? WHERE trace_id = ?"
                " AND indicator_id = ?",
                [(R.now_iso(), trace_id, i) for i in ids],
            )
            if ids:
                self._refresh(cur, trace_id)
            return ids

        return self.db.write(write, what=f"requeue {trace_id}")

    def classified_ids(self, ids: Sequence[str]) -> set[str]:
        """The subset of ``ids`` that already have a classification."""
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

    def unfinished_batches(self) -> list[str]:
        """trace_ids with at least one pending item, oldest first (for resume)."""
        return [
            r["trace_id"]
            for r in self.db.read(
                lambda cur: cur.execute(
                    "SELECT trace_id, MIN(id) AS first FROM batch_items WHERE status = 'pending'"
                    " GROUP BY trace_id ORDER BY first"
                ).fetchall()
            )
        ]

    def is_classified(self, indicator_id: str) -> bool:
        return (
            self.db.read(
                lambda cur: cur.execute(
                    "SELECT 1 FROM classifications WHERE indicator_id = ?", (indicator_id,)
                ).fetchone()
            )
            is not None
        )

    def get_classification(self, indicator_id: str) -> dict[str, Any] | None:
        row = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM classifications WHERE indicator_id = ?", (indicator_id,)
            ).fetchone()
        )
        return None if row is None else R.clean(row)

    def query_classifications(
        self,
        *,
        family: str | None = None,
        indicator_type: str | None = None,
        review_status: str | None = None,
        provider: str | None = None,
        trace_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        filters = {
            "family": family,
            "indicator_type": indicator_type,
            "review_status": review_status,
            "provider": provider,
            "trace_id": trace_id,
        }
        used = {k: v for k, v in filters.items() if v is not None}
        sql = "SELECT * FROM classifications"
        sql += (" WHERE " + " AND ".join(f"{k} = ?" for k in used)) if used else ""
        sql += f" ORDER BY id LIMIT {int(limit)} OFFSET {int(offset)}"
        return [
            R.clean(r)
            for r in self.db.read(lambda cur: cur.execute(sql, list(used.values())).fetchall())
        ]

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
            yield from (R.clean(r) for r in page)
            last = page[-1]["id"]

    def count(self, table: str) -> int:
        if table not in (*R.DATA_TABLES, "schema_version"):
            raise ValueError(f"unknown table {table!r}")
        return int(self.db.read(lambda cur: cur.execute(f"SELECT COUNT(*) FROM {table}").scalar()))

    def stage_results(self, indicator_id: str) -> dict[str, dict[str, Any]]:
        """Every stage's latest row for the indicator, keyed by stage name."""

        def read(cur: Cursor) -> dict[str, dict[str, Any]]:
            out = {}
            for stage, table in R.STAGE_TABLE.items():
                row = cur.execute(
                    f"SELECT * FROM {table} WHERE indicator_id = ?"
                    " ORDER BY updated_at DESC, id DESC LIMIT 1",
                    (indicator_id,),
                ).fetchone()
                if row is not None:
                    out[stage.value] = ops.decoded(R.clean(row))
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
