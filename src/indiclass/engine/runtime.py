"""What durable steps need at run time: the store, the result writer, providers, events —
installed once per process.

DBOS workflows and steps are module-level functions whose inputs are recorded in the system
database, so they cannot receive live objects. The engine installs one :class:`Runtime` per
process when it starts; steps look it up. Providers are built from the run configuration the
batch carries (never from this process's defaults), once per configuration per process.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from indiclass.domain.errors import EngineError
from indiclass.domain.ports import LLMRequest, Provider
from indiclass.domain.run import RunConfig
from indiclass.domain.store import (
    Applied,
    BatchStats,
    MemberCancelled,
    MemberDone,
    MemberFailed,
    ResultStore,
    WriteOp,
)
from indiclass.engine.events import EventBus, ProgressEvent
from indiclass.engine.writer import LoopWriter, WriteBehind
from indiclass.pipeline import ProviderSet
from indiclass.stages import DEFAULT_STAGES, StageSet

log = logging.getLogger("indiclass.engine")

ProviderFactory = Callable[[RunConfig], ProviderSet]
"""A run configuration → its providers, as this process can serve them (ConfigError if not)."""
CostEstimator = Callable[[LLMRequest, Provider], "float | None"]
"""The most one call can cost before it is sent (input + max output at the model's price)."""


@dataclass
class Budget:
    """A batch's spend in this process: what its stats said at the chunk's start, plus what
    this process paid since, plus what its calls in flight may still cost."""

    spent: float = 0.0
    reserved: float = 0.0

    def start(self, stored: float | None) -> None:
        self.spent = max(self.spent, stored or 0.0)

    def allows(self, estimate: float | None, limit: float) -> bool:
        cost = estimate or 0.0
        if self.spent + self.reserved + cost > limit:
            return False
        self.reserved += cost
        return True

    def settle(self, estimate: float | None, reply: Any) -> None:
        self.reserved = max(0.0, self.reserved - (estimate or 0.0))
        usage = getattr(reply, "usage", None)
        cost = getattr(usage, "cost_usd", None)
        self.spent += float(cost or 0.0)


@dataclass(frozen=True)
class Pacing:
    """The seed's emission pacing: members start in waves of ``emit_batch`` per batch, with
    ``emit_delay_ms`` between waves (LLM work only: the rules call nothing that rate-limits)."""

    emit_batch: int = 10
    emit_delay_ms: int = 100
    startup_warm_ms: int = 0


class Runtime:
    """The live objects behind the durable functions of one process."""

    def __init__(
        self,
        store: ResultStore,
        provider_factory: ProviderFactory,
        bus: EventBus,
        *,
        concurrency: int = 20,
        pacing: Pacing | None = None,
        stages: StageSet = DEFAULT_STAGES,
        executor_id: str = "local",
        estimator: CostEstimator | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.stages = stages
        self.concurrency = concurrency
        self.pacing = pacing or Pacing()
        self.executor_id = executor_id
        self.started = time.monotonic()
        inline = getattr(store, "dialect", "") == "sqlite"
        self.writer: WriteBehind | LoopWriter = (
            LoopWriter(store, self._written) if inline else WriteBehind(store, self._written)
        )
        self._factory = provider_factory
        self._providers: dict[str, ProviderSet] = {}
        self._lock = threading.Lock()
        self._slots: asyncio.Semaphore | None = None
        self._waves: dict[str, tuple[float, int]] = {}
        self._status: dict[str, tuple[float, str]] = {}
        self._estimator = estimator
        self._budgets: dict[str, Budget] = {}
        self._warm: dict[tuple[str, str, str], asyncio.Event] = {}
        self.faults: dict[str, str] = {}
        self.stopping = False
        self.examples: Any = None
        """Few-shot examples for the LLM stages (``stages.fewshot``), or None (off)."""
        """Set when the process shuts down: a step cut short by it is not the members' fault."""
        """Batches whose outcome could not be stored (a full disk, a lost database), why."""

    # ------------------------------------------------------------ providers

    def providers(self, config: RunConfig) -> ProviderSet:
        """The run's providers, built once per configuration in this process."""
        key = config.fingerprint()
        with self._lock:
            found = self._providers.get(key)
        if found is None:
            found = self._factory(config)
            with self._lock:
                self._providers.setdefault(key, found)
        return found

    # ------------------------------------------------------------ flow control (on the loop)

    @property
    def slots(self) -> asyncio.Semaphore:
        """Members in flight in this process (each has at most one LLM call in flight)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        return self._slots

    async def paced(self, trace_id: str) -> None:
        """Wait for this member's turn in its batch's emission waves (STARTUP_WARM_MS first)."""
        warm = self.pacing.startup_warm_ms / 1000 - (time.monotonic() - self.started)
        if warm > 0:
            await asyncio.sleep(warm)
        size, delay = self.pacing.emit_batch, self.pacing.emit_delay_ms / 1000
        if delay <= 0:
            return
        now = time.monotonic()
        wave_at, taken = self._waves.get(trace_id, (now, 0))
        if taken >= size:
            wave_at, taken = max(now, wave_at + delay), 0
        self._waves[trace_id] = (wave_at, taken + 1)
        if wave_at > now:
            await asyncio.sleep(wave_at - now)

    def batch_status(self, trace_id: str, max_age_s: float = 1.0) -> str:
        """The batch's status, read at most every ``max_age_s`` (cancel and pause checks)."""
        now = time.monotonic()
        cached = self._status.get(trace_id)
        if cached is None or now - cached[0] > max_age_s:
            stats = self.store.batch_stats(trace_id)
            status = stats.status if stats else "cancelled"
            self._status[trace_id] = cached = (now, status)
        return cached[1]

    def forget_status(self, trace_id: str) -> None:
        self._status.pop(trace_id, None)

    # ------------------------------------------------------------ cost

    def estimate_cost(self, request: LLMRequest, provider: Provider) -> float | None:
        return None if self._estimator is None else self._estimator(request, provider)

    def budget(self, trace_id: str) -> Budget:
        return self._budgets.setdefault(trace_id, Budget())

    def pause(self, trace_id: str, reason: str) -> None:
        """The batch waits for a bigger budget (``run resume --max-cost``): status ``paused``."""
        stats = self.store.set_batch_status(trace_id, "paused", reason)
        self._status[trace_id] = (time.monotonic(), "paused")
        if stats is not None:
            self.emit(ProgressEvent("batch", "paused", trace_id, stats=stats, error=reason))

    async def warm_up(self, provider: Provider, ask: Any) -> asyncio.Event | None:
        """The first request of a stage to a provider goes alone: the others wait for it, so
        they find its prompt prefix in the provider's cache. Returns the event to set once
        this (first) request is answered; None for the requests that waited."""
        key = (provider.name, provider.model, str(ask.stage))
        event = self._warm.get(key)
        if event is None:
            self._warm[key] = event = asyncio.Event()
            return event
        await event.wait()
        return None

    # ------------------------------------------------------------ events

    def emit(self, event: ProgressEvent) -> None:
        self.bus.emit(event)

    def _written(self, applied: Applied, ops: list[WriteOp]) -> None:
        for op in ops:
            if isinstance(op, MemberDone):
                self.emit(
                    ProgressEvent(
                        "indicator",
                        "completed",
                        op.trace_id,
                        op.indicator_id,
                        duration_ms=op.duration_ms,
                        fallback=bool(op.classification.fallback_stages),
                    )
                )
            elif isinstance(op, MemberFailed):
                self.emit(
                    ProgressEvent(
                        "indicator",
                        "failed",
                        op.trace_id,
                        op.indicator_id,
                        op.stage,
                        error=op.reason,
                    )
                )
            elif isinstance(op, MemberCancelled):
                self.emit(ProgressEvent("indicator", "cancelled", op.trace_id, op.indicator_id))
        for stats in applied.closed:
            self.closed(stats)

    def broken(self, trace_id: str, reason: str) -> None:
        """The batch cannot finish here: not even its failure could be stored. Waiters in this
        process learn at once (the stored batch stays open for ``run resume``)."""
        self.faults[trace_id] = reason
        self.emit(ProgressEvent("batch", "broken", trace_id, error=reason))

    def closed(self, stats: BatchStats) -> None:
        self._status.pop(stats.batch_id, None)
        self._waves.pop(stats.batch_id, None)
        self._budgets.pop(stats.batch_id, None)
        self.emit(ProgressEvent("batch", "closed", stats.batch_id, stats=stats))


_lock = threading.Lock()
_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Make ``runtime`` the one durable steps of this process use (None uninstalls)."""
    global _current
    with _lock:
        _current = runtime


def stopping() -> bool:
    """True while (or after) this process's engine shuts down."""
    rt = _current
    return rt is None or rt.stopping


def current() -> Runtime:
    if _current is None:
        raise EngineError("the engine is not started in this process (no runtime installed)")
    return _current
