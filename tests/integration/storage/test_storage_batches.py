"""Batches, counters and idempotency on both backends (the engine's bulk writes)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from storage_helpers import Simulate, call_ops, config, done_op, fail, make_indicator, spec

from indiclass.domain.store import MemberCancelled, RunRecord, StageMark
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


def test_same_writes_twice_give_same_rows(store: SqlStore) -> None:
    """A step re-run after a crash repeats its writes: nothing is stored or counted twice."""
    inds = [make_indicator(i) for i in range(3)]
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-1", [i.indicator_id for i in inds]))
    ops = []
    for ind in inds:
        ops += [*call_ops("t-1", ind.indicator_id), done_op("t-1", ind)[0]]
    store.apply(ops)
    before = snapshot(store)
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-1", [i.indicator_id for i in inds]))
    store.apply([op for op in ops if type(op).__name__ != "CallBegun"])  # replies, results again
    after = snapshot(store)
    assert after == before
    assert len(after["classifications"]) == 3
    assert len(after["family_assignment_results"]) == 3
    assert len(after["processing_log"]) == 3 * 9 * 2  # 8 stages + complete, started/completed
    assert len(after["llm_calls"]) == 3
    assert store.batch_stats("t-1").llm_calls == 3


def test_batch_closes_with_counts_durations_and_llm_totals(
    store: SqlStore, simulate: Simulate
) -> None:
    inds = [make_indicator(i) for i in range(4)]
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-2", [i.indicator_id for i in inds], provider="fake"))
    assert store.batch_stats("t-2").pending_indicators == 4
    runs = [simulate(store, "t-2", ind, llm_calls=2) for ind in inds[:3]]
    open_stats = store.batch_stats("t-2")
    assert (open_stats.successful_indicators, open_stats.pending_indicators) == (3, 1)
    assert open_stats.batch_end_time is None and not open_stats.done
    fail(store, "t-2", inds[3].indicator_id, "family", "provider kept failing")
    stats = store.batch_stats("t-2")
    assert stats.done and stats.batch_end_time is not None and stats.status == "degraded"
    counts = (stats.total_indicators, stats.successful_indicators, stats.failed_indicators)
    assert counts == (4, 3, 1)
    assert stats.total_duration_ms is not None and stats.total_duration_ms >= 0
    assert stats.avg_time_per_indicator_ms is not None
    expected_conf = sum(r.classification.overall_confidence for r in runs) / 3
    assert abs(stats.avg_confidence - expected_conf) < 1e-9
    assert stats.llm_calls == 6
    usage = stats.usage
    assert (usage.input_tokens, usage.output_tokens, usage.cached_tokens) == (600, 120, 60)
    assert abs(usage.cost_usd - 0.006) < 1e-9
    assert store.recount("t-2").model_dump(exclude={"batch_end_time"}) == stats.model_dump(
        exclude={"batch_end_time"}
    )  # the counters are what a full recount from the members gives


def test_unknown_cost_stays_unknown(store: SqlStore, simulate: Simulate) -> None:
    ind = make_indicator(1)
    store.create_batch(spec("t-3", [ind.indicator_id]))
    simulate(store, "t-3", ind, llm_calls=1, cost=None)
    assert store.batch_stats("t-3").usage.cost_usd is None


def test_a_call_in_flight_at_a_crash_is_counted_once_at_its_estimate(store: SqlStore) -> None:
    ind = make_indicator(2)
    store.create_batch(spec("t-9", [ind.indicator_id], provider="fake"))
    begun, ended = call_ops("t-9", ind.indicator_id)
    store.apply([begun])  # sent ... and the process dies
    assert store.batch_stats("t-9").llm_calls == 0
    store.apply([begun])  # the re-run step asks again under the same key
    store.apply([ended])
    calls = store.llm_calls_for(ind.indicator_id)
    assert [c["status"] for c in calls] == ["interrupted", "ok"]
    stats = store.batch_stats("t-9")
    assert stats.llm_calls == 2 and stats.usage.input_tokens == 90 + 100
    assert abs(stats.usage.cost_usd - (0.0005 + 0.001)) < 1e-9
    assert store.replies("t-9", [ind.indicator_id]).keys() == {begun.call_key}


def test_four_concurrent_batches_of_five_from_twenty_threads(
    store: SqlStore, simulate: Simulate
) -> None:
    traces = {f"batch-{b}": [make_indicator(b * 5 + i) for i in range(5)] for b in range(4)}
    for trace, inds in traces.items():
        store.upsert_source_indicators(inds)
        store.create_batch(spec(trace, [i.indicator_id for i in inds]))
    failing = {"ind-0003", "ind-0017"}
    gate = threading.Barrier(20)

    def work(trace: str, ind) -> None:  # type: ignore[no-untyped-def]
        gate.wait()
        if ind.indicator_id in failing:
            fail(store, trace, ind.indicator_id, "normalize", "boom")
        else:
            simulate(store, trace, ind)

    with ThreadPoolExecutor(20) as pool:
        jobs = [pool.submit(work, t, i) for t, inds in traces.items() for i in inds]
        for job in jobs:
            job.result()
    stats = {s.batch_id: s for s in store.list_batches()}
    assert sorted(stats) == sorted(traces)
    for trace, inds in traces.items():
        s = stats[trace]
        fails = sum(i.indicator_id in failing for i in inds)
        counts = (s.total_indicators, s.successful_indicators, s.failed_indicators)
        assert counts == (5, 5 - fails, fails), trace
        assert s.done and s.batch_end_time is not None and s.llm_calls == 5 - fails
        assert s.status == ("degraded" if fails else "completed")
    assert store.count("classifications") == 18
    assert {f.indicator_id for f in store.failed_items()} == failing


def test_failed_then_retried_member_flips_to_completed(store: SqlStore, simulate: Simulate) -> None:
    ind = make_indicator(7)
    store.upsert_source_indicators([ind])
    store.create_batch(spec("t-5", [ind.indicator_id]))
    fail(store, "t-5", ind.indicator_id, "type", "invalid reply x3")
    failed = store.batch_stats("t-5")
    assert (failed.failed_indicators, failed.done, failed.status) == (1, True, "failed")
    [item] = store.failed_items("t-5")
    assert (item.stage, item.error) == ("type", "invalid reply x3")
    log = store.processing_log("t-5", ind.indicator_id)
    assert [(r["stage"], r["status"], r["error_message"]) for r in log] == [
        ("type", "failed", "invalid reply x3")
    ]
    assert store.requeue_items("t-5") == [ind.indicator_id]  # retry-failed
    reopened = store.batch_stats("t-5")
    assert (reopened.status, reopened.pending_indicators, reopened.failed_indicators) == (
        "running",
        1,
        0,
    )
    simulate(store, "t-5", ind)
    fixed = store.batch_stats("t-5")
    assert (fixed.successful_indicators, fixed.failed_indicators, fixed.status) == (
        1,
        0,
        "completed",
    )
    assert store.failed_items() == []
    fail(store, "t-5", ind.indicator_id, "type", "late duplicate")  # a stale write moves nothing
    assert store.batch_items("t-5") == [(ind.indicator_id, "completed")]


def test_members_are_numbered_into_chunks_and_read_back_pending(store: SqlStore) -> None:
    inds = [make_indicator(i) for i in range(7)]
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-6", [i.indicator_id for i in inds], chunk_size=3))
    assert store.batch_stats("t-6").chunks == 3
    assert store.pending_chunks("t-6") == [0, 1, 2]
    assert [i.indicator_id for i in store.chunk_members("t-6", 2)] == ["ind-0006"]
    store.apply([done_op("t-6", inds[6])[0]])
    assert store.pending_chunks("t-6") == [0, 1] and store.chunk_members("t-6", 2) == []
    store.create_batch(spec("t-6", ["other"]))  # an existing batch is left as it is
    assert store.batch_stats("t-6").total_indicators == 7


def test_cancel_closes_the_batch_and_late_results_are_dropped(store: SqlStore) -> None:
    inds = [make_indicator(i) for i in range(3)]
    store.upsert_source_indicators(inds)
    store.create_batch(spec("t-7", [i.indicator_id for i in inds]))
    store.apply([done_op("t-7", inds[0])[0], StageMark("t-7", inds[1].indicator_id, "family")])
    assert store.batch_members("t-7")[1]["stage"] == "family"
    store.set_batch_status("t-7", "cancelled", "by test")
    assert store.cancel_pending("t-7", "by test") == 2
    stats = store.batch_stats("t-7")
    assert (stats.status, stats.cancelled_indicators, stats.successful_indicators) == (
        "cancelled",
        2,
        1,
    )
    assert stats.done and stats.batch_end_time is not None
    store.apply([done_op("t-7", inds[1])[0], MemberCancelled("t-7", inds[2].indicator_id)])
    assert store.batch_stats("t-7") == stats and store.count("classifications") == 1


def test_two_runners_claim_disjoint_indicators(store: SqlStore) -> None:
    inds = [make_indicator(i) for i in range(10)]
    store.upsert_source_indicators(inds)
    now = datetime.now(UTC)

    def run(n: int) -> RunRecord:
        return RunRecord(
            run_id=f"run-{n}",
            kind="random",
            status="running",
            config=config(),
            options={},
            total_indicators=0,
            batches=0,
            created_at=now,
            updated_at=now,
        )

    with ThreadPoolExecutor(2) as pool:
        claims = list(
            pool.map(
                lambda n: store.claim_run(run(n), batch_size=3, limit=6, random_order=True),
                (1, 2),
            )
        )
    taken = [[i for b in batches for i in b.indicator_ids] for batches in claims]
    assert not set(taken[0]) & set(taken[1])
    assert sorted(len(t) for t in taken) == [4, 6]
    assert [len(b.indicator_ids) for b in store.run_batches("run-1")] in ([3, 3], [3, 1])
    assert store.get_run("run-1").total_indicators == len(taken[0])


def test_two_store_instances_share_one_database(store_url: str, simulate: Simulate) -> None:
    from indiclass.storage import open_store

    a, b = open_store(store_url), open_store(store_url)
    try:
        a.reset()
        ind = make_indicator(3)
        a.upsert_source_indicators([ind])
        a.create_batch(spec("t-8", [ind.indicator_id]))
        simulate(b, "t-8", ind)
        assert a.batch_stats("t-8").done and a.is_classified(ind.indicator_id)
    finally:
        a.close()
        b.close()
