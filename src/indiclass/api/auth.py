"""``x-api-key`` enforcement: when ``API_KEY`` is set, every data route needs it (not /health).

Declared as an OpenAPI security scheme, so the /docs page offers an "Authorize" button. The
key is compared in constant time: both sides are hashed to SHA-256 first, so the comparison
(``hmac.compare_digest``) runs over equal lengths and shows neither where the first difference
is nor how long the key is.
"""

from __future__ import annotations

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from indiclass.api.errors import ApiError
from indiclass.web.auth import keys_match

__all__ = ["API_KEY_HEADER", "keys_match", "require_api_key"]

API_KEY_HEADER = APIKeyHeader(
    name="x-api-key", auto_error=False, description="Required when the server has API_KEY set."
)


def require_api_key(request: Request, given: str | None = Security(API_KEY_HEADER)) -> None:
    """FastAPI dependency: the ``x-api-key`` header must be the server's key (when it has one)."""
    expected: str | None = request.app.state.api_key
    if not expected:
        return
    if not keys_match(given, expected):
        raise ApiError(401, "missing or invalid x-api-key header", code="unauthorized")
