"""The DBOS system database and the process-wide DBOS instance.

Embedded default: a SQLite file, switched to WAL with ``synchronous=NORMAL`` (DBOS leaves SQLite in
rollback-journal mode, which serialises readers behind the writer). Scale-out: a PostgreSQL URL,
shared by every worker. DBOS is one instance per process: :func:`launch` / :func:`shutdown` pair up.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, DBOSConfig

APP_NAME = "indiclass"
APP_VERSION = "indiclass-engine-2"
"""Pinned, not DBOS's hash of the workflow source: queued and pending workflows of a version are
only run by executors of that version, so a code edit must not orphan them. Bump it when the
sequence of steps in a workflow changes."""


@dataclass(frozen=True)
class SystemDb:
    url: str
    engine: sa.Engine | None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


def open_system_db(url: str, pool_size: int) -> SystemDb:
    """The system database; for SQLite an engine of ours with WAL and the pragmas DBOS sets."""
    if not url.startswith("sqlite"):
        return SystemDb(url, None)
    path = sa.make_url(url).database or ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as conn:  # WAL is persistent: set it once, before DBOS opens it
            conn.execute("PRAGMA journal_mode=WAL")
    engine = sa.create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=60)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    _serialise_transactions(engine)
    return SystemDb(url, engine)


def _serialise_transactions(engine: sa.Engine) -> None:
    """One transaction at a time, queued on a Python lock. SQLite admits one writer; left to its
    busy handler, twenty threads contending for the lock sleep-and-retry and throughput falls
    several-fold. Reentrant, so a thread that nests transactions does not deadlock itself."""
    lock = threading.RLock()
    holders: dict[int, int] = {}

    def begin(conn: sa.Connection) -> None:
        lock.acquire()
        holders[id(conn)] = holders.get(id(conn), 0) + 1

    def end(conn: sa.Connection) -> None:
        count = holders.get(id(conn), 0)
        if count:
            holders[id(conn)] = count - 1
            if count == 1:
                del holders[id(conn)]
            lock.release()

    sa.event.listen(engine, "begin", begin)
    sa.event.listen(engine, "commit", end)
    sa.event.listen(engine, "rollback", end)


class ExecutorLock:
    """Who is the embedded executor ``local`` of a SQLite system database.

    At start DBOS re-runs the PENDING workflows of its executor id, assuming that executor is
    dead. Two live processes on one SQLite file both calling themselves ``local`` would re-run
    each other's work, so the first process holds an exclusive lock and is ``local``; any other
    process gets ``local-<pid>`` (its leftovers after a crash are recovered by the next
    ``local``'s ``Engine.resume``)."""

    def __init__(self) -> None:
        self._file: Any = None

    def acquire(self, system: SystemDb, wanted: str) -> str:
        if wanted != "local" or not system.is_sqlite:
            return wanted
        path = sa.make_url(system.url).database or ""
        if not path or path == ":memory:":
            return wanted
        handle = open(f"{path}.executor-lock", "a")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return f"local-{os.getpid()}"
        self._file = handle
        return wanted

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None


def dead_local_executors(executor_ids: list[str]) -> list[str]:
    """``local-<pid>`` executors whose process is gone (same machine: SQLite is local)."""
    dead = []
    for executor in executor_ids:
        pid = executor.removeprefix("local-")
        if executor.startswith("local-") and pid.isdigit() and not _alive(int(pid)):
            dead.append(executor)
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = "IMMEDIATE"  # as DBOS's own SQLite engine: serialise writers
    dbapi_conn.execute("PRAGMA busy_timeout=30000")
    dbapi_conn.execute("PRAGMA foreign_keys=ON")
    dbapi_conn.execute("PRAGMA synchronous=NORMAL")


def dbos_config(
    system: SystemDb,
    executor_id: str,
    *,
    pool_size: int,
    log_level: str = "WARNING",
    threads: int | None = None,
) -> DBOSConfig:
    config: DBOSConfig = {
        "name": APP_NAME,
        "system_database_url": system.url,
        "application_version": APP_VERSION,
        "executor_id": executor_id,
        "log_level": log_level,
        "sys_db_pool_size": pool_size,
        "notification_listener_polling_interval_sec": 0.1,
    }
    if threads is not None:
        config["max_executor_threads"] = threads
    if system.engine is not None:
        config["system_database_engine"] = system.engine
    return config


def launch(
    system: SystemDb,
    executor_id: str,
    *,
    pool_size: int,
    listen: list[str] | None,
    log_level: str = "WARNING",
    threads: int | None = None,
) -> None:
    """Construct and launch DBOS for this process (recovers this executor's pending workflows).
    ``listen``: the queues this process dequeues from (None: all; []: none)."""
    DBOS(
        config=dbos_config(
            system, executor_id, pool_size=pool_size, log_level=log_level, threads=threads
        )
    )
    if listen is not None:
        DBOS.listen_queues(listen)
    dbos_log = logging.getLogger("dbos")
    if _quiet_contention not in dbos_log.filters:
        dbos_log.addFilter(_quiet_contention)
    dbos_log.disabled = True  # a failed launch is re-raised by the engine as one clear error
    try:
        DBOS.launch()
    finally:
        dbos_log.disabled = False
    route_logs()


def route_logs() -> None:
    """DBOS's log records go where the process's logging goes (a log file for the CLI), not
    to DBOS's own console handler."""
    dbos_log = logging.getLogger("dbos")
    for handler in list(dbos_log.handlers):
        if type(handler) is logging.StreamHandler:
            dbos_log.removeHandler(handler)
    dbos_log.propagate = True


def client(system: SystemDb) -> DBOSClient:
    """A DBOS client sharing the system database (and, on SQLite, our engine and its pragmas)."""
    if system.engine is not None:
        return DBOSClient(system_database_engine=system.engine, application_name=APP_NAME)
    return DBOSClient(system_database_url=system.url, application_name=APP_NAME)


def _quiet_contention(record: logging.LogRecord) -> bool:
    """Drop DBOS's per-poll "contention detected" warnings: with several workers dequeuing from
    one PostgreSQL queue they are expected, and DBOS already backs its polling off."""
    return not record.getMessage().startswith("Contention detected in queue thread")


def shutdown(system: SystemDb | None) -> None:
    DBOS.destroy(destroy_registry=False)
    if system is not None and system.engine is not None:
        system.engine.dispose()
