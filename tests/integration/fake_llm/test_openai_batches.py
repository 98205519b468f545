"""The fake OpenAI Files and Batch APIs through the official ``openai`` SDK over real HTTP:
upload, create, retrieve, list, cancel, output and error files, errors, expiry, out-of-order
results, the same answers and cached tokens as synchronous calls, the admin counters."""

from __future__ import annotations

import time

import openai
import pytest
from batch_helpers import chat, jsonl, lines, pipeline_bodies, submit, upload

from indiclass.testing import BatchSettings, Fault


def test_a_batch_runs_from_upload_to_output_file(server, oai):
    uploaded = oai.files.create(file=("input.jsonl", jsonl([chat(), chat()])), purpose="batch")
    assert (uploaded.purpose, uploaded.filename) == ("batch", "input.jsonl")
    assert oai.files.retrieve(uploaded.id).bytes == uploaded.bytes
    batch = oai.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"trace_id": "t-1"},
    )
    assert (batch.status, batch.metadata) == ("validating", {"trace_id": "t-1"})
    assert batch.output_file_id is None
    done = oai.batches.retrieve(batch.id)
    assert done.status == "completed" and done.completed_at and done.model == "gpt-4o-mini"
    counts = done.request_counts
    assert (counts.total, counts.completed, counts.failed) == (2, 2, 0)
    assert done.error_file_id is None
    output = lines(oai, done.output_file_id)
    assert [o["custom_id"] for o in output] == ["req-0", "req-1"]
    assert all(o["response"]["status_code"] == 200 and o["error"] is None for o in output)
    body = output[0]["response"]["body"]
    assert body["object"] == "chat.completion" and body["usage"]["prompt_tokens"] > 0
    usages = [o["response"]["body"]["usage"] for o in output]
    assert done.usage.input_tokens == sum(u["prompt_tokens"] for u in usages)
    assert oai.files.retrieve(done.output_file_id).purpose == "batch_output"


def test_answers_and_cached_tokens_are_those_of_synchronous_calls(server, oai):
    bodies = pipeline_bodies(server, "openai")
    server.set_cache_min_tokens(0)
    replies = [oai.chat.completions.create(**body) for body in bodies]
    server.reset()  # forget the prompt cache: the batch starts from the same empty cache
    done = oai.batches.retrieve(submit(oai, bodies).id)
    output = {o["custom_id"]: o["response"]["body"] for o in lines(oai, done.output_file_id)}
    for k, reply in enumerate(replies):
        batch_reply = output[f"req-{k}"]
        message = reply.choices[0].message.model_dump(exclude_none=True)
        assert batch_reply["choices"][0]["message"] == message
        assert batch_reply["usage"] == reply.usage.model_dump(exclude_none=True)
    assert sum(r.usage.prompt_tokens_details.cached_tokens for r in replies) > 0
    assert server.stats()["by_api"] == {"openai-batch": len(bodies)}


def test_cached_tokens_in_a_batch_follow_the_provider_rules(server, oai):
    server.set_cache_min_tokens("per-model")
    system = {"role": "system", "content": "Background " * 545 + "a"}  # 1,499 tokens
    bodies = [
        {"model": "gpt-4o-mini", "messages": [system, {"role": "user", "content": question}]}
        for question in ("first", "second")
    ]
    done = oai.batches.retrieve(submit(oai, bodies).id)
    usages = [o["response"]["body"]["usage"] for o in lines(oai, done.output_file_id)]
    cached = [u["prompt_tokens_details"]["cached_tokens"] for u in usages]
    assert cached == [0, 11 * 128]
    assert done.usage.input_tokens_details.cached_tokens == 1408


def test_a_processing_delay_keeps_the_batch_in_progress(server, oai):
    server.set_batch_settings(BatchSettings(delay_s=0.6))
    batch = submit(oai, [chat()])
    assert oai.batches.retrieve(batch.id).status == "in_progress"
    assert server.stats()["answered"] == 0
    time.sleep(0.7)
    assert oai.batches.retrieve(batch.id).status == "completed"


