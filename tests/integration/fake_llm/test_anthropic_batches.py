"""The fake Anthropic Message Batches API through the official ``anthropic`` SDK over real HTTP:
create, retrieve, list, cancel, results, delete; custom_id rules, errors, expiry, out-of-order
results, cache_control caching, the same answers as synchronous calls."""

from __future__ import annotations

import time

import anthropic
import httpx
import pytest
from batch_helpers import message, pipeline_bodies

from indiclass.testing import BatchSettings, Fault


def batch_of(claude, params: list[dict], prefix: str = "q"):
    requests = [{"custom_id": f"{prefix}{k}", "params": p} for k, p in enumerate(params)]
    return claude.messages.batches.create(requests=requests)


def results(claude, batch_id: str) -> dict:
    return {r.custom_id: r.result for r in claude.messages.batches.results(batch_id)}


def test_a_batch_runs_from_create_to_results(server, claude):
    created = batch_of(claude, [message(), message()])
    assert created.processing_status == "in_progress" and created.results_url is None
    assert created.request_counts.processing == 2
    ended = claude.messages.batches.retrieve(created.id)
    assert ended.processing_status == "ended" and ended.ended_at
    assert (ended.request_counts.succeeded, ended.request_counts.processing) == (2, 0)
    assert ended.results_url == f"{server.url}/v1/messages/batches/{created.id}/results"
    got = results(claude, created.id)
    assert set(got) == {"q0", "q1"}
    assert all(r.type == "succeeded" and r.message.usage.input_tokens > 0 for r in got.values())
    assert server.stats()["batches"]["created"] == {"/v1/messages": 1}


def test_answers_are_those_of_synchronous_calls(server, claude):
    bodies = pipeline_bodies(server, "anthropic")
    replies = [claude.messages.create(**body) for body in bodies]
    server.reset()
    batch = batch_of(claude, bodies)
    claude.messages.batches.retrieve(batch.id)
    got = results(claude, batch.id)
    for k, reply in enumerate(replies):
        assert got[f"q{k}"].message.content == reply.content
        assert got[f"q{k}"].message.usage == reply.usage
    assert sum(r.usage.cache_read_input_tokens for r in replies) > 0  # the system prompt's mark
    assert server.stats()["by_api"] == {"anthropic-batch": len(bodies)}


def test_cache_control_caching_in_a_batch_follows_the_model_minimum(server, claude):
    server.set_cache_min_tokens("per-model")
    system = [{"type": "text", "text": "x" * 6000, "cache_control": {"type": "ephemeral"}}]
    sonnet = [message(system=system), message(system=system)]
    haiku = [message("claude-3-5-haiku-latest", system=system)] * 2  # 1,500 < 2,048
    batch = batch_of(claude, sonnet + haiku)
    claude.messages.batches.retrieve(batch.id)
    usage = {cid: r.message.usage for cid, r in results(claude, batch.id).items()}
    assert (usage["q0"].cache_creation_input_tokens, usage["q0"].cache_read_input_tokens) == (
        1500,
        0,
    )
    assert (usage["q1"].cache_creation_input_tokens, usage["q1"].cache_read_input_tokens) == (
        0,
        1500,
    )
    assert all(usage[c].cache_read_input_tokens == 0 for c in ("q2", "q3"))
    assert all(usage[c].cache_creation_input_tokens == 0 for c in ("q2", "q3"))


@pytest.mark.parametrize(
    "requests",
    [
        [{"custom_id": "has space", "params": message()}],
        [{"custom_id": "x" * 65, "params": message()}],
        [{"custom_id": "", "params": message()}],
        [{"custom_id": "a", "params": message()}, {"custom_id": "a", "params": message()}],
        [{"custom_id": "a", "params": "not an object"}],
        [],
    ],
)
def test_create_refuses_bad_requests(server, claude, requests):
    with pytest.raises(anthropic.BadRequestError) as info:
        claude.messages.batches.create(requests=requests)
    assert info.value.body["error"]["type"] == "invalid_request_error"
    assert server.stats()["batches"]["created"] == {}


