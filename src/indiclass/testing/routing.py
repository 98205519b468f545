"""Routing for the fake server: (method, path pattern) to an async handler of a whole request,
returning a whole response. No framework: a fake must cost little CPU per request."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    """The named groups of the route's pattern (``batch_id`` ...)."""

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (``{}`` when empty); :class:`HTTPError` 400 if it is not."""
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except ValueError:
            raise HTTPError(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "the body must be a JSON object")
        return data

    @property
    def base_url(self) -> str:
        return f"http://{self.headers.get('host', '127.0.0.1')}"


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), dict(headers or {}))


class HTTPError(Exception):
    """Raised by a handler: answered as ``{"error": {"message", "type"}}`` with ``status``."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


Handler = Callable[[Request], Awaitable[Response]]
Route = tuple[str, str, Handler]
"""(method, path regex matched in full, handler)."""


class Router:
    """The first route whose pattern matches the path (trailing slash ignored) and whose method
    is the request's wins; a matching path with another method is a 405, no match a 404."""

    def __init__(
        self, routes: Sequence[Route], on_error: Callable[[Request, HTTPError], Response]
    ) -> None:
        self.routes = [
            (method, re.compile(pattern), handler) for method, pattern, handler in routes
        ]
        self.on_error = on_error

    async def dispatch(self, request: Request) -> Response:
        try:
            return await self._route(request)
        except HTTPError as exc:
            return self.on_error(request, exc)

    async def _route(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        allowed = False
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed = True
            if method == request.method:
                request.params = match.groupdict()
                return await handler(request)
        if allowed:
            raise HTTPError(405, f"{request.method} is not allowed on {request.path}")
        raise HTTPError(404, f"no route {request.path}", "not_found_error")
