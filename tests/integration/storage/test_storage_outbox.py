"""The webhook outbox on SQLite and PostgreSQL (issue #16): a batch that closes with a
callback gets exactly one delivery row, in the transaction that closes it."""

from __future__ import annotations

import json

from storage_helpers import done_op, make_indicator, spec

from indiclass.domain.store import BatchSpec, MemberCancelled
from indiclass.storage import SqlStore


def _with_callback(batch: BatchSpec, url: str) -> BatchSpec:
    config = batch.run_config.model_copy(update={"callback_url": url})
    return batch.model_copy(update={"run_config": config})


def test_closing_a_batch_with_a_callback_records_one_delivery_in_that_transaction(
    store: SqlStore,
) -> None:
    ind = make_indicator(0)
    store.upsert_source_indicators([ind])
    store.create_batch(_with_callback(spec("t", [ind.indicator_id]), "http://127.0.0.1:9/h"))
    assert store.pending_webhooks() == []
    done = done_op("t", ind)[0]
    store.apply([done])
    store.apply([done])  # a re-run step: nothing closes twice
    [row] = store.pending_webhooks("t")
    body = json.loads(row["body"])
    assert (body["event"], body["batch_id"], body["status"]) == ("batch.closed", "t", "completed")
    assert (body["successful_indicators"], body["total_indicators"]) == (1, 1)
    assert body["delivery_id"] == row["delivery_id"] and row["url"] == "http://127.0.0.1:9/h"
    store.record_webhook_attempt(row["delivery_id"], "delivered", http_status=204, error=None)
    store.record_webhook_attempt(row["delivery_id"], "pending", http_status=500, error="late")
    [delivered] = store.webhook_deliveries("t")
    assert (delivered["status"], delivered["attempts"], delivered["http_status"]) == (
        "delivered",
        1,
        204,
    )
    assert store.pending_webhooks() == []


def test_a_cancelled_batch_closed_again_by_later_chunks_has_one_delivery(
    store: SqlStore,
) -> None:
    inds = [make_indicator(n) for n in range(2)]
    store.upsert_source_indicators(inds)
    ids = [i.indicator_id for i in inds]
    store.create_batch(_with_callback(spec("t", ids, chunk_size=1), "http://127.0.0.1:9/h"))
    store.apply([done_op("t", inds[0])[0]])
    store.set_batch_status("t", "cancelled", "by request")
    store.cancel_pending("t", "by request")
    store.cancel_pending("t", "by request")  # the next chunk's workflow sees the cancel
    store.apply([done_op("t", inds[1])[0], MemberCancelled("t", ids[1])])
    [row] = store.webhook_deliveries("t")
    body = json.loads(row["body"])
    assert (body["status"], body["successful_indicators"], body["cancelled_indicators"]) == (
        "cancelled",
        1,
        1,
    )


def test_an_empty_batch_with_a_callback_gets_its_delivery_too(store: SqlStore) -> None:
    store.create_batch(_with_callback(spec("t", []), "http://localhost/h"))
    [row] = store.pending_webhooks()
    assert json.loads(row["body"])["total_indicators"] == 0
