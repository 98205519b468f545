"""What the runner commands open: settings, the results store, the embedded engine; errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console

from indiclass.domain.errors import IndiclassError
from indiclass.domain.store import ResultStore
from indiclass.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def load_settings() -> Settings:
    return Settings()


@contextmanager
def store_session(settings: Settings) -> Iterator[ResultStore]:
    """The results store alone (no workflows run): for seed, query, stats, export ..."""
    from indiclass.bootstrap import build_engine

    engine = build_engine(settings, start=False)
    try:
        yield engine.store
    finally:
        engine.shutdown()


@contextmanager
def engine_session(settings: Settings) -> Iterator[Any]:
    """The embedded engine, started in this process, stopped on exit."""
    from indiclass.bootstrap import open_engine

    with open_engine(settings) as engine:
        yield engine


def database_label(settings: Settings) -> str:
    if settings.is_postgres:
        return "PostgreSQL (DATABASE_URL)"
    return settings.classify_db_local_dev


def friendly_errors(fn: F) -> F:
    """Our errors become one red line and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IndiclassError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
