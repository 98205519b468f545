"""What both fake batch APIs' routes share: store calls off the event loop, list pages, limits,
timestamps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from indiclass.testing.fake_batches import BatchError
from indiclass.testing.routing import HTTPError, Request

DAY_S = 86_400
T = TypeVar("T")


async def call(fn: Callable[..., T], *args: Any) -> T:
    """A store operation in a worker thread (processing a batch must not block the loop)."""
    try:
        return await asyncio.to_thread(fn, *args)
    except BatchError as exc:
        raise HTTPError(exc.status, exc.message) from None


def page(items: list[T], limit: int, after: str | None, before: str | None) -> tuple[list[T], bool]:
    """One page of a newest-first list: after (older than) or before (newer than) a cursor id;
    the bool says whether more lie beyond the page in that direction."""
    ids = [getattr(item, "id", None) for item in items]
    for cursor in (after, before):
        if cursor is not None and cursor not in ids:
            raise HTTPError(400, f"unknown cursor {cursor!r}")
    if before is not None:
        end = ids.index(before)
        start = max(0, end - limit)
        return items[start:end], start > 0
    start = ids.index(after) + 1 if after is not None else 0
    return items[start : start + limit], start + limit < len(items)


def page_limit(request: Request, most: int) -> int:
    try:
        limit = int(request.query.get("limit", 20))
    except ValueError:
        raise HTTPError(400, "limit must be an integer") from None
    if not 1 <= limit <= most:
        raise HTTPError(400, f"limit must be within 1..{most}")
    return limit


def iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def seconds(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds)
