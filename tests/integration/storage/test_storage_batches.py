"""Batches, stats and idempotency on both backends."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from storage_helpers import Simulate, fake_call, make_indicator

from indiclass.domain.enums import StageName
from indiclass.domain.store import BatchSpec
from indiclass.storage import SqlStore

TABLES = (
    "source_indicators",
    "pipeline_stats",
    "batch_items",
    "classifications",
    "normalization_results",
    "time_inference_results",
    "cumulative_detection_results",
    "family_assignment_results",
    "type_classification_results",
    "boolean_review_results",
    "final_review_results",
    "processing_log",
    "llm_calls",
)


def spec(trace_id: str, ids: list[str], provider: str = "rules") -> BatchSpec:
    return BatchSpec(
        trace_id=trace_id,
        indicator_ids=tuple(ids),
        provider=provider,
        model="indiclass-rules-1",
        strategy="rules",
        created_at=datetime.now(UTC),
    )


def snapshot(store: SqlStore) -> dict[str, list[dict]]:
    """Every row of every table, without the timestamps that a re-write refreshes."""
    skip = {"updated_at"}

    def read(cur):  # type: ignore[no-untyped-def]
        return {
            t: [
                {k: v for k, v in r.items() if k not in skip}
                for r in cur.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            ]
            for t in TABLES
        }

    return store.db.read(read)


def test_same_writes_twice_give_same_rows(store: SqlStore, simulate: Simulate) -> None:
    inds = [make_indicator(i) for i in range(3)]
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-1", [i.indicator_id for i in inds]))
    for ind in inds:
        simulate(store, "t-1", ind)
    store.refresh_batch_stats("t-1")
    before = snapshot(store)
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-1", [i.indicator_id for i in inds]))
    for ind in inds:
        simulate(store, "t-1", ind)
    store.refresh_batch_stats("t-1")
    after = snapshot(store)
    assert after == before
    assert len(after["classifications"]) == 3
    assert len(after["family_assignment_results"]) == 3
    assert len(after["processing_log"]) == 3 * 8 * 2  # 8 stages x started/completed
    assert len(after["llm_calls"]) == 3


def test_batch_closes_with_counts_durations_and_llm_totals(
    store: SqlStore, simulate: Simulate
) -> None:
    inds = [make_indicator(i) for i in range(4)]
    store.create_batch(spec("t-2", [i.indicator_id for i in inds], provider="fake"))
    assert store.batch_stats("t-2").pending_indicators == 4
    runs = [simulate(store, "t-2", ind, llm_calls=2) for ind in inds[:3]]
    open_stats = store.refresh_batch_stats("t-2")
    assert (open_stats.successful_indicators, open_stats.pending_indicators) == (3, 1)
    assert open_stats.batch_end_time is None and not open_stats.done
    store.mark_failed("t-2", inds[3].indicator_id, StageName.FAMILY, "provider kept failing")
    stats = store.refresh_batch_stats("t-2")
    assert stats.done and stats.batch_end_time is not None
    counts = (stats.total_indicators, stats.successful_indicators, stats.failed_indicators)
    assert counts == (4, 3, 1)
    assert stats.total_duration_ms is not None and stats.total_duration_ms >= 0
    assert stats.avg_time_per_indicator_ms is not None
    expected_conf = sum(r.classification.overall_confidence for r in runs) / 3
    assert abs(stats.avg_confidence - expected_conf) < 1e-9
    assert stats.llm_calls == 6
    assert (stats.usage.input_tokens, stats.usage.output_tokens, stats.usage.cached_tokens) == (
        600,
        120,
        60,
    )
    assert abs(stats.usage.cost_usd - 0.006) < 1e-9
    assert store.batch_stats("t-2") == stats


def test_unknown_cost_stays_unknown(store: SqlStore, simulate: Simulate) -> None:
    ind = make_indicator(1)
    store.create_batch(spec("t-3", [ind.indicator_id]))
    simulate(store, "t-3", ind, llm_calls=1, cost=None)
    assert store.refresh_batch_stats("t-3").usage.cost_usd is None


def test_four_concurrent_batches_of_five_from_twenty_threads(
    store: SqlStore, simulate: Simulate
) -> None:
    traces = {f"batch-{b}": [make_indicator(b * 5 + i) for i in range(5)] for b in range(4)}
    for trace, inds in traces.items():
        store.create_batch(spec(trace, [i.indicator_id for i in inds]))
    failing = {"ind-0003", "ind-0017"}
    gate = threading.Barrier(20)

    def work(trace: str, ind) -> None:  # type: ignore[no-untyped-def]
        gate.wait()
        if ind.indicator_id in failing:
            store.log_stage(trace, ind.indicator_id, StageName.NORMALIZE, "started")
            store.mark_failed(trace, ind.indicator_id, StageName.NORMALIZE, "boom")
        else:
            simulate(store, trace, ind)
        store.refresh_batch_stats(trace)

    with ThreadPoolExecutor(20) as pool:
        jobs = [pool.submit(work, t, i) for t, inds in traces.items() for i in inds]
        for job in jobs:
            job.result()
    stats = {s.batch_id: s for s in store.list_batches()}
    assert sorted(stats) == sorted(traces)
    for trace, inds in traces.items():
        s = stats[trace]
        fails = sum(i.indicator_id in failing for i in inds)
        assert (s.total_indicators, s.successful_indicators, s.failed_indicators) == (
            5,
            5 - fails,
            fails,
        ), trace
        assert s.done and s.batch_end_time is not None and s.llm_calls == 5 - fails
    assert store.count("classifications") == 18
    assert {f.indicator_id for f in store.failed_items()} == failing


def test_rerun_step_does_not_double_count(store: SqlStore, simulate: Simulate) -> None:
    inds = [make_indicator(i) for i in range(2)]
    store.create_batch(spec("t-4", [i.indicator_id for i in inds]))
    for ind in inds:
        simulate(store, "t-4", ind)
    first = store.refresh_batch_stats("t-4")
    simulate(store, "t-4", inds[0])  # a step re-run after a crash writes everything again
    store.record_llm_call(fake_call(StageName.FAMILY, "t-4", inds[0].indicator_id, 0))
    second = store.refresh_batch_stats("t-4")
    assert (second.successful_indicators, second.failed_indicators) == (2, 0)
    assert second.llm_calls == first.llm_calls == 2
    assert second.batch_end_time == first.batch_end_time
    assert second.total_duration_ms == first.total_duration_ms
    assert store.count("classifications") == 2


def test_failed_then_successful_rerun_flips_to_completed(
    store: SqlStore, simulate: Simulate
) -> None:
    ind = make_indicator(7)
    store.create_batch(spec("t-5", [ind.indicator_id]))
    store.mark_failed("t-5", ind.indicator_id, StageName.TYPE, "invalid reply x3")
    failed = store.refresh_batch_stats("t-5")
    assert (failed.failed_indicators, failed.done) == (1, True)
    [item] = store.failed_items("t-5")
    assert (item.stage, item.error) == ("type", "invalid reply x3")
    log = store.processing_log("t-5", ind.indicator_id)
    assert [(r["stage"], r["status"], r["error_message"]) for r in log] == [
        ("type", "failed", "invalid reply x3")
    ]
    simulate(store, "t-5", ind)  # retry-failed
    fixed = store.refresh_batch_stats("t-5")
    assert (fixed.successful_indicators, fixed.failed_indicators) == (1, 0)
    assert store.failed_items() == []
    store.mark_failed("t-5", ind.indicator_id, StageName.TYPE, "late duplicate")
    assert store.batch_items("t-5") == [(ind.indicator_id, "completed")]


def test_items_added_to_existing_batch_are_counted(store: SqlStore) -> None:
    store.create_batch(spec("t-6", ["a", "b"]))
    store.create_batch(spec("t-6", ["a", "b", "c"]))
    assert store.batch_stats("t-6").total_indicators == 3
    assert [s for _, s in store.batch_items("t-6")] == ["pending"] * 3


def test_engine_shortcuts_in_one_transaction(store: SqlStore) -> None:
    """complete_stage, save_classification(refresh=True), mark_failed(refresh=True)."""
    from indiclass.pipeline import STATE_FIELD, classify

    inds = [make_indicator(i) for i in range(3)]
    store.create_batch(spec("t-7", [i.indicator_id for i in inds]))
    store.create_batch(spec("t-8", ["other"]))
    assert store.unfinished_batches() == ["t-7", "t-8"]
    for ind in inds[:2]:
        run = classify(ind)
        for name, record in run.state.records.items():
            stage = StageName(name)
            result = getattr(run.state, STATE_FIELD[stage])
            store.complete_stage(
                "t-7", ind.indicator_id, stage, result, record, run.state.usage, duration_ms=2.0
            )
        store.save_classification("t-7", run.classification, refresh=True)
    assert store.batch_stats("t-7").successful_indicators == 2
    assert len(store.stage_results(inds[0].indicator_id)) == 7
    log = store.processing_log("t-7", inds[0].indicator_id)
    assert {r["status"] for r in log} == {"completed"} and len(log) == 8
    assert store.classified_ids([i.indicator_id for i in inds] + ["nope"]) == {
        inds[0].indicator_id,
        inds[1].indicator_id,
    }
    store.mark_failed("t-7", inds[2].indicator_id, None, "bad input", refresh=True)
    stats = store.batch_stats("t-7")
    assert (stats.successful_indicators, stats.failed_indicators, stats.done) == (2, 1, True)
    assert store.unfinished_batches() == ["t-8"]


def test_two_store_instances_share_one_database(
    store: SqlStore, store_url: str, simulate: Simulate
) -> None:
    """Two processes' stores (here: two instances) writing one batch at once lose nothing."""
    from indiclass.storage import open_store

    other = open_store(store_url)
    inds = [make_indicator(i) for i in range(12)]
    store.create_batch(spec("t-9", [i.indicator_id for i in inds]))
    try:
        with ThreadPoolExecutor(12) as pool:
            jobs = [
                pool.submit(simulate, (store, other)[n % 2], "t-9", ind)
                for n, ind in enumerate(inds)
            ]
            for job in jobs:
                job.result()
        stats = other.refresh_batch_stats("t-9")
    finally:
        other.close()
    assert (stats.successful_indicators, stats.done, stats.llm_calls) == (12, True, 12)
    assert store.count("processing_log") == 12 * 8 * 2


