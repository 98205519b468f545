"""Classifications: filtered listing, one indicator with every stage and LLM call, and the
people's corrections of it (``/classifications/{id}/overrides``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from indiclass.api.errors import ApiError
from indiclass.api.schemas import MAX_OFFSET, PRINTABLE, OverrideRequest, path_id
from indiclass.domain.store import ResultStore

router = APIRouter(tags=["classifications"])


def _text(description: str) -> Any:
    return Query(None, description=description, max_length=200, pattern=PRINTABLE)


def _store(request: Request) -> ResultStore:
    store: ResultStore = request.app.state.services.store
    return store


@router.get("/classifications")
def list_classifications(
    request: Request,
    family: str | None = _text("e.g. change-movement"),
    type: str | None = _text("indicator_type, e.g. rate"),
    review_status: str | None = _text("passed | corrected | failed"),
    provider: str | None = _text("rules | openai | anthropic | local"),
    batch: str | None = _text("trace_id of a batch"),
    needs_review: bool | None = Query(None, description="only those marked needs_review"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """Classifications (the effective values: people's overrides win) with filters, in the
    ``classifications`` column names."""
    store = _store(request)
    filters: dict[str, Any] = {
        "family": family,
        "indicator_type": type,
        "review_status": review_status,
        "provider": provider,
        "trace_id": batch,
        "needs_review": needs_review,
    }
    rows = store.query_classifications(**filters, limit=limit, offset=offset)
    total = store.count_classifications(**{k: v for k, v in filters.items() if v is not None})
    return {
        "classifications": rows,
        "count": len(rows),
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/classifications/{indicator_id:path}/overrides")
def list_overrides(
    indicator_id: str,
    request: Request,
    history: bool = Query(False, description="include overrides removed or superseded"),
) -> dict[str, Any]:
    """The indicator's overrides (active ones; with ``history``, every record)."""
    indicator_id = path_id(indicator_id, "indicator_id")
    found = _store(request).list_overrides(indicator_id, include_deleted=history, limit=1000)
    return {"indicator_id": indicator_id, "overrides": found}


@router.post("/classifications/{indicator_id:path}/overrides", status_code=201)
async def add_overrides(indicator_id: str, body: OverrideRequest, request: Request) -> Any:
    """Correct fields of a classification. Each value is checked against the taxonomy (the
    type must belong to the family); it wins over the pipeline's answer until removed, across
    re-runs and ``--force``. 404 when the indicator has no classification."""
    indicator_id = path_id(indicator_id, "indicator_id")
    store = _store(request)
    view = await run_in_threadpool(_correct, store, indicator_id, body)
    return JSONResponse(view, status_code=201)


def _correct(store: ResultStore, indicator_id: str, body: OverrideRequest) -> dict[str, Any]:
    _classified(store, indicator_id)
    active = store.add_overrides(indicator_id, body.fields, reason=body.reason, who=body.who)
    return {
        "indicator_id": indicator_id,
        "overrides": active,
        "classification": store.get_classification(indicator_id),
    }


@router.delete("/classifications/{indicator_id:path}/overrides")
def remove_overrides(
    indicator_id: str,
    request: Request,
    field: list[str] | None = Query(None, description="fields to restore (default: all)"),
    who: str = Query("api", max_length=200, pattern=PRINTABLE),
) -> dict[str, Any]:
    """Remove overrides (of ``field``, or all): the pipeline's answer is effective again."""
    indicator_id = path_id(indicator_id, "indicator_id")
    store = _store(request)
    _classified(store, indicator_id)
    removed = store.remove_overrides(indicator_id, field, who=who)
    return {
        "indicator_id": indicator_id,
        "removed": removed,
        "classification": store.get_classification(indicator_id),
    }


@router.get("/classifications/{indicator_id:path}")
def get_classification(indicator_id: str, request: Request) -> dict[str, Any]:
    """One indicator: its classification, every stage's result, the LLM calls behind it and
    the overrides in force."""
    indicator_id = path_id(indicator_id, "indicator_id")
    store = _store(request)
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
        "overrides": store.list_overrides(indicator_id, limit=1000),
    }


def _classified(store: ResultStore, indicator_id: str) -> None:
    if store.get_classification(indicator_id) is None:
        raise ApiError(
            404, f"no classification for {indicator_id!r}", code="classification_not_found"
        )
