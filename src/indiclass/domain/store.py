"""The results-store port: what the engine, API and CLI need from the results database.

Implemented by ``indiclass.storage`` on SQLite (WAL, one writer) and PostgreSQL.

Writes come in bulk: the engine hands the store a list of :data:`WriteOp` (calls begun and
ended, members completed or failed, ...) and :meth:`ResultStore.apply` writes them all in one
transaction. Every op is idempotent — durable steps are at-least-once, so any write may be
repeated after a crash: a member's rows are written only when its batch item moves out of
``pending`` in that same transaction, and a call's usage is added only when its row moves out of
``pending``. Batch statistics are kept in the same transactions as those transitions (derived
from the members' moves, so they never drift), which makes reading them O(1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from indiclass.domain.models import Classification, Indicator, StageOutcome
from indiclass.domain.ports import LLMReply
from indiclass.domain.run import RunConfig
from indiclass.domain.usage import Usage
from indiclass.domain.waves import WaveOutcome, WavePart, WaveRequest

ItemStatus = Literal["pending", "completed", "failed", "cancelled"]
BatchStatus = Literal["queued", "running", "completed", "degraded", "failed", "cancelled", "paused"]
TERMINAL: frozenset[str] = frozenset({"completed", "degraded", "failed", "cancelled"})
"""Statuses of a batch that has closed (``paused`` is open: it waits for a bigger budget)."""


class BatchSpec(BaseModel):
    """A batch to create: its trace_id, member indicators and run configuration."""

    model_config = ConfigDict(frozen=True)

    trace_id: str
    indicator_ids: tuple[str, ...]
    run_config: RunConfig
    created_at: datetime
    chunk_size: int = 100
    run_id: str | None = None
    body_hash: str | None = None
    dispatch: str = "local"
    """Where its chunks run: ``local:<executor>`` (the submitting process) or ``shared:<queue>``."""

    @property
    def provider(self) -> str:
        return self.run_config.provider.name

    @property
    def model(self) -> str:
        return self.run_config.provider.model


class BatchStats(BaseModel):
    """One ``pipeline_stats`` row, as read back."""

    model_config = ConfigDict(frozen=True)

    batch_id: str
    provider: str
    model: str
    strategy: str | None = None
    status: str = "running"
    reason: str | None = None
    total_indicators: int
    successful_indicators: int
    failed_indicators: int
    pending_indicators: int
    cancelled_indicators: int = 0
    fallback_indicators: int = 0
    batch_start_time: datetime
    batch_end_time: datetime | None
    total_duration_ms: int | None
    avg_time_per_indicator_ms: int | None
    avg_confidence: float | None
    llm_calls: int
    usage: Usage
    run_id: str | None = None
    run_config: RunConfig | None = None
    body_hash: str | None = None
    dispatch: str | None = None
    chunks: int = 0

    @property
    def done(self) -> bool:
        """Closed: every member finished (or the batch was cancelled)."""
        return self.status in TERMINAL

    @property
    def settled(self) -> bool:
        """Nothing more happens without someone acting: closed, or paused by its budget."""
        return self.done or self.status == "paused"


class FailedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    trace_id: str
    indicator_id: str
    stage: str | None
    error: str | None
    failed_at: datetime | None


class RunRecord(BaseModel):
    """A run of the runner (``run all`` / ``run random`` / ``run target``): its batches, in
    groups, recorded before the first is submitted so that ``run resume`` can finish it."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    kind: str
    status: str
    config: RunConfig
    options: dict[str, Any]
    total_indicators: int
    batches: int
    reason: str | None = None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RunBatch:
    """One planned batch of a run: its number, trace_id and member ids."""

    batch_no: int
    trace_id: str
    indicator_ids: tuple[str, ...]


# ---------------------------------------------------------------- bulk writes


@dataclass(frozen=True)
class CallBegun:
    """An LLM request about to be sent (logged before it leaves: a crash mid-call still leaves
    its row, marked ``interrupted`` when the call is made again)."""

    call_key: str
    trace_id: str
    indicator_id: str
    stage: str
    attempt: int
    provider: str
    model: str
    system: str
    user: str
    request_hash: str
    estimated_input_tokens: int = 0
    estimated_cost_usd: float | None = None


@dataclass(frozen=True)
class CallEnded:
    call_key: str
    trace_id: str
    reply: LLMReply | None
    error: str | None = None
    duration_ms: float = 0.0


