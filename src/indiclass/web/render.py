"""Jinja2 pages: one environment per app (autoescaped, templates from the package), and
``page()``, which adds what every page needs (nav, CSRF token) and sets the CSRF cookie."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from indiclass.web.auth import CSRF_COOKIE, browser_id, gate, set_cookie

NAV = (("/", "Batches"), ("/ui/review", "Review queue"), ("/ui/submit", "Submit"))
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""Content-Security-Policy of every console page: the browser itself refuses anything not
served by this server (and inline scripts)."""


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("indiclass.web", "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda v: quote(str(v), safe="")
    env.filters["money"] = _money
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}"
    env.filters["pct"] = lambda v: "" if v is None else f"{100 * float(v):.0f}%"
    env.globals["urlencode"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v})
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A whole page, with the nav, the key state and this browser's CSRF token."""
    browser, new = browser_id(request)
    g = gate(request)
    html = render(
        name,
        nav=NAV,
        path=request.url.path,
        csrf=g.csrf_token(browser),
        locked=bool(g.api_key),
        **context,
    )
    response = HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Security-Policy": POLICY, "Referrer-Policy": "same-origin"},
    )
    if new:
        set_cookie(response, CSRF_COOKIE, browser)
    return response


def _money(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"${value:,.4f}" if value < 10 else f"${value:,.2f}"