def test_requeue_failed_reopens_the_batch_until_the_rerun_completes(
    store: SqlStore, simulate: Simulate
) -> None:
    inds = [make_indicator(i) for i in range(3)]
    store.create_batch(spec("t-10", [i.indicator_id for i in inds]))
    simulate(store, "t-10", inds[0])
    store.mark_failed("t-10", inds[1].indicator_id, StageName.FAMILY, "x")
    store.mark_failed("t-10", inds[2].indicator_id, StageName.TYPE, "y", refresh=True)
    assert store.batch_stats("t-10").done
    assert store.requeue_items("t-10", [inds[1].indicator_id]) == [inds[1].indicator_id]
    reopened = store.batch_stats("t-10")
    assert (reopened.pending_indicators, reopened.failed_indicators) == (1, 1)
    assert reopened.batch_end_time is None and not reopened.done
    assert store.requeue_items("t-10") == [inds[2].indicator_id]
    assert store.requeue_items("t-10") == []
    assert store.requeue_items("t-10", include_completed=True) == [inds[0].indicator_id]
    for ind in inds:
        simulate(store, "t-10", ind)
    final = store.refresh_batch_stats("t-10")
    assert (final.successful_indicators, final.failed_indicators, final.done) == (3, 0, True)


def test_auto_refresh_closes_every_batch_exactly_when_its_last_item_ends(
    store: SqlStore, simulate: Simulate
) -> None:
    """Only the closing refresh runs (interval huge): concurrent last completions never both
    miss the close, which a check-then-act without the row lock would allow on PostgreSQL."""
    from indiclass.pipeline import classify

    store.auto_refresh_interval_ms = 1e12
    traces = {f"auto-{b}": [make_indicator(b * 5 + i) for i in range(5)] for b in range(4)}
    for trace, inds in traces.items():
        store.create_batch(spec(trace, [i.indicator_id for i in inds]))
    runs = {i.indicator_id: classify(i).classification for inds in traces.values() for i in inds}
    gate = threading.Barrier(20)

    def finish(trace: str, indicator_id: str) -> None:
        gate.wait()
        if indicator_id.endswith("4"):
            store.mark_failed(trace, indicator_id, StageName.TYPE, "nope", refresh="auto")
        else:
            store.save_classification(trace, runs[indicator_id], refresh="auto")

    with ThreadPoolExecutor(20) as pool:
        for job in [
            pool.submit(finish, t, i.indicator_id) for t, inds in traces.items() for i in inds
        ]:
            job.result()
    for trace, inds in traces.items():
        s = store.batch_stats(trace)
        fails = sum(i.indicator_id.endswith("4") for i in inds)
        assert s is not None and s.done and s.batch_end_time is not None, trace
        assert (s.successful_indicators, s.failed_indicators) == (5 - fails, fails), trace
    assert sum(s.failed_indicators for s in store.list_batches()) == 2
