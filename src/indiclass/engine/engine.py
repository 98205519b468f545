"""The durable batch engine: submit batches, wait for them, resume, retry, cancel.

    with Engine(store, provider_factory, resolve, EngineOptions(...)) as eng:
        trace_id = eng.submit(indicators, provider="rules")
        stats = eng.wait(trace_id)

A batch is a ``trace_id``, its members (numbered into chunks of ``chunk_size``) and the run
configuration it was submitted with. ``submit`` writes the indicators, the batch row and its
members in one transaction, then starts one durable workflow per chunk; once it returns, the
batch survives a crash. Where the chunks run is the batch's ``dispatch``:

- ``local:<executor>`` (the CLI's runs): started directly in the submitting process, which
  serves them with its own configuration and keys; no other process takes them;
- ``shared:<queue>`` (the API, scale-out): enqueued on the queue of the batch's provider, where
  every worker that can serve that provider takes chunks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from dbos import DBOS, SetWorkflowID

from indiclass.domain.errors import (
    ConflictError,
    EngineError,
    InputError,
    StorageError,
    StorageFull,
)
from indiclass.domain.models import Indicator
from indiclass.domain.redact import redact
from indiclass.domain.run import RunConfig
from indiclass.domain.store import BatchSpec, BatchStats, ResultStore
from indiclass.engine import system, webhooks
from indiclass.engine.events import EventBus, ProgressEvent, Subscriber
from indiclass.engine.ids import check_id, chunk_prefix, chunk_workflow_id, parse_chunk_workflow_id
from indiclass.engine.runtime import Pacing, ProviderFactory, Runtime, install
from indiclass.engine.waves import dispatch_waves, is_provider_batch
from indiclass.engine.workflows import StepPolicy, chunk_workflow, shared_queue
from indiclass.stages import DEFAULT_STAGES, StageSet

log = logging.getLogger("indiclass.engine")

ACTIVE = ["PENDING", "ENQUEUED"]
Resolve = Callable[..., RunConfig]
"""(provider, model, strategy, **options) → the run configuration, resolved here."""
Dispatch = Literal["local", "shared"]


@dataclass(frozen=True)
class EngineOptions:
    system_database_url: str
    executor_id: str = "local"
    concurrency: int = 20
    """Members in flight in this process."""
    chunk_size: int = 100
    emit_batch: int = 10
    emit_delay_ms: int = 100
    startup_warm_ms: int = 0
    default_provider: str = "rules"
    listen: bool = True
    """False: submit and watch only; never run workflows (an API-only server, an operator)."""
    serves: tuple[str, ...] = ()
    """Providers whose shared queues this process takes chunks from (a worker, ``serve``)."""
    dispatch: Dispatch = "local"
    """Where this process's batches run by default."""
    poll_interval_s: float = 0.05
    stage_attempts: int = 3
    stage_retry_interval_s: float = 0.5
    log_level: str = "WARNING"
    kind: str = "cli"
    """What this process is, in the executors table (cli, serve, worker, api)."""
    extra: dict[str, Any] = field(default_factory=dict)


