"""The request-body limit (``INDICLASS_MAX_BODY_BYTES``): a body larger than it is refused with
413 in the one error shape before it is read into memory, whether it announces its size
(``Content-Length``) or streams it (chunked)."""

from __future__ import annotations

import json
import re
from typing import Any

from indiclass.api.errors import error_body

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.limit:
            await self._refuse(send)
            return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            message: Message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    raise _TooLarge
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)
        except Exception:
            if not refused:
                raise
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps(
            error_body(
                "payload_too_large",
                f"request body larger than {self.limit} bytes (INDICLASS_MAX_BODY_BYTES); "
                "send large batches in several requests or as NDJSON pages",
                {"limit_bytes": self.limit},
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PrintablePaths:
    """ASGI middleware: a path holding a control character (``%00``, ``%0A``, ...) is refused
    with 422 ``invalid_id`` in the one error shape: no route or database ever sees it (a
    ``{id:path}`` route cannot even match a newline, and PostgreSQL refuses NUL in text)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _CONTROL.search(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            error_body(
                "invalid_id",
                "ids in the path must not contain control characters (NUL, newline, tab ...)",
                {"field": "path"},
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
