"""The response cache behind ``Cached``: in memory, optionally persisted in a SQLite file so an
identical request never costs twice, even across runs."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from indiclass.domain.ports import LLMReply

_SCHEMA = """CREATE TABLE IF NOT EXISTS llm_response_cache (
    key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, content TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"""


class ResponseCache:
    def __init__(self, path: str | Path | None = None) -> None:
        self._memory: dict[str, LLMReply] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> LLMReply | None:
        with self._lock:
            reply = self._memory.get(key) or self._load(key)
            if reply is None:
                self.misses += 1
            else:
                self.hits += 1
                self._memory[key] = reply
            return reply

    def put(self, key: str, reply: LLMReply) -> None:
        with self._lock:
            self._memory[key] = reply
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO llm_response_cache (key, provider, model, content) "
                    "VALUES (?, ?, ?, ?)",
                    (key, reply.provider, reply.model, reply.content),
                )
                self._db.commit()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _load(self, key: str) -> LLMReply | None:
        if self._db is None:
            return None
        row = self._db.execute(
            "SELECT provider, model, content FROM llm_response_cache WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else LLMReply(content=row[2], provider=row[0], model=row[1])

    def __len__(self) -> int:
        with self._lock:
            return len(self._memory)


_shared: dict[str | None, ResponseCache] = {}
_shared_lock = threading.Lock()


def shared_cache(path: str | None = None) -> ResponseCache:
    """The process-wide cache for ``path`` (None: in memory), so that batches built one after
    another in one process share their answers."""
    key = None if path is None else str(Path(path).resolve())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = ResponseCache(key)
        return _shared[key]
