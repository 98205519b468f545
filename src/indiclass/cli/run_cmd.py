"""``indiclass run ...`` (the seed's runner), ``serve`` and ``demo``.

    indiclass run random -20 [openai|anthropic|local|rules]   # 20 random unclassified indicators
    indiclass run all [40] [provider]                         # everything (or the first 40)
    indiclass run target ID... [--provider P]                 # these indicators
    indiclass run resume | retry-failed                       # after a crash / failures

Batches of ``--batch-size`` (5) go ``--concurrent-batches`` (4) at a time, each its own trace_id,
on the embedded engine, or to a running server with ``--api URL``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer
from rich.console import Console

from indiclass.cli import data_cmd, demo
from indiclass.cli.backends import EmbeddedBackend, HttpBackend
from indiclass.cli.render import make_console, make_reporter
from indiclass.cli.runner import Backend, RunOutcome, run_groups
from indiclass.cli.session import (
    database_label,
    engine_session,
    friendly_errors,
    load_settings,
    store_session,
)
from indiclass.domain.enums import ProviderName
from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator
from indiclass.domain.store import ResultStore
from indiclass.settings import Settings

run_app = typer.Typer(
    help="Run batches like the seed's scripts (run random -20 openai).", no_args_is_help=True
)
Picker = Callable[[ResultStore], Sequence[Indicator]]
_ARGS = {"ignore_unknown_options": True, "allow_interspersed_args": True}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(run_app, name="run")
    app.command("serve")(serve_command)
    app.command("demo")(demo.demo_command)
    data_cmd.register(app)


# ---------------------------------------------------------------- shared options

API = typer.Option(
    None,
    "--api",
    help="Submit to a running server (e.g. http://127.0.0.1:3000) "
    "instead of the embedded engine; sends API_KEY as x-api-key.",
)
BATCH_SIZE = typer.Option(5, "--batch-size", min=1, help="Indicators per batch.")
CONCURRENT = typer.Option(4, "--concurrent-batches", min=1, help="Batches submitted together.")
STRATEGY = typer.Option(None, "--strategy", help="llm | hybrid | rules (default by provider).")
MODEL = typer.Option(None, "--model", help="Model name for the provider.")
FORCE = typer.Option(False, "--force", help="Re-classify indicators already classified.")


def parse_run_args(args: Sequence[str], *, default_count: int | None) -> tuple[int | None, str]:
    """The seed's positional syntax: an optional count (``-20`` or ``40``) and a provider."""
    count, provider = default_count, ProviderName.RULES.value
    for arg in args:
        if arg.lstrip("-").isdigit():
            count = abs(int(arg))
        elif arg in {p.value for p in ProviderName}:
            provider = arg
        else:
            names = ", ".join(p.value for p in ProviderName)
            raise InputError(f"unexpected argument {arg!r}: expected a count or one of {names}")
    return count, provider


@run_app.command("random", context_settings=_ARGS)
@friendly_errors
def run_random(
    args: list[str] = typer.Argument(None, help="-N [provider], e.g. -20 openai"),
    api: str | None = API,
    batch_size: int = BATCH_SIZE,
    concurrent_batches: int = CONCURRENT,
    strategy: str | None = STRATEGY,
    model: str | None = MODEL,
    force: bool = FORCE,
) -> None:
    """Classify N random indicators from source_indicators (default 20, unclassified first)."""
    count, provider = parse_run_args(args or [], default_count=20)
    _run(
        provider,
        api,
        batch_size,
        concurrent_batches,
        strategy,
        model,
        force,
        lambda s: s.list_source_indicators(
            limit=count, random_order=True, unclassified_only=not force
        ),
    )


@run_app.command("all", context_settings=_ARGS)
@friendly_errors
def run_all(
    args: list[str] = typer.Argument(None, help="[N] [provider], e.g. 40 openai"),
    api: str | None = API,
    batch_size: int = BATCH_SIZE,
    concurrent_batches: int = CONCURRENT,
    strategy: str | None = STRATEGY,
    model: str | None = MODEL,
    force: bool = FORCE,
) -> None:
    """Classify every unclassified indicator in source_indicators (or the first N)."""
    count, provider = parse_run_args(args or [], default_count=None)
    _run(
        provider,
        api,
        batch_size,
        concurrent_batches,
        strategy,
        model,
        force,
        lambda s: s.list_source_indicators(limit=count, unclassified_only=not force),
    )


