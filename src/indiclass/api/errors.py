"""One JSON error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

Every failure leaves through one of the handlers here: our own :class:`ApiError`, FastAPI's
request validation, Starlette's HTTP errors (404, 405), the project's error tree, and anything
unexpected (500, logged, never a traceback in the body).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from indiclass.domain.errors import (
    ConfigError,
    ConflictError,
    EngineError,
    IndiclassError,
    InputError,
    ProviderUnavailable,
)

log = logging.getLogger("indiclass.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error with an HTTP status, a stable code, a message and optional details."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _STATUS_CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(err.code, err.message, err.details), status_code=err.status, headers=err.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(IndiclassError, _on_domain)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)


async def _on_api_error(_: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc)


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]
    return error_response(ApiError(422, "request body or parameters are invalid", details=details))


async def _on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(ApiError(exc.status_code, message, headers=exc.headers))


async def _on_domain(_: Request, exc: IndiclassError) -> JSONResponse:
    if isinstance(exc, InputError):
        details = {"field": exc.field, "row": exc.row}
        return error_response(ApiError(422, str(exc), code="invalid_input", details=details))
    if isinstance(exc, ConflictError):
        return error_response(ApiError(409, str(exc), code="trace_id_conflict"))
    if isinstance(exc, EngineError):
        return error_response(ApiError(409, str(exc), code="engine_error"))
    if isinstance(exc, ConfigError):
        return error_response(ApiError(400, str(exc), code="config_error"))
    if isinstance(exc, ProviderUnavailable):
        return error_response(ApiError(503, str(exc), code="provider_unavailable"))
    log.error("request failed: %s: %s", type(exc).__name__, exc)
    return error_response(ApiError(503, str(exc), code="unavailable"))


async def _on_unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(ApiError(500, "internal server error"))
