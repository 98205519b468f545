"""Runs side by side: the runs, what changed between two, and how an answer was made.

GET /runs                        runs and API batches (each its own run), newest first
GET /runs/{a}/diff/{b}           indicators whose answers differ (paged), both answers
GET /provenance/{indicator_id}   the current answer's provenance and every past answer
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from indiclass.api.errors import ApiError
from indiclass.domain.errors import InputError

router = APIRouter(tags=["runs"])


@router.get("/runs")
def list_runs(request: Request, limit: int = Query(50, ge=1, le=1000)) -> dict[str, Any]:
    """Runs (``indiclass run ...``) and batches of no run, with how many they classified."""
    from indiclass.history import list_runs as runs

    found = runs(request.app.state.services.store, limit=limit)
    return {"runs": found, "count": len(found)}


@router.get("/runs/{run_a}/diff/{run_b}")
def diff(
    run_a: str,
    run_b: str,
    request: Request,
    limit: int = Query(1000, ge=1, le=10_000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Indicators both runs classified whose fields changed: per field both answers, both
    confidences and the stage that decided it; plus those only one run classified."""
    from indiclass.history import diff_runs

    try:
        found = diff_runs(request.app.state.services.store, run_a, run_b)
    except InputError as exc:
        raise ApiError(404, str(exc), code="run_not_found") from None
    page = found.changed[offset : offset + limit]
    return {
        **found.summary(),
        "indicators": [d.to_dict() for d in page],
        "limit": limit,
        "offset": offset,
    }


@router.get("/provenance/{indicator_id:path}")
def provenance(indicator_id: str, request: Request) -> dict[str, Any]:
    """How the indicator's current answer was made (rules version, prompt and request
    hashes, temperature, strategy, run, batch; per stage too) and its answer in every run."""
    from indiclass.history import provenance as of

    found = of(request.app.state.services.store, indicator_id)
    if found is None:
        raise ApiError(
            404, f"no classification for {indicator_id!r}", code="classification_not_found"
        )
    return found
