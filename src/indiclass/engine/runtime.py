"""What durable steps need at run time: the store, providers, events — installed per process.

DBOS workflows and steps are module-level functions whose inputs are recorded in the system
database, so they cannot receive live objects. The engine installs one :class:`Runtime` per process
when it starts; steps look it up. Providers are rebuilt from the names recorded with the batch
(``provider``, ``model``, ``strategy``) so a step recovered after a restart asks the same provider.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from dbos import DBOSClient

from indiclass.domain.enums import Strategy
from indiclass.domain.errors import EngineError
from indiclass.domain.store import ResultStore
from indiclass.engine.events import EventBus, ProgressEvent
from indiclass.pipeline import PipelineConfig, ProviderSet
from indiclass.rules import RULES_MODEL

log = logging.getLogger("indiclass.engine")

ProviderFactory = Callable[[str, str | None], ProviderSet]
"""(provider name, model or None for the configured default) -> the stage providers."""


@dataclass(frozen=True)
class RunOptions:
    """How a batch is classified; recorded in every workflow's inputs."""

    provider: str
    model: str | None
    strategy: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOptions:
        return cls(provider=data["provider"], model=data.get("model"), strategy=data["strategy"])


class Runtime:
    """The live objects behind the durable functions of one process."""

    def __init__(
        self,
        store: ResultStore,
        provider_factory: ProviderFactory,
        bus: EventBus,
        *,
        hybrid_threshold: float = 0.75,
        max_reasks: int = 2,
    ) -> None:
        self.store = store
        self.bus = bus
        self._factory = provider_factory
        self._providers: dict[tuple[str, str | None], ProviderSet] = {}
        self._lock = threading.Lock()
        self.hybrid_threshold = hybrid_threshold
        self.max_reasks = max_reasks
        self.stats = StatsRefresher(store, bus)
        self._client: DBOSClient | None = None

    @property
    def client(self) -> DBOSClient:
        """A DBOS client on the system database (enqueues outside any workflow context)."""
        if self._client is None:
            raise EngineError("the engine's DBOS client is not open")
        return self._client

    def open_client(self, client: DBOSClient | None) -> None:
        if self._client is not None:
            self._client.destroy()
        self._client = client

    def providers(self, options: RunOptions) -> ProviderSet:
        """The batch's providers, built once per process and reused."""
        key = (options.provider, options.model)
        with self._lock:
            if key not in self._providers:
                self._providers[key] = self._factory(options.provider, options.model)
            return self._providers[key]

    def config(self, options: RunOptions, trace_id: str, indicator_id: str) -> PipelineConfig:
        return PipelineConfig(
            strategy=Strategy(options.strategy),
            hybrid_threshold=self.hybrid_threshold,
            max_reasks=self.max_reasks,
            tags={"trace_id": trace_id, "indicator_id": indicator_id},
        )

    def label(self, options: RunOptions) -> tuple[str, str]:
        """(provider, model) written on the classification and the batch."""
        if Strategy(options.strategy) is Strategy.RULES:
            return "rules", RULES_MODEL
        default = self.providers(options).default
        return default.name, default.model

    def emit(self, event: ProgressEvent) -> None:
        self.bus.emit(event)


class StatsRefresher:
    """Recomputes ``pipeline_stats`` of batches that changed, at most every ``interval_s``.

    Recomputing a batch's aggregates after every indicator costs O(batch size) each time; here a
    background thread folds the changes of each interval into one refresh per batch, and emits
    the ``batch closed`` event. A refresh lost to a crash is redone by ``Engine.resume``/``wait``.
    """

    def __init__(self, store: ResultStore, bus: EventBus, interval_s: float = 0.25) -> None:
        self._store, self._bus, self._interval = store, bus, interval_s
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="indiclass-stats", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()

    def touch(self, trace_id: str) -> None:
        with self._lock:
            self._dirty.add(trace_id)

    def flush(self) -> None:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        for trace_id in sorted(dirty):
            try:
                stats = self._store.refresh_batch_stats(trace_id)
            except Exception:
                log.exception("refreshing the stats of batch %s failed; will retry", trace_id)
                self.touch(trace_id)
                continue
            if stats.done:
                self._bus.emit(ProgressEvent("batch", "closed", trace_id, stats=stats))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()


_lock = threading.Lock()
_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Make ``runtime`` the one durable steps of this process use (None uninstalls)."""
    global _current
    with _lock:
        _current = runtime


def current() -> Runtime:
    if _current is None:
        raise EngineError("the engine is not started in this process (no runtime installed)")
    return _current
