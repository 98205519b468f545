"""Provider batches in the store, on both backends: a part's intent is written once with its
calls begun, its results once with their calls ended (usage counted once), failures counted per
dispatch, and the report readable for ``stats``."""

from __future__ import annotations

from datetime import UTC, datetime

from storage_helpers import call_ops, make_indicator, spec

from indiclass.domain.store import CallEnded
from indiclass.domain.waves import WaveOutcome, WavePart, WaveRequest, custom_id, wave_key
from indiclass.storage import SqlStore


def _part(trace: str, wave: int, n: int, epoch: int = 0) -> tuple[WavePart, list, list]:
    key = wave_key(trace, wave, 0)
    begun, requests = [], []
    for k in range(n):
        b, _ = call_ops(trace, f"ind-{k:04d}", wave)
        begun.append(b)
        requests.append(
            WaveRequest(key, custom_id(key, k), b.call_key, trace, b.indicator_id, "{}")
        )
    part = WavePart(
        key=key,
        trace_id=trace,
        epoch=epoch,
        wave=wave,
        part=0,
        stage="family",
        provider="openai",
        model="gpt-4o-mini",
        status="planned",
        requests=n,
        first_custom_id=requests[0].custom_id,
        estimated_cost_usd=0.01,
        created_at=datetime.now(UTC),
    )
    return part, requests, begun


def _batch(store: SqlStore, trace: str, n: int) -> None:
    inds = [make_indicator(k) for k in range(n)]
    store.upsert_source_indicators(inds)
    store.create_batch(spec(trace, [i.indicator_id for i in inds], "openai"))


def test_a_part_is_recorded_once_with_its_calls_begun(store: SqlStore) -> None:
    _batch(store, "t-w", 3)
    part, requests, begun = _part("t-w", 0, 3)
    assert store.record_wave_part(part, requests, begun) is True
    assert store.record_wave_part(part, requests, begun) is False  # a re-run writes nothing
    assert store.count("provider_batches") == 1 and store.count("provider_batch_requests") == 3
    calls = store.llm_calls_for("ind-0000")
    assert [c["status"] for c in calls] == ["pending"]  # no 'interrupted' row from the re-run
    got = store.wave_part(part.key)
    assert got is not None
    assert got.model_dump(exclude={"created_at"}) == part.model_dump(exclude={"created_at"})
    assert abs((got.created_at - part.created_at).total_seconds()) < 0.001  # stored in ms
    assert [r.custom_id for r in store.wave_requests(part.key)] == [r.custom_id for r in requests]
    assert store.next_wave("t-w") == 1 and store.next_wave("other") == 0


def test_results_end_the_calls_once_and_count_the_outcomes(store: SqlStore) -> None:
    _batch(store, "t-r", 3)
    part, requests, begun = _part("t-r", 0, 3)
    store.record_wave_part(part, requests, begun)
    store.update_wave_part(part.key, status="ended", provider_batch_id="batch_1")
    _, ok = call_ops("t-r", "ind-0000", 0, 0.002)
    ended = [
        ok,
        CallEnded(requests[1].call_key, "t-r", None, "request expired"),
        CallEnded(requests[2].call_key, "t-r", None, "request errored: 500"),
    ]
    outcomes = [
        WaveOutcome(requests[0].custom_id, "succeeded"),
        WaveOutcome(requests[1].custom_id, "expired", "request expired"),
        WaveOutcome(requests[2].custom_id, "errored", "request errored: 500"),
    ]
    store.finish_wave_part(part.key, outcomes, ended)
    store.finish_wave_part(part.key, outcomes, ended)  # a re-run counts nothing again
    stats = store.batch_stats("t-r")
    assert stats is not None and stats.llm_calls == 3 and stats.usage.cost_usd == 0.002
    done = store.wave_part(part.key)
    assert done is not None and done.status == "fetched" and done.fetched_at is not None
    assert (done.succeeded, done.expired, done.errored, done.cost_usd) == (1, 1, 1, 0.002)
    assert all(r.body is None for r in store.wave_requests(part.key))  # bodies dropped
    assert store.wave_failures("t-r", 0) == {
        requests[1].call_key: ["request expired"],
        requests[2].call_key: ["request errored: 500"],
    }
    assert store.wave_failures("t-r", 1) == {}  # a new dispatch starts afresh
    assert store.provider_batch_ids() == {"batch_1"}
    [row] = store.provider_batches("t-r")
    assert (row["stage"], row["provider_batch_id"], row["status"]) == (
        "family",
        "batch_1",
        "fetched",
    )


def test_open_parts_and_changes(store: SqlStore) -> None:
    _batch(store, "t-o", 2)
    first, requests, begun = _part("t-o", 0, 2)
    store.record_wave_part(first, requests, begun)
    assert [p.key for p in store.wave_parts("t-o", open_only=True)] == [first.key]
    store.update_wave_part(first.key, status="cancelled")
    assert store.wave_parts("t-o", open_only=True) == []
    assert [p.status for p in store.wave_parts("t-o")] == ["cancelled"]
    store.reset()
    assert store.count("provider_batches") == 0 and store.count("provider_batch_requests") == 0
