"""``x-api-key`` enforcement: when ``API_KEY`` is set, every route but /health needs it."""

from __future__ import annotations

import hmac

from fastapi import Request

from indiclass.api.errors import ApiError


def require_api_key(request: Request) -> None:
    """FastAPI dependency: constant-time comparison of the ``x-api-key`` header."""
    expected: str | None = request.app.state.api_key
    if not expected:
        return
    given = request.headers.get("x-api-key", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "missing or invalid x-api-key header", code="unauthorized")
