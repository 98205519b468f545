"""``/docs`` (Swagger UI) and ``/redoc`` with every asset served by this server, so they work
offline: the files come from the ``fastapi-standalone-docs`` package (Swagger UI, ReDoc and
their licences), mounted at :data:`ASSETS`; no CDN, no Google Fonts, no validator badge."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/_docs"
TITLE = "indiclass API"


def assets_dir() -> Path:
    """The package's static folder (``swagger/``, ``redoc/``, ``fastapi/`` with licences)."""
    spec = find_spec("fastapi_standalone_docs")
    assert spec is not None and spec.submodule_search_locations, "fastapi-standalone-docs"
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install_docs(app: FastAPI) -> None:
    """Mount the assets and add ``/docs`` and ``/redoc`` (the app is built with both off)."""
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
    openapi = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi,
            title=TITLE,
            swagger_js_url=f"{ASSETS}/swagger/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/fastapi/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi,
            title=TITLE,
            redoc_js_url=f"{ASSETS}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/fastapi/favicon.png",
            with_google_fonts=False,
        )
