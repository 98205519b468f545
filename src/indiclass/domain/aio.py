"""The process's I/O event loop, on a background thread, for synchronous callers.

Providers are asynchronous (one ``AsyncOpenAI`` client serves hundreds of requests in flight);
the durable engine's steps, the CLI and tests are synchronous. They all hand their coroutines to
one loop running on a daemon thread (:func:`run_sync`), so every client and connection pool
lives on that one loop, whichever thread asked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def loop() -> asyncio.AbstractEventLoop:
    """The process's I/O loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_run, args=(_loop,), name="indiclass-io", daemon=True)
            _thread.start()
        return _loop


def _run(event_loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(event_loop)
    event_loop.run_forever()


def submit(coro: Coroutine[Any, Any, T]) -> Future[T]:
    """Schedule ``coro`` on the I/O loop; returns a thread-safe future."""
    return asyncio.run_coroutine_threadsafe(coro, loop())


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the I/O loop and wait for it (from any thread but the loop's own)."""
    if on_loop_thread():
        coro.close()
        raise RuntimeError("run_sync called from the I/O loop itself; await instead")
    return submit(coro).result()


def on_loop_thread() -> bool:
    return _thread is not None and threading.current_thread() is _thread
