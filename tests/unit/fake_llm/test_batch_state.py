"""The fake batch state machine on a hand-driven clock: lifecycle, cancel, per-request errors
and expiry (rates and fault kinds), shuffled results, malformed input."""

from __future__ import annotations

import pytest

from indiclass.testing import BatchSettings, FakeLLM, Fault
from indiclass.testing.fake_batches import BatchError, BatchRequest, BatchStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def requests(n: int, api: str = "openai") -> list[BatchRequest]:
    body = {"model": "m", "messages": [{"role": "user", "content": "name: GDP"}]}
    if api == "anthropic":
        body["max_tokens"] = 100
    return [BatchRequest(f"r{k}", dict(body)) for k in range(n)]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def store(clock: Clock, **settings) -> BatchStore:
    return BatchStore(FakeLLM(), BatchSettings(**settings), clock=clock)


def kinds(batch) -> dict[str, str]:
    return {r.custom_id: r.kind for r in batch.results}


def test_no_delay_validating_until_the_next_retrieve_then_completed(clock):
    s = store(clock)
    batch = s.create("openai", requests(3))
    assert batch.phase(clock()) == "validating" and batch.results is None
    assert s.retrieve("openai", batch.id).phase(clock()) == "completed"
    assert set(kinds(batch).values()) == {"succeeded"}
    assert all(r.status == 200 and r.body["object"] == "chat.completion" for r in batch.results)
    assert s.llm.stats.by_api == {"openai-batch": 3}


def test_with_a_delay_in_progress_then_finalizing_then_completed(clock):
    s = store(clock, delay_s=10)
    batch = s.create("openai", requests(2))
    phases = []
    for t in (5, 9.5, 10):
        clock.now = batch.created_at + t
        phases.append(s.retrieve("openai", batch.id).phase(clock()))
    assert phases == ["in_progress", "finalizing", "completed"]
    assert batch.ended_at == batch.created_at + 10


def test_results_are_computed_once_when_the_batch_ends(clock):
    s = store(clock)
    batch = s.create("anthropic", requests(2, "anthropic"))
    first = s.results("anthropic", batch.id)
    assert s.results("anthropic", batch.id) is first
    assert s.llm.stats.answered == 2
    assert s.counters.results_downloads[batch.id] == 2


def test_cancel_mid_way_answers_the_elapsed_share_and_cancels_the_rest(clock):
    s = store(clock, delay_s=10)
    batch = s.create("openai", requests(10))
    clock.now += 4
    assert s.cancel("openai", batch.id).phase(clock()) == "cancelling"
    clock.now += 1
    assert s.retrieve("openai", batch.id).phase(clock()) == "cancelled"
    assert batch.counts() == {"succeeded": 4, "canceled": 6}
    assert s.counters.cancels == 1 and s.llm.stats.answered == 4


def test_cancel_right_after_create_cancels_everything_even_without_delay(clock):
    s = store(clock)
    batch = s.create("anthropic", requests(3, "anthropic"))
    s.cancel("anthropic", batch.id)
    s.retrieve("anthropic", batch.id)
    assert batch.counts() == {"canceled": 3} and s.llm.stats.calls == 0


def test_an_ended_batch_cannot_be_cancelled(clock):
    s = store(clock)
    batch = s.create("openai", requests(1))
    s.retrieve("openai", batch.id)
    with pytest.raises(BatchError) as info:
        s.cancel("openai", batch.id)
    assert info.value.status == 400


def test_rates_pick_exact_seeded_shares_and_expiry_marks_the_batch_expired(clock):
    picked = []
    for _ in range(2):
        s = store(clock, error_rate=0.25, expire_rate=0.25, seed=7)
        batch = s.retrieve("openai", s.create("openai", requests(8)).id)
        picked.append(kinds(batch))
        assert batch.phase(clock()) == "expired"
        assert batch.counts() == {"succeeded": 4, "errored": 2, "expired": 2}
        errored = [r for r in batch.results if r.kind == "errored"]
        assert all(r.status == 500 and r.body["error"]["type"] == "api_error" for r in errored)
    assert picked[0] == picked[1]


def test_batch_fault_kinds_hit_batch_requests_only(clock):
    s = store(clock)
    s.llm.set_faults([Fault("batch_expired", times=1), Fault("batch_error", times=1)])
    assert s.llm.take_fault(None) is None  # a synchronous call skips them
    batch = s.retrieve("anthropic", s.create("anthropic", requests(3, "anthropic")).id)
    assert kinds(batch) == {"r0": "expired", "r1": "errored", "r2": "succeeded"}
    assert s.llm.stats.faults == 2


def test_a_429_fault_fails_that_request_with_its_status(clock):
    s = store(clock)
    s.llm.set_faults([Fault("429", times=1), Fault("invalid_json", times=1)])
    batch = s.retrieve("openai", s.create("openai", requests(3)).id)
    assert [(r.kind, r.status) for r in batch.results] == [
        ("errored", 429),
        ("succeeded", 200),
        ("succeeded", 200),
    ]
    broken = batch.results[1].body["choices"][0]["message"]["content"]
    assert broken.endswith(",}")  # the same content a synchronous call would get


def test_invalid_params_are_a_400_for_that_request_only(clock):
    s = store(clock)
    bad = [BatchRequest("bad", {"model": "m", "max_tokens": 10}), *requests(1, "anthropic")]
    batch = s.retrieve("anthropic", s.create("anthropic", bad).id)
    assert [(r.kind, r.status) for r in batch.results] == [("errored", 400), ("succeeded", 200)]
    assert batch.results[0].body["error"]["type"] == "invalid_request_error"


def test_shuffle_keeps_every_result_in_a_seeded_order(clock):
    s = store(clock, shuffle=True)
    batch = s.retrieve("openai", s.create("openai", requests(10)).id)
    order = [r.custom_id for r in batch.results]
    assert sorted(order) == sorted(f"r{k}" for k in range(10)) and order != sorted(order)


def test_malformed_input_fails_once_observed_and_has_no_results(clock):
    s = store(clock)
    invalid = [{"code": "invalid_json_line", "line": 2, "message": "x", "param": None}]
    batch = s.create("openai", requests(1), invalid=invalid)
    assert batch.phase(clock()) == "validating"
    assert s.retrieve("openai", batch.id).phase(clock()) == "failed"
    assert batch.results is None and s.llm.stats.calls == 0


def test_openai_output_and_error_files_are_written_at_the_end(clock):
    s = store(clock, expire_rate=0.5)
    batch = s.retrieve("openai", s.create("openai", requests(4)).id)
    output = s.file(batch.output_file_id).content.decode().splitlines()
    errors = s.file(batch.error_file_id).content.decode().splitlines()
    assert len(output) == 2 and len(errors) == 2
    assert all('"code": "batch_expired"' in line for line in errors)


def test_batches_belong_to_their_api_and_reset_forgets_them(clock):
    s = store(clock)
    batch = s.create("openai", requests(1))
    with pytest.raises(BatchError):
        s.retrieve("anthropic", batch.id)
    assert s.counters.created == {"/v1/chat/completions": 1}
    s.reset()
    assert s.batches == {} and s.counters.created == {}


@pytest.mark.parametrize("bad", [{"error_rate": 1.5}, {"expire_rate": -0.1}, {"delay_s": -1}])
def test_settings_are_validated(bad):
    with pytest.raises(ValueError):
        BatchSettings(**bad)
