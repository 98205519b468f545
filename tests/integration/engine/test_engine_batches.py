"""Batches through the durable engine: concurrent batches, failures, re-submission, events,
cancel, ids that cannot alias, a batch's own configuration."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from engine_helpers import ScriptedProvider, indicators

from indiclass.domain.errors import ConflictError, InputError
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
        counts = (stats.total_indicators, stats.successful_indicators, stats.failed_indicators)
        assert counts == (5, 5, 0) and stats.status == "completed"
        assert stats.batch_end_time is not None and stats.batch_end_time >= stats.batch_start_time
        assert stats.avg_confidence is not None and stats.avg_time_per_indicator_ms is not None
        rows = engine.store.query_classifications(trace_id=trace_id)
        assert sorted(r["indicator_id"] for r in rows) == sorted(
            i.indicator_id for i in batches[name]
        )
        log = engine.store.processing_log(trace_id)
        assert len(log) == 5 * 9 * 2  # the seed's rows: started + completed per stage
    assert len(engine.store.list_batches()) == 4


def test_failing_stage_marks_only_that_indicator_failed_and_retry_reruns_only_it(
    start_engine: Callable[..., Engine],
) -> None:
    scripted = ScriptedProvider(fail_stage="family", fail_ids={"f-1", "f-3"})
    engine = start_engine(factory=scripted.factory)
    items = indicators("f", 5)
    trace_id = engine.submit(items, provider="scripted", strategy="llm")
    stats = engine.wait(trace_id, timeout=120)
    counts = (stats.successful_indicators, stats.failed_indicators, stats.pending_indicators)
    assert counts == (3, 2, 0) and stats.status == "degraded"
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
    assert scripted.calls[("f-1", "family")] == 1  # a bug is not an answer: failed at once
    before = dict(scripted.calls)

    scripted.heal()
    assert engine.retry_failed(trace_id)
    stats = engine.wait(trace_id, timeout=120)
    assert (stats.successful_indicators, stats.failed_indicators, stats.status) == (
        5,
        0,
        "completed",
    )
    rerun = {k: n - before.get(k, 0) for k, n in scripted.calls.items() if n != before.get(k, 0)}
    assert {ind for ind, _ in rerun} == {"f-1", "f-3"}  # the others did not run again
    assert ("f-1", "time") not in rerun  # replies already received are re-sent, not re-asked
    assert rerun[("f-1", "family")] == 1
    assert engine.retry_failed(trace_id) == []


def test_resubmitting_a_trace_is_idempotent_and_a_different_body_conflicts(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("engine logic only; the store's PostgreSQL path is covered above")
    engine = start_engine()
    items = indicators("r", 3)
    first = engine.wait(engine.submit(items, provider="rules"), timeout=60)
    assert first.successful_indicators == 3
    again = engine.wait(engine.submit(items, provider="rules"), timeout=60)
    assert again.total_indicators == 0 and again.done  # already classified: nothing to do
    same = engine.submit(items, provider="rules", trace_id=first.batch_id)
    assert same == first.batch_id and engine.wait(same, timeout=60).successful_indicators == 3
    with pytest.raises(ConflictError):
        engine.submit(indicators("other", 2), provider="rules", trace_id=first.batch_id)
    with pytest.raises(ConflictError):
        engine.submit(items, provider="rules", trace_id="h", body_hash="a")
        engine.submit(items, provider="rules", trace_id="h", body_hash="b")
    forced = engine.wait(engine.submit(items, provider="rules", force=True), timeout=60)
    assert (forced.total_indicators, forced.successful_indicators) == (3, 3)


def test_traces_and_ids_that_used_to_alias_are_different_batches(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    """trace ``coll`` + indicator ``a:b`` and trace ``coll:a`` + indicator ``b`` (one workflow
    id in the first version); ids with ``/``; control characters refused."""
    if backend != "sqlite":
        pytest.skip("engine logic only")
    from indiclass.domain.models import Indicator

    engine = start_engine()
    one = engine.submit([Indicator(indicator_id="a:b", name="GDP")], trace_id="coll")
    two = engine.submit([Indicator(indicator_id="b", name="CPI")], trace_id="coll:a")
    three = engine.submit([Indicator(indicator_id="x/y", name="M2")], trace_id="t/1")
    for trace in (one, two, three):
        assert engine.wait(trace, timeout=60).successful_indicators == 1
    with pytest.raises(InputError, match="control characters"):
        engine.submit([Indicator(indicator_id="ok", name="GDP")], trace_id="bad\ntrace")


def test_progress_events_per_indicator_and_batch(
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
    done = [e for e in events if e.kind == "indicator"]
    assert sorted(e.indicator_id or "" for e in done) == ["e-0", "e-1"]
    assert all(e.trace_id == trace_id and e.status == "completed" for e in done)
    closed = [e for e in events if e.kind == "batch"]
    assert closed and closed[-1].stats is not None and closed[-1].stats.successful_indicators == 2


def test_resume_runs_a_batch_whose_chunks_were_never_started(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    """A crash between writing the batch and starting its chunks leaves an open batch with no
    workflow; ``resume`` starts its pending chunks (and only those)."""
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
            run_config=engine.resolve("rules"),
            created_at=datetime.now(UTC),
            chunk_size=2,
            dispatch="local:gone-1234",
        )
    )
    assert engine.resume() == 4
    stats = engine.wait("orphan", timeout=60)
    assert (stats.successful_indicators, stats.failed_indicators) == (4, 0)
    assert engine.resume() == 0


def test_cancel_stops_a_running_batch_and_resume_does_not_revive_it(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("engine logic only")
    slow = ScriptedProvider(delay_s=0.05)
    engine = start_engine(factory=slow.factory, concurrency=2, chunk_size=5)
    trace_id = engine.submit(indicators("c", 20), provider="scripted", strategy="llm")
    deadline = time.monotonic() + 30
    while not slow.provider.total_calls and time.monotonic() < deadline:
        time.sleep(0.01)
    stats = engine.cancel(trace_id)
    assert stats.status == "cancelled" and stats.done
    assert stats.cancelled_indicators >= 10
    final = engine.wait(trace_id, timeout=30)
    assert final.status == "cancelled"
    calls = slow.provider.total_calls
    time.sleep(0.5)
    assert slow.provider.total_calls <= calls + 2  # members in flight stop at their next ask
    assert engine.resume() == 0 and engine.store.batch_stats(trace_id).status == "cancelled"


def test_a_batch_runs_with_its_own_configuration_not_the_workers(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    """The run configuration is fixed at submit (provider, model, strategy) and carried to the
    last step; a process that cannot serve it says why instead of running something else."""
    if backend != "sqlite":
        pytest.skip("engine logic only")
    scripted = ScriptedProvider()
    engine = start_engine(factory=scripted.factory)
    trace_id = engine.submit(indicators("h", 3), provider="scripted", strategy="hybrid")
    stats = engine.wait(trace_id, timeout=60)
    assert stats.run_config is not None and stats.run_config.strategy.value == "hybrid"
    assert stats.strategy == "hybrid" and stats.provider == "scripted"


def test_reset_clears_the_engines_records_so_a_trace_can_be_used_again(
    start_engine: Callable[..., Engine], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("engine logic only")
    from indiclass.domain.errors import EngineError

    slow = ScriptedProvider(delay_s=0.05)
    engine = start_engine(factory=slow.factory, concurrency=1)
    trace = engine.submit(indicators("z", 4), provider="scripted", strategy="llm", trace_id="z")
    with pytest.raises(EngineError, match="still open"):
        engine.reset()
    engine.wait(trace, timeout=60)
    assert engine.reset() >= 1 and engine.store.batch_stats("z") is None
    again = engine.submit(indicators("z", 4), provider="scripted", strategy="llm", trace_id="z")
    assert engine.wait(again, timeout=60).successful_indicators == 4
