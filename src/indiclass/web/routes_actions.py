"""The console's state-changing forms (POST, each with its CSRF token): the key, retry failed,
cancel, overrides (correct, accept, restore) and submitting a file. Each answers with a redirect
to the page to look at next (303), or the page again with the error (4xx)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from indiclass.domain.enums import Strategy
from indiclass.domain.errors import IndiclassError, InputError
from indiclass.web import routes_pages as pages
from indiclass.web.auth import gate, keys_match, login, logout, require_key, set_cookie
from indiclass.web.context import message, services, store
from indiclass.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_key)])
open_router = APIRouter(include_in_schema=False)
WHO_COOKIE = "ic_who"


def go(url: str) -> RedirectResponse:
    return RedirectResponse(pages.safe_next(url), status_code=303)


def refused(request: Request, text: str, status: int = 422) -> Response:
    return page(request, "error.html", status_code=status, message=text, title="Not done")


@open_router.post("/ui/login")
def submit_key(
    request: Request,
    key: str = Form("", max_length=1000),
    csrf: str = Form(""),
    next_url: str = Form("/", alias="next", max_length=2000),
) -> Response:
    g = gate(request)
    g.check_csrf(request, csrf)
    if not g.api_key or keys_match(key, g.api_key):
        response = go(next_url)
        if g.api_key:
            login(response, g)
        return response
    return page(
        request, "login.html", status_code=401, next=pages.safe_next(next_url), error="wrong key"
    )


@router.post("/ui/logout")
def drop_key(request: Request, csrf: str = Form("")) -> Response:
    gate(request).check_csrf(request, csrf)
    response = go("/ui/login")
    logout(response)
    return response


@router.post("/ui/batch/retry")
def retry_failed(
    request: Request, trace_id: str = Form(..., alias="id"), csrf: str = Form("")
) -> Response:
    gate(request).check_csrf(request, csrf)
    trace_id = pages.checked_id(trace_id, "trace_id")
    services(request).engine.retry_failed(trace_id)
    return go(f"/ui/batch?id={_q(trace_id)}")


@router.post("/ui/batch/cancel")
def cancel(
    request: Request, trace_id: str = Form(..., alias="id"), csrf: str = Form("")
) -> Response:
    gate(request).check_csrf(request, csrf)
    trace_id = pages.checked_id(trace_id, "trace_id")
    if store(request).batch_stats(trace_id) is None:
        return pages.not_found(request, f"no batch {trace_id!r}")
    services(request).engine.cancel(trace_id, "cancelled from the console")
    return go(f"/ui/batch?id={_q(trace_id)}")


@router.post("/ui/overrides")
def correct(
    request: Request,
    indicator_id: str = Form(..., alias="id", max_length=200),
    field: list[str] = Form([]),
    value: list[str] = Form([]),
    reason: str = Form("", max_length=2000),
    who: str = Form("", max_length=200),
    reviewed: bool = Form(False),
    csrf: str = Form(""),
    next_url: str = Form("", alias="next", max_length=2000),
) -> Response:
    """Correct fields (pairs of ``field``/``value``; blank pairs ignored); ``reviewed`` also
    takes the indicator out of the review queue."""
    gate(request).check_csrf(request, csrf)
    indicator_id = pages.checked_id(indicator_id, "indicator_id")
    values: dict[str, Any] = {f: v for f, v in zip(field, value, strict=False) if f and v != ""}
    if reviewed:
        values["needs_review"] = False
    try:
        store(request).add_overrides(indicator_id, values, reason=reason, who=_who(request, who))
    except InputError as exc:
        return refused(request, str(exc))
    response = go(next_url or f"/ui/indicator?id={_q(indicator_id)}")
    if who:
        set_cookie(response, WHO_COOKIE, who[:200], max_age=365 * 24 * 3600)
    return response


@router.post("/ui/review/accept")
def accept(
    request: Request,
    indicator_id: str = Form(..., alias="id", max_length=200),
    who: str = Form("", max_length=200),
    csrf: str = Form(""),
    next_url: str = Form("/ui/review", alias="next", max_length=2000),
) -> Response:
    """The pipeline's answer is right: an override ``needs_review=false`` records who said so."""
    gate(request).check_csrf(request, csrf)
    indicator_id = pages.checked_id(indicator_id, "indicator_id")
    try:
        store(request).add_overrides(
            indicator_id,
            {"needs_review": False},
            reason="accepted in review",
            who=_who(request, who),
        )
    except InputError as exc:
        return refused(request, str(exc))
    return go(next_url)


@router.post("/ui/overrides/delete")
def restore(
    request: Request,
    indicator_id: str = Form(..., alias="id", max_length=200),
    field: str = Form(..., max_length=64),
    csrf: str = Form(""),
) -> Response:
    """Remove an override: the pipeline's answer is effective again."""
    gate(request).check_csrf(request, csrf)
    indicator_id = pages.checked_id(indicator_id, "indicator_id")
    store(request).remove_overrides(indicator_id, [field], who=_who(request, ""))
    return go(f"/ui/indicator?id={_q(indicator_id)}")


@router.post("/ui/submit")
def submit_file(
    request: Request,
    upload: UploadFile = File(...),
    provider: str = Form("rules", max_length=100),
    strategy: str = Form("", max_length=20),
    model: str = Form("", max_length=200),
    trace_id: str = Form("", max_length=200),
    force: bool = Form(False),
    csrf: str = Form(""),
) -> Response:
    """A file in the CLI's formats (``indiclass.loaders``) becomes a durable batch."""
    gate(request).check_csrf(request, csrf)
    try:
        indicators = _load(upload)
        trace = _submit(request, indicators, provider, strategy, model, trace_id, force)
    except IndiclassError as exc:
        return refused(request, message(exc))
    except Exception as exc:  # the API's own errors (unknown provider, no worker) carry a message
        if not hasattr(exc, "message"):
            raise
        return refused(request, message(exc))
    return go(f"/ui/batch?id={_q(trace)}")


def _load(upload: UploadFile) -> list[Any]:
    from indiclass.loaders import FORMATS, load_indicators

    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{upload.filename!r}: use one of {', '.join(FORMATS)}", field="file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(upload.file.read())
        return load_indicators(path)


def _submit(
    request: Request,
    indicators: list[Any],
    provider: str,
    strategy: str,
    model: str,
    trace_id: str,
    force: bool,
) -> str:
    svc = services(request)
    limit = svc.settings.max_batch_size
    if len(indicators) > limit:
        raise InputError(f"too many indicators: {len(indicators)} > limit {limit}")
    if strategy and strategy not in pages.STRATEGIES:
        raise InputError(f"strategy must be one of {', '.join(pages.STRATEGIES)}", field="strategy")
    body = SimpleNamespace(
        llm_provider=provider or None,
        model=model or None,
        strategy=Strategy(strategy) if strategy else None,
    )
    config = svc.run_config(body)
    trace = pages.checked_id(trace_id, "trace_id") if trace_id else None
    found: str = svc.engine.submit(
        indicators, config=config, trace_id=trace, force=force, dispatch="shared"
    )
    return found


def _who(request: Request, given: str) -> str:
    return (given or request.cookies.get(WHO_COOKIE) or "console").strip()[:200] or "console"


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
