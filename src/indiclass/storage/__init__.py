"""The results store on SQLite (WAL, one writer) or PostgreSQL, through one code path.

    store = open_store("./data/classify-workflow-local-dev.db")   # or "postgresql://..."
    store.create_batch(BatchSpec(...))       # pipeline_stats row + batch_items (in chunks)
    store.apply([CallBegun(...), CallEnded(...), MemberDone(...), ...])  # one transaction
    store.batch_stats(trace)                 # one row: counters move with the members
    store.recount(trace)                     # exact recompute from the members (repair)

Tables: the seed's (``source_indicators``, ``classifications``, the seven ``*_results`` stage
tables, ``processing_log``, ``pipeline_stats``, ``schema_version``) plus ``llm_calls`` and
``batch_items``, ``runs``/``run_items``, ``executors``; see ``storage.migrations``. Every write is
idempotent (see ``storage.writes``); batch counters move in the transactions that move members.
An item's duration runs from its first stage's start to its completion;
``avg_time_per_indicator_ms`` is the mean of those. Driver errors surface as ``StorageError``
after retrying transient ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from indiclass.stages import DEFAULT_STAGES, StageSet
from indiclass.storage.db import (
    DEFAULT_SQLITE_PATH,
    Database,
    PostgresDatabase,
    SqliteDatabase,
)
from indiclass.storage.store import SqlStore

if TYPE_CHECKING:
    from indiclass.domain.history import HistoryStore
    from indiclass.domain.store import ResultStore

    def _implements_the_port(store: SqlStore) -> ResultStore:  # checked by mypy
        return store

    def _implements_history(store: SqlStore) -> HistoryStore:
        return store


__all__ = [
    "DEFAULT_SQLITE_PATH",
    "Database",
    "PostgresDatabase",
    "SqlStore",
    "SqliteDatabase",
    "is_postgres_url",
    "open_database",
    "open_store",
]


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def open_database(
    url_or_path: str | Path | None = None, *, lock_timeout_ms: int | None = None, pool_size: int = 8
) -> Database:
    """A :class:`Database` for a ``postgresql://`` URL, a ``sqlite:///`` URL or a file path.

    ``lock_timeout_ms``: how long one attempt waits for a lock (SQLite ``busy_timeout``,
    PostgreSQL ``lock_timeout``) before it counts as a transient failure and is retried.
    ``pool_size``: PostgreSQL connections per process (SQLite: one writer, 4 readers).
    """
    target = str(url_or_path or DEFAULT_SQLITE_PATH)
    if is_postgres_url(target):
        url = target.replace("postgresql+psycopg://", "postgresql://", 1)
        if lock_timeout_ms is None:
            return PostgresDatabase(url, pool_size=pool_size)
        return PostgresDatabase(url, pool_size=pool_size, lock_timeout_ms=lock_timeout_ms)
    if target.startswith("sqlite:///"):
        target = target.removeprefix("sqlite:///")
    if lock_timeout_ms is None:
        return SqliteDatabase(target)
    return SqliteDatabase(target, busy_timeout_ms=lock_timeout_ms)


def open_store(
    url_or_path: str | Path | None = None,
    *,
    migrate: bool = True,
    lock_timeout_ms: int | None = None,
    pool_size: int = 8,
    stages: StageSet = DEFAULT_STAGES,
) -> SqlStore:
    """The results store for ``url_or_path`` (default ``./data/classify-workflow-local-dev.db``),
    migrated to the current schema unless ``migrate=False``."""
    db = open_database(url_or_path, lock_timeout_ms=lock_timeout_ms, pool_size=pool_size)
    store = SqlStore(db, stages)
    if migrate:
        store.migrate()
    return store
