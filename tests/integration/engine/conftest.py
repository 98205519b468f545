"""Engine fixtures: the same tests on SQLite (embedded) and on PostgreSQL (127.0.0.1:5432).

``db_env`` holds the environment that points Settings (in this process or a subprocess) at a
fresh results database and a fresh DBOS system database. PostgreSQL cases skip with the reason
when the server is unreachable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import pg_create, pg_drop, pg_reason

from indiclass.bootstrap import build_engine
from indiclass.engine import Engine
from indiclass.settings import Settings

FAST = {"stage_retry_interval_s": 0.01, "poll_interval_s": 0.02}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and (reason := pg_reason()):
        pytest.skip(reason)
    return str(request.param)


def _env(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    if backend == "sqlite":
        yield {
            "CLASSIFY_DB_LOCAL_DEV": str(tmp_path / "data" / "results.db"),
            "INTERNAL_EMIT_DELAY_MS": "0",
            "LLM_CACHE": "false",
        }
        return
    results, system = pg_create("results"), pg_create("dbos")
    try:
        yield {
            "DATABASE_URL": results,
            "INDICLASS_SYSTEM_DATABASE_URL": system,
            "INTERNAL_EMIT_DELAY_MS": "0",
            "LLM_CACHE": "false",
        }
    finally:
        pg_drop(results)
        pg_drop(system)


@pytest.fixture
def db_env(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _env(backend, tmp_path)


@pytest.fixture
def pg_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    if reason := pg_reason():
        pytest.skip(reason)
    yield from _env("postgres", tmp_path)


@pytest.fixture
def start_engine(
    db_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Engine]]:
    """Starts an engine on ``db_env`` (one at a time: DBOS is per process); stops it after."""
    engines: list[Engine] = []

    def start(**overrides: Any) -> Engine:
        for key, value in db_env.items():
            monkeypatch.setenv(key, value)
        for engine in engines:
            engine.shutdown()
        engine = build_engine(Settings(), **{**FAST, **overrides})
        engines.append(engine)
        return engine

    yield start
    for engine in engines:
        engine.shutdown()
