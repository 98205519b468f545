"""The durable batch engine: submit batches, wait for them, resume, retry failures.

    options = EngineOptions(system_database_url="sqlite:///data/x-dbos.sqlite")
    with Engine(store, provider_factory, options) as eng:
        trace_id = eng.submit(indicators, provider="rules")
        stats = eng.wait(trace_id)

A batch is a ``trace_id`` plus its member indicators. ``submit`` writes the indicators and the
batch row, then enqueues the batch's workflow; once it returns, the batch survives a crash. Workers
(this process, or ``indiclass worker`` processes sharing a PostgreSQL system database) run one
workflow per indicator from a queue whose concurrency is the number of indicators in flight.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from dbos import DBOS, SetWorkflowID

from indiclass.domain.enums import Strategy
from indiclass.domain.errors import EngineError, InputError
from indiclass.domain.models import Indicator
from indiclass.domain.store import BatchSpec, BatchStats, ResultStore
from indiclass.engine import system
from indiclass.engine.events import EventBus, ProgressEvent, Subscriber
from indiclass.engine.runtime import ProviderFactory, RunOptions, Runtime, install
from indiclass.engine.workflows import (
    BATCH_QUEUE,
    INDICATOR_QUEUE,
    StepPolicy,
    batch_workflow,
    batch_workflow_id,
    indicator_workflow_id,
)

ACTIVE = ["PENDING", "ENQUEUED"]
ENDED = ["ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]
_SQL_CHUNK = 500


@dataclass(frozen=True)
class EngineOptions:
    system_database_url: str
    executor_id: str = "local"
    concurrency: int = 20
    """Indicators in flight, across every worker sharing the system database."""
    emit_batch: int = 10
    emit_delay_ms: int = 100
    startup_warm_ms: int = 0
    default_provider: str = "rules"
    listen: bool = True
    """False: submit and watch only; never run workflows from the queues (an API or operator)."""
    strategy: str | None = None
    """Default strategy; None means ``rules`` for the rules provider and ``llm`` otherwise."""
    hybrid_threshold: float = 0.75
    max_reasks: int = 2
    poll_interval_s: float = 0.05
    stage_attempts: int = 3
    stage_retry_interval_s: float = 0.5
    log_level: str = "WARNING"
    extra: dict[str, Any] = field(default_factory=dict)


class Engine:
    """Durable batches of indicator classifications on DBOS (one engine per process)."""

    _running: Engine | None = None

    def __init__(
        self,
        store: ResultStore,
        provider_factory: ProviderFactory,
        options: EngineOptions,
        *,
        owns_store: bool = False,
    ) -> None:
        self.store = store
        self._owns_store = owns_store
        self.options = options
        self.bus = EventBus()
        self._runtime = Runtime(
            store,
            provider_factory,
            self.bus,
            hybrid_threshold=options.hybrid_threshold,
            max_reasks=options.max_reasks,
        )
        self._system: system.SystemDb | None = None
        self._lock = system.ExecutorLock()
        self.executor_id = options.executor_id
        self._started_at = 0.0
        self._changed = threading.Condition()
        self.bus.subscribe(self._notify)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Engine:
        if Engine._running is not None:
            raise EngineError("an engine is already running in this process; stop it first")
        opts = self.options
        StepPolicy.stage_attempts = opts.stage_attempts
        StepPolicy.stage_interval_s = opts.stage_retry_interval_s
        pool = opts.concurrency + 16
        install(self._runtime)
        try:
            self._launch(opts, pool)
        except BaseException as exc:
            self._runtime.open_client(None)
            system.shutdown(self._system)
            self._lock.release()
            install(None)
            if isinstance(exc, Exception) and not isinstance(exc, EngineError):
                raise EngineError(
                    f"could not start the engine (system database "
                    f"{_redacted(opts.system_database_url)}): {exc}"
                ) from exc
            raise
        self._runtime.stats.start()
        self._started_at = time.monotonic()
        Engine._running = self
        return self

    def _launch(self, opts: EngineOptions, pool: int) -> None:
        self._system = system.open_system_db(opts.system_database_url, pool)
        listen: list[str] | None = None if opts.listen else []
        self.executor_id = self._lock.acquire(self._system, opts.executor_id)
        system.launch(
            self._system, self.executor_id, pool_size=pool, listen=listen, log_level=opts.log_level
        )
        # a worker's settings win; a submit-only process never changes the queue
        conflict: Literal["always_update", "never_update"] = (
            "always_update" if opts.listen else "never_update"
        )
        DBOS.register_queue(
            INDICATOR_QUEUE,
            global_concurrency=opts.concurrency,
            polling_interval_sec=opts.poll_interval_s,
            on_conflict=conflict,
        )
        DBOS.register_queue(
            BATCH_QUEUE, polling_interval_sec=max(opts.poll_interval_s, 0.25), on_conflict=conflict
        )  # batches are few: poll them less
        self._runtime.open_client(system.client(self._system))

    def stop(self) -> None:
        if Engine._running is not self:
            return
        try:
            self._runtime.open_client(None)
            system.shutdown(self._system)
            self._runtime.stats.stop()
        finally:
            self._lock.release()
            install(None)
            Engine._running = None
            self._system = None

    def shutdown(self) -> None:
        """Stop, and close the results store when the engine opened it."""
        self.stop()
        if self._owns_store:
            self._owns_store = False
            self.store.close()

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ batches

    def submit(
        self,
        indicators: Iterable[Indicator],
        provider: str | None = None,
        *,
        trace_id: str | None = None,
        strategy: str | None = None,
        model: str | None = None,
        force: bool = False,
    ) -> str:
        """Make a durable batch of ``indicators``; returns its trace_id.

        Indicators already classified are left out unless ``force``; a trace_id that already
        exists is not submitted twice (its workflows keep their ids)."""
        self._require_started()
        items = _unique(indicators)
        trace_id = trace_id or str(uuid.uuid4())
        if self.store.batch_stats(trace_id) is not None:
            if force:
                raise EngineError(f"batch {trace_id} exists; a forced re-run needs a new trace_id")
            return trace_id
        provider = provider or self.options.default_provider
        opts = RunOptions(provider, model, strategy or self._default_strategy(provider))
        label = self._runtime.label(opts)  # builds the providers now: a bad config fails here
        self.store.upsert_source_indicators(items)
        ids = [i.indicator_id for i in items] if force else self._unclassified(items)
        spec = BatchSpec(
            trace_id=trace_id,
            indicator_ids=tuple(ids),
            provider=label[0],
            model=label[1],
            strategy=opts.strategy,
            created_at=datetime.now(UTC),
        )
        self.store.create_batch(spec)
        if ids:
            self._enqueue_batch(spec, opts)
        else:
            self.store.refresh_batch_stats(trace_id)
        return trace_id

    def _enqueue_batch(self, spec: BatchSpec, opts: RunOptions) -> None:
        warm = self.options.startup_warm_ms / 1000 - (time.monotonic() - self._started_at)
        with SetWorkflowID(batch_workflow_id(spec.trace_id)):
            DBOS.enqueue_workflow(
                BATCH_QUEUE,
                batch_workflow,
                spec.model_dump(mode="json"),
                opts.to_dict(),
                self.options.emit_batch,
                self.options.emit_delay_ms / 1000,
                max(warm, 0.0),
            )

    def status(self, trace_id: str) -> BatchStats | None:
        """The batch's ``pipeline_stats`` as stored now (the poll API)."""
        return self.store.batch_stats(trace_id)

    def wait(self, trace_id: str, timeout: float | None = None) -> BatchStats:
        """Block until every member of the batch is completed or failed and no workflow of the
        batch is queued or running; returns the closed batch's stats."""
        deadline = None if timeout is None else time.monotonic() + timeout
        next_check = time.monotonic() + 2.0
        while True:
            stats = self.store.batch_stats(trace_id)
            if stats is None:
                raise EngineError(f"unknown batch {trace_id!r}")
            if stats.done and not self.active_workflows(trace_id, limit=1):
                stats = self.store.refresh_batch_stats(trace_id)  # not the refresher's last view
                if stats.done:
                    return stats
            if not stats.done and time.monotonic() >= next_check:
                next_check = time.monotonic() + 2.0
                if not self.active_workflows(trace_id, limit=1):  # a lost refresh: redo it
                    self.store.refresh_batch_stats(trace_id)
            if deadline is not None and time.monotonic() >= deadline:
                raise EngineError(
                    f"batch {trace_id} not done after {timeout}s "
                    f"({stats.pending_indicators} pending)"
                )
            with self._changed:
                self._changed.wait(0.25)

    def active_workflows(
        self, trace_id: str | None = None, *, limit: int | None = None
    ) -> list[str]:
        """Ids of queued or running workflows (of one batch, or all)."""
        prefix = None if trace_id is None else [f"{trace_id}:", batch_workflow_id(trace_id)]
        found = DBOS.list_workflows(
            workflow_id_prefix=prefix,
            status=ACTIVE,
            limit=limit,
            load_input=False,
            load_output=False,
        )
        return [w.workflow_id for w in found]

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Receive progress events of work done in this process; returns an unsubscribe."""
        return self.bus.subscribe(callback)

    # ------------------------------------------------------------ recovery

    def resume(self) -> int:
        """Finish what a crash left: re-enqueue open batches that have no workflow yet, and
        re-close batches whose last refresh was lost. DBOS itself resumes this executor's
        pending workflows at start. Returns how many indicators are still unfinished."""
        self._require_started()
        self._recover_dead_local_executors()
        unfinished = 0
        for stats in self.store.list_batches(limit=100_000):
            if stats.done:
                continue
            unfinished += self._resume_batch(stats)
        return unfinished

    def _recover_dead_local_executors(self) -> None:
        if self.executor_id != "local" or self._system is None or not self._system.is_sqlite:
            return
        pending = DBOS.list_workflows(status="PENDING", load_input=False, load_output=False)
        executors = sorted({w.executor_id for w in pending if w.executor_id})
        dead = system.dead_local_executors(executors)
        if dead:
            self.recover_executors(dead)

    def _resume_batch(self, stats: BatchStats) -> int:
        trace_id = stats.batch_id
        stats = self.store.refresh_batch_stats(trace_id)
        if stats.done:
            return 0
        if DBOS.get_workflow_status(batch_workflow_id(trace_id)) is None:
            pending = [i for i, s in self.store.batch_items(trace_id) if s == "pending"]
            opts = RunOptions(stats.provider, None, self._default_strategy(stats.provider))
            spec = BatchSpec(
                trace_id=trace_id,
                indicator_ids=tuple(pending),
                provider=stats.provider,
                model=stats.model,
                strategy=opts.strategy,
                created_at=stats.batch_start_time,
            )
            self._enqueue_batch(spec, opts)
        self._fail_ended(trace_id)
        return self.store.refresh_batch_stats(trace_id).pending_indicators

    def _fail_ended(self, trace_id: str) -> None:
        """Members whose workflow ended without an outcome (cancelled, or errored because even
        recording the failure kept failing) are marked failed, so their batch can close."""
        ended = DBOS.list_workflows(
            workflow_id_prefix=[f"{trace_id}:"], status=ENDED, load_input=False
        )
        pending = {i for i, s in self.store.batch_items(trace_id) if s == "pending"}
        for wf in ended:
            indicator = wf.workflow_id.split(":", 1)[1].split(":retry-")[0]
            if indicator in pending:
                reason = f"workflow {wf.status}: {wf.error or 'no outcome recorded'}"
                self.store.mark_failed(trace_id, indicator, None, reason[:2000])

    def retry_failed(self, trace_id: str | None = None) -> list[str]:
        """Re-run the failed indicators (of one batch, or all) from their failed stage: the
        stages they completed are replayed from the record, not re-run. Returns new workflow ids."""
        self._require_started()
        started = []
        for item in self.store.failed_items(trace_id):
            new_id = self._retry(item.trace_id, item.indicator_id)
            if new_id:
                started.append(new_id)
        return started

    def _retry(self, trace_id: str, indicator_id: str) -> str | None:
        base = indicator_workflow_id(trace_id, indicator_id)
        attempts = DBOS.list_workflows(
            workflow_id_prefix=[f"{base}:retry-"], load_input=False, load_output=False
        )
        latest = max(attempts, key=lambda w: w.created_at or 0, default=None)
        status = latest or DBOS.get_workflow_status(base)
        if status is None or status.status in ACTIVE:
            return None
        steps = DBOS.list_workflow_steps(status.workflow_id)
        failed = next((s for s in steps if s["error"] is not None), None)
        start = failed["function_id"] if failed else 0
        new_id = f"{base}:retry-{len(attempts) + 1}"
        with SetWorkflowID(new_id):
            DBOS.fork_workflow(
                status.workflow_id,
                start,
                queue_name=INDICATOR_QUEUE,
                application_version=system.APP_VERSION,
            )
        return new_id

    def recover_executors(self, executor_ids: list[str]) -> int:
        """Operator: hand the pending workflows of dead executors back to the queues, where live
        workers pick them up. Returns how many were re-enqueued."""
        self._require_started()
        return len(DBOS._recover_pending_workflows(executor_ids))

    # ------------------------------------------------------------ internals

    def _require_started(self) -> None:
        if Engine._running is not self:
            raise EngineError("engine not started (use `with Engine(...)` or .start())")

    def _default_strategy(self, provider: str) -> str:
        if self.options.strategy:
            return self.options.strategy
        return (Strategy.RULES if provider == "rules" else Strategy.LLM).value

    def _unclassified(self, items: list[Indicator]) -> list[str]:
        ids = [i.indicator_id for i in items]
        keep: set[str] = set()
        for n in range(0, len(ids), _SQL_CHUNK):
            chunk = ids[n : n + _SQL_CHUNK]
            found = self.store.list_source_indicators(ids=chunk, unclassified_only=True)
            keep.update(i.indicator_id for i in found)
        return [i for i in ids if i in keep]

    def _notify(self, event: ProgressEvent) -> None:
        if event.kind != "stage":
            with self._changed:
                self._changed.notify_all()


def _redacted(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


def _unique(indicators: Iterable[Indicator]) -> list[Indicator]:
    """Indicators by id, the last one winning; an empty batch is an input error."""
    by_id = {i.indicator_id: i for i in indicators}
    if not by_id:
        raise InputError("a batch needs at least one indicator")
    return list(by_id.values())
