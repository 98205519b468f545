"""Batches: submit (``POST /classify/batch``, JSON or NDJSON), list, one batch's progress, its
SSE stream, cancel (``DELETE``).

Ids are taken as paths (``/batches/a/b`` is the batch ``a/b``). Re-posting a trace_id with the
same body answers the original 202; with a different body, 409.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from indiclass.api.errors import ApiError
from indiclass.api.schemas import (
    MAX_OFFSET,
    PRINTABLE,
    BatchAccepted,
    BatchRequest,
    body_hash,
    path_id,
    validate_indicators,
)
from indiclass.api.services import Services, batch_view

router = APIRouter(tags=["batches"])
HEARTBEAT_S = 15.0
"""An SSE comment at least this often, so proxies and clients never time out a quiet batch."""
ITEMS_PAGE = 100


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@router.post("/classify/batch", status_code=202, response_model=BatchAccepted)
async def submit_batch(request: Request) -> JSONResponse:
    """Queue a batch; it is durable once the 202 is returned.

    Body: JSON ``{"indicators": [...], "llm_provider": ..., "strategy": ..., "model": ...,
    "trace_id": ..., "force": ...}``, or ``application/x-ndjson`` (one indicator per line,
    options as query parameters) for large batches. Limits: ``INDICLASS_MAX_BODY_BYTES``
    (413) and ``INDICLASS_MAX_BATCH_SIZE`` indicators (422)."""
    services = _services(request)
    body = await _read_body(request)
    return await run_in_threadpool(_submit, services, body)


async def _read_body(request: Request) -> BatchRequest:
    raw = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind in ("application/x-ndjson", "application/ndjson", "application/jsonl"):
            data: Any = {
                "indicators": [json.loads(line) for line in raw.splitlines() if line.strip()],
                **{k: _param(v) for k, v in request.query_params.items()},
            }
        else:
            data = json.loads(raw or b"null")
    except ValueError as exc:
        raise ApiError(422, f"body is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(422, "body must be a JSON object {indicators: [...]}", code="invalid_body")
    from pydantic import ValidationError

    try:
        return BatchRequest.model_validate(data)
    except ValidationError as exc:
        details = [
            {"loc": [str(p) for p in e["loc"]], "message": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        raise ApiError(422, "request body is invalid", details=details) from None


def _param(value: str) -> Any:
    return {"true": True, "false": False}.get(value.lower(), value)


def _submit(services: Services, body: BatchRequest) -> JSONResponse:
    indicators = validate_indicators(body.indicators, services.settings.max_batch_size)
    config = services.run_config(body)
    trace_id = services.engine.submit(
        indicators,
        config=config,
        trace_id=body.trace_id,
        force=body.force,
        body_hash=body_hash(body.model_dump(mode="json")),
        dispatch="shared",
    )
    stats = services.store.batch_stats(trace_id)
    queued = stats.total_indicators if stats else len(indicators)
    accepted = BatchAccepted(
        message=f"Batch accepted: {queued} indicators queued",
        count=queued,
        trace_id=trace_id,
    )
    return JSONResponse(accepted.model_dump(), status_code=202)


@router.get("/batches")
def list_batches(
    request: Request,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    status: str | None = Query(
        None, description="running, completed, degraded, ...", max_length=50, pattern=PRINTABLE
    ),
    provider: str | None = Query(
        None, description="rules, openai, ...", max_length=100, pattern=PRINTABLE
    ),
) -> dict[str, Any]:
    """Recent batches, newest first, with their progress."""
    store = _services(request).store
    batches = store.find_batches(status=status, provider=provider, limit=limit, offset=offset)
    total = store.count_batches(status=status, provider=provider)
    return {
        "batches": [batch_view(b) for b in batches],
        "count": len(batches),
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/batches/{trace_id:path}/events", response_class=StreamingResponse)
async def batch_events(
    trace_id: str, request: Request, interval_ms: int = Query(500, ge=50, le=10_000)
) -> StreamingResponse:
    """Server-sent events: ``progress`` whenever counts change, a comment heartbeat every
    15 s, then ``done`` when the batch closes."""
    services = _services(request)
    trace_id = path_id(trace_id, "trace_id")
    await run_in_threadpool(_stats_view, services, trace_id)  # 404 before streaming
    stream = _progress_stream(services, trace_id, request, interval_ms / 1000)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/batches/{trace_id:path}")
def get_batch(
    trace_id: str,
    request: Request,
    items_offset: int = Query(0, ge=0, le=MAX_OFFSET),
    items_limit: int = Query(ITEMS_PAGE, ge=0, le=1000),
) -> dict[str, Any]:
    """One batch: status, progress per stage, timings, tokens and cost, a page of members."""
    services = _services(request)
    view = _stats_view(services, trace_id)
    view["stages"] = services.store.stage_counts(trace_id)
    view["items"] = services.store.batch_members(trace_id, offset=items_offset, limit=items_limit)
    view["items_total"] = view["progress"]["total"]
    return view


@router.delete("/batches/{trace_id:path}")
def cancel_batch(trace_id: str, request: Request) -> dict[str, Any]:
    """Cancel: members not started end ``cancelled``, members in flight stop at their next
    LLM call; a closed batch is left as it is."""
    services = _services(request)
    trace_id = path_id(trace_id, "trace_id")
    _stats_view(services, trace_id)
    stats = services.engine.cancel(trace_id)
    return batch_view(stats)


def _stats_view(services: Services, trace_id: str) -> dict[str, Any]:
    stats = services.store.batch_stats(path_id(trace_id, "trace_id"))
    if stats is None:
        raise ApiError(404, f"unknown batch {trace_id!r}", code="batch_not_found")
    return batch_view(stats)


async def _progress_stream(
    services: Services, trace_id: str, request: Request, interval: float
) -> AsyncIterator[str]:
    """``progress`` when the counts change, ``: keepalive`` when nothing was sent for
    :data:`HEARTBEAT_S` (read at each turn, so tests may shorten it), ``done`` at the end."""
    last: tuple[int, int, int, str] | None = None
    sent = time.monotonic()
    while not await request.is_disconnected():
        view = await run_in_threadpool(_stats_view, services, trace_id)  # one row: O(1)
        p = view["progress"]
        counts = (p["completed"], p["failed"], p["cancelled"], view["status"])
        if counts != last:
            last, sent = counts, time.monotonic()
            yield _sse("progress", {k: view[k] for k in ("trace_id", "status", "progress")})
        elif time.monotonic() - sent >= HEARTBEAT_S:
            sent = time.monotonic()
            yield ": keepalive\n\n"
        if view["done"]:
            yield _sse("done", view)
            return
        quiet = time.monotonic() - sent
        await asyncio.sleep(max(0.0, min(interval, HEARTBEAT_S - quiet)))


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"
