"""Migrations are history, not live code: an ordered list of released steps, each a SQL file per
dialect in ``storage/schema/`` (``NNN_name.sqlite.sql``, ``NNN_name.postgresql.sql``), written
out once when released and never edited again, plus the ``schema_version`` table.

Numbers are unique and increasing; a gap is a number reserved by a branch not merged yet (its
step runs after higher ones on a database that had those already: steps are independent).
Each step runs in its own transaction and records its name in ``schema_version``; a step already
recorded is skipped, so ``migrate()`` is safe to call at every start (from several processes: the
version table is created first and steps re-check under the write transaction; PostgreSQL
migrators take turns on an advisory lock).

A stage declared in code whose table no released step creates (a new stage under development,
a test's toy stage) gets its table and its ``classifications`` columns from its declaration
(:func:`ensure_declared`); releasing it means writing those statements out as the next step
(``python -m indiclass.storage.schema_dump``), which a test checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from indiclass.stages import StageSet
from indiclass.storage.db import Cursor, Database

DIALECTS = ("sqlite", "postgresql")
_FILE = re.compile(
    r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.(?P<dialect>sqlite|postgresql)\.sql$"
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    """``m009_engine_v2`` (the name recorded in ``schema_version``)."""

    def statements(self, dialect: str) -> list[str]:
        return _statements(self.version, self.name, dialect)


@cache
def released() -> tuple[Migration, ...]:
    """Every released step, in version order (from the package's schema files)."""
    found: dict[int, str] = {}
    for entry in resources.files("indiclass.storage.schema").iterdir():
        match = _FILE.match(entry.name)
        if match and found.setdefault(int(match["version"]), match["name"]) != match["name"]:
            raise RuntimeError(f"two schema steps numbered {match['version']}")
    versions = sorted(found)
    if not versions or versions[0] != 1:
        raise RuntimeError(f"schema steps do not start at 001: {versions}")
    # A gap is a number reserved by a branch not merged yet (steps are applied by name).
    return tuple(Migration(v, f"m{v:03d}_{found[v]}") for v in versions)


@cache
def _statements(version: int, name: str, dialect: str) -> list[str]:
    filename = f"{version:03d}_{name.split('_', 1)[1]}.{dialect}.sql"
    text = resources.files("indiclass.storage.schema").joinpath(filename).read_text("utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";")]


_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version (\n  version INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n  applied_at TEXT NOT NULL\n)"
)

_PG_MIGRATION_LOCK = 7_283_910_451
"""Advisory lock key: concurrent migrators on PostgreSQL take turns (SQLite has one writer)."""


def _serialised(cur: Cursor, dialect: str) -> None:
    if dialect == "postgresql":
        cur.execute(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")


def applied(db: Database) -> list[str]:
    """Names of the steps recorded in ``schema_version``, in order."""

    def create(cur: Cursor) -> None:
        _serialised(cur, db.dialect)
        cur.execute(_VERSION_DDL)

    db.write(create, what="create schema_version")
    rows = db.read(
        lambda cur: cur.execute("SELECT name FROM schema_version ORDER BY version").fetchall()
    )
    return [r["name"] for r in rows]


def migrate(db: Database, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Apply every step not yet recorded (all released steps by default); returns the names
    applied now."""
    steps = released() if migrations is None else migrations
    done = set(applied(db))
    now: list[str] = []
    for step in steps:
        if step.name not in done and db.write(
            _applier(step, db.dialect), what=f"migration {step.name}"
        ):
            now.append(step.name)
    return now


def _applier(step: Migration, dialect: str) -> Callable[[Cursor], bool]:
    def apply(cur: Cursor) -> bool:
        _serialised(cur, dialect)
        if cur.execute("SELECT 1 FROM schema_version WHERE name = ?", (step.name,)).fetchone():
            return False
        for sql in step.statements(dialect):
            cur.execute(sql)
        cur.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            (step.version, step.name, datetime.now(UTC).isoformat()),
        )
        return True

    return apply


# ---------------------------------------------------------------- declared, not yet released

_TYPES: dict[str, dict[str, str]] = {
    "sqlite": {
        "pk": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "text": "TEXT",
        "int": "INTEGER",
        "real": "REAL",
        "bool": "INTEGER",
    },
    "postgresql": {
        "pk": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "text": "TEXT",
        "int": "BIGINT",
        "real": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
    },
}


def render_type(spec: str, dialect: str) -> str:
    """``"text!"`` → ``TEXT NOT NULL``; the base type is mapped for the dialect."""
    base, not_null = spec.rstrip("!"), spec.endswith("!")
    return _TYPES[dialect][base] + (" NOT NULL" if not_null else "")


def declared_statements(
    stages: StageSet, dialect: str, existing: Mapping[str, set[str]]
) -> list[str]:
    """DDL for what the declared stages need and the database lacks: a stage table, or a
    summarised stage's ``classifications`` columns. ``existing``: table → its columns."""
    from indiclass.storage.rows import stage_table_columns

    out: list[str] = []
    for stage in stages:
        if stage.table and stage.table not in existing:
            cols = [f"{c} {render_type(t, dialect)}" for c, t in stage_table_columns(stage)]
            cols.append("UNIQUE (indicator_id, trace_id)")
            out.append(
                f"CREATE TABLE IF NOT EXISTS {stage.table} (\n  " + ",\n  ".join(cols) + "\n)"
            )
        have = existing.get("classifications", set())
        for col, typ in ((f"{stage.key}_confidence", "real"), (f"{stage.key}_reasoning", "text")):
            if stage.summarised and have and col not in have:
                out.append(
                    f"ALTER TABLE classifications ADD COLUMN {col} {render_type(typ, dialect)}"
                )
    return out


def table_columns(cur: Cursor, dialect: str) -> dict[str, set[str]]:
    if dialect == "postgresql":
        rows = cur.execute(
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        ).fetchall()
    else:
        rows = cur.execute(
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p"
            " WHERE m.type = 'table'"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for r in rows:
        found.setdefault(r["t"], set()).add(r["c"])
    return found


def ensure_declared(db: Database, stages: StageSet) -> list[str]:
    """Create what a declared but unreleased stage needs (see the module docstring); returns
    the statements run (none for the released pipeline)."""

    def apply(cur: Cursor) -> list[str]:
        _serialised(cur, db.dialect)
        todo = declared_statements(stages, db.dialect, table_columns(cur, db.dialect))
        for sql in todo:
            cur.execute(sql)
        return todo

    return db.write(apply, what="declared stage tables")
