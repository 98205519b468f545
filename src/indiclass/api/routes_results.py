"""Classifications: filtered listing and one indicator with every stage and LLM call."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from indiclass.api.errors import ApiError
from indiclass.api.services import Services

router = APIRouter(tags=["classifications"])


@router.get("/classifications")
def list_classifications(
    request: Request,
    family: str | None = Query(None, description="e.g. change-movement"),
    type: str | None = Query(None, description="indicator_type, e.g. rate"),
    review_status: str | None = Query(None, description="passed | corrected | failed"),
    provider: str | None = Query(None, description="rules | openai | anthropic | local"),
    batch: str | None = Query(None, description="trace_id of a batch"),
    needs_review: bool | None = Query(None, description="only those marked needs_review"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**12),
) -> dict[str, Any]:
    """Classifications with filters, in the ``classifications`` column names."""
    services: Services = request.app.state.services
    filters: dict[str, Any] = {
        "family": family,
        "indicator_type": type,
        "review_status": review_status,
        "provider": provider,
        "trace_id": batch,
        "needs_review": needs_review,
    }
    rows = services.store.query_classifications(**filters, limit=limit, offset=offset)
    total = services.store.count_classifications(
        **{k: v for k, v in filters.items() if v is not None}
    )
    return {
        "classifications": rows,
        "count": len(rows),
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/classifications/{indicator_id:path}")
def get_classification(indicator_id: str, request: Request) -> dict[str, Any]:
    """One indicator: its classification, every stage's result and the LLM calls behind it."""
    store = request.app.state.services.store
    row = store.get_classification(indicator_id)
    stages = store.stage_results(indicator_id)
    if row is None and not stages:
        raise ApiError(
            404, f"no classification for {indicator_id!r}", code="classification_not_found"
        )
    return {
        "indicator_id": indicator_id,
        "classification": row,
        "stages": stages,
        "llm_calls": store.llm_calls_for(indicator_id),
    }
