"""Batches through the durable engine: concurrent batches, failures, re-submission, events."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from engine_helpers import ScriptedProvider, indicators

from indiclass.engine import Engine, ProgressEvent


def test_four_concurrent_batches_each_close_with_their_own_counts(
    start_engine: Callable[..., Engine],
) -> None:
    engine = start_engine()
    batches = {f"b{n}": indicators(f"b{n}", 5) for n in range(4)}
    traces: dict[str, str] = {}

    def submit(name: str) -> None:
        traces[name] = engine.submit(batches[name], provider="rules")

    threads = [threading.Thread(target=submit, args=(name,)) for name in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(traces.values())) == 4
    for name, trace_id in traces.items():
        stats = engine.wait(trace_id, timeout=120)
        assert (stats.total_indicators, stats.successful_indicators, stats.failed_indicators) == (
            5,
            5,
            0,
        )
        assert stats.batch_end_time is not None and stats.batch_end_time >= stats.batch_start_time
        assert stats.avg_confidence is not None and stats.avg_time_per_indicator_ms is not None
        rows = engine.store.query_classifications(trace_id=trace_id)
        assert sorted(r["indicator_id"] for r in rows) == sorted(
            i.indicator_id for i in batches[name]
        )
    assert len(engine.store.list_batches()) == 4


def test_failing_stage_marks_only_that_indicator_failed_and_retry_reruns_only_it(
    start_engine: Callable[..., Engine],
) -> None:
    scripted = ScriptedProvider(fail_stage="family", fail_ids={"f-1", "f-3"})
    engine = start_engine(factory=scripted.factory, stage_attempts=2)
    items = indicators("f", 5)
    trace_id = engine.submit(items, provider="scripted", strategy="llm")
    stats = engine.wait(trace_id, timeout=120)
    assert (stats.successful_indicators, stats.failed_indicators, stats.pending_indicators) == (
        3,
        2,
        0,
    )
    assert stats.batch_end_time is not None
    failed = {f.indicator_id: f for f in engine.store.failed_items(trace_id)}
    assert set(failed) == {"f-1", "f-3"}
    assert all(
        f.stage == "family" and "scripted failure" in (f.error or "") for f in failed.values()
    )
    log = engine.store.processing_log(trace_id)
    failed_rows = [r for r in log if r["status"] == "failed"]
    assert {(r["indicator_id"], r["stage"]) for r in failed_rows} == {
        ("f-1", "family"),
        ("f-3", "family"),
    }
    assert scripted.calls[("f-1", "family")] == 2  # retried once, then given up
    before = dict(scripted.calls)

    scripted.heal()
    assert len(engine.retry_failed(trace_id)) == 2
    stats = engine.wait(trace_id, timeout=120)
    assert (stats.successful_indicators, stats.failed_indicators) == (5, 0)
    rerun = {k: n - before.get(k, 0) for k, n in scripted.calls.items() if n != before.get(k, 0)}
    assert {ind for ind, _ in rerun} == {"f-1", "f-3"}  # the others did not run again
    assert ("f-1", "time") not in rerun  # completed stages are replayed, not re-asked
    assert rerun[("f-1", "family")] == 1
    assert engine.retry_failed(trace_id) == []


def test_resubmitting_classified_indicators_is_a_no_op_unless_forced(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("engine logic only; the store's PostgreSQL path is covered above")
    engine = start_engine()
    items = indicators("r", 3)
    first = engine.wait(engine.submit(items, provider="rules"), timeout=60)
    assert first.successful_indicators == 3
    again = engine.wait(engine.submit(items, provider="rules"), timeout=60)
    assert again.total_indicators == 0 and again.done
    same = engine.submit(items, provider="rules", trace_id=first.batch_id)
    assert same == first.batch_id and engine.wait(same, timeout=60).successful_indicators == 3
    forced = engine.wait(engine.submit(items, provider="rules", force=True), timeout=60)
    assert (forced.total_indicators, forced.successful_indicators) == (3, 3)


def test_progress_events_per_stage_indicator_and_batch(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("engine logic only; the store's PostgreSQL path is covered above")
    engine = start_engine()
    events: list[ProgressEvent] = []
    unsubscribe = engine.subscribe(events.append)
    trace_id = engine.submit(indicators("e", 2), provider="rules")
    engine.wait(trace_id, timeout=60)
    unsubscribe()
    stages = [e for e in events if e.kind == "stage"]
    assert {e.stage for e in stages} >= {"normalize", "time", "family", "type", "boolean-review"}
    assert all(e.trace_id == trace_id and e.duration_ms is not None for e in stages)
    assert sorted(e.indicator_id or "" for e in events if e.kind == "indicator") == ["e-0", "e-1"]
    closed = [e for e in events if e.kind == "batch"]
    assert closed and closed[-1].stats is not None and closed[-1].stats.successful_indicators == 2


def test_resume_runs_a_batch_whose_workflow_was_never_enqueued(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    """A crash between writing the batch and enqueueing its workflow leaves an open batch with
    no workflow; ``resume`` re-enqueues its pending members (and only those)."""
    if backend != "sqlite":
        pytest.skip("engine logic only")
    from datetime import UTC, datetime

    from indiclass.domain.store import BatchSpec

    engine = start_engine()
    items = indicators("o", 4)
    engine.store.upsert_source_indicators(items)
    engine.store.create_batch(
        BatchSpec(
            trace_id="orphan",
            indicator_ids=tuple(i.indicator_id for i in items),
            provider="rules",
            model="indiclass-rules-1",
            strategy="rules",
            created_at=datetime.now(UTC),
        )
    )
    assert engine.resume() == 4
    stats = engine.wait("orphan", timeout=60)
    assert (stats.successful_indicators, stats.failed_indicators) == (4, 0)
    assert engine.resume() == 0


def test_resume_fails_members_whose_workflow_ended_without_an_outcome(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    """A cancelled (or errored) indicator workflow leaves its member pending; ``resume`` marks it
    failed with the reason so the batch closes."""
    if backend != "sqlite":
        pytest.skip("engine logic only")
    import time

    from dbos import DBOS

    class Slow(ScriptedProvider):
        def complete(self, request):  # type: ignore[no-untyped-def]
            time.sleep(0.2)
            return super().complete(request)

    slow = Slow()
    engine = start_engine(factory=slow.factory, concurrency=1)
    trace_id = engine.submit(indicators("c", 3), provider="scripted", strategy="llm")
    victim = f"{trace_id}:c-2"
    deadline = time.monotonic() + 30
    while DBOS.get_workflow_status(victim) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    DBOS.cancel_workflow(victim)
    while engine.active_workflows(trace_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.resume() == 0
    stats = engine.wait(trace_id, timeout=30)
    assert (stats.successful_indicators, stats.failed_indicators) == (2, 1)
    failed = engine.store.failed_items(trace_id)
    assert [f.indicator_id for f in failed] == ["c-2"] and "CANCELLED" in (failed[0].error or "")