def test_custom_ids_up_to_64_letters_digits_dashes_underscores_are_accepted(claude):
    batch = batch_of(claude, [message()], prefix="A-z_09" + "x" * 57)
    assert claude.messages.batches.retrieve(batch.id).request_counts.succeeded == 1


def test_errors_and_expiry_are_per_request_results(server, claude):
    server.set_batch_settings(BatchSettings(error_rate=0.25, expire_rate=0.25))
    batch = batch_of(claude, [message()] * 8)
    counts = claude.messages.batches.retrieve(batch.id).request_counts
    assert (counts.succeeded, counts.errored, counts.expired) == (4, 2, 2)
    got = results(claude, batch.id)
    errored = [r for r in got.values() if r.type == "errored"]
    assert [r.error.error.type for r in errored] == ["api_error", "api_error"]
    assert sorted(r.type for r in got.values()).count("expired") == 2


def test_fault_kinds_and_invalid_params_in_a_batch(server, claude):
    server.set_faults(Fault("batch_expired", times=1), Fault("429", times=1))
    batch = batch_of(claude, [message(), message(), {"model": "m", "messages": []}, message()])
    got = results(claude, claude.messages.batches.retrieve(batch.id).id)
    assert [got[f"q{k}"].type for k in range(4)] == ["expired", "errored", "errored", "succeeded"]
    assert got["q1"].error.error.type == "rate_limit_error"
    assert got["q2"].error.error.type == "invalid_request_error"


def test_cancel_moves_through_canceling_to_ended(server, claude):
    server.set_batch_settings(BatchSettings(delay_s=3600))
    batch = batch_of(claude, [message()] * 3)
    canceling = claude.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at
    ended = claude.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.canceled == 3
    assert {r.type for r in results(claude, batch.id).values()} == {"canceled"}
    with pytest.raises(anthropic.BadRequestError):
        claude.messages.batches.cancel(batch.id)
    assert server.stats()["batches"]["cancels"] == 1 and server.stats()["answered"] == 0


def test_results_wait_until_the_batch_ends(server, claude):
    server.set_batch_settings(BatchSettings(delay_s=0.5))
    batch = batch_of(claude, [message()])
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        claude.messages.batches.results(batch.id)
    direct = httpx.get(f"{server.url}/v1/messages/batches/{batch.id}/results")
    assert direct.status_code == 400
    time.sleep(0.6)
    assert results(claude, batch.id)["q0"].type == "succeeded"


def test_shuffled_results_come_out_of_order(server, claude):
    server.set_batch_settings(BatchSettings(shuffle=True))
    batch = batch_of(claude, [message()] * 10)
    claude.messages.batches.retrieve(batch.id)
    order = [r.custom_id for r in claude.messages.batches.results(batch.id)]
    in_order = [f"q{k}" for k in range(10)]
    assert sorted(order) == sorted(in_order) and order != in_order


def test_list_pages_newest_first(server, claude):
    ids = [batch_of(claude, [message()]).id for _ in range(5)]
    first = claude.messages.batches.list(limit=2)
    assert [b.id for b in first.data] == [ids[4], ids[3]] and first.has_more
    assert (first.first_id, first.last_id) == (ids[4], ids[3])
    after = claude.messages.batches.list(limit=2, after_id=ids[3])
    assert [b.id for b in after.data] == [ids[2], ids[1]]
    before = claude.messages.batches.list(limit=2, before_id=ids[1])
    assert [b.id for b in before.data] == [ids[3], ids[2]]
    assert [b.id for b in claude.messages.batches.list(limit=2)] == ids[::-1]


def test_an_ended_batch_can_be_deleted(server, claude):
    batch = batch_of(claude, [message()])
    claude.messages.batches.retrieve(batch.id)
    assert claude.messages.batches.delete(batch.id).type == "message_batch_deleted"
    with pytest.raises(anthropic.NotFoundError):
        claude.messages.batches.retrieve(batch.id)
