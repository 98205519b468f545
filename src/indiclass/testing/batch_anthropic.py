"""The fake Anthropic Message Batches API over HTTP (``/v1/messages/batches``), in the shapes
the ``anthropic`` SDK reads. The state machine is :mod:`fake_batches`."""

from __future__ import annotations

import json
import re
from typing import Any

from indiclass.testing.batch_http import DAY_S, call, iso, page, page_limit
from indiclass.testing.fake_batches import Batch, BatchRequest, BatchStore, Result
from indiclass.testing.routing import HTTPError, Request, Response, Route, json_response

CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
"""Anthropic's rule for a request's ``custom_id``."""
MAX_REQUESTS = 100_000


def routes(store: BatchStore) -> list[Route]:
    async def create(request: Request) -> Response:
        requests = anthropic_requests(request.json().get("requests"))
        batch = await call(store.create, "anthropic", requests)
        return json_response(200, anthropic_batch(batch, request.base_url))

    async def retrieve(request: Request) -> Response:
        batch = await call(store.retrieve, "anthropic", request.params["id"])
        return json_response(200, anthropic_batch(batch, request.base_url))

    async def listing(request: Request) -> Response:
        batches = await call(store.listing, "anthropic")
        after, before = request.query.get("after_id"), request.query.get("before_id")
        data, more = page(batches, page_limit(request, 1000), after, before)
        items = [anthropic_batch(b, request.base_url) for b in data]
        first, last = (items[0]["id"], items[-1]["id"]) if items else (None, None)
        return json_response(
            200, {"data": items, "has_more": more, "first_id": first, "last_id": last}
        )

    async def cancel(request: Request) -> Response:
        batch = await call(store.cancel, "anthropic", request.params["id"])
        return json_response(200, anthropic_batch(batch, request.base_url))

    async def results(request: Request) -> Response:
        lines = await call(store.results, "anthropic", request.params["id"])
        body = "".join(json.dumps(anthropic_line(r)) + "\n" for r in lines).encode()
        return Response(200, body, content_type="application/octet-stream")

    async def delete(request: Request) -> Response:
        batch = await call(store.delete, "anthropic", request.params["id"])
        return json_response(200, {"id": batch.id, "type": "message_batch_deleted"})

    one = r"(/v1)?/messages/batches/(?P<id>[^/]+)"
    return [
        ("POST", r"(/v1)?/messages/batches", create),
        ("GET", r"(/v1)?/messages/batches", listing),
        ("GET", one, retrieve),
        ("DELETE", one, delete),
        ("POST", one + "/cancel", cancel),
        ("GET", one + "/results", results),
    ]


def anthropic_requests(raw: Any) -> list[BatchRequest]:
    """The ``requests`` of a create call, validated as Anthropic does before accepting a batch."""
    if not isinstance(raw, list) or not raw or len(raw) > MAX_REQUESTS:
        raise HTTPError(400, f"requests: a list of 1 to {MAX_REQUESTS:,} requests")
    out: list[BatchRequest] = []
    for k, item in enumerate(raw):
        cid = item.get("custom_id") if isinstance(item, dict) else None
        if not isinstance(cid, str) or not CUSTOM_ID.fullmatch(cid):
            raise HTTPError(400, f"requests.{k}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$")
        if not isinstance(item.get("params"), dict):
            raise HTTPError(400, f"requests.{k}.params: must be an object")
        out.append(BatchRequest(cid, item["params"]))
    if len({r.custom_id for r in out}) < len(out):
        raise HTTPError(400, "requests: custom_id values must be unique within a batch")
    return out


def anthropic_batch(batch: Batch, base_url: str) -> dict[str, Any]:
    """The MessageBatch object as ``GET /v1/messages/batches/{id}`` returns it."""
    counts, ended = batch.counts(), batch.ended_at is not None
    status = "ended" if ended else ("canceling" if batch.cancel_requested_at else "in_progress")
    results_url = f"{base_url}/v1/messages/batches/{batch.id}/results" if ended else None
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": status,
        "request_counts": {
            "processing": 0 if ended else len(batch.requests),
            **{kind: counts[kind] for kind in ("succeeded", "errored", "canceled", "expired")},
        },
        "ended_at": iso(batch.ended_at),
        "created_at": iso(batch.created_at),
        "expires_at": iso(batch.created_at + DAY_S),
        "archived_at": None,
        "cancel_initiated_at": iso(batch.cancel_requested_at),
        "results_url": results_url,
    }


def anthropic_line(result: Result) -> dict[str, Any]:
    """One line of a Message Batch's results."""
    outcome: dict[str, Any] = {"type": result.kind}
    if result.kind == "succeeded":
        outcome["message"] = result.body
    elif result.kind == "errored":
        outcome["error"] = result.body
    return {"custom_id": result.custom_id, "result": outcome}
