"""What the routes need from the engine, and read models built from the results store."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from indiclass.domain.models import Indicator
from indiclass.domain.store import BatchStats, ResultStore
from indiclass.settings import Settings


class EngineLike(Protocol):
    """The part of the durable engine the API uses (``indiclass.engine.Engine``)."""

    store: ResultStore

    def submit(
        self,
        indicators: Sequence[Indicator],
        *,
        provider: str | None = ...,
        trace_id: str | None = ...,
        strategy: str | None = ...,
        model: str | None = ...,
        force: bool = ...,
    ) -> str: ...

    def subscribe(self, callback: Callable[[Any], None]) -> Any: ...


@dataclass
class StageTimings:
    """Stage latencies seen by this process (from the engine's progress events)."""

    count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total_ms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, event: Any) -> None:
        """Engine subscriber: record stage completions (with duration) and failures."""
        stage, status = _attr(event, "stage"), _attr(event, "status")
        if not stage or _attr(event, "kind") not in (None, "stage"):
            return
        with self.lock:
            if status == "failed":
                self.failed[str(stage)] += 1
            duration = _attr(event, "duration_ms")
            if status == "completed" and isinstance(duration, int | float):
                self.count[str(stage)] += 1
                self.total_ms[str(stage)] += float(duration)


@dataclass
class Services:
    settings: Settings
    engine: EngineLike
    timings: StageTimings = field(default_factory=StageTimings)

    @property
    def store(self) -> ResultStore:
        return self.engine.store


def _attr(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def batch_status(stats: BatchStats) -> str:
    if not stats.done:
        return "running" if stats.successful_indicators or stats.failed_indicators else "queued"
    if stats.failed_indicators == 0:
        return "completed"
    return "failed" if stats.successful_indicators == 0 else "completed_with_errors"


def batch_view(stats: BatchStats) -> dict[str, Any]:
    """A batch as the API shows it: progress, timings, tokens and cost."""
    total = stats.total_indicators
    done = stats.successful_indicators + stats.failed_indicators
    usage = stats.usage
    return {
        "trace_id": stats.batch_id,
        "status": batch_status(stats),
        "done": stats.done,
        "provider": stats.provider,
        "model": stats.model,
        "progress": {
            "total": total,
            "completed": stats.successful_indicators,
            "failed": stats.failed_indicators,
            "pending": stats.pending_indicators,
            "percent": round(100 * done / total, 1) if total else 100.0,
        },
        "timings": {
            "batch_start_time": stats.batch_start_time.isoformat(),
            "batch_end_time": stats.batch_end_time.isoformat() if stats.batch_end_time else None,
            "total_duration_ms": stats.total_duration_ms,
            "avg_time_per_indicator_ms": stats.avg_time_per_indicator_ms,
        },
        "avg_confidence": stats.avg_confidence,
        "llm_calls": stats.llm_calls,
        "tokens": {
            "input": usage.input_tokens,
            "output": usage.output_tokens,
            "cached": usage.cached_tokens,
            "total": usage.total_tokens,
        },
        "cost_usd": usage.cost_usd,
    }