@dataclass(frozen=True)
class MemberDone:
    trace_id: str
    indicator_id: str
    classification: Classification
    outcomes: tuple[StageOutcome, ...]
    started_at: float
    """Epoch seconds when its first stage started."""
    duration_ms: float


@dataclass(frozen=True)
class MemberFailed:
    trace_id: str
    indicator_id: str
    stage: str | None
    reason: str
    outcomes: tuple[StageOutcome, ...] = ()
    started_at: float | None = None
    duration_ms: float | None = None


@dataclass(frozen=True)
class MemberCancelled:
    trace_id: str
    indicator_id: str
    reason: str = "cancelled"


@dataclass(frozen=True)
class StageMark:
    """A member is now at ``stage`` (live progress: ``batch_items.stage``)."""

    trace_id: str
    indicator_id: str
    stage: str


WriteOp = CallBegun | CallEnded | MemberDone | MemberFailed | MemberCancelled | StageMark


@dataclass
class Applied:
    """What one :meth:`ResultStore.apply` changed: the batches it closed and touched."""

    closed: list[BatchStats] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


# ---------------------------------------------------------------- the port


class ResultStore(Protocol):
    # --- lifecycle
    def migrate(self) -> None: ...
    def close(self) -> None: ...
    def reset(self) -> None: ...

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
        """Insert the ``pipeline_stats`` row and ``batch_items`` with their chunk numbers."""

    def batch_stats(self, trace_id: str) -> BatchStats | None: ...
    def list_batches(
        self, *, limit: int = 50, status: str | None = None, run_id: str | None = None
    ) -> list[BatchStats]: ...
    def open_batches(self) -> list[BatchStats]:
        """Batches not closed (running, queued, paused), oldest first."""

    def batch_items(self, trace_id: str) -> list[tuple[str, ItemStatus]]: ...
    def chunk_members(self, trace_id: str, chunk: int) -> list[Indicator]:
        """The chunk's members still ``pending``, with their source indicators."""

    def missing_members(self, trace_id: str, chunk: int) -> list[str]:
        """Pending members of the chunk with no source indicator."""

    def batch_members(
        self, trace_id: str, *, offset: int = 0, limit: int = 100, status: str | None = None
    ) -> list[dict[str, Any]]: ...
    def stage_counts(self, trace_id: str) -> dict[str, dict[str, Any]]: ...
    def summary(self, trace_ids: Sequence[str]) -> dict[str, Any]: ...
    def set_dispatch(self, trace_id: str, dispatch: str) -> None: ...
    def set_run_config(self, trace_id: str, config: RunConfig) -> None: ...

    def pending_chunks(self, trace_id: str) -> list[int]: ...
    def replies(self, trace_id: str, indicator_ids: Sequence[str]) -> dict[str, LLMReply]:
        """Every LLM reply already received for these members (by call key): what a re-run
        step re-sends to the pipeline instead of asking again."""

    def apply(self, ops: Sequence[WriteOp]) -> Applied:
        """Write ``ops`` in one transaction (idempotent; see the module docstring)."""

    def set_batch_status(
        self, trace_id: str, status: str, reason: str | None = None, *, only_if_open: bool = True
    ) -> BatchStats | None: ...
    def cancel_pending(self, trace_id: str, reason: str = "cancelled") -> int:
        """Members still pending → ``cancelled``; the batch closes ``cancelled``."""

    def requeue_items(
        self,
        trace_id: str,
        indicator_ids: Sequence[str] | None = None,
        *,
        statuses: Sequence[str] = ("failed",),
    ) -> list[str]:
        """Members in ``statuses`` back to pending, counters and status adjusted."""

    def recount(self, trace_id: str) -> BatchStats:
        """Recompute a batch's statistics from its members (repair; O(members))."""

    # --- runs
    def create_run(self, run: RunRecord, batches: Sequence[RunBatch]) -> None: ...
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
        """Choose the run's indicators (none another open run or batch holds) and record the
        run, in one transaction."""

    def get_run(self, run_id: str) -> RunRecord | None: ...
    def run_batches(self, run_id: str) -> list[RunBatch]: ...
    def list_runs(self, *, limit: int = 50, status: str | None = None) -> list[RunRecord]: ...
    def set_run_status(self, run_id: str, status: str, reason: str | None = None) -> None: ...

    # --- executors
    def heartbeat(self, executor_id: str, kind: str, info: dict[str, Any]) -> None: ...
    def live_executors(self, max_age_s: float = 15.0) -> list[dict[str, Any]]: ...
    def forget_executor(self, executor_id: str) -> None: ...

    # --- reads
    def is_classified(self, indicator_id: str) -> bool: ...
    def classified_ids(self, ids: Sequence[str]) -> set[str]: ...
    def get_classification(self, indicator_id: str) -> dict[str, Any] | None: ...
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
    ) -> list[dict[str, Any]]: ...
    def count_classifications(self, **filters: Any) -> int: ...
    def iter_classifications(self, *, batch_size: int = 1_000) -> Iterator[dict[str, Any]]:
        """Every classification row in id order, paged (for csv/jsonl/parquet export)."""

    def stage_results(self, indicator_id: str) -> dict[str, dict[str, Any]]:
        """Latest row of each stage table, keyed by stage name (``"boolean-review"`` ...)."""

    def llm_calls_for(self, indicator_id: str) -> list[dict[str, Any]]: ...
    def recent_llm_calls(
        self,
        *,
        limit: int = 20,
        trace_id: str | None = None,
        stage: str | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]: ...
    def processing_log(
        self, trace_id: str, indicator_id: str | None = None
    ) -> list[dict[str, Any]]: ...
    def count(self, table: str) -> int: ...
    def failed_items(self, trace_id: str | None = None) -> list[FailedItem]: ...

    # --- console and overrides
    def find_batches(
        self,
        *,
        status: str | None = None,
        provider: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[BatchStats]: ...
    def count_batches(self, *, status: str | None = None, provider: str | None = None) -> int: ...
    def batch_charts(self, trace_id: str) -> dict[str, Any]: ...
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
    ) -> list[dict[str, Any]]: ...
    def count_review_queue(
        self, *, why: str = "any", below: float = 0.8, trace_id: str | None = None
    ) -> int: ...
    def indicator_trail(self, indicator_id: str, limit: int = 20) -> list[dict[str, Any]]: ...
    def add_overrides(
        self, indicator_id: str, values: Mapping[str, Any], *, reason: str, who: str
    ) -> list[dict[str, Any]]:
        """A person's corrections, checked against the taxonomy; wins over the pipeline in
        ``classifications`` until removed. InputError for a bad value or no classification."""

    def remove_overrides(
        self, indicator_id: str, fields: Sequence[str] | None = None, *, who: str
    ) -> list[dict[str, Any]]: ...
    def list_overrides(
        self,
        indicator_id: str | None = None,
        *,
        include_deleted: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]: ...
    def count_overrides(self, *, include_deleted: bool = False) -> int: ...
    def iter_overrides(
        self, *, include_deleted: bool = False, batch_size: int = 1_000
    ) -> Iterator[dict[str, Any]]: ...

    # --- provider batches (provider-batch mode: see ``indiclass.domain.waves``)
    def record_wave_part(
        self, part: WavePart, requests: Sequence[WaveRequest], begun: Sequence[CallBegun]
    ) -> bool:
        """The intent of one provider batch, before anything is sent: its row, its requests
        (custom_id → call key, body) and their calls begun, in one transaction. False, and
        nothing written, when the part is recorded already."""

    def wave_part(self, key: str) -> WavePart | None: ...
    def wave_parts(self, trace_id: str, *, open_only: bool = False) -> list[WavePart]:
        """The batch's parts in (wave, part) order; ``open_only``: those not fetched yet."""

    def wave_requests(self, key: str) -> list[WaveRequest]:
        """The part's requests in custom_id order, with their bodies while not fetched."""

    def update_wave_part(self, key: str, **changes: Any) -> WavePart | None:
        """Set some columns of the part (status, ids, counts, times, error)."""

    def finish_wave_part(
        self, key: str, outcomes: Sequence[WaveOutcome], ended: Sequence[CallEnded]
    ) -> Applied:
        """The part's results: the calls ended (replies or errors, usage into the batch's
        counters), each request's outcome, the part ``fetched`` with its counts and cost, in
        one transaction; nothing when the part is fetched already."""

    def wave_failures(self, trace_id: str, epoch: int) -> dict[str, list[str]]:
        """Call key → why each of its provider-batch tries failed, in one dispatch."""

    def next_wave(self, trace_id: str) -> int: ...
    def provider_batch_ids(self) -> set[str]:
        """Every provider batch id recorded (by any batch): not to be adopted by another."""

    def provider_batches(self, trace_id: str) -> list[dict[str, Any]]:
        """One row per provider batch of the batch (waves, ids, status, counts, cost), for
        ``stats`` and the console."""
