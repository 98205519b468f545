"""The FastAPI application factory: ``create_app(settings, engine=None)``.

Nothing is built at import time. Given an engine, the app uses it as is (the caller owns its
lifecycle). Without one, the app builds the embedded engine from ``settings`` through
``indiclass.bootstrap`` when it starts and shuts it down when it stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from indiclass.api.auth import require_api_key
from indiclass.api.docs import install_docs
from indiclass.api.errors import install_error_handlers
from indiclass.api.limits import BodyLimit, PrintablePaths
from indiclass.api.routes_batches import router as batches_router
from indiclass.api.routes_ops import health_router, metrics_router
from indiclass.api.routes_results import router as results_router
from indiclass.api.routes_runs import router as runs_router
from indiclass.api.schemas import ERROR_RESPONSES
from indiclass.api.services import EngineLike, Services
from indiclass.domain.errors import ConfigError
from indiclass.settings import Settings
from indiclass.web import install_console

DESCRIPTION = (
    "Classify economic indicators in durable batches. Submit with `POST /classify/batch`, follow "
    "with `GET /batches/{trace_id}` or its server-sent events, read results under "
    "`/classifications`, correct them under `/classifications/{id}/overrides`. When `API_KEY` "
    "is set, every route but `/health` needs `x-api-key`. The console is at `/`."
)


def create_app(
    settings: Settings,
    engine: EngineLike | None = None,
    *,
    embedded_worker: bool = True,
    console: bool = True,
) -> FastAPI:
    """Build the API around ``engine`` (or the engine built from ``settings``; with
    ``embedded_worker=False`` it only submits and reads, ``indiclass worker`` processes run
    the workflows). ``console``: the console at ``/`` (else ``/`` redirects to ``/docs``)."""
    key = settings.api_key.get_secret_value() if settings.api_key is not None else None
    if key is not None and not key.strip():
        raise ConfigError("API_KEY is set but empty: unset it to run without a key, or set one")
    app = FastAPI(
        title="indiclass",
        version=_version(),
        description=DESCRIPTION,
        lifespan=_lifespan(settings, engine, embedded_worker),
        docs_url=None,
        redoc_url=None,
    )
    app.state.api_key = key
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(PrintablePaths)
    if engine is not None:
        _attach(app, settings, engine)
    install_error_handlers(app)
    guarded = [Depends(require_api_key)]
    app.include_router(health_router)
    for router in (batches_router, results_router, runs_router, metrics_router):
        app.include_router(router, dependencies=guarded, responses=ERROR_RESPONSES)
    install_docs(app)
    if console:
        install_console(app, key)
    else:
        app.add_api_route("/", _to_docs, include_in_schema=False)
    return app


def _to_docs() -> RedirectResponse:
    return RedirectResponse("/docs", status_code=307)


def _attach(app: FastAPI, settings: Settings, engine: EngineLike) -> Services:
    services = Services(settings=settings, engine=engine)
    app.state.services = services
    subscribe = getattr(engine, "subscribe", None)
    app.state.unsubscribe = subscribe(services.timings.observe) if subscribe else None
    return services


def _lifespan(settings: Settings, engine: EngineLike | None, worker: bool) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = None
        if engine is None:  # DBOS refuses its sync API on the event loop's thread
            owned = await run_in_threadpool(_build_engine, settings, worker)
            _attach(app, settings, owned)
        from indiclass.engine.retention import start_retention

        stop_retention = start_retention(app.state.services.store)
        try:
            yield
        finally:
            stop_retention()
            _detach(app)
            if owned is not None:
                await run_in_threadpool(owned.shutdown)

    return lifespan


def _detach(app: FastAPI) -> None:
    unsubscribe = getattr(app.state, "unsubscribe", None)
    if callable(unsubscribe):
        unsubscribe()


def _build_engine(settings: Settings, worker: bool) -> Any:
    import os

    from indiclass.bootstrap import build_engine, serveable_providers

    if worker:
        serves = serveable_providers(settings)
        return build_engine(settings, serves=serves, dispatch="shared", kind="serve")
    return build_engine(
        settings,
        worker_id=settings.worker_id or f"api-{os.getpid()}",
        listen=False,
        dispatch="shared",
        kind="api",
    )


def _version() -> str:
    from indiclass import __version__

    return __version__
