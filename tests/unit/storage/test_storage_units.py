"""Pure parts of the storage layer: SQL text, row mapping, error classification, timestamps."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from indiclass.domain.enums import AnswerSource
from indiclass.domain.errors import StorageError
from indiclass.domain.models import parse_indicator
from indiclass.domain.redact import redact
from indiclass.domain.usage import Usage
from indiclass.pipeline import classify
from indiclass.stages import DEFAULT_STAGES
from indiclass.storage import is_postgres_url, open_database
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor, PostgresDatabase, SqliteDatabase
from indiclass.storage.migrations import released, render_type


def test_upsert_sql_updates_everything_but_keys_and_created_at() -> None:
    sql = R.upsert_sql("t", ["a", "b", "created_at", "updated_at"], ["a"])
    assert sql == (
        "INSERT INTO t (a, b, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (a) DO UPDATE SET b = excluded.b, updated_at = excluded.updated_at"
    )
    assert R.upsert_sql("t", ["a"], ["a"], ()).endswith("ON CONFLICT (a) DO NOTHING")


class _Raw:
    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple]] = []

    def execute(self, sql: str, params: tuple) -> None:
        self.seen.append((sql, params))


def test_postgres_cursor_rewrites_placeholders_and_escapes_percent() -> None:
    raw = _Raw()
    Cursor(raw, "postgresql").execute("SELECT '5%' WHERE a = ? AND b = ?", [1, 2])
    Cursor(raw, "sqlite").execute("SELECT '5%' WHERE a = ?", [1])
    assert raw.seen == [
        ("SELECT '5%%' WHERE a = %s AND b = %s", (1, 2)),
        ("SELECT '5%' WHERE a = ?", (1,)),
    ]


def test_types_render_per_dialect() -> None:
    assert render_type("bool!", "sqlite") == "INTEGER NOT NULL"
    assert render_type("bool!", "postgresql") == "BOOLEAN NOT NULL"
    assert render_type("real", "postgresql") == "DOUBLE PRECISION"
    assert render_type("pk", "sqlite") == "INTEGER PRIMARY KEY AUTOINCREMENT"


def test_migration_names_are_ordered_and_unique() -> None:
    steps = released()
    names = [m.name for m in steps]
    assert names == sorted(names) and len(set(names)) == len(names)
    versions = [m.version for m in steps]
    assert versions[0] == 1 and versions == sorted(set(versions))  # gaps: numbers reserved
    assert {m.name for m in steps} >= {
        "m009_engine_v2",
        "m010_overrides",
        "m011_history",
        "m012_provider_batches",
    }
    assert all(m.statements("sqlite") and m.statements("postgresql") for m in steps)


def test_timestamps_are_utc_iso_with_milliseconds() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678_900, tzinfo=timezone(timedelta(hours=2)))
    assert R.iso(moment) == "2026-01-02T01:04:05.678Z"
    assert R.parse_iso("2026-01-02T01:04:05.678Z") == datetime(
        2026, 1, 2, 1, 4, 5, 678_000, tzinfo=UTC
    )
    assert R.ms_between("2026-01-02T01:04:05.000Z", "2026-01-02T01:04:06.500Z") == 1500.0
    assert R.ms_between(None, "2026-01-02T01:04:06.500Z") is None


def test_indicator_row_round_trip() -> None:
    ind = parse_indicator(
        {
            "id": "x",
            "name": "Exports",
            "units": "USD Million",
            "currency_code": "usd",
            "scale": "millions",
            "sample_values": [{"date": "2024-01-31", "value": "1,234.5"}],
        }
    )
    row = R.indicator_row(ind, "now")
    assert row["sample_values"] == '[{"date":"2024-01-31","value":1234.5}]'
    assert R.indicator_from_row({**row, "id": 1}) == ind


def test_stage_row_flattens_fields_and_keeps_the_rest_as_json() -> None:
    run = classify(parse_indicator({"name": "CPI", "units": "%"}))
    stage = DEFAULT_STAGES.get("cumulative")
    outcome = next(o for o in run.outcomes if o.stage == "cumulative")
    outcome = outcome.model_copy(update={"usage": Usage(input_tokens=3, cost_usd=None)})
    row = dict(
        zip(R.stage_row_columns(stage), R.stage_row("t", "i", stage, outcome, "now"), strict=True)
    )
    cum = run.results["cumulative"]
    assert row["cumulative_pattern_type"] == cum.pattern.value and "pattern" not in row
    assert row["source"] == AnswerSource.RULES.value and row["cost_usd"] is None
    assert row["input_tokens"] == 3 and row["confidence"] == cum.confidence
    assert set(R.decoded_stage_row(stage, {**row, "id": 1})) >= {"pattern", "is_cumulative"}


def test_clean_restores_sqlite_booleans() -> None:
    assert R.clean({"is_cumulative": 0, "passed": 1, "cache_hit": None, "attempts": 1}) == {
        "is_cumulative": False,
        "passed": True,
        "cache_hit": None,
        "attempts": 1,
    }


def test_every_stage_but_the_router_has_a_table() -> None:
    names = {str(s.name) for s in DEFAULT_STAGES}
    assert set(DEFAULT_STAGES.tables) == names - {"router"}


def test_sqlite_error_classification(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = SqliteDatabase(tmp_path / "x.db")
    assert db.is_transient(sqlite3.OperationalError("database is locked"))
    assert db.is_transient(sqlite3.OperationalError("database table is locked"))
    assert not db.is_transient(sqlite3.OperationalError("no such table: x"))
    assert not db.is_transient(sqlite3.IntegrityError("UNIQUE constraint failed"))
    db.close()


def test_retries_then_storage_error_names_the_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = SqliteDatabase(tmp_path / "x.db")
    db.base_delay_s = 0.001
    calls = []

    def flaky(cur: Cursor) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return "ok"

    assert db.write(flaky) == "ok" and len(calls) == 3

    def stuck(cur: Cursor) -> None:
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(StorageError, match=r"after 6 attempts.*database is locked"):
        db.write(stuck, what="stuck write")

    def broken(cur: Cursor) -> None:
        raise sqlite3.IntegrityError("NOT NULL constraint failed: t.x")

    calls.clear()
    with pytest.raises(StorageError, match="NOT NULL"):
        db.write(lambda cur: (calls.append(1), broken(cur)))
    assert len(calls) == 1
    with pytest.raises(ZeroDivisionError):  # our own bugs are not database errors
        db.write(lambda cur: 1 / 0)
    db.close()


def test_postgres_error_classification() -> None:
    from psycopg import errors as e

    db = PostgresDatabase.__new__(PostgresDatabase)
    assert db.is_transient(e.SerializationFailure("x"))
    assert db.is_transient(e.DeadlockDetected("x"))
    assert db.is_transient(e.LockNotAvailable("x"))
    assert db.is_transient(e.OperationalError("server closed the connection unexpectedly"))
    assert not db.is_transient(e.UniqueViolation("x"))
    assert not db.is_transient(e.UndefinedTable("x"))


def test_url_dispatch_and_redaction(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert is_postgres_url("postgresql://u@h/db") and is_postgres_url("postgres://u@h/db")
    assert not is_postgres_url("./data/x.db")
    db = open_database(f"sqlite:///{tmp_path}/a/b.db")
    assert isinstance(db, SqliteDatabase) and (tmp_path / "a").is_dir()
    db.close()
    assert redact("postgresql://me:secret@host/db") == "postgresql://me:***@host/db"


def test_in_memory_sqlite_is_refused_with_a_hint() -> None:
    with pytest.raises(StorageError, match="file path"):
        SqliteDatabase(":memory:")
