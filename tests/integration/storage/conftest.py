"""Store fixtures: the same tests run on SQLite (tmp file) and on PostgreSQL (127.0.0.1:5432).

PostgreSQL gets one uniquely named database per test session, dropped at the end; tests that need
a blank database get their own. PG tests skip with the reason when the server is not reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indiclass.domain.enums import StageName
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.domain.ports import CallRecord
from indiclass.domain.usage import Usage
from indiclass.pipeline import ClassificationRun, classify
from indiclass.storage import SqlStore, open_store

PG_ADMIN_URL = os.environ.get("INDICLASS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def _pg_reason() -> str | None:
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
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


def make_indicator(n: int, **extra: object) -> Indicator:
    units = ["USD Billion", "%", "Persons", "Index Points", "EUR Million"][n % 5]
    return parse_indicator({
        "indicator_id": f"ind-{n:04d}", "name": f"Indicator {n} exports", "units": units,
        "periodicity": "Quarterly", "description": f"test indicator {n}",
        "sample_values": [{"date": "2023-03-31", "value": n}, {"date": "2023-06-30", "value": n + 1}],
        **extra,
    })


def fake_call(stage: StageName, trace_id: str, indicator_id: str, n: int = 0,
              cost: float | None = 0.001) -> CallRecord:
    return CallRecord(stage=str(stage), provider="fake", model="fake-1", system="sys",
                      user=f"user {indicator_id} {n}", response='{"ok": true}',
                      usage=Usage(requests=1, input_tokens=100, output_tokens=20,
                                  cached_tokens=10, cost_usd=cost),
                      duration_ms=12.5, tags={"trace_id": trace_id, "indicator_id": indicator_id})


Simulate = Callable[..., ClassificationRun]


def simulate_indicator(store: SqlStore, trace_id: str, indicator: Indicator, *,
                       llm_calls: int = 1, cost: float | None = 0.001) -> ClassificationRun:
    """What the engine does for one indicator: log, save every stage, log calls, complete."""
    run = classify(indicator)
    for stage_name, record in run.state.records.items():
        stage = StageName(stage_name)
        store.log_stage(trace_id, indicator.indicator_id, stage, "started")
        from indiclass.pipeline import STATE_FIELD

        result = getattr(run.state, STATE_FIELD[stage])
        store.save_stage_result(trace_id, indicator.indicator_id, stage, result, record, Usage())
        store.log_stage(trace_id, indicator.indicator_id, stage, "completed", duration_ms=1.5)
    for n in range(llm_calls):
        store.record_llm_call(fake_call(StageName.FAMILY, trace_id, indicator.indicator_id, n,
                                        cost))
    store.save_classification(trace_id, run.classification)
    return run


@pytest.fixture
def simulate() -> Simulate:
    return simulate_indicator
