"""The results-store port: what the engine, API and CLI need from the results database.

Implemented by ``indiclass.storage`` on SQLite (WAL, one writer) and PostgreSQL. Every write is an
idempotent upsert: durable steps are at-least-once, so any write may be repeated after a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from indiclass.domain.enums import StageName
from indiclass.domain.models import Classification, Indicator, StageRecord, StageResult
from indiclass.domain.ports import CallRecord
from indiclass.domain.usage import Usage

StageEvent = Literal["started", "completed", "failed"]
ItemStatus = Literal["pending", "completed", "failed"]


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
        self, *, ids: Sequence[str] | None = None, limit: int | None = None,
        random_order: bool = False, unclassified_only: bool = False,
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
    def log_stage(self, trace_id: str, indicator_id: str, stage: StageName, event: StageEvent,
                  *, duration_ms: float | None = None, error: str | None = None) -> None:
        """A ``processing_log`` row (started/completed/failed), idempotent per (trace, id, stage, event)."""
    def save_stage_result(self, trace_id: str, indicator_id: str, stage: StageName,
                          result: StageResult, record: StageRecord, usage: Usage) -> None:
        """Upsert into the stage's table (``family_assignment_results`` …)."""
    def record_llm_call(self, call: CallRecord) -> None: ...

    # --- outcomes
    def save_classification(self, trace_id: str, classification: Classification) -> None:
        """Upsert the ``classifications`` row and mark the batch item completed."""
    def mark_failed(self, trace_id: str, indicator_id: str, stage: StageName | None,
                    error: str) -> None: ...
    def is_classified(self, indicator_id: str) -> bool: ...
    def get_classification(self, indicator_id: str) -> dict[str, Any] | None: ...
    def query_classifications(
        self, *, family: str | None = None, indicator_type: str | None = None,
        review_status: str | None = None, provider: str | None = None,
        trace_id: str | None = None, limit: int = 100, offset: int = 0,
    ) -> list[dict[str, Any]]: ...
    def stage_results(self, indicator_id: str) -> dict[str, dict[str, Any]]: ...
    def llm_calls_for(self, indicator_id: str) -> list[dict[str, Any]]: ...
    def failed_items(self, trace_id: str | None = None) -> list[FailedItem]: ...
    def reset(self) -> None: ...
