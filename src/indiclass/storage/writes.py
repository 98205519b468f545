"""The bulk writes behind ``SqlStore.apply``: many members' and calls' rows in one transaction.

Idempotence comes from transitions, not from unique keys alone: a member's stage rows,
``processing_log`` rows and classification are written only when its ``batch_items`` row moves
out of ``pending`` in this very transaction, and a call's usage is added to its batch only when
its ``llm_calls`` row moves out of ``pending``. A repeated op (a step re-run after a crash) finds
nothing to move and writes nothing. The batch counters move with those transitions, in the same
transaction, so they can never drift from the members.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from indiclass.domain.history import classification_provenance
from indiclass.domain.models import StageOutcome
from indiclass.domain.store import (
    TERMINAL,
    Applied,
    CallBegun,
    CallEnded,
    MemberCancelled,
    MemberDone,
    MemberFailed,
    StageMark,
    WriteOp,
)
from indiclass.stages import StageSet
from indiclass.storage import outbox, overrides
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor
from indiclass.storage.history import HISTORY_UPSERT, batch_context, history_row


@dataclass
class Delta:
    """What one transaction adds to one batch's counters."""

    ok: int = 0
    failed: int = 0
    cancelled: int = 0
    fallback: int = 0
    confidence: float = 0.0
    duration_ms: float = 0.0
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    unknown_cost: int = 0

    @property
    def finished(self) -> int:
        return self.ok + self.failed + self.cancelled


