"""The console's live parts and downloads: server-sent events that push re-rendered fragments
(the Batches table, a batch's summary) when they change, and a batch's export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from indiclass.domain.store import ResultStore
from indiclass.web import routes_pages as pages
from indiclass.web import views
from indiclass.web.auth import require_key
from indiclass.web.context import store
from indiclass.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_key)])
POLL_S = 0.5
HEARTBEAT_S = 15.0
EXPORT_PAGE = 1_000
FORMATS = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}


@router.get("/ui/live/batches")
async def live_batches(
    request: Request,
    status: str | None = pages.text(),
    provider: str | None = pages.text(),
    page_no: int = Query(1, alias="page", ge=1, le=pages.MAX_PAGE),
) -> StreamingResponse:
    """``rows``: the Batches table body, each time it changes."""
    source = store(request)

    def fragment() -> tuple[str, bool]:
        data = views.batches_page(
            source, status=status or None, provider=provider or None, page=page_no
        )
        return render("_batch_rows.html", **data), False

    return _stream(request, fragment, "rows")


@router.get("/ui/live/batch")
async def live_batch(
    request: Request, trace_id: str = Query(..., alias="id", max_length=200)
) -> StreamingResponse:
    """``summary``: the batch's progress, each time it changes; ``done`` when it closes."""
    trace_id = pages.checked_id(trace_id, "trace_id")
    source = store(request)

    def fragment() -> tuple[str, bool]:
        stats = source.batch_stats(trace_id)
        if stats is None:
            return "", True
        return render("_batch_summary.html", batch=views.batch_row(stats)), stats.settled

    return _stream(request, fragment, "summary")


def _stream(
    request: Request, fragment: Callable[[], tuple[str, bool]], event: str
) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        last, sent = None, time.monotonic()
        while not await request.is_disconnected():
            html, finished = await run_in_threadpool(fragment)
            if html != last:
                last, sent = html, time.monotonic()
                yield _sse(event, html)
            elif time.monotonic() - sent >= HEARTBEAT_S:
                sent = time.monotonic()
                yield ": keepalive\n\n"
            if finished:
                yield _sse("done", "")
                return
            await asyncio.sleep(POLL_S)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in (data.splitlines() or [""]))
    return f"event: {event}\n{lines}\n"


@router.get("/ui/batch/export")
def export(
    request: Request,
    trace_id: str = Query(..., alias="id", max_length=200),
    fmt: str = Query("csv", alias="format", pattern="^(csv|jsonl|parquet)$"),
) -> Response:
    """The batch's classifications as stored (effective values: overrides win)."""
    trace_id = pages.checked_id(trace_id, "trace_id")
    source = store(request)
    if source.batch_stats(trace_id) is None:
        return pages.not_found(request, f"no batch {trace_id!r}")
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in trace_id)[:80]
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    rows = _rows(source, trace_id)
    if fmt == "parquet":
        return Response(_parquet(rows), media_type=FORMATS[fmt], headers=headers)
    writer = _csv if fmt == "csv" else _jsonl
    return StreamingResponse(writer(rows), media_type=FORMATS[fmt], headers=headers)


def _rows(source: ResultStore, trace_id: str) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        page = source.query_classifications(trace_id=trace_id, limit=EXPORT_PAGE, offset=offset)
        yield from page
        if len(page) < EXPORT_PAGE:
            return
        offset += EXPORT_PAGE


def _flat(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return value


def spreadsheet_text(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer: Any = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: spreadsheet_text(_flat(v)) for k, v in row.items()})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, default=str) + "\n"


def _parquet(rows: Iterator[dict[str, Any]]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - the export extra
        raise RuntimeError("Parquet needs pyarrow: pip install 'indiclass[export]'") from None
    table = pa.Table.from_pylist([{k: _flat(v) for k, v in r.items()} for r in rows])
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()
