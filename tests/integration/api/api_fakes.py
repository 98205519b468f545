"""An in-memory test double of the engine API (submit/status/subscribe) and the store reads.

Processing runs the real pipeline (rules) when the test calls ``process()``, so the API is
exercised on real classifications without the durable engine.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient

from indiclass.api import create_app
from indiclass.domain.models import Indicator
from indiclass.domain.store import BatchStats
from indiclass.domain.usage import Usage
from indiclass.pipeline import classify
from indiclass.settings import Settings


class FakeStore:
    def __init__(self) -> None:
        self.batches: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, str]] = {}
        self.classifications: dict[str, dict[str, Any]] = {}
        self.item_batch: dict[str, str] = {}
        self.stages: dict[str, dict[str, dict[str, Any]]] = {}
        self.fail_reads = False

    def batch_items(self, trace_id: str) -> list[tuple[str, str]]:
        return list(self.items.get(trace_id, {}).items())

    def batch_stats(self, trace_id: str) -> BatchStats | None:
        if self.fail_reads:
            raise RuntimeError("database is gone")
        if trace_id not in self.batches:
            return None
        b, items = self.batches[trace_id], self.items[trace_id].values()
        done = sum(s == "completed" for s in items)
        failed = sum(s == "failed" for s in items)
        return BatchStats(
            batch_id=trace_id,
            provider=b["provider"],
            model=b["model"],
            total_indicators=len(items),
            successful_indicators=done,
            failed_indicators=failed,
            pending_indicators=len(items) - done - failed,
            batch_start_time=b["start"],
            batch_end_time=None,
            total_duration_ms=None,
            avg_time_per_indicator_ms=None,
            avg_confidence=None,
            llm_calls=0,
            usage=Usage(),
        )

    def list_batches(self, *, limit: int = 50) -> list[BatchStats]:
        if self.fail_reads:
            raise RuntimeError("database is gone")
        stats = [self.batch_stats(t) for t in reversed(self.batches)]
        return [s for s in stats if s][:limit]

    def unfinished_batches(self) -> list[str]:
        return [t for t in self.batches if "pending" in self.items[t].values()]

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
    ) -> list[dict[str, Any]]:
        wanted = {
            "family": family,
            "indicator_type": indicator_type,
            "review_status": review_status,
            "provider": provider,
        }
        rows = [
            r
            for r in self.classifications.values()
            if all(v is None or r[k] == v for k, v in wanted.items())
            and (trace_id is None or self.item_batch.get(r["indicator_id"]) == trace_id)
        ]
        return rows[offset : offset + limit]

    def get_classification(self, indicator_id: str) -> dict[str, Any] | None:
        return self.classifications.get(indicator_id)

    def stage_results(self, indicator_id: str) -> dict[str, dict[str, Any]]:
        return self.stages.get(indicator_id, {})

    def llm_calls_for(self, indicator_id: str) -> list[dict[str, Any]]:
        return []

    def processing_log(self, trace_id: str) -> list[dict[str, Any]]:
        done = [s for s in self.items.get(trace_id, {}).values() if s != "pending"]
        return [
            {"stage": "normalize", "status": s, "duration_ms": 2.0 if s == "completed" else None}
            for s in done
        ]


class FakeEngine:
    def __init__(self) -> None:
        self.store = FakeStore()
        self.pending: dict[str, list[Indicator]] = {}
        self.submits: list[dict[str, Any]] = []
        self._subscribers: list[Callable[[Any], None]] = []
        self._lock = threading.Lock()

    def submit(
        self,
        indicators: Sequence[Indicator],
        *,
        provider: str | None = None,
        trace_id: str | None = None,
        strategy: str | None = None,
        model: str | None = None,
        force: bool = False,
    ) -> str:
        trace_id = trace_id or str(uuid.uuid4())
        with self._lock:
            self.submits.append(
                {
                    "trace_id": trace_id,
                    "provider": provider,
                    "strategy": strategy,
                    "model": model,
                    "force": force,
                    "count": len(indicators),
                }
            )
            self.store.batches[trace_id] = {
                "provider": provider or "rules",
                "model": model or "m",
                "start": datetime.now(UTC),
            }
            self.store.items[trace_id] = {i.indicator_id: "pending" for i in indicators}
            self.pending[trace_id] = list(indicators)
        return trace_id

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def status(self, trace_id: str) -> BatchStats | None:
        return self.store.batch_stats(trace_id)

    def process(self, trace_id: str, count: int | None = None, fail: Sequence[str] = ()) -> None:
        """Classify ``count`` pending indicators of the batch (all by default)."""
        todo = self.pending[trace_id][: count if count is not None else None]
        for ind in todo:
            self.pending[trace_id].remove(ind)
            if ind.indicator_id in fail:
                self.store.items[trace_id][ind.indicator_id] = "failed"
                self._emit("normalize", "failed", trace_id)
                continue
            row = classify(ind).classification.model_dump(mode="json")
            self.store.classifications[ind.indicator_id] = row
            self.store.item_batch[ind.indicator_id] = trace_id
            self.store.stages[ind.indicator_id] = {"family": {"family": row["family"]}}
            self.store.items[trace_id][ind.indicator_id] = "completed"
            self._emit("normalize", "completed", trace_id, 2.5)

    def _emit(self, stage: str, status: str, trace_id: str, duration: float | None = None) -> None:
        event = SimpleNamespace(
            kind="stage", status=status, stage=stage, trace_id=trace_id, duration_ms=duration
        )
        for cb in list(self._subscribers):
            cb(event)


def make_client(engine: FakeEngine, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(**settings), engine=engine))


def seed_payload(n: int = 5, start: int = 1, provider: str = "rules") -> dict[str, Any]:
    """The seed scripts' body: ``{indicators: [...], llm_provider}``."""
    names = [
        "GDP Growth Rate",
        "Inflation Rate",
        "Unemployment Rate",
        "Balance of Trade",
        "10-Year Bond Yield",
        "Consumer Confidence",
        "Housing Starts",
        "Retail Sales MoM",
    ]
    units = ["%", "%", "%", "USD Billion", "%", "Points", "Thousand", "%"]
    rows = [
        {
            "id": f"IND-{k}",
            "name": names[k % len(names)],
            "units": units[k % len(units)],
            "periodicity": "Monthly",
            "source_name": "Test Source",
        }
        for k in range(start, start + n)
    ]
    return {"indicators": rows, "llm_provider": provider}