@dataclass
class Writer:
    """Applies one list of ops inside one cursor."""

    cur: Cursor
    stages: StageSet
    class_columns: tuple[str, ...]
    now: str = field(default_factory=R.now_iso)
    deltas: dict[str, Delta] = field(default_factory=lambda: defaultdict(Delta))
    stage_rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    log_rows: list[tuple[Any, ...]] = field(default_factory=list)
    classifications: list[tuple[Any, ...]] = field(default_factory=list)
    history: list[tuple[Any, ...]] = field(default_factory=list)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    """trace_id → its strategy, run_id and run key (``storage.history.batch_context``)."""

    def run(self, ops: Sequence[WriteOp]) -> Applied:
        begun = [op for op in ops if isinstance(op, CallBegun)]
        if begun:
            self._begin_calls(begun)
        marks = [op for op in ops if isinstance(op, StageMark)]
        for op in ops:
            if isinstance(op, CallEnded):
                self._end_call(op)
            elif isinstance(op, MemberDone):
                self._done(op)
            elif isinstance(op, MemberFailed):
                self._failed(op)
            elif isinstance(op, MemberCancelled):
                self._cancelled(op)
        if marks:
            self._marks(marks)
        self._flush_rows()
        return self._counters()

    # ------------------------------------------------------------ calls

    def _begin_calls(self, begun: list[CallBegun]) -> None:
        keys = [op.call_key for op in begun]
        seen = {
            r["call_key"]: r
            for r in self.cur.execute(
                "SELECT call_key, status, trace_id, input_tokens, cost_usd FROM llm_calls"
                f" WHERE call_key IN ({', '.join('?' * len(keys))})",
                keys,
            ).fetchall()
        }
        for key, row in seen.items():  # asked again: the earlier exchange keeps its own row
            if row["status"] == "pending":
                self._interrupted(row)
            self.cur.execute(
                "UPDATE llm_calls SET call_key = call_key || ':' || CAST(id AS TEXT),"
                " status = CASE WHEN status = 'pending' THEN 'interrupted' ELSE status END"
                " WHERE call_key = ?",
                (key,),
            )
        self.cur.executemany(
            "INSERT INTO llm_calls (call_key, trace_id, indicator_id, stage, provider, model,"
            " prompt_system, prompt_user, response, input_tokens, output_tokens, cached_tokens,"
            " cost_usd, duration_ms, error, cache_hit, created_at, status, attempt,"
            " request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 0, 0, ?, 0, NULL, ?, ?,"
            " 'pending', ?, ?)",
            [
                (
                    op.call_key,
                    op.trace_id,
                    op.indicator_id,
                    op.stage,
                    op.provider,
                    op.model,
                    op.system,
                    op.user,
                    op.estimated_input_tokens,
                    op.estimated_cost_usd,
                    False,
                    self.now,
                    op.attempt,
                    op.request_hash,
                )
                for op in begun
            ],
        )

    def _interrupted(self, row: dict[str, Any]) -> None:
        """A call in flight at a crash: sent, perhaps paid, never answered. Counted at its
        estimated input (its row keeps the estimate, status ``interrupted``)."""
        d = self.deltas[row["trace_id"]]
        d.calls += 1
        d.input_tokens += int(row["input_tokens"] or 0)
        self._add_cost(d, row["cost_usd"])

    def _end_call(self, op: CallEnded) -> None:
        reply = op.reply
        usage = reply.usage if reply else None
        status = "ok" if reply is not None and op.error is None else "error"
        hit = bool(reply and reply.cache_hit)
        self.cur.execute(
            "UPDATE llm_calls SET status = ?, response = ?, input_tokens = ?, output_tokens = ?,"
            " cached_tokens = ?, cost_usd = ?, duration_ms = ?, error = ?, cache_hit = ?,"
            " finished_at = ?, provider = COALESCE(?, provider), model = COALESCE(?, model)"
            " WHERE call_key = ? AND status = 'pending'",
            (
                status,
                reply.content if reply else None,
                usage.input_tokens if usage else 0,
                usage.output_tokens if usage else 0,
                usage.cached_tokens if usage else 0,
                usage.cost_usd if usage else 0.0,
                op.duration_ms,
                op.error,
                hit,
                self.now,
                reply.provider if reply else None,
                reply.model if reply else None,
                op.call_key,
            ),
        )
        if self.cur.rowcount != 1 or hit:
            return
        d = self.deltas[op.trace_id]
        d.calls += 1
        if usage is not None:
            d.input_tokens += usage.input_tokens
            d.output_tokens += usage.output_tokens
            d.cached_tokens += usage.cached_tokens
            self._add_cost(d, usage.cost_usd)

    @staticmethod
    def _add_cost(d: Delta, cost: float | None) -> None:
        if cost is None:
            d.unknown_cost += 1
        else:
            d.cost += float(cost)

    # ------------------------------------------------------------ members

    def _move(
        self,
        trace_id: str,
        indicator_id: str,
        status: str,
        *,
        stage: str | None,
        error: str | None,
        confidence: float | None,
        started_at: float | None,
        duration_ms: float | None,
    ) -> bool:
        started = R.iso_epoch(started_at) if started_at else None
        self.cur.execute(
            "UPDATE batch_items SET status = ?, stage = COALESCE(?, stage), error = ?,"
            " confidence = ?, started_at = COALESCE(?, started_at), finished_at = ?,"
            " duration_ms = ?, updated_at = ? WHERE trace_id = ? AND indicator_id = ?"
            " AND status = 'pending'",
            (
                status,
                stage,
                error,
                confidence,
                started,
                self.now,
                duration_ms,
                self.now,
                trace_id,
                indicator_id,
            ),
        )
        return self.cur.rowcount == 1

    def _done(self, op: MemberDone) -> None:
        c = op.classification
        if not self._move(
            op.trace_id,
            op.indicator_id,
            "completed",
            stage="complete",
            error=None,
            confidence=c.overall_confidence,
            started_at=op.started_at,
            duration_ms=op.duration_ms,
        ):
            return
        self._outcome_rows(op.trace_id, op.indicator_id, op.outcomes)
        finish = op.started_at + op.duration_ms / 1000
        self._log(op.trace_id, op.indicator_id, "complete", "started", finish, None, None)
        self._log(op.trace_id, op.indicator_id, "complete", "completed", finish, 0.0, None)
        batch = self._batch(op.trace_id)
        made = classification_provenance(op.outcomes)
        provenance = {**made, "strategy": batch["strategy"], "run_id": batch["run_key"]}
        self.classifications.append(
            R.classification_row(op.trace_id, c, self.class_columns, self.now, provenance)
        )
        self.history.append(history_row(op.trace_id, c, op.outcomes, made, batch, self.now))
        d = self.deltas[op.trace_id]
        d.ok += 1
        d.confidence += c.overall_confidence
        d.duration_ms += op.duration_ms
        d.fallback += 1 if c.fallback_stages else 0

    def _batch(self, trace_id: str) -> dict[str, Any]:
        if trace_id not in self.batches:
            self.batches[trace_id] = batch_context(self.cur, trace_id)
        return self.batches[trace_id]

    def _failed(self, op: MemberFailed) -> None:
        if not self._move(
            op.trace_id,
            op.indicator_id,
            "failed",
            stage=op.stage,
            error=op.reason,
            confidence=None,
            started_at=op.started_at,
            duration_ms=op.duration_ms,
        ):
            return
        self._outcome_rows(op.trace_id, op.indicator_id, op.outcomes)
        stage = op.stage or "unknown"
        at = _epoch(self.now)
        if op.outcomes and op.stage is not None:
            last = op.outcomes[-1]
            at = last.started_at + last.duration_ms / 1000
            self._log(op.trace_id, op.indicator_id, stage, "started", at, None, None)
        self._log(op.trace_id, op.indicator_id, stage, "failed", at, None, op.reason)
        d = self.deltas[op.trace_id]
        d.failed += 1
        d.duration_ms += op.duration_ms or 0.0

    def _cancelled(self, op: MemberCancelled) -> None:
        if self._move(
            op.trace_id,
            op.indicator_id,
            "cancelled",
            stage=None,
            error=op.reason,
            confidence=None,
            started_at=None,
            duration_ms=None,
        ):
            self.deltas[op.trace_id].cancelled += 1

    def _marks(self, marks: list[StageMark]) -> None:
        self.cur.executemany(
            "UPDATE batch_items SET stage = ?, started_at = COALESCE(started_at, ?),"
            " updated_at = ? WHERE trace_id = ? AND indicator_id = ? AND status = 'pending'",
            [(m.stage, self.now, self.now, m.trace_id, m.indicator_id) for m in marks],
        )

    def _outcome_rows(
        self, trace_id: str, indicator_id: str, outcomes: Sequence[StageOutcome]
    ) -> None:
        for o in outcomes:
            self._log(trace_id, indicator_id, o.stage, "started", o.started_at, None, None)
            end = o.started_at + o.duration_ms / 1000
            self._log(trace_id, indicator_id, o.stage, "completed", end, o.duration_ms, None)
            stage = self.stages.by_name.get(o.stage)
            if stage is not None and stage.table:
                batch = self._batch(trace_id)
                run = {"strategy": batch["strategy"], "run_id": batch["run_key"]}
                self.stage_rows[stage.name].append(
                    R.stage_row(trace_id, indicator_id, stage, o, self.now, run)
                )

    def _log(
        self,
        trace_id: str,
        indicator_id: str,
        stage: str,
        status: str,
        at: float,
        duration_ms: float | None,
        error: str | None,
    ) -> None:
        when = R.iso_epoch(at)
        self.log_rows.append(
            (trace_id, indicator_id, stage, status, duration_ms, error, when, when)
        )

    # ------------------------------------------------------------ rows and counters

    def _flush_rows(self) -> None:
        for name, rows in self.stage_rows.items():
            stage = self.stages.by_name[name]
            assert stage.table is not None
            sql = R.upsert_sql(
                stage.table, R.stage_row_columns(stage), ("indicator_id", "trace_id")
            )
            self.cur.executemany(sql, rows)
        if self.log_rows:
            self.cur.executemany(_LOG_SQL, self.log_rows)
        if self.classifications:
            sql = R.upsert_sql("classifications", self.class_columns, ("indicator_id",))
            self.cur.executemany(sql, self.classifications)
            overrides.reapply(self.cur, self.class_columns, self.classifications)
        if self.history:
            self.cur.executemany(HISTORY_UPSERT, self.history)

    def _counters(self) -> Applied:
        applied = Applied(touched=set(self.deltas))
        for trace_id in sorted(self.deltas):  # one lock order: no deadlock between workers
            row = self._add(trace_id, self.deltas[trace_id])
            if row is not None and int(row["pending_indicators"]) <= 0:
                if row["status"] not in TERMINAL:
                    row = close_batch(self.cur, trace_id, self.now)
                if row is not None and row.get("_closed_now"):
                    applied.closed.append(R.stats_from_row(row))
        return applied

    def _add(self, trace_id: str, d: Delta) -> dict[str, Any] | None:
        return self.cur.execute(
            "UPDATE pipeline_stats SET"
            " successful_indicators = successful_indicators + ?,"
            " failed_indicators = failed_indicators + ?,"
            " cancelled_indicators = COALESCE(cancelled_indicators, 0) + ?,"
            " pending_indicators = COALESCE(pending_indicators, total_indicators) - ?,"
            " fallback_indicators = COALESCE(fallback_indicators, 0) + ?,"
            " sum_confidence = COALESCE(sum_confidence, 0) + ?,"
            " sum_duration_ms = COALESCE(sum_duration_ms, 0) + ?,"
            " llm_calls = COALESCE(llm_calls, 0) + ?,"
            " input_tokens = COALESCE(input_tokens, 0) + ?,"
            " output_tokens = COALESCE(output_tokens, 0) + ?,"
            " cached_tokens = COALESCE(cached_tokens, 0) + ?,"
            " cost_usd = COALESCE(cost_usd, 0) + ?,"
            " unknown_cost_calls = COALESCE(unknown_cost_calls, 0) + ?,"
            " updated_at = ?"
            " WHERE batch_id = ? RETURNING pending_indicators, status",
            (
                d.ok,
                d.failed,
                d.cancelled,
                d.finished,
                d.fallback,
                d.confidence,
                d.duration_ms,
                d.calls,
                d.input_tokens,
                d.output_tokens,
                d.cached_tokens,
                d.cost,
                d.unknown_cost,
                self.now,
                trace_id,
            ),
        ).fetchone()


