"""Batches: submit (``POST /classify/batch``), list, one batch's progress, its SSE stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from indiclass.api.errors import ApiError
from indiclass.api.schemas import BatchAccepted, BatchRequest, validate_indicators
from indiclass.api.services import Services, batch_view

router = APIRouter(tags=["batches"])


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@router.post("/classify/batch", status_code=202, response_model=BatchAccepted)
def submit_batch(body: BatchRequest, request: Request) -> JSONResponse:
    """Queue a batch; it is durable once the 202 is returned."""
    services = _services(request)
    indicators = validate_indicators(body.indicators, services.settings.max_batch_size)
    provider = body.llm_provider or services.settings.llm_provider
    trace_id = services.engine.submit(
        indicators,
        provider=provider.value,
        trace_id=body.trace_id,
        strategy=body.strategy.value if body.strategy else None,
        model=body.model,
        force=body.force,
    )
    accepted = BatchAccepted(
        message=f"Batch accepted: {len(indicators)} indicators queued",
        count=len(indicators),
        trace_id=trace_id,
    )
    return JSONResponse(accepted.model_dump(), status_code=202)


@router.get("/batches")
def list_batches(request: Request, limit: int = Query(50, ge=1, le=1000)) -> dict[str, Any]:
    """Recent batches, newest first, with their progress."""
    batches = _services(request).store.list_batches(limit=limit)
    return {"batches": [batch_view(b) for b in batches], "count": len(batches)}


@router.get("/batches/{trace_id}")
def get_batch(trace_id: str, request: Request) -> dict[str, Any]:
    """One batch: status, progress per stage, timings, tokens and cost."""
    services = _services(request)
    return _batch_detail(services, trace_id)


@router.get("/batches/{trace_id}/events", response_class=StreamingResponse)
async def batch_events(
    trace_id: str, request: Request, interval_ms: int = Query(500, ge=50, le=10_000)
) -> StreamingResponse:
    """Server-sent events: ``progress`` whenever counts change, then ``done``."""
    services = _services(request)
    await run_in_threadpool(_batch_detail, services, trace_id)  # 404 before streaming
    stream = _progress_stream(services, trace_id, request, interval_ms / 1000)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _batch_detail(services: Services, trace_id: str) -> dict[str, Any]:
    stats = services.store.batch_stats(trace_id)
    if stats is None:
        raise ApiError(404, f"unknown batch {trace_id!r}", code="batch_not_found")
    view = batch_view(stats)
    view["stages"] = _stage_progress(services, trace_id)
    view["items"] = [
        {"indicator_id": i, "status": s} for i, s in services.store.batch_items(trace_id)
    ]
    return view


def _stage_progress(services: Services, trace_id: str) -> dict[str, dict[str, Any]] | None:
    """Per stage: how many indicators started, completed and failed it, and its mean time."""
    read_log = getattr(services.store, "processing_log", None)
    if not callable(read_log):
        return None
    stages: dict[str, dict[str, Any]] = {}
    for row in read_log(trace_id):
        entry = stages.setdefault(
            row["stage"],
            {"started": 0, "completed": 0, "failed": 0, "avg_duration_ms": None, "_ms": 0.0},
        )
        entry[row["status"]] = entry.get(row["status"], 0) + 1
        if row["status"] == "completed" and row.get("duration_ms") is not None:
            entry["_ms"] += float(row["duration_ms"])
            entry["avg_duration_ms"] = round(entry["_ms"] / entry["completed"], 2)
    for entry in stages.values():
        entry.pop("_ms")
    return stages


async def _progress_stream(
    services: Services, trace_id: str, request: Request, interval: float
) -> AsyncIterator[str]:
    last: tuple[int, int] | None = None
    while not await request.is_disconnected():
        detail = await run_in_threadpool(_batch_detail, services, trace_id)
        counts = (detail["progress"]["completed"], detail["progress"]["failed"])
        if counts != last:
            last = counts
            yield _sse("progress", {k: detail[k] for k in ("trace_id", "status", "progress")})
        if detail["done"]:
            yield _sse("done", {k: v for k, v in detail.items() if k != "items"})
            return
        await asyncio.sleep(interval)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"
