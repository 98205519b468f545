"""Transient database errors are retried; persistent ones surface as StorageError."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from indiclass.domain.errors import StorageError
from indiclass.storage import SqlStore, open_store


@contextmanager
def table_locked(url: str, backend: str, table: str) -> Iterator[Callable[[], None]]:
    """Hold an exclusive lock from another connection; yields a function that releases it."""
    if backend == "sqlite":
        conn = sqlite3.connect(url, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN EXCLUSIVE")
    else:
        import psycopg

        conn = psycopg.connect(url)
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            conn.rollback() if backend != "sqlite" else conn.execute("ROLLBACK")

    try:
        yield release
    finally:
        release()
        conn.close()


@pytest.fixture
def quick_store(store_url: str, store: SqlStore) -> Iterator[SqlStore]:
    """A second store on the same database whose lock waits are short (50 ms per attempt)."""
    s = open_store(store_url, lock_timeout_ms=50)
    s.db.base_delay_s = 0.05
    yield s
    s.close()


def test_transient_lock_is_retried_then_succeeds(
    quick_store: SqlStore, store_url: str, backend: str
) -> None:
    with table_locked(store_url, backend, "executors") as release:
        threading.Timer(0.3, release).start()
        quick_store.heartbeat("e1", "test", {"pid": 1})
    assert [e["executor_id"] for e in quick_store.live_executors()] == ["e1"]


def test_persistent_lock_raises_storage_error_with_reason(
    quick_store: SqlStore, store_url: str, backend: str
) -> None:
    quick_store.db.attempts = 3
    with (
        table_locked(store_url, backend, "executors"),
        pytest.raises(StorageError, match=r"after 3 attempts.*(locked|lock)"),
    ):
        quick_store.heartbeat("e1", "test", {"pid": 1})
    assert quick_store.live_executors() == []


def test_non_transient_error_raises_at_once(blank_url: str) -> None:
    store = open_store(blank_url)
    try:
        store.db.write(lambda cur: cur.execute("DROP TABLE llm_calls"))
        with pytest.raises(StorageError, match="llm_calls"):
            store.llm_calls_for("x")
    finally:
        store.close()


def test_dropped_postgres_connection_is_replaced(
    store: SqlStore, store_url: str, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL connection reset")
    import psycopg

    store.heartbeat("e1", "test", {"pid": 1})  # the pool now holds a connection
    dbname = store_url.rsplit("/", 1)[1]
    with psycopg.connect(store_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
    store.heartbeat("e2", "test", {"pid": 2})
    assert sorted(e["executor_id"] for e in store.live_executors()) == ["e1", "e2"]
