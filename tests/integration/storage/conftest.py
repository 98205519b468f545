"""Store fixtures: the same tests run on SQLite (tmp file) and on PostgreSQL (127.0.0.1:5432).

PostgreSQL gets one uniquely named database per test session, dropped at the end; tests that need
a blank database get their own. PG tests skip with the reason when the server is not reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_helpers import Simulate, simulate_indicator

from indiclass.storage import SqlStore, open_store

PG_ADMIN_URL = os.environ.get(
    "INDICLASS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def _pg_reason() -> str | None:
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}"
    return None


class PgDatabases:
    """Creates uniquely named databases and drops them all at the end of the session."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def create(self) -> str:
        name = f"indiclass_storage_test_{uuid.uuid4().hex[:12]}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        with _pg_admin() as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    reason = _pg_reason()
    if reason:
        pytest.skip(reason)
    dbs = PgDatabases()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def pg_session_url(pg_databases: PgDatabases) -> str:
    return pg_databases.create()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def blank_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A URL/path of an empty database of the current backend."""
    if backend == "sqlite":
        return str(tmp_path / "blank" / "results.db")
    dbs: PgDatabases = request.getfixturevalue("pg_databases")
    return dbs.create()


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return str(tmp_path / "data" / "results.db")
    return str(request.getfixturevalue("pg_session_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store (PostgreSQL's session database is reset before each test)."""
    s = open_store(store_url)
    s.reset()
    yield s
    s.close()


@pytest.fixture
def simulate() -> Simulate:
    return simulate_indicator