def test_a_malformed_input_file_fails_the_batch_with_line_errors(server, oai):
    good = jsonl([chat()]).decode()
    elsewhere = jsonl([chat(), chat()], url="/v1/embeddings").decode().splitlines()[1]
    content = f"{good}not json\n{good}{elsewhere}\n"
    batch = oai.batches.create(
        input_file_id=upload(oai, content.encode()),
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    failed = oai.batches.retrieve(batch.id)
    assert failed.status == "failed" and failed.failed_at and failed.output_file_id is None
    errors = [(e.code, e.line, e.param) for e in failed.errors.data]
    assert errors == [
        ("invalid_json_line", 2, None),
        ("duplicate_custom_id", 3, "custom_id"),
        ("invalid_url", 4, "url"),
    ]
    assert server.stats()["calls"] == 0


def test_two_models_in_one_file_fail_validation(server, oai):
    batch = submit(oai, [chat(), chat(model="gpt-4.1-mini")])
    assert [e.code for e in oai.batches.retrieve(batch.id).errors.data] == ["mismatched_model"]


def test_errors_and_expiry_go_to_the_error_file(server, oai):
    server.set_batch_settings(BatchSettings(error_rate=0.25, expire_rate=0.25))
    done = oai.batches.retrieve(submit(oai, [chat()] * 8).id)
    assert done.status == "expired" and done.expired_at
    assert (done.request_counts.completed, done.request_counts.failed) == (4, 4)
    assert len(lines(oai, done.output_file_id)) == 4
    errors = lines(oai, done.error_file_id)
    failed = [e for e in errors if e["response"]]
    expired = [e for e in errors if e["error"]]
    assert [e["response"]["status_code"] for e in failed] == [500, 500]
    assert all(e["response"]["body"]["error"]["message"] for e in failed)
    assert [e["error"]["code"] for e in expired] == ["batch_expired", "batch_expired"]


def test_the_fault_script_applies_per_stage_inside_a_batch(server, oai):
    bodies = pipeline_bodies(server, "openai")
    server.set_faults(
        Fault("batch_expired", times=-1, stage="family"), Fault("500", times=1, stage="type")
    )
    done = oai.batches.retrieve(submit(oai, bodies).id)
    outcomes = [
        e["error"]["code"] if e["error"] else str(e["response"]["status_code"])
        for e in lines(oai, done.error_file_id)
    ]
    assert sorted(outcomes) == ["500", "batch_expired", "batch_expired"]  # both family requests
    assert "family" not in server.stats()["by_stage"]
    oai.chat.completions.create(**chat())  # a synchronous call skips the batch_* faults
    assert server.stats()["faults"] == 3


def test_cancel_moves_through_cancelling_to_cancelled(server, oai):
    server.set_batch_settings(BatchSettings(delay_s=3600))
    batch = submit(oai, [chat()] * 3)
    cancelling = oai.batches.cancel(batch.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at
    cancelled = oai.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at
    assert cancelled.output_file_id is None
    assert [e["error"]["code"] for e in lines(oai, cancelled.error_file_id)] == [
        "batch_cancelled"
    ] * 3
    with pytest.raises(openai.BadRequestError):
        oai.batches.cancel(batch.id)
    assert server.stats()["batches"]["cancels"] == 1


def test_shuffled_results_come_out_of_order(server, oai):
    server.set_batch_settings(BatchSettings(shuffle=True))
    done = oai.batches.retrieve(submit(oai, [chat()] * 10).id)
    order = [o["custom_id"] for o in lines(oai, done.output_file_id)]
    in_order = [f"req-{k}" for k in range(10)]
    assert sorted(order) == sorted(in_order) and order != in_order


def test_list_pages_newest_first_with_metadata(server, oai):
    ids = [submit(oai, [chat()], metadata={"n": str(k)}).id for k in range(5)]
    first = oai.batches.list(limit=2)
    assert [b.id for b in first.data] == ids[:-3:-1] and first.has_more
    assert [b.metadata["n"] for b in first.data] == ["4", "3"]
    assert [b.id for b in oai.batches.list(limit=2, after=ids[3]).data] == [ids[2], ids[1]]
    assert [b.id for b in oai.batches.list(limit=2)] == ids[::-1]  # the SDK pages through all
    assert all(b.status == "completed" for b in oai.batches.list())  # listing observes them


def test_admin_counters_count_batches_files_requests(server, oai):
    one = submit(oai, [chat()] * 3)
    two = submit(oai, [chat()])
    oai.batches.retrieve(one.id)
    stats = server.stats()["batches"]
    assert stats["created"] == {"/v1/chat/completions": 2}
    assert stats["files_uploaded"] == 2
    assert stats["requests"] == {one.id: 3, two.id: 1}
    assert stats["retrieves"] == 1


def test_files_can_be_listed_and_deleted(server, oai):
    file_id = upload(oai, jsonl([chat()]))
    assert [f.id for f in oai.files.list(purpose="batch")] == [file_id]
    assert oai.files.delete(file_id).deleted
    with pytest.raises(openai.NotFoundError):
        oai.files.retrieve(file_id)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"endpoint": "/v1/embeddings"}, openai.BadRequestError),
        ({"completion_window": "48h"}, openai.BadRequestError),
        ({"input_file_id": "file-missing"}, openai.NotFoundError),
        ({"metadata": {f"k{k}": "v" for k in range(17)}}, openai.BadRequestError),
    ],
)
def test_create_refuses_what_openai_refuses(server, oai, changes, error):
    params = {
        "input_file_id": upload(oai, jsonl([chat()])),
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        **changes,
    }
    with pytest.raises(error):
        oai.batches.create(**params)
    assert server.stats()["batches"]["created"] == {}


def test_unknown_batch_is_a_404(server, oai):
    with pytest.raises(openai.NotFoundError):
        oai.batches.retrieve("batch_missing")