_LOG_SQL = (
    "INSERT INTO processing_log (trace_id, indicator_id, stage, status, duration_ms,"
    " error_message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (trace_id, indicator_id, stage, status) DO UPDATE SET"
    " duration_ms = excluded.duration_ms, error_message = excluded.error_message,"
    " updated_at = excluded.updated_at"
)


def close_batch(cur: Cursor, trace_id: str, now: str) -> dict[str, Any] | None:
    """A batch whose members have all finished: its final status, end time and averages."""
    row = cur.execute("SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)).fetchone()
    if row is None:
        return None
    status = final_status(row)
    start = row["batch_start_time"]
    total_ms = R.ms_between(start, now)
    cur.execute(
        "UPDATE pipeline_stats SET status = ?, batch_end_time = ?, total_duration_ms = ?,"
        " avg_time_per_indicator_ms = ?, avg_confidence = ?, updated_at = ? WHERE batch_id = ?",
        (
            status,
            now,
            None if total_ms is None else round(total_ms),
            _avg(row["sum_duration_ms"], row["successful_indicators"] + row["failed_indicators"]),
            _mean(row["sum_confidence"], row["successful_indicators"]),
            now,
            trace_id,
        ),
    )
    closed = cur.execute("SELECT * FROM pipeline_stats WHERE batch_id = ?", (trace_id,)).fetchone()
    outbox.enqueue(cur, closed, now)  # its webhook, if it asked for one: in this transaction
    return None if closed is None else {**closed, "_closed_now": True}


def final_status(row: dict[str, Any]) -> str:
    """completed; degraded (some failed, or too many rules fallbacks); failed (none
    completed); cancelled (a cancel was asked)."""
    from indiclass.domain.run import RunConfig

    ok, failed = int(row["successful_indicators"] or 0), int(row["failed_indicators"] or 0)
    cancelled = int(row.get("cancelled_indicators") or 0)
    if cancelled or row.get("status") == "cancelled":
        return "cancelled"
    if failed and not ok:
        return "failed"
    share = 0.05
    if row.get("run_config"):
        share = RunConfig.from_json(row["run_config"]).degraded_share
    total = int(row["total_indicators"]) or 1
    if failed or int(row.get("fallback_indicators") or 0) / total > share:
        return "degraded"
    return "completed"


def _avg(total: float | None, n: int) -> int | None:
    return None if not n or total is None else round(float(total) / n)


def _mean(total: float | None, n: int) -> float | None:
    return None if not n or total is None else float(total) / n


def _epoch(iso_text: str) -> float:
    moment = R.parse_iso(iso_text)
    assert moment is not None
    return moment.timestamp()
