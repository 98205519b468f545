"""The console (issue #13): server-rendered pages over the same store, engine and API key as
the API, at ``/``. Jinja2 templates, a little plain JavaScript, SVG drawn on the server; every
asset is served from this package (no network at all).

    install_console(app, api_key)   # what ``indiclass.api.create_app`` does
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from indiclass.web import routes_actions, routes_live, routes_pages
from indiclass.web.auth import BadCsrf, Gate, NeedsKey
from indiclass.web.render import page

__all__ = ["STATIC", "install_console"]

STATIC = "/ui/static"


def install_console(app: FastAPI, api_key: str | None) -> None:
    """Add the console's pages, forms, live streams and assets to ``app``."""
    app.state.console_gate = Gate.for_key(api_key)
    folder = Path(str(files("indiclass.web").joinpath("static")))
    app.mount(STATIC, StaticFiles(directory=folder), name="console-static")
    for module in (routes_pages, routes_actions):
        app.include_router(module.open_router)
    for module in (routes_pages, routes_actions, routes_live):
        app.include_router(module.router)
    app.add_exception_handler(NeedsKey, _key_form)  # type: ignore[arg-type]
    app.add_exception_handler(BadCsrf, _stale_form)  # type: ignore[arg-type]


async def _key_form(request: Request, _: NeedsKey) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return page(
        request, "login.html", status_code=401, next=routes_pages.safe_next(target), title="API key"
    )


async def _stale_form(request: Request, exc: BadCsrf) -> Response:
    return page(request, "error.html", status_code=403, message=str(exc), title="Form refused")
