"""One small database layer over sqlite3 and psycopg 3: connections, transactions, retries.

SQL is written once with ``?`` placeholders and ``ON CONFLICT ... DO UPDATE`` upserts (SQLite ≥ 3.24
and PostgreSQL both accept them); :class:`Database` adapts placeholders and DDL types per dialect.

- SQLite: WAL, ``busy_timeout``, every write through ONE connection under a lock (datasette's
  single-writer pattern); reads use a small pool of their own connections and run concurrently.
- PostgreSQL: a small pool of connections; writes are serialised where it matters by row locks
  (``SELECT ... FOR UPDATE``).

Transient errors (locked/busy, dropped connection, serialization failure, deadlock, lock timeout)
are retried with exponential backoff; then, like every other driver error, they surface as
:class:`~indiclass.domain.errors.StorageError` naming the reason. Nothing is silently dropped.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from indiclass.domain.errors import StorageError, StorageFull

T = TypeVar("T")
DEFAULT_SQLITE_PATH = "./data/classify-workflow-local-dev.db"


class Cursor:
    """A thin, dialect-neutral cursor: ``?`` placeholders, rows as dicts."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self._raw = raw
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        self._raw.execute(sql, tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        self._raw.executemany(sql, [tuple(r) for r in rows])

    def fetchall(self) -> list[dict[str, Any]]:
        names = [d[0] for d in self._raw.description or ()]
        return [dict(zip(names, row, strict=True)) for row in self._raw.fetchall()]

    def fetchone(self) -> dict[str, Any] | None:
        row = self._raw.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in self._raw.description], row, strict=True))

    def scalar(self) -> Any:
        row = self._raw.fetchone()
        return None if row is None else row[0]

    @property
    def rowcount(self) -> int:
        return int(self._raw.rowcount)


class Database:
    """Transactions with retries over one dialect. Subclasses supply connections."""

    dialect = ""
    attempts = 6
    base_delay_s = 0.05

    def write(self, fn: Callable[[Cursor], T], *, what: str = "write") -> T:
        """Run ``fn`` in one write transaction, retrying transient errors."""
        return self._retrying(lambda: self._in_write_tx(fn), what)

    def read(self, fn: Callable[[Cursor], T], *, what: str = "read") -> T:
        return self._retrying(lambda: self._in_read(fn), what)

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- dialect specifics (overridden)
    def _in_write_tx(self, fn: Callable[[Cursor], T]) -> T:
        raise NotImplementedError

    def _in_read(self, fn: Callable[[Cursor], T]) -> T:
        raise NotImplementedError

    def is_transient(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def is_driver_error(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def _retrying(self, call: Callable[[], T], what: str) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except Exception as exc:
                if not self.is_driver_error(exc):
                    raise
                if is_disk_full(exc):
                    raise StorageFull(
                        f"{what} failed: the database's disk is full "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
                    ) from exc
                if not self.is_transient(exc):
                    raise StorageError(f"{what} failed: {type(exc).__name__}: {exc}") from exc
                if attempt == self.attempts:
                    raise StorageError(
                        f"{what} failed after {attempt} attempts (transient): "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                time.sleep(min(self.base_delay_s * 2 ** (attempt - 1), 2.0))
        raise AssertionError("unreachable")  # pragma: no cover


_FULL = ("database or disk is full", "no space left on device", "could not extend file")


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100) or ENOSPC from either."""
    text = str(exc).lower()
    return getattr(exc, "sqlstate", None) == "53100" or any(w in text for w in _FULL)


class _Pool:
    """A tiny LIFO connection pool; broken connections are dropped, not returned."""

    def __init__(
        self,
        factory: Callable[[], Any],
        size: int,
        healthy: Callable[[Any], bool] = lambda conn: True,
    ) -> None:
        self._factory = factory
        self._healthy = healthy
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._all: list[Any] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        self._slots.acquire()
        try:
            conn = self._take()
            try:
                yield conn
            except BaseException:
                if self._healthy(conn):
                    self._idle.put(conn)
                else:
                    self._discard(conn)
                raise
            self._idle.put(conn)
        finally:
            self._slots.release()

    def _take(self) -> Any:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            conn = self._factory()
            with self._lock:
                self._all.append(conn)
            return conn

    def _discard(self, conn: Any) -> None:
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        with suppress(Exception):
            conn.close()

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with suppress(Exception):
                conn.close()


# ---------------------------------------------------------------- SQLite

_SQLITE_TRANSIENT = ("locked", "busy", "disk i/o error", "unable to open")


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(
        self,
        path: str | Path = DEFAULT_SQLITE_PATH,
        *,
        busy_timeout_ms: int = 5_000,
        readers: int = 4,
    ) -> None:
        if str(path) == ":memory:":
            raise StorageError(
                "an in-memory SQLite database cannot be shared by the writer and "
                "the readers; use a file path (a tmp file in tests)"
            )
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_ms = busy_timeout_ms
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        self._readers = _Pool(self._connect, readers)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _in_write_tx(self, fn: Callable[[Cursor], T]) -> T:
        with self._write_lock:
            if self._writer is None:
                self._writer = self._connect()
            raw = self._writer.cursor()
            raw.execute("BEGIN IMMEDIATE")
            try:
                out = fn(Cursor(raw, self.dialect))
                raw.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
                raise
            return out

    def _in_read(self, fn: Callable[[Cursor], T]) -> T:
        with self._readers.connection() as conn:
            raw = conn.cursor()
            raw.execute("BEGIN")  # one consistent snapshot for the whole read
            try:
                return fn(Cursor(raw, self.dialect))
            finally:
                conn.execute("COMMIT")

    def is_transient(self, exc: BaseException) -> bool:
        text = str(exc).lower()
        locked = any(w in text for w in _SQLITE_TRANSIENT)
        return isinstance(exc, sqlite3.OperationalError) and locked

    def is_driver_error(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.Error)

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self._readers.close()


# ---------------------------------------------------------------- PostgreSQL


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 8, lock_timeout_ms: int = 10_000) -> None:
        import psycopg  # noqa: F401 - fail early with a clear error if missing

        self.url = url
        self.lock_timeout_ms = lock_timeout_ms
        self._pool = _Pool(self._connect, pool_size, _pg_healthy)

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(self.url, autocommit=False, connect_timeout=10)
        conn.execute(f"SET lock_timeout = {int(self.lock_timeout_ms)}")
        conn.commit()
        return conn

    def _in_write_tx(self, fn: Callable[[Cursor], T]) -> T:
        return self._in_tx(fn)

    def _in_read(self, fn: Callable[[Cursor], T]) -> T:
        return self._in_tx(fn)

    def _in_tx(self, fn: Callable[[Cursor], T]) -> T:
        with self._pool.connection() as conn:
            try:
                with conn.cursor() as raw:
                    out = fn(Cursor(raw, self.dialect))
                conn.commit()
            except BaseException:
                if not conn.closed:
                    conn.rollback()
                raise
            return out

    def is_transient(self, exc: BaseException) -> bool:
        from psycopg import errors as e

        transient = (
            e.SerializationFailure,
            e.DeadlockDetected,
            e.LockNotAvailable,
            e.OperationalError,
            e.AdminShutdown,
            e.CannotConnectNow,
            e.QueryCanceled,
            e.InterfaceError,
        )
        return isinstance(exc, transient)

    def is_driver_error(self, exc: BaseException) -> bool:
        import psycopg

        return isinstance(exc, psycopg.Error)

    def close(self) -> None:
        self._pool.close()


def _pg_healthy(conn: Any) -> bool:
    from psycopg.pq import TransactionStatus

    return not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE
