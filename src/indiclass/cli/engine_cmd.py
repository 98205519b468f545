"""Engine operations: ``indiclass worker``, ``indiclass recover``, ``indiclass engine-status``.

indiclass worker --worker-id w1          # run workflows from the shared queue until stopped
indiclass recover --worker-id w1         # operator: re-queue a dead worker's in-flight work
indiclass engine-status [TRACE_ID]       # queued/running workflows, open batches
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import typer
from rich.console import Console

from indiclass.domain.errors import IndiclassError
from indiclass.domain.redact import redact
from indiclass.settings import Settings


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("worker")(worker_command)
    app.command("recover")(recover_command)
    app.command("engine-status")(status_command)


def _fail(exc: Exception) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(1)


def worker_command(
    worker_id: str = typer.Option(
        None,
        "--worker-id",
        envvar="INDICLASS_WORKER_ID",
        help="Stable executor id: on restart this worker resumes its own unfinished workflows.",
    ),
    concurrency: int = typer.Option(
        None,
        "--concurrency",
        min=1,
        help="Indicators in flight in this worker (INDICLASS_CONCURRENCY).",
    ),
) -> None:
    """Take chunks from the shared queues of every provider this worker can serve (its keys),
    until SIGINT/SIGTERM.

    Example: OPENAI_API_KEY=... indiclass worker --worker-id w1"""
    from indiclass.bootstrap import build_engine, serveable_providers, system_database_url

    settings = Settings()
    wid = worker_id or f"worker-{os.getpid()}"
    serves = serveable_providers(settings)
    extra: dict[str, Any] = {"concurrency": concurrency} if concurrency else {}
    extra.update(serves=serves, dispatch="shared", kind="worker")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        engine = build_engine(settings, worker_id=wid, **extra)
    except IndiclassError as exc:
        raise _fail(exc) from None
    console = Console()
    console.print(
        f"worker {wid} running (serves {', '.join(serves)}; concurrency "
        f"{engine.options.concurrency}; system db {redact(system_database_url(settings))})",
        highlight=False,
    )
    try:
        stop.wait()
    finally:
        engine.shutdown()
        console.print(f"worker {wid} stopped", highlight=False)


def recover_command(
    worker_id: list[str] = typer.Option(
        ..., "--worker-id", help="Executor id of a dead worker (repeatable)."
    ),
) -> None:
    """Hand the in-flight workflows of dead workers back to the queue for live workers.

    Only for a worker that will not come back: a worker restarted with its --worker-id resumes
    its own workflows by itself."""
    from indiclass.bootstrap import build_engine

    try:
        engine = build_engine(Settings(), worker_id=f"operator-{os.getpid()}", listen=False)
    except IndiclassError as exc:
        raise _fail(exc) from None
    try:
        count = engine.recover_executors(list(worker_id))
    finally:
        engine.shutdown()
    Console().print(f"re-queued {count} workflow(s) of {', '.join(worker_id)}", highlight=False)


def status_command(trace_id: str = typer.Argument(None, help="One batch (default: all).")) -> None:
    """Queued and running workflows, and the batches still open."""
    from indiclass.bootstrap import build_engine

    try:
        engine = build_engine(Settings(), worker_id=f"status-{os.getpid()}", listen=False)
    except IndiclassError as exc:
        raise _fail(exc) from None
    try:
        active = engine.active_workflows(trace_id)
        batches = [engine.status(trace_id)] if trace_id else engine.store.list_batches(limit=20)
    finally:
        engine.shutdown()
    console = Console()
    console.print(f"{len(active)} workflow(s) queued or running", highlight=False)
    for b in (b for b in batches if b is not None):
        state = "closed" if b.done else "open"
        console.print(
            f"{b.batch_id}  {state}  {b.successful_indicators} ok  "
            f"{b.failed_indicators} failed  {b.pending_indicators} pending  "
            f"of {b.total_indicators}",
            highlight=False,
        )
