"""``x-api-key`` enforcement: when ``API_KEY`` is set, every data route needs it (not /health).

Declared as an OpenAPI security scheme, so the /docs page offers an "Authorize" button.
"""

from __future__ import annotations

import hmac

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from indiclass.api.errors import ApiError

API_KEY_HEADER = APIKeyHeader(
    name="x-api-key", auto_error=False, description="Required when the server has API_KEY set."
)


def require_api_key(request: Request, given: str | None = Security(API_KEY_HEADER)) -> None:
    """FastAPI dependency: constant-time comparison of the ``x-api-key`` header."""
    expected: str | None = request.app.state.api_key
    if not expected:
        return
    if not hmac.compare_digest((given or "").encode(), expected.encode()):
        raise ApiError(401, "missing or invalid x-api-key header", code="unauthorized")
