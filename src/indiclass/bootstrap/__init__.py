"""Composition root: the only place that knows the concrete providers, stores and engine."""

from indiclass.bootstrap.engine import (
    build_engine,
    config_resolver,
    engine_options,
    open_engine,
    provider_factory,
    results_database,
    serveable_providers,
    system_database_url,
)

__all__ = [
    "build_engine",
    "config_resolver",
    "engine_options",
    "open_engine",
    "provider_factory",
    "results_database",
    "serveable_providers",
    "system_database_url",
]
