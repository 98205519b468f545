"""Composition root of the engine: settings → results store → providers → DBOS engine.

engine = build_engine(Settings())          # started; engine.shutdown() when done
with open_engine(Settings()) as engine: ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indiclass.domain.ports import CallRecord
from indiclass.domain.store import ResultStore
from indiclass.engine import Engine, EngineOptions, ProviderFactory
from indiclass.pipeline import OFFLINE, ProviderSet
from indiclass.settings import Settings


def system_database_url(settings: Settings) -> str:
    """INDICLASS_SYSTEM_DATABASE_URL, else the PostgreSQL results database (DBOS keeps its tables
    in its own ``dbos`` schema), else a SQLite file beside the results file."""
    if settings.system_database_url:
        return settings.system_database_url
    if settings.is_postgres and settings.database_url:
        return settings.database_url
    results = Path(settings.classify_db_local_dev)
    return f"sqlite:///{results.with_name(results.stem + '-dbos.sqlite')}"


def results_database(settings: Settings) -> str:
    return (
        settings.database_url
        if settings.is_postgres and settings.database_url
        else settings.classify_db_local_dev
    )


def engine_options(
    settings: Settings, *, worker_id: str | None = None, listen: bool = True, **overrides: Any
) -> EngineOptions:
    values: dict[str, Any] = {
        "system_database_url": system_database_url(settings),
        "executor_id": worker_id or settings.worker_id or "local",
        "concurrency": settings.concurrency,
        "emit_batch": settings.internal_emit_batch,
        "emit_delay_ms": settings.internal_emit_delay_ms,
        "startup_warm_ms": settings.startup_warm_ms,
        "default_provider": settings.llm_provider.value,
        "strategy": settings.strategy.value if settings.strategy else None,
        "hybrid_threshold": settings.hybrid_threshold,
        "listen": listen,
    }
    values.update(overrides)
    return EngineOptions(**values)


def provider_factory(settings: Settings, store: ResultStore) -> ProviderFactory:
    """Builds a batch's providers by name; every LLM exchange is logged to ``llm_calls``."""

    def sink(call: CallRecord) -> None:
        store.record_llm_call(call)

    def build(provider: str, model: str | None) -> ProviderSet:
        try:
            from indiclass.bootstrap.providers import build_provider_set
        except ImportError:  # providers not installed: only the offline rules are available
            if provider != "rules":
                raise
            return ProviderSet(OFFLINE)
        return build_provider_set(settings, provider, model, sink=sink)

    return build


def build_engine(
    settings: Settings | None = None,
    *,
    store: ResultStore | None = None,
    worker_id: str | None = None,
    listen: bool = True,
    factory: ProviderFactory | None = None,
    start: bool = True,
    **overrides: Any,
) -> Engine:
    """The engine for ``settings``, started unless ``start=False``. A store opened here is
    closed by ``engine.shutdown()``."""
    from indiclass.storage import open_store

    settings = settings or Settings()
    owned = store is None
    store = store or open_store(results_database(settings))
    engine = Engine(
        store,
        factory or provider_factory(settings, store),
        engine_options(settings, worker_id=worker_id, listen=listen, **overrides),
        owns_store=owned,
    )
    return engine.start() if start else engine


@contextmanager
def open_engine(settings: Settings | None = None, **kwargs: Any) -> Iterator[Engine]:
    engine = build_engine(settings, **kwargs)
    try:
        yield engine
    finally:
        engine.shutdown()