class Engine:
    """Durable batches of indicator classifications on DBOS (one engine per process)."""

    _running: Engine | None = None

    def __init__(
        self,
        store: ResultStore,
        provider_factory: ProviderFactory,
        resolve: Resolve,
        options: EngineOptions,
        *,
        stages: StageSet = DEFAULT_STAGES,
        owns_store: bool = False,
        estimator: Any = None,
        examples: Any = None,
    ) -> None:
        self.store = store
        self.options = options
        self.resolve = resolve
        self.stages = stages
        self._owns_store = owns_store
        self.bus = EventBus()
        self.runtime = Runtime(
            store,
            provider_factory,
            self.bus,
            concurrency=options.concurrency,
            pacing=Pacing(options.emit_batch, options.emit_delay_ms, options.startup_warm_ms),
            stages=stages,
            estimator=estimator,
        )
        self.runtime.examples = examples
        self._system: system.SystemDb | None = None
        self._lock = system.ExecutorLock()
        self.executor_id = options.executor_id
        self._changed = threading.Condition()
        """Notified when a batch closes (``wait``)."""
        self._progress = threading.Condition()
        """Notified on any progress (``wait_change``: progress displays)."""
        self._beat = threading.Event()
        self._beater: threading.Thread | None = None
        self.bus.subscribe(self._notify)
        self.webhooks = webhooks.Dispatcher(store)
        """Starts the webhook delivery of batches that close (``engine.webhooks``)."""
        self.bus.subscribe(self.webhooks.on_event)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Engine:
        if Engine._running is not None:
            raise EngineError("an engine is already running in this process; stop it first")
        self.webhooks.check()  # a bad webhook setting fails the start, not a delivery
        StepPolicy.attempts = self.options.stage_attempts
        StepPolicy.interval_s = self.options.stage_retry_interval_s
        self.runtime.stopping = False
        install(self.runtime)
        self.runtime.writer.start()
        try:
            self._launch()
        except BaseException as exc:
            self._teardown()
            if isinstance(exc, Exception) and not isinstance(exc, EngineError | StorageError):
                text = str(exc).lower()
                full = "disk is full" in text or "no space left" in text
                raise (StorageFull if full else StorageError)(
                    f"could not start the engine (system database "
                    f"{redact(self.options.system_database_url)}): {exc}"
                ) from exc
            raise
        Engine._running = self
        self._start_heartbeat()
        self.webhooks.start()  # and delivers what a crash left pending
        return self

    def _launch(self) -> None:
        opts = self.options
        pool = max(opts.concurrency // max(1, opts.chunk_size) + 4, 8) + 8
        self._system = system.open_system_db(opts.system_database_url, pool)
        if opts.listen:
            self.executor_id = self._lock.acquire(self._system, opts.executor_id)
        self.runtime.executor_id = self.executor_id
        queues = [shared_queue(p) for p in opts.serves] if opts.listen else []
        system.launch(
            self._system,
            self.executor_id,
            pool_size=pool,
            listen=queues,
            log_level=opts.log_level,
            threads=pool,
        )
        window = max(2, -(-opts.concurrency // max(1, opts.chunk_size)) + 1)
        for name in queues:
            DBOS.register_queue(
                name,
                worker_concurrency=window,
                polling_interval_sec=opts.poll_interval_s,
                on_conflict="always_update",
            )

    def stop(self) -> None:
        if Engine._running is not self:
            return
        try:
            self.runtime.stopping = True
            self.webhooks.stop()
            self._beat.set()
            if self._beater is not None:
                self._beater.join(timeout=5)
            with contextlib.suppress(StorageError):
                self.store.forget_executor(self.executor_id)
        finally:
            self._teardown()
            Engine._running = None

    def _teardown(self) -> None:
        try:
            system.shutdown(self._system)
        finally:
            self.runtime.writer.stop()
            self._lock.release()
            install(None)
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

    # ------------------------------------------------------------ executors

    def _start_heartbeat(self) -> None:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "queues": [shared_queue(p) for p in self.options.serves],
            "providers": list(self.options.serves),
            "started_at": datetime.now(UTC).isoformat(),
        }

        def beat() -> None:
            while True:
                try:
                    self.store.heartbeat(self.executor_id, self.options.kind, info)
                except StorageError as exc:
                    log.warning("heartbeat failed: %s", exc)
                if self._beat.wait(5.0):
                    return

        self._beat.clear()
        self._beater = threading.Thread(target=beat, name="indiclass-heartbeat", daemon=True)
        self._beater.start()

    def other_executors(self) -> list[dict[str, Any]]:
        """Live processes other than this one sharing the results database."""
        return [e for e in self.store.live_executors() if e["executor_id"] != self.executor_id]

    # ------------------------------------------------------------ batches

    def submit(
        self,
        indicators: Iterable[Indicator],
        provider: str | None = None,
        *,
        config: RunConfig | None = None,
        trace_id: str | None = None,
        strategy: str | None = None,
        model: str | None = None,
        force: bool = False,
        run_id: str | None = None,
        body_hash: str | None = None,
        dispatch: Dispatch | None = None,
    ) -> str:
        """Make a durable batch of ``indicators``; returns its trace_id.

        Indicators already classified are left out unless ``force``. Re-submitting a trace_id
        is idempotent when the batch is the same (same ``body_hash``, or same members and
        configuration) and a :class:`ConflictError` otherwise."""
        self._require_started()
        items = _unique(indicators)
        trace_id = check_id(trace_id or str(uuid.uuid4()), "trace_id")
        config = config or self.resolve(provider or self.options.default_provider, model, strategy)
        where = dispatch or self.options.dispatch
        existing = self.store.batch_stats(trace_id)
        if existing is not None:
            return self._same_batch(existing, items, config, body_hash)
        if where == "local":
            self.runtime.providers(config)  # this process serves it: a bad config fails now
        self.store.upsert_source_indicators(items)
        ids = [i.indicator_id for i in items] if force else self._unclassified(items)
        spec = BatchSpec(
            trace_id=trace_id,
            indicator_ids=tuple(ids),
            run_config=config,
            created_at=datetime.now(UTC),
            chunk_size=self.options.chunk_size,
            run_id=run_id,
            body_hash=body_hash,
            dispatch=self._dispatch_name(where, config),
        )
        try:
            self.store.create_batch(spec)
        except StorageError:
            found = self.store.batch_stats(trace_id)  # a concurrent submit of the same trace
            if found is None:
                raise
            return self._same_batch(found, items, config, body_hash)
        stats = self.store.batch_stats(trace_id)
        if stats is not None and stats.done:
            self.runtime.closed(stats)
        elif stats is not None:
            self._dispatch(stats, range(stats.chunks), epoch=0)
        return trace_id

    def _dispatch_name(self, where: Dispatch, config: RunConfig) -> str:
        if where == "local":
            return f"local:{self.executor_id}"
        return f"shared:{shared_queue(config.provider.name)}"

    def _same_batch(
        self,
        existing: BatchStats,
        items: Sequence[Indicator],
        config: RunConfig,
        body_hash: str | None,
    ) -> str:
        trace_id = existing.batch_id
        if body_hash is not None and existing.body_hash is not None:
            if body_hash != existing.body_hash:
                raise ConflictError(f"batch {trace_id} exists with a different body")
            return trace_id
        members = {i for i, _ in self.store.batch_items(trace_id)}
        wanted = {i.indicator_id for i in items}
        same_config = (
            existing.run_config is None or existing.run_config.fingerprint() == config.fingerprint()
        )
        if (
            not wanted <= members | self.store.classified_ids(list(wanted - members))
            or not same_config
        ):
            raise ConflictError(f"batch {trace_id} exists with other indicators or configuration")
        return trace_id

    def _dispatch(self, stats: BatchStats, chunks: Iterable[int], epoch: int | None) -> list[str]:
        """Start (local) or enqueue (shared) the workflow of each chunk; ``epoch`` None picks
        the next one per chunk, skipping a chunk whose workflow is still active."""
        if is_provider_batch(stats):  # one waves workflow for the whole batch
            return dispatch_waves(stats, self.executor_id, chunks, epoch)
        started = []
        self.runtime.faults.pop(stats.batch_id, None)
        where = stats.dispatch or f"local:{self.executor_id}"
        for chunk in chunks:
            n = epoch if epoch is not None else self._next_epoch(stats.batch_id, chunk)
            if n is None:
                continue
            if epoch is None and chunk not in self.store.pending_chunks(stats.batch_id):
                continue  # the workflow waited for finished the chunk
            workflow_id = chunk_workflow_id(stats.batch_id, chunk, n)
            with SetWorkflowID(workflow_id):
                if where.startswith("shared:"):
                    DBOS.enqueue_workflow(
                        where.removeprefix("shared:"), chunk_workflow, stats.batch_id, chunk
                    )
                else:
                    DBOS.start_workflow(chunk_workflow, stats.batch_id, chunk)
            started.append(workflow_id)
        return started

    def _next_epoch(self, trace_id: str, chunk: int, wait_s: float = 30.0) -> int | None:
        """The next dispatch number of a chunk; None while another process runs it. A workflow
        of this process that is finishing (its members already written) is waited for: it read
        its members before they were requeued, so a new dispatch must follow it."""
        deadline = time.monotonic() + wait_s
        while True:
            found = DBOS.list_workflows(
                workflow_id_prefix=chunk_prefix(trace_id, chunk),
                load_input=False,
                load_output=False,
            )
            active = [w for w in found if w.status in ACTIVE]
            if not active:
                epochs = [p[2] for w in found if (p := parse_chunk_workflow_id(w.workflow_id))]
                return max(epochs, default=-1) + 1
            if any(w.executor_id != self.executor_id for w in active):
                return None
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def status(self, trace_id: str) -> BatchStats | None:
        """The batch's ``pipeline_stats`` as stored now (the poll API)."""
        return self.store.batch_stats(trace_id)

    def fault(self, trace_id: str) -> str | None:
        """Why the batch cannot finish in this process (its results, or even its failure,
        could not be stored: a full disk, a lost database), or None."""
        return self.runtime.faults.get(trace_id)

    def _raise_fault(self, trace_id: str) -> None:
        reason = self.fault(trace_id)
        if reason is not None:
            raise StorageError(
                f"batch {trace_id} cannot finish: its results cannot be stored ({reason}); "
                "fix the database (free disk space), then `indiclass run resume` and "
                "`indiclass run retry-failed`"
            )

    def wait(self, trace_id: str, timeout: float | None = None) -> BatchStats:
        """Block until the batch is closed (or paused by its budget); returns its stats.

        In this process a closing batch wakes the waiter at once; work done elsewhere is seen
        within half a second. A batch whose members wait on no workflow (a lost dispatch) is
        dispatched again."""
        deadline = None if timeout is None else time.monotonic() + timeout
        next_check, redispatched = time.monotonic() + 2.0, 0
        while True:
            stats = self.store.batch_stats(trace_id)
            if stats is None:
                raise EngineError(f"unknown batch {trace_id!r}")
            if stats.settled:
                return stats
            self._raise_fault(trace_id)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + 2.0
                redispatched += self._redispatch_stalled(stats)
                if redispatched > 3:
                    raise EngineError(
                        f"batch {trace_id}: its workflows keep ending with members unfinished "
                        f"({stats.pending_indicators} pending); see the log file, then "
                        "`indiclass run resume`"
                    )
            if deadline is not None and time.monotonic() >= deadline:
                raise EngineError(
                    f"batch {trace_id} not done after {timeout}s "
                    f"({stats.pending_indicators} pending)"
                )
            with self._changed:
                self._changed.wait(0.5)

    def _redispatch_stalled(self, stats: BatchStats) -> int:
        """Dispatch again a batch with pending members and no active workflow; 1 if it did."""
        owner = stats.dispatch or ""
        if owner.startswith("local:") and owner != f"local:{self.executor_id}":
            return 0  # another process runs it
        if not self.options.listen and not owner.startswith("shared:"):
            return 0
        if not self.active_workflows(stats.batch_id, limit=1):
            fresh = self.store.recount(stats.batch_id)
            if not fresh.settled:
                self._dispatch(fresh, self.store.pending_chunks(stats.batch_id), None)
                return 1
        return 0

    def active_workflows(
        self, trace_id: str | None = None, *, limit: int | None = None
    ) -> list[str]:
        """Ids of queued or running chunk workflows (of one batch, or all)."""
        prefix = chunk_prefix(trace_id) if trace_id is not None else "ic/"
        found = DBOS.list_workflows(
            workflow_id_prefix=prefix,
            status=ACTIVE,
            limit=limit,
            load_input=False,
            load_output=False,
        )
        return [w.workflow_id for w in found]

    def wait_change(self, timeout: float) -> None:
        """Return when this process's engine reports progress, or after ``timeout`` seconds."""
        with self._progress:
            self._progress.wait(timeout)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Receive progress events of work done in this process; returns an unsubscribe."""
        return self.bus.subscribe(callback)

    # ------------------------------------------------------------ recovery and control

    def resume(self, *, include_paused: bool = False) -> int:
        """Finish what a crash left: dispatch again every open batch's chunks that have pending
        members and no active workflow (this process's own batches, batches of dead local
        processes, shared ones). Returns how many members are still unfinished."""
        self._require_started()
        self._recover_dead_local_executors()
        live = {e["executor_id"] for e in self.other_executors()}
        unfinished = 0
        for stats in self.store.open_batches():
            owner = (stats.dispatch or "").removeprefix("local:")
            if stats.dispatch and stats.dispatch.startswith("local:") and owner in live:
                continue  # a live process runs it
            if stats.status == "paused" and not include_paused:
                unfinished += stats.pending_indicators
                continue
            unfinished += self._resume_batch(stats)
        return unfinished

    def _resume_batch(self, stats: BatchStats) -> int:
        if stats.status == "paused":
            self._settle(stats.batch_id)  # the paused chunks have stopped
            self.store.set_batch_status(stats.batch_id, "running")
            self.runtime.forget_status(stats.batch_id)
        fresh = self.store.recount(stats.batch_id)
        if fresh.done:
            self.runtime.closed(fresh)
            return 0
        if (fresh.dispatch or "").startswith("local:"):
            fresh = self._adopt(fresh)
        self._dispatch(fresh, self.store.pending_chunks(stats.batch_id), None)
        return fresh.pending_indicators

    def _settle(self, trace_id: str, wait_s: float = 30.0) -> None:
        """Wait until no chunk workflow of the batch runs in this process."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            found = DBOS.list_workflows(
                workflow_id_prefix=chunk_prefix(trace_id),
                status=ACTIVE,
                load_input=False,
                load_output=False,
            )
            if not any(w.executor_id == self.executor_id for w in found):
                return
            time.sleep(0.02)

    def _adopt(self, stats: BatchStats) -> BatchStats:
        """A local batch of a process that is gone: this process runs it from now on."""
        mine = f"local:{self.executor_id}"
        if stats.dispatch != mine:
            self.store.set_dispatch(stats.batch_id, mine)
            return stats.model_copy(update={"dispatch": mine})
        return stats

    def _recover_dead_local_executors(self) -> None:
        if self._system is None or not self._system.is_sqlite:
            return
        pending = DBOS.list_workflows(status="PENDING", load_input=False, load_output=False)
        executors = sorted({w.executor_id for w in pending if w.executor_id})
        dead = [e for e in system.dead_local_executors(executors) if e != self.executor_id]
        if dead and self.options.listen:
            self.recover_executors(dead)

    def retry_failed(self, trace_id: str | None = None) -> list[str]:
        """Re-run the failed members (of one batch, or all): they go back to pending and their
        chunks are dispatched again; replies already received are re-sent, not re-asked.
        Returns the workflow ids started."""
        self._require_started()
        traces = sorted({i.trace_id for i in self.store.failed_items(trace_id)})
        return self._requeue(traces, ("failed",))

    def revive_cancelled(self, trace_id: str | None = None) -> list[str]:
        """Run again the cancelled members (of one batch, or of every cancelled batch); the
        batches reopen. Returns the workflow ids started."""
        self._require_started()
        if trace_id is not None:
            traces = [trace_id]
        else:
            found = self.store.list_batches(status="cancelled", limit=1_000_000)
            traces = sorted(b.batch_id for b in found)
        return self._requeue(traces, ("cancelled",))

    def _requeue(self, traces: list[str], statuses: tuple[str, ...]) -> list[str]:
        started: list[str] = []
        for trace in traces:
            if self.store.requeue_items(trace, statuses=statuses):
                self.runtime.forget_status(trace)
                stats = self.store.batch_stats(trace)
                if stats is not None:
                    started += self._dispatch(stats, self.store.pending_chunks(trace), None)
        return started

    def cancel(self, trace_id: str, reason: str = "cancelled by request") -> BatchStats:
        """Cancel a batch: members not started end ``cancelled``, members in flight stop at
        their next LLM ask; the batch closes ``cancelled``. A closed batch is left as it is."""
        self._require_started()
        stats = self.store.batch_stats(trace_id)
        if stats is None:
            raise EngineError(f"unknown batch {trace_id!r}")
        if stats.done:
            return stats
        self.store.set_batch_status(trace_id, "cancelled", reason)
        self.runtime.forget_status(trace_id)
        for workflow_id in self.active_workflows(trace_id):
            DBOS.cancel_workflow(workflow_id)
        self.store.cancel_pending(trace_id, reason)
        closed = self.store.batch_stats(trace_id)
        assert closed is not None
        self.runtime.closed(closed)
        return closed

    def reset(self, *, force: bool = False) -> int:
        """Delete every result and the engine's records of them, so a trace_id used before
        starts afresh. Refuses while batches are open unless ``force`` (they are cancelled
        first). Returns how many chunk workflows were deleted."""
        self._require_started()
        open_batches = self.store.open_batches()
        if open_batches and not force:
            names = ", ".join(b.batch_id for b in open_batches[:5])
            raise EngineError(
                f"{len(open_batches)} batch(es) still open ({names}); wait for them, cancel "
                "them (indiclass run cancel), or reset --force"
            )
        for stats in open_batches:
            self.cancel(stats.batch_id, "reset")
        found = DBOS.list_workflows(workflow_id_prefix="ic/", load_input=False, load_output=False)
        ids = [w.workflow_id for w in found]
        for at in range(0, len(ids), 500):
            DBOS.delete_workflows(ids[at : at + 500])
        self.store.reset()
        return len(ids)

    def recover_executors(self, executor_ids: list[str]) -> int:
        """Operator: run the pending workflows of dead executors here (DBOS 3.4 has no public
        call for it). Returns how many were recovered."""
        self._require_started()
        return len(DBOS._recover_pending_workflows(executor_ids))

    # ------------------------------------------------------------ internals

    def _require_started(self) -> None:
        if Engine._running is not self:
            raise EngineError("engine not started (use `with Engine(...)` or .start())")

    def _unclassified(self, items: list[Indicator]) -> list[str]:
        done = self.store.classified_ids([i.indicator_id for i in items])
        return [i.indicator_id for i in items if i.indicator_id not in done]

    def _notify(self, event: ProgressEvent) -> None:
        if event.kind == "batch":
            with self._changed:
                self._changed.notify_all()
        with self._progress:
            self._progress.notify_all()


def _unique(indicators: Iterable[Indicator]) -> list[Indicator]:
    """Indicators by id, the last one winning; an empty batch is an input error."""
    by_id = {check_id(i.indicator_id, "indicator_id"): i for i in indicators}
    if not by_id:
        raise InputError("a batch needs at least one indicator")
    return list(by_id.values())
