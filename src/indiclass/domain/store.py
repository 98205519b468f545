"""The results-store port: what the engine, API and CLI need from the results database.

Implemented by ``indiclass.storage`` on SQLite (WAL, one writer) and PostgreSQL. Every write is an
idempotent upsert: durable steps are at-least-once, so any write may be repeated after a crash.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from indiclass.domain.enums import StageName
from indiclass.domain.models import Classification, Indicator, StageRecord, StageResult
from indiclass.domain.ports import CallRecord
from indiclass.domain.usage import Usage

StageEvent = Literal["started", "completed", "failed"]
ItemStatus = Literal["pending", "completed", "failed"]
Refresh = bool | Literal["auto"]


class BatchSpec(BaseModel):
    """A submitted batch: its trace_id and member indicators (``batch_items``)."""

    model_config = ConfigDict(frozen=True)

    trace_id: str
    indicator_ids: tuple[str, ...]
    provider: str
    model: str
    strategy: str
    created_at: datetime


class BatchStats(BaseModel):
    """One ``pipeline_stats`` row plus LLM totals, as read back."""

    model_config = ConfigDict(frozen=True)

    batch_id: str
    provider: str
    model: str
    total_indicators: int
    successful_indicators: int
    failed_indicators: int
    pending_indicators: int
    batch_start_time: datetime
    batch_end_time: datetime | None
    total_duration_ms: int | None
    avg_time_per_indicator_ms: int | None
    avg_confidence: float | None
    llm_calls: int
    usage: Usage

    @property
    def done(self) -> bool:
        return self.pending_indicators == 0


class FailedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    trace_id: str
    indicator_id: str
    stage: str | None
    error: str | None
    failed_at: datetime | None


class ResultStore(Protocol):
    # --- lifecycle
    def migrate(self) -> None: ...
    def close(self) -> None: ...

    # --- source indicators (the catalogue a run draws from)
    def upsert_source_indicators(self, indicators: Sequence[Indicator]) -> int: ...
    def list_source_indicators(
        self,
        *,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        random_order: bool = False,
        unclassified_only: bool = False,
    ) -> list[Indicator]: ...

    # --- batches
    def create_batch(self, spec: BatchSpec) -> None:
        """Insert the ``pipeline_stats`` row and ``batch_items`` (no-op if it exists)."""

    def batch_items(self, trace_id: str) -> list[tuple[str, ItemStatus]]: ...
    def batch_stats(self, trace_id: str) -> BatchStats | None: ...
    def list_batches(self, *, limit: int = 50) -> list[BatchStats]: ...
    def refresh_batch_stats(self, trace_id: str) -> BatchStats:
        """Recompute counts, end time, durations and averages from the batch's items."""

    # --- per-stage progress
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
        """A ``processing_log`` row (started/completed/failed), idempotent per
        (trace, indicator, stage, event); ``started`` also sets the batch item's stage."""

    def save_stage_result(
        self,
        trace_id: str,
        indicator_id: str,
        stage: StageName,
        result: StageResult,
        record: StageRecord,
        usage: Usage,
    ) -> None:
        """Upsert into the stage's table (``family_assignment_results`` …); router: no-op."""

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
        """``save_stage_result`` + the ``completed`` processing_log row in one transaction."""

    def record_llm_call(
        self, call: CallRecord, *, trace_id: str | None = None, indicator_id: str | None = None
    ) -> None:
        """One ``llm_calls`` row (batch/indicator from the args or ``call.tags`` ``trace_id`` /
        ``indicator_id``); writing the same record twice stores it once. Fits ``CallSink``."""

    # --- outcomes
    def save_classification(
        self, trace_id: str, classification: Classification, *, refresh: Refresh = False
    ) -> None:
        """Upsert the ``classifications`` row and mark the batch item completed (one tx).
        ``refresh=True`` also recomputes the batch's ``pipeline_stats`` in that transaction;
        ``"auto"`` only when the batch just closed or its stats are over ~1 s old (a recompute
        is O(batch size): use "auto" for big batches)."""

    def mark_failed(
        self,
        trace_id: str,
        indicator_id: str,
        stage: StageName | None,
        error: str,
        *,
        refresh: Refresh = False,
    ) -> None:
        """Item failed (stage, reason, ``failed`` processing_log row); never downgrades a
        completed item; a later ``save_classification`` flips it to completed."""

    def requeue_items(
        self,
        trace_id: str,
        indicator_ids: Sequence[str] | None = None,
        *,
        include_completed: bool = False,
    ) -> list[str]:
        """Failed (and with ``include_completed`` completed) items back to pending, stats
        refreshed in the same transaction; returns the ids requeued (for retry-failed/force)."""

    def is_classified(self, indicator_id: str) -> bool: ...
    def classified_ids(self, ids: Sequence[str]) -> set[str]: ...
    def unfinished_batches(self) -> list[str]:
        """trace_ids with pending items, oldest first."""

    def get_classification(self, indicator_id: str) -> dict[str, Any] | None: ...
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
    ) -> list[dict[str, Any]]: ...
    def iter_classifications(self, *, batch_size: int = 1_000) -> Iterator[dict[str, Any]]:
        """Every classification row in id order, paged (for csv/jsonl/parquet export)."""

    def stage_results(self, indicator_id: str) -> dict[str, dict[str, Any]]:
        """Latest row of each stage table, keyed by stage name (``"boolean-review"`` ...)."""

    def llm_calls_for(self, indicator_id: str) -> list[dict[str, Any]]: ...
    def processing_log(
        self, trace_id: str, indicator_id: str | None = None
    ) -> list[dict[str, Any]]: ...
    def count(self, table: str) -> int: ...
    def failed_items(self, trace_id: str | None = None) -> list[FailedItem]: ...
    def reset(self) -> None: ...
