"""What the routes need from the engine, and read models built from the results store."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from indiclass.api.errors import ApiError
from indiclass.domain.errors import ConfigError, InputError
from indiclass.domain.models import Indicator
from indiclass.domain.run import RunConfig
from indiclass.domain.store import BatchStats, ResultStore
from indiclass.settings import Settings


class EngineLike(Protocol):
    """The part of the durable engine the API uses (``indiclass.engine.Engine``)."""

    store: ResultStore

    def submit(self, indicators: Sequence[Indicator], *args: Any, **kwargs: Any) -> str: ...
    def resolve(
        self,
        provider: str | None,
        model: str | None = ...,
        strategy: str | None = ...,
        **kwargs: Any,
    ) -> RunConfig: ...
    def cancel(self, trace_id: str, reason: str = ...) -> BatchStats: ...
    def retry_failed(self, trace_id: str | None = None) -> list[str]: ...
    def subscribe(self, callback: Callable[[Any], None]) -> Any: ...


@dataclass
class StageTimings:
    """Stage latencies seen by this process (from the engine's progress events)."""

    count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total_ms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, event: Any) -> None:
        """Engine subscriber: stage completions (with duration) and failures; an indicator
        that failed counts as a failure of the stage it failed in."""
        stage, status, kind = _attr(event, "stage"), _attr(event, "status"), _attr(event, "kind")
        if not stage or kind not in (None, "stage", "indicator"):
            return
        if kind == "indicator" and status != "failed":
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

    def run_config(self, body: Any) -> RunConfig:
        """The batch's configuration as this server resolves it; 422 for an unknown provider,
        503 when neither this process nor a live worker can serve it."""
        from indiclass.providers import registry

        try:
            name = registry.check(body.llm_provider or self.settings.llm_provider)
        except ConfigError as exc:
            raise ApiError(422, str(exc), code="unknown_provider") from None
        strategy = body.strategy.value if body.strategy else None
        options = {
            k: v
            for k, v in (
                ("mode", getattr(body, "mode", "sync")),
                ("max_cost_usd", getattr(body, "max_cost_usd", None)),
                ("min_confidence", getattr(body, "min_confidence", None)),
            )
            if v is not None
        }
        try:
            config = self.engine.resolve(name, body.model, strategy, **options)
        except ConfigError as exc:
            raise ApiError(422, str(exc), code="invalid_run_configuration") from None
        callback = getattr(body, "callback_url", None)
        if callback:
            from indiclass.engine.webhooks import check_callback_url

            try:
                check_callback_url(callback)
            except (InputError, ConfigError) as exc:
                raise ApiError(422, str(exc), code="invalid_callback_url") from None
            config = config.model_copy(update={"callback_url": callback})
        for spec in config.providers:
            reason = registry.serveable(self.settings, spec)
            if reason is not None and not self._served_elsewhere(spec.name):
                raise ApiError(
                    503,
                    f"no worker can serve provider {spec.name}: {reason}",
                    code="provider_unavailable",
                )
        return config

    def _served_elsewhere(self, provider: str) -> bool:
        live = getattr(self.store, "live_executors", None)
        if not callable(live):
            return False
        return any(provider in json.loads(e.get("providers") or "[]") for e in live())


def _attr(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def batch_view(stats: BatchStats) -> dict[str, Any]:
    """A batch as the API shows it: progress, timings, tokens and cost."""
    total = stats.total_indicators
    done = stats.successful_indicators + stats.failed_indicators + stats.cancelled_indicators
    usage = stats.usage
    return {
        "trace_id": stats.batch_id,
        "status": stats.status,
        "reason": stats.reason,
        "done": stats.done,
        "provider": stats.provider,
        "model": stats.model,
        "strategy": stats.strategy,
        "run_id": stats.run_id,
        "progress": {
            "total": total,
            "completed": stats.successful_indicators,
            "failed": stats.failed_indicators,
            "cancelled": stats.cancelled_indicators,
            "pending": stats.pending_indicators,
            "fallback": stats.fallback_indicators,
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
        "usage": {
            "llm_calls": stats.llm_calls,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cached_tokens": usage.cached_tokens,
            "cost_usd": usage.cost_usd,
        },
    }
