"""Group commit: one thread writes every result of this process, many ops per transaction.

Whatever arrives while a transaction commits goes into the next one, so under load each
transaction carries hundreds of rows and when idle an op is written at once (no timer on the
critical path). Callers on the I/O loop ``await writer.write(op)`` for what must be durable
before they go on (a call's intent before the request leaves, a member's results before its
step returns); ``post(op)`` queues without waiting (a call's reply: the member's completion,
awaited later, is behind it in the same FIFO). A failed transaction fails every op in it; the
durable step that waits on them fails and is retried (its replies are replayed, not re-asked).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from indiclass.domain.errors import EngineError
from indiclass.domain.store import Applied, ResultStore, WriteOp

log = logging.getLogger("indiclass.engine")

_STOP = object()
_BARRIER = object()
MAX_OPS = 2_000
"""Most ops in one transaction (bounds its size and the time a reader waits)."""


class WriteBehind:
    def __init__(self, store: ResultStore, on_applied: Callable[[Applied, list[WriteOp]], None]):
        self._store = store
        self._on_applied = on_applied
        self._queue: queue.SimpleQueue[tuple[object, Future[None] | None]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._failed: list[BaseException] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="indiclass-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._queue.put((_STOP, None))
        self._thread.join(timeout=30)
        self._thread = None

    def submit(self, op: WriteOp) -> Future[None]:
        if self._thread is None:
            raise EngineError("the result writer is not running")
        future: Future[None] = Future()
        self._queue.put((op, future))
        return future

    async def write(self, op: WriteOp) -> None:
        """Queue ``op`` and wait until it is committed."""
        await asyncio.wrap_future(self.submit(op))

    def post(self, op: WriteOp) -> None:
        """Queue ``op``; a failure surfaces at the next :meth:`flush`."""
        self.submit(op).add_done_callback(self._remember_failure)

    async def flush(self) -> None:
        """Wait until everything queued so far is committed (raises if any of it failed)."""
        if self._thread is None:
            raise EngineError("the result writer is not running")
        future: Future[None] = Future()
        self._queue.put((_BARRIER, future))
        await asyncio.wrap_future(future)
        if self._failed:
            error, self._failed = self._failed[0], []
            raise error

    def _remember_failure(self, future: Future[None]) -> None:
        error = future.exception()
        if error is not None:
            self._failed.append(error)

    # ------------------------------------------------------------ the writer thread

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            group = [first]
            while len(group) < MAX_OPS:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(op is _STOP for op, _ in group)
            self._write([g for g in group if g[0] is not _STOP])
            if stop:
                return

    def _write(self, group: list[tuple[object, Future[None] | None]]) -> None:
        ops = [op for op, _ in group if op is not _BARRIER]
        try:
            applied = self._store.apply(ops) if ops else Applied()  # type: ignore[arg-type]
        except BaseException as exc:  # every waiter learns; the writer goes on
            log.warning("writing %d results failed: %s", len(ops), exc)
            for _, future in group:
                if future is not None and not future.done():
                    future.set_exception(exc)
            return
        for _, future in group:
            if future is not None and not future.done():
                future.set_result(None)
        try:
            self._on_applied(applied, ops)  # type: ignore[arg-type]
        except Exception:
            log.exception("a listener of written results failed")


class LoopWriter:
    """The same interface, written on the I/O loop itself: what arrives during one turn of the
    loop is committed in one transaction at the start of the next. No thread hand-off per op
    (each costs two wake-ups and GIL traffic); the loop waits for the commit, which on SQLite
    in WAL mode with ``synchronous=NORMAL`` does not sync to disk (a process crash loses
    nothing committed; see docs/architecture.md). Used for SQLite; a networked database keeps
    :class:`WriteBehind`."""

    def __init__(self, store: ResultStore, on_applied: Callable[[Applied, list[WriteOp]], None]):
        self._store = store
        self._on_applied = on_applied
        self._pending: list[tuple[object, asyncio.Future[None] | None]] = []
        self._scheduled = False
        self._failed: list[BaseException] = []

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    async def write(self, op: WriteOp) -> None:
        future = asyncio.get_running_loop().create_future()
        self._add(op, future)
        await future

    def post(self, op: WriteOp) -> None:
        self._add(op, None)

    async def flush(self) -> None:
        future = asyncio.get_running_loop().create_future()
        self._add(_BARRIER, future)
        await future
        if self._failed:
            error, self._failed = self._failed[0], []
            raise error

    def _add(self, op: object, future: asyncio.Future[None] | None) -> None:
        self._pending.append((op, future))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._commit)

    def _commit(self) -> None:
        group, self._pending, self._scheduled = self._pending, [], False
        ops = [op for op, _ in group if op is not _BARRIER]
        try:
            applied = self._store.apply(ops) if ops else Applied()  # type: ignore[arg-type]
        except Exception as exc:
            log.warning("writing %d results failed: %s", len(ops), exc)
            for _, future in group:
                if future is None:
                    self._failed.append(exc)
                elif not future.done():
                    future.set_exception(exc)
            return
        for _, future in group:
            if future is not None and not future.done():
                future.set_result(None)
        try:
            self._on_applied(applied, ops)  # type: ignore[arg-type]
        except Exception:
            log.exception("a listener of written results failed")