@run_app.command("target", context_settings=_ARGS)
@friendly_errors
def run_target(
    ids: list[str] = typer.Argument(..., help="indicator_ids to (re)classify"),
    provider: ProviderName = typer.Option(ProviderName.RULES, "--provider", "-p"),
    api: str | None = API,
    batch_size: int = BATCH_SIZE,
    concurrent_batches: int = CONCURRENT,
    strategy: str | None = STRATEGY,
    model: str | None = MODEL,
) -> None:
    """Classify these indicators (from source_indicators), even if already classified."""

    def pick(store: ResultStore) -> list[Indicator]:
        found = store.list_source_indicators(ids=ids)
        missing = sorted(set(ids) - {i.indicator_id for i in found})
        if missing:
            raise InputError(f"not in source_indicators: {', '.join(missing)}")
        return list(found)

    _run(provider.value, api, batch_size, concurrent_batches, strategy, model, True, pick)


@run_app.command("resume")
@friendly_errors
def run_resume() -> None:
    """Finish batches a crash or a stop left open, and wait for them."""
    console = make_console()
    with engine_session(load_settings()) as engine:
        unfinished = engine.resume()
        traces = engine.store.unfinished_batches()
        console.print(
            f"🔁 Resuming {len(traces)} open batch(es), {unfinished} unfinished indicator(s)"
        )
        _wait_batches(engine, traces, console)


@run_app.command("retry-failed")
@friendly_errors
def run_retry_failed(
    batch: str | None = typer.Option(None, "--batch", help="Only this trace_id."),
) -> None:
    """Re-run failed indicators from the stage that failed, and wait for them."""
    console = make_console()
    with engine_session(load_settings()) as engine:
        traces = sorted({item.trace_id for item in engine.store.failed_items(batch)})
        started = engine.retry_failed(batch)
        console.print(f"🔁 Retrying {len(started)} failed indicator(s) in {len(traces)} batch(es)")
        _wait_batches(engine, traces, console)


def _wait_batches(engine: Any, traces: Sequence[str], console: Console) -> None:
    for trace in traces:
        done = engine.wait(trace)
        console.print(
            f"   ✅ Batch {done.batch_id}: {done.successful_indicators} done, "
            f"{done.failed_indicators} failed"
        )


# ---------------------------------------------------------------- the run itself


def _run(
    provider: str,
    api: str | None,
    batch_size: int,
    concurrent: int,
    strategy: str | None,
    model: str | None,
    force: bool,
    pick: Picker,
) -> None:
    settings = load_settings()
    with store_session(settings) as store:
        indicators = list(pick(store))
    if not indicators:
        make_console().print(
            "Nothing to classify: every selected indicator is already "
            "classified (use --force), or run `indiclass seed` first."
        )
        return
    if api:
        key = settings.api_key.get_secret_value() if settings.api_key else None
        http = HttpBackend(api, api_key=key, strategy=strategy, model=model, force=force)
        try:
            _drive(indicators, http, provider, batch_size, concurrent)
        finally:
            http.close()
        return
    with engine_session(settings) as engine:
        backend = EmbeddedBackend(engine, strategy=strategy, model=model, force=force)
        _drive(indicators, backend, provider, batch_size, concurrent)


def _drive(
    indicators: list[Indicator], backend: Backend, provider: str, batch_size: int, concurrent: int
) -> RunOutcome:
    console = make_console()
    reporter = make_reporter(console)
    try:
        outcome = run_groups(
            indicators,
            backend,
            provider,
            reporter=reporter,
            batch_size=batch_size,
            concurrent=concurrent,
        )
    finally:
        reporter.close()
    console.print(
        f"🎉 Done: {outcome.finished - outcome.failed} classified, {outcome.failed} "
        f"failed, {outcome.rejected} rejected, in {len(outcome.trace_ids)} batches"
    )
    if outcome.rejected:
        raise typer.Exit(1)  # some batches were refused (bad key, provider not configured)
    return outcome


@friendly_errors
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(3000, help="Port."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
    worker: bool = typer.Option(
        True,
        "--worker/--no-worker",
        help="Run workflows here too, or leave them to "
        "`indiclass worker` processes sharing the databases.",
    ),
) -> None:
    """Run the HTTP API with an embedded worker (docs at /docs)."""
    import uvicorn

    from indiclass.api import create_app

    settings: Settings = load_settings()
    make_console().print(
        f"🚀 indiclass API on http://{host}:{port} (docs: /docs), "
        f"results: {database_label(settings)}, worker: {'embedded' if worker else 'external'}"
    )
    app = create_app(settings, embedded_worker=worker)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
