"""What commands open: settings, the results store, the embedded engine, the log file."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indiclass.domain.store import ResultStore
from indiclass.settings import Settings

_configured: set[str] = set()


def load_settings() -> Settings:
    """The settings (a bad value raises pydantic's ValidationError: the error boundary turns it
    into one line naming the variable, exit 3)."""
    return Settings()


def log_file(settings: Settings) -> Path:
    if settings.log_file:
        return Path(settings.log_file)
    return Path(settings.classify_db_local_dev).with_name("indiclass.log")


def configure_logging(settings: Settings) -> Path:
    """Library and DBOS logs go to the log file, never to the terminal (a run prints its own
    lines); returns the file."""
    path = log_file(settings)
    key = str(path.resolve())
    if key in _configured:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _LogFile(path, maxBytes=10 * 2**20, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in ("dbos", "httpx", "httpcore", "openai", "anthropic", "uvicorn"):
        logging.getLogger(name).setLevel(logging.WARNING)
    _configured.add(key)
    return path


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file; when it cannot be written (a full disk) it says so once on stderr and
    goes quiet, instead of a traceback per record."""

    broken = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.broken:
            self.broken = True
            import sys

            error = sys.exc_info()[1]
            sys.stderr.write(f"warning: cannot write the log file {self.baseFilename}: {error}\n")

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)


@contextmanager
def store_session(settings: Settings) -> Iterator[ResultStore]:
    """The results store alone (no engine, no DBOS): for seed, query, stats, export ..."""
    from indiclass.bootstrap import results_database
    from indiclass.storage import open_store

    store = open_store(results_database(settings))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def engine_session(settings: Settings, **kwargs: Any) -> Iterator[Any]:
    """The embedded engine, started in this process, stopped on exit."""
    from indiclass.bootstrap import open_engine

    configure_logging(settings)
    with open_engine(settings, **kwargs) as engine:
        yield engine


def database_label(settings: Settings) -> str:
    """Where the results are, without credentials."""
    from indiclass.bootstrap import results_database
    from indiclass.domain.redact import redact

    return redact(str(results_database(settings)))


def friendly_errors(fn: Any) -> Any:
    """Our errors become one line and their exit code (``cli.errors.boundary``)."""
    from indiclass.cli.errors import boundary

    return boundary(fn)
