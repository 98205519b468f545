"""Progress events: the engine emits them, callers (CLI bars, API streams, tests) render them.

Events are delivered in the process that ran the work, on the worker thread that produced them:
a subscriber must be quick and thread-safe. A failing subscriber is logged and never breaks a step.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from indiclass.domain.store import BatchStats

log = logging.getLogger("indiclass.engine")

EventKind = Literal["stage", "indicator", "batch", "call", "wave"]
EventStatus = Literal["started", "completed", "failed", "cancelled", "closed", "paused", "broken"]


@dataclass(frozen=True)
class ProgressEvent:
    """One thing that happened: a stage done, an indicator done or failed, a batch closed, a
    provider batch (``wave``) of a stage submitted (``started``) or its results stored
    (``completed``)."""

    kind: EventKind
    status: EventStatus
    trace_id: str
    indicator_id: str | None = None
    stage: str | None = None
    duration_ms: float | None = None
    error: str | None = None
    stats: BatchStats | None = None
    fallback: bool = False
    """An indicator completed with a stage answered by the rules because the LLM failed."""
    detail: str | None = None
    """What a ``wave`` event is about: ``wave 2.0 · 200 requests · batch_abc…`` (wave.part)."""


Subscriber = Callable[[ProgressEvent], None]


class EventBus:
    """Fan-out of events to subscribers; ``subscribe`` returns the function that unsubscribes."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: ProgressEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # a renderer's bug must not fail a durable step
                log.exception("progress subscriber failed on %s", event)
