"""Composition root of the engine: settings → results store → providers → DBOS engine.

engine = build_engine(Settings())          # started; engine.shutdown() when done
with open_engine(Settings()) as engine: ...
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indiclass.domain.errors import ConfigError
from indiclass.domain.run import RunConfig
from indiclass.domain.store import ResultStore
from indiclass.engine import Engine, EngineOptions, ProviderFactory
from indiclass.pipeline import OFFLINE, ProviderSet
from indiclass.settings import Settings
from indiclass.stages import DEFAULT_STAGES, StageSet


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
        "chunk_size": settings.chunk_size,
        "emit_batch": settings.internal_emit_batch,
        "emit_delay_ms": settings.internal_emit_delay_ms,
        "startup_warm_ms": settings.startup_warm_ms,
        "default_provider": settings.llm_provider,
        "listen": listen,
    }
    values.update(overrides)
    return EngineOptions(**values)


def provider_factory(settings: Settings) -> ProviderFactory:
    """Builds a batch's providers from its run configuration, with this process's keys."""

    def build(config: RunConfig) -> ProviderSet:
        try:
            from indiclass.bootstrap.providers import build_provider_set
        except ImportError:  # providers not installed: only the offline rules are available
            if config.provider.name != "rules" or config.stages:
                raise
            return ProviderSet(OFFLINE)
        return build_provider_set(settings, config)

    return build


def call_cost_estimator(settings: Settings) -> Any:
    """The most one request can cost before it is sent: its prompt (chars/4) plus its
    ``max_output_tokens``, at the model's price (None when the model has no price)."""
    from indiclass.domain.usage import Usage
    from indiclass.providers._wire import estimate_request_tokens
    from indiclass.providers.pricing import PriceTable

    prices = PriceTable.load(settings.llm_prices_file)

    def estimate(request: Any, provider: Any) -> float | None:
        prompt = estimate_request_tokens(request) - request.max_output_tokens
        usage = Usage(requests=1, input_tokens=prompt, output_tokens=request.max_output_tokens)
        return prices.cost(provider.model, usage)

    return estimate


def config_resolver(settings: Settings, stages: StageSet = DEFAULT_STAGES) -> Any:
    """(provider, model, strategy, **options) → the RunConfig this process would submit."""

    def resolve(
        provider: str | None, model: str | None = None, strategy: str | None = None, **kw: Any
    ) -> RunConfig:
        from indiclass.bootstrap.providers import run_config

        return run_config(settings, provider, model, strategy, stages=stages, **kw)

    return resolve


def serveable_providers(settings: Settings) -> tuple[str, ...]:
    """Providers this process has what it needs for (their keys): the shared queues it serves."""
    from indiclass.providers import registry

    out = []
    for name in registry.names():
        try:
            spec = registry.resolve(settings, name)
        except ConfigError:
            continue
        if registry.serveable(settings, spec) is None:
            out.append(name)
    return tuple(out)


def build_engine(
    settings: Settings | None = None,
    *,
    store: ResultStore | None = None,
    worker_id: str | None = None,
    listen: bool = True,
    factory: ProviderFactory | None = None,
    stages: StageSet = DEFAULT_STAGES,
    start: bool = True,
    **overrides: Any,
) -> Engine:
    """The engine for ``settings``, started unless ``start=False``. A store opened here is
    closed by ``engine.shutdown()``."""
    from indiclass.storage import open_store

    settings = settings or Settings()
    owned = store is None
    store = store or open_store(results_database(settings), stages=stages)
    engine = Engine(
        store,
        factory or provider_factory(settings),
        config_resolver(settings, stages),
        engine_options(settings, worker_id=worker_id, listen=listen, **overrides),
        stages=stages,
        owns_store=owned,
        estimator=call_cost_estimator(settings),
        examples=override_examples(settings, store),
    )
    return engine.start() if start else engine


class _Refreshing:
    """Few-shot examples from the store's overrides, re-read at most every ``ttl_s``."""

    def __init__(self, store: Any, k: int, ttl_s: float = 60.0) -> None:
        self.store, self.k, self.ttl_s = store, k, ttl_s
        self._loaded: Any = None
        self._at = -1e9
        self._lock = threading.Lock()

    def for_stage(self, indicator: Any, stage_key: str) -> str | None:
        found: str | None = self._current().for_stage(indicator, stage_key)
        return found

    def _current(self) -> Any:
        with self._lock:
            if time.monotonic() - self._at > self.ttl_s:
                self._loaded, self._at = load_examples(self.store, self.k), time.monotonic()
            return self._loaded


def load_examples(store: Any, k: int) -> Any:
    """The active overrides as few-shot examples (``stages.fewshot.Examples``)."""
    from indiclass.stages.fewshot import Examples

    records = list(store.iter_overrides())
    ids = sorted({r["indicator_id"] for r in records})
    found = store.list_source_indicators(ids=ids) if ids else []
    return Examples.from_overrides(records, {i.indicator_id: i for i in found}, k)


def override_examples(settings: Settings, store: Any) -> Any:
    """``INDICLASS_FEWSHOT_EXAMPLES`` > 0: examples from people's overrides, else None."""
    if settings.fewshot_examples <= 0 or not hasattr(store, "iter_overrides"):
        return None
    return _Refreshing(store, settings.fewshot_examples)


@contextmanager
def open_engine(settings: Settings | None = None, **kwargs: Any) -> Iterator[Engine]:
    engine = build_engine(settings, **kwargs)
    try:
        yield engine
    finally:
        engine.shutdown()
