"""Request and response bodies of the HTTP API (the seed's batch body and our read models)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from indiclass.api.errors import ApiError
from indiclass.domain.enums import Strategy
from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.engine.ids import check_id

PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
TraceId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]
"""Any printable text (``/`` included: routes take it as a path); no control characters."""
MAX_OFFSET = 10**12
"""Largest ``offset`` a listing accepts (beyond it: 422, never a database overflow)."""


def path_id(value: str, what: str = "id") -> str:
    """An id taken from a path: 422 ``invalid_id`` for control characters (PostgreSQL refuses
    NUL in text), blanks or over-long ids, before any database sees it."""
    try:
        return check_id(value, what)
    except InputError as exc:
        raise ApiError(422, str(exc), code="invalid_id", details={"field": what}) from None


class BatchRequest(BaseModel):
    """``POST /classify/batch``: the seed's body ``{indicators, llm_provider}`` plus options."""

    model_config = ConfigDict(extra="forbid")

    indicators: list[dict[str, Any]] = Field(
        ..., description="Indicator objects: indicator_id (or id), name, units, periodicity, ..."
    )
    llm_provider: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        None,
        description="rules | openai | anthropic | local | a plugin's name (default: LLM_PROVIDER)",
    )
    strategy: Strategy | None = Field(None, description="llm | hybrid | rules")
    model: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    trace_id: TraceId | None = Field(None, description="Idempotency key; generated when absent.")
    force: bool = Field(False, description="Re-classify indicators already classified.")
    mode: Literal["sync", "provider-batch"] = Field(
        "sync", description="sync, or provider-batch (the providers' batch APIs, half price)"
    )
    max_cost_usd: float | None = Field(
        None, ge=0, le=1e9, description="Budget: the batch pauses before a call would exceed it."
    )
    min_confidence: float | None = Field(
        None, ge=0, le=1, description="hybrid: ask the LLM below this confidence."
    )
    callback_url: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = Field(
        None, description="POSTed (signed) once when the batch closes (INDICLASS_WEBHOOK_SECRET)."
    )


class ErrorDetail(BaseModel):
    code: str = Field(..., examples=["duplicate_indicator_ids"])
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """The one error shape of every route: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "Missing or wrong x-api-key (when API_KEY is set)"),
        (404, "Not found"),
        (409, "The trace_id exists with a different body"),
        (413, "Request body larger than the limit (INDICLASS_MAX_BODY_BYTES)"),
        (422, "Invalid request"),
        (500, "Server error"),
    )
}


class BatchAccepted(BaseModel):
    message: str
    count: int
    trace_id: str


def body_hash(body: dict[str, Any]) -> str:
    """A stable hash of a batch request: re-posting the same body is recognised (202, the
    original answer) and a different body under the same trace_id is refused (409)."""
    import hashlib
    import json

    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def validate_indicators(raw: list[dict[str, Any]], max_size: int) -> list[Indicator]:
    """Every indicator parsed, or one 422 listing every bad row, oversize or duplicate ids."""
    if not raw:
        raise ApiError(422, "indicators must not be empty", details=[])
    if len(raw) > max_size:
        raise ApiError(
            422,
            f"too many indicators: {len(raw)} > limit {max_size}",
            code="batch_too_large",
            details={"count": len(raw), "limit": max_size},
        )
    parsed, problems = [], []
    for n, row in enumerate(raw):
        try:
            parsed.append(parse_indicator(row))
        except InputError as exc:
            problems.append({"index": n, "field": exc.field, "message": exc.detail})
    if problems:
        raise ApiError(
            422,
            f"{len(problems)} invalid indicator(s)",
            code="invalid_indicators",
            details=problems,
        )
    _reject_duplicates(parsed)
    return parsed


def _reject_duplicates(indicators: list[Indicator]) -> None:
    counts = Counter(i.indicator_id for i in indicators)
    dupes = sorted(k for k, n in counts.items() if n > 1)
    if dupes:
        raise ApiError(
            422,
            f"duplicate indicator_id(s): {', '.join(dupes[:20])}",
            code="duplicate_indicator_ids",
            details={"indicator_ids": dupes},
        )


class OverrideRequest(BaseModel):
    """``POST /classifications/{id}/overrides``: corrections of one indicator, made together
    (so a family and a type that belongs to it can change at once)."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[Annotated[str, StringConstraints(max_length=64)], Any] = Field(
        ...,
        description='field → corrected value, e.g. {"family": "price-value", '
        '"indicator_type": "price"}; needs_review=false marks it reviewed',
        min_length=1,
        max_length=16,
    )
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""
    who: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)] = "api"
