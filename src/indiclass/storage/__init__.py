"""The results store on SQLite (WAL, one writer) or PostgreSQL, through one code path.

    store = open_store("./data/classify-workflow-local-dev.db")   # or "postgresql://..."
    store.migrate()

``open_store`` picks the database from the URL or path; see ``storage.store.SqlStore``.
"""

from __future__ import annotations

from pathlib import Path

from indiclass.storage.db import (
    DEFAULT_SQLITE_PATH,
    Database,
    PostgresDatabase,
    SqliteDatabase,
)
from indiclass.storage.store import SqlStore

__all__ = ["DEFAULT_SQLITE_PATH", "Database", "PostgresDatabase", "SqlStore", "SqliteDatabase",
           "is_postgres_url", "open_database", "open_store"]


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def open_database(url_or_path: str | Path | None = None) -> Database:
    """A :class:`Database` for a ``postgresql://`` URL, a ``sqlite:///`` URL or a file path."""
    target = str(url_or_path or DEFAULT_SQLITE_PATH)
    if is_postgres_url(target):
        return PostgresDatabase(target.replace("postgresql+psycopg://", "postgresql://", 1))
    if target.startswith("sqlite:///"):
        target = target.removeprefix("sqlite:///")
    return SqliteDatabase(target)


def open_store(url_or_path: str | Path | None = None, *, migrate: bool = True) -> SqlStore:
    """The results store for ``url_or_path`` (default ``./data/classify-workflow-local-dev.db``),
    migrated to the current schema unless ``migrate=False``."""
    store = SqlStore(open_database(url_or_path))
    if migrate:
        store.migrate()
    return store
