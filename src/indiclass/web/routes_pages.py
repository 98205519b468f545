"""The console's pages (GET): Batches, Batch, Indicator, Review queue, Submit, and the key form.
Handlers are thin: the data comes from ``views``, the HTML from the templates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from indiclass.engine.ids import check_id
from indiclass.storage.overrides import OVERRIDABLE
from indiclass.web import views
from indiclass.web.auth import require_key
from indiclass.web.context import store
from indiclass.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_key)])
open_router = APIRouter(include_in_schema=False)
PROVIDERS = ("rules", "function", "local", "openai", "anthropic")
STRATEGIES = ("rules", "hybrid", "llm")
MAX_PAGE = 10**7
SORTS = ("overall_confidence", "indicator_id", "name", "family", "indicator_type", "updated_at")


def text(description: str = "") -> Any:
    return Query(None, max_length=200, description=description)


def checked_id(value: str, what: str) -> str:
    """An id from the query string (control characters refused, as in the API)."""
    return check_id(value, what)


@router.get("/", response_class=HTMLResponse)
def batches(
    request: Request,
    status: str | None = text(),
    provider: str | None = text(),
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
) -> Response:
    filters: dict[str, Any] = {"status": status or None, "provider": provider or None}
    data = views.batches_page(store(request), **filters, page=page_no)
    return page(
        request,
        "batches.html",
        **data,
        **filters,
        statuses=views.STATUSES,
        providers=PROVIDERS,
        title="Batches",
    )


@router.get("/ui/batch", response_class=HTMLResponse)
def batch(
    request: Request,
    trace_id: str = Query(..., alias="id", max_length=200),
    member_status: str | None = Query(None, alias="status", max_length=20),
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
) -> Response:
    trace_id = checked_id(trace_id, "trace_id")
    stats = store(request).batch_stats(trace_id)
    if stats is None:
        return not_found(request, f"no batch {trace_id!r}")
    wanted = member_status if member_status in views.MEMBER_STATUSES else None
    data = views.batch_page(store(request), stats, member_status=wanted, page=page_no)
    return page(request, "batch.html", **data, title=f"Batch {trace_id}")


@router.get("/ui/indicator", response_class=HTMLResponse)
def indicator(
    request: Request, indicator_id: str = Query(..., alias="id", max_length=200)
) -> Response:
    indicator_id = checked_id(indicator_id, "indicator_id")
    data = views.indicator_page(store(request), indicator_id)
    if data is None:
        return not_found(request, f"no indicator {indicator_id!r}")
    return page(request, "indicator.html", **data, fields=OVERRIDABLE, title=indicator_id)


@router.get("/ui/review", response_class=HTMLResponse)
def review(
    request: Request,
    why: str = Query("any", max_length=20),
    below: float = Query(0.8, ge=0, le=1),
    trace_id: str | None = Query(None, alias="batch", max_length=200),
    sort: str = Query("overall_confidence", max_length=40),
    descending: bool = Query(False, alias="desc"),
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
) -> Response:
    why = why if why in views.REVIEW_WHY else "any"
    sort = sort if sort in SORTS else "overall_confidence"
    trace = checked_id(trace_id, "batch") if trace_id else None
    data = views.review_page(
        store(request),
        why=why,
        below=below,
        trace_id=trace,
        sort=sort,
        descending=descending,
        page=page_no,
    )
    return page(
        request,
        "review.html",
        **data,
        why=why,
        below=below,
        batch=trace,
        sort=sort,
        desc=descending,
        reasons=views.REVIEW_WHY,
        sorts=SORTS,
        title="Review queue",
    )


@router.get("/ui/submit", response_class=HTMLResponse)
def submit_form(request: Request) -> Response:
    return page(
        request,
        "submit.html",
        providers=PROVIDERS,
        strategies=STRATEGIES,
        default_provider=request.app.state.services.settings.llm_provider,
        title="Submit",
    )


@open_router.get("/ui/login", response_class=HTMLResponse)
def login_form(
    request: Request, next_url: str = Query("/", alias="next", max_length=2000)
) -> Response:
    return page(request, "login.html", next=safe_next(next_url), title="API key")


def not_found(request: Request, text: str) -> Response:
    return page(request, "error.html", status_code=404, message=text, title="Not found")


def safe_next(url: str) -> str:
    """A local path to go back to after a form (never another site)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/"
