"""``indiclass run ...`` (the seed's runner) and ``serve``.

    indiclass run random -20 [openai|anthropic|local|rules]   # 20 random unclassified indicators
    indiclass run all [40] [-p provider]                      # everything (or the first 40)
    indiclass run target ID... [-p provider]                  # these indicators
    indiclass run resume | retry-failed | cancel TRACE        # after a crash, failures, or to stop

Batches of ``--batch-size`` (5) go ``--concurrent-batches`` (4) at a time, each its own trace_id,
on the embedded engine (which runs them itself, with this command's configuration), or to a
running server with ``--api URL``. The run is recorded before its first group: after a crash or
Ctrl-C, ``run resume`` finishes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console

from indiclass.cli import demo
from indiclass.cli.backends import EmbeddedBackend, HttpBackend
from indiclass.cli.display import LogFormat, make_display
from indiclass.cli.errors import (
    EXIT_CODES_HELP,
    INTERRUPTED,
    PAUSED,
    SOME_FAILED,
    UNREACHABLE,
)
from indiclass.cli.runner import Backend, RunOutcome, drive
from indiclass.cli.session import (
    database_label,
    engine_session,
    load_settings,
    log_file,
    store_session,
)
from indiclass.cli.summary import print_summary
from indiclass.domain.errors import ConfigError, InputError
from indiclass.domain.run import RunConfig
from indiclass.domain.store import RunBatch, RunRecord
from indiclass.settings import Settings

run_app = typer.Typer(
    help="Run batches like the seed's scripts (run random -20 openai). " + EXIT_CODES_HELP,
    no_args_is_help=True,
)
_ARGS = {"ignore_unknown_options": True, "allow_interspersed_args": True}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(run_app, name="run")
    app.command("serve")(serve_command)
    app.command("demo")(demo.demo_command)


# ---------------------------------------------------------------- shared options

API = typer.Option(
    None,
    "--api",
    help="Submit to a running server (e.g. http://127.0.0.1:3000) "
    "instead of the embedded engine; sends API_KEY as x-api-key.",
)
PROVIDER = typer.Option(
    None, "--provider", "-p", help="rules, openai, anthropic, local or a plugin's name."
)
BATCH_SIZE = typer.Option(5, "--batch-size", min=1, help="Indicators per batch.")
CONCURRENT = typer.Option(4, "--concurrent-batches", min=1, help="Batches submitted together.")
STRATEGY = typer.Option(None, "--strategy", help="llm | hybrid | rules (default by provider).")
MODEL = typer.Option(None, "--model", help="Model name for the provider.")
FORCE = typer.Option(False, "--force", help="Re-classify indicators already classified.")
LOG_FORMAT = typer.Option(
    "compact",
    "--log-format",
    envvar="INDICLASS_LOG_FORMAT",
    help="compact (one progress bar), seed (the seed's exact lines) or quiet.",
)
MAX_COST = typer.Option(
    None,
    "--max-cost",
    min=0.0,
    envvar="INDICLASS_MAX_COST",
    help="Budget in USD: the run pauses before exceeding it (INDICLASS_MAX_COST).",
)
MODE = typer.Option(
    "sync",
    "--mode",
    help="sync, or provider-batch (the providers' batch APIs: half price, hours not seconds).",
)
CALLBACK = typer.Option(
    None,
    "--callback-url",
    help="POSTed, signed, once per batch when it closes (needs INDICLASS_WEBHOOK_SECRET).",
)
DRY_RUN = typer.Option(
    False, "--dry-run", help="Estimate calls, tokens and $ of this run; send and record nothing."
)
MIN_CONF = typer.Option(
    None,
    "--min-confidence",
    min=0.0,
    max=1.0,
    help="hybrid: ask the LLM below this confidence (INDICLASS_MIN_CONFIDENCE).",
)


def parse_run_args(
    args: Sequence[str], *, default_count: int | None, provider: str | None = None
) -> tuple[int | None, str | None]:
    """The seed's positional syntax: an optional count (``-20`` or ``40``) and a provider."""
    from indiclass.providers import registry

    count, chosen = default_count, provider
    for arg in args:
        if arg.lstrip("-").isdigit():
            count = abs(int(arg))
        elif arg.startswith("-"):
            raise InputError(f"unknown option {arg!r} (see --help)")
        else:
            chosen = registry.check(arg)
    return count, chosen


@run_app.command("random", context_settings=_ARGS)
def run_random(
    args: list[str] = typer.Argument(None, help="-N [provider], e.g. -20 openai"),
    provider: str | None = PROVIDER,
    api: str | None = API,
    batch_size: int = BATCH_SIZE,
    concurrent_batches: int = CONCURRENT,
    strategy: str | None = STRATEGY,
    model: str | None = MODEL,
    force: bool = FORCE,
    log_format: str = LOG_FORMAT,
    max_cost: float | None = MAX_COST,
    min_confidence: float | None = MIN_CONF,
    mode: str = MODE,
    dry_run: bool = DRY_RUN,
    callback_url: str | None = CALLBACK,
) -> None:
    """Classify N random indicators from source_indicators (default 20, unclassified first).

    Example: indiclass run random -20 openai --strategy hybrid"""
    count, chosen = parse_run_args(args or [], default_count=20, provider=provider)
    pick = {"limit": count, "random_order": True, "unclassified_only": not force}
    _run(
        "random",
        chosen,
        api,
        batch_size,
        concurrent_batches,
        strategy,
        model,
        force,
        _fmt(log_format),
        max_cost,
        min_confidence,
        pick,
        mode=mode,
        dry_run=dry_run,
        callback_url=callback_url,
    )


@run_app.command("all", context_settings=_ARGS)
def run_all(
    args: list[str] = typer.Argument(None, help="[N] [provider], e.g. 40 openai"),
    provider: str | None = PROVIDER,
    api: str | None = API,
    batch_size: int = BATCH_SIZE,
    concurrent_batches: int = CONCURRENT,
    strategy: str | None = STRATEGY,
    model: str | None = MODEL,
    force: bool = FORCE,
    log_format: str = LOG_FORMAT,
    max_cost: float | None = MAX_COST,
    min_confidence: float | None = MIN_CONF,
    mode: str = MODE,
    dry_run: bool = DRY_RUN,
    callback_url: str | None = CALLBACK,
) -> None:
    """Classify every unclassified indicator in source_indicators (or the first N).

    Example: indiclass run all 40 -p local --log-format seed"""
    count, chosen = parse_run_args(args or [], default_count=None, provider=provider)
    pick = {"limit": count, "random_order": False, "unclassified_only": not force}
    _run(
        "all",
        chosen,
        api,
        batch_size,
        concurrent_batches,
        strategy,
        model,
        force,
        _fmt(log_format),
        max_cost,
        min_confidence,
        pick,
        mode=mode,
        dry_run=dry_run,
        callback_url=callback_url,
    )


@run_app.command("target", context_settings=_ARGS)
def run_target(
    ids: list[str] = typer.Argument(..., help="indicator_ids to (re)classify"),
    provider: str | None = PROVIDER,
    api: str | None = API,
    batch_size: int = BATCH_SIZE,
    concurrent_batches: int = CONCURRENT,
    strategy: str | None = STRATEGY,
    model: str | None = MODEL,
    log_format: str = LOG_FORMAT,
    max_cost: float | None = MAX_COST,
    min_confidence: float | None = MIN_CONF,
    mode: str = MODE,
    dry_run: bool = DRY_RUN,
    callback_url: str | None = CALLBACK,
) -> None:
    """Classify these indicators (from source_indicators), even if already classified.

    Example: indiclass run target us-cpi us-gdp -p anthropic"""
    pick = {"ids": ids, "unclassified_only": False}
    _run(
        "target",
        provider,
        api,
        batch_size,
        concurrent_batches,
        strategy,
        model,
        True,
        _fmt(log_format),
        max_cost,
        min_confidence,
        pick,
        mode=mode,
        dry_run=dry_run,
        callback_url=callback_url,
    )


@run_app.command("resume")
def run_resume(
    log_format: str = LOG_FORMAT,
    max_cost: float | None = typer.Option(
        None, "--max-cost", min=0.0, help="A new budget for paused batches (USD)."
    ),
    include_cancelled: bool = typer.Option(
        False, "--include-cancelled", help="Also run again what was cancelled."
    ),
) -> None:
    """Finish every run and batch a crash, Ctrl-C or a budget left open, and wait for them.

    Example: indiclass run resume --max-cost 5"""
    settings = load_settings()
    console = Console()
    with engine_session(settings) as engine:
        if max_cost is not None:
            _raise_budgets(engine, max_cost)
        if include_cancelled:
            for run in engine.store.list_runs(status="cancelled", limit=1000):
                engine.store.set_run_status(run.run_id, "running", None)
            engine.revive_cancelled()
        unfinished = engine.resume(include_paused=max_cost is not None)
        runs = engine.store.list_runs(status="running", limit=1000)
        if max_cost is not None:
            runs += engine.store.list_runs(status="paused", limit=1000)
        console.print(
            f"🔁 Resuming {len(runs)} run(s) and open batches "
            f"({unfinished} unfinished indicator(s))",
            highlight=False,
        )
        outcome = RunOutcome()
        for run in reversed(runs):
            batches = engine.store.run_batches(run.run_id)
            force = bool(run.options.get("force"))
            backend = EmbeddedBackend(engine, run.config, force=force, run_id=run.run_id)
            got = _drive_run(console, engine.store, run, batches, backend, _fmt(log_format))
            _merge(outcome, got)
        for stats in engine.store.open_batches():
            if stats.run_id is None and stats.status != "paused":
                done = engine.wait(stats.batch_id)
                outcome.statuses[done.batch_id] = done.status
                outcome.failed += done.failed_indicators
                outcome.trace_ids.append(done.batch_id)
    _exit(outcome)


@run_app.command("retry-failed")
def run_retry_failed(
    batch: str | None = typer.Option(None, "--batch", help="Only this trace_id."),
) -> None:
    """Re-run failed indicators (replies already received are not asked again), and wait.

    Example: indiclass run retry-failed --batch 3f2a..."""
    console = Console()
    with engine_session(load_settings()) as engine:
        traces = sorted({item.trace_id for item in engine.store.failed_items(batch)})
        started = engine.retry_failed(batch)
        console.print(
            f"🔁 Retrying failed indicators of {len(traces)} batch(es) ({len(started)} chunk(s))",
            highlight=False,
        )
        outcome = RunOutcome(trace_ids=traces)
        for trace in traces:
            done = engine.wait(trace)
            outcome.statuses[trace] = done.status
            outcome.failed += done.failed_indicators
            console.print(
                f"   Batch {done.batch_id}: {done.successful_indicators} done, "
                f"{done.failed_indicators} failed ({done.status})",
                highlight=False,
            )
        if traces:
            print_summary(console, engine.store, outcome)
        _settle_runs(engine.store, traces)
    _exit(outcome)


def _settle_runs(store: Any, traces: Sequence[str]) -> None:
    """A run whose batches all completed now (after retry-failed) is completed."""
    runs = {s.run_id for t in traces if (s := store.batch_stats(t)) is not None and s.run_id}
    for run_id in sorted(runs):
        statuses = {
            s.status if (s := store.batch_stats(b.trace_id)) is not None else "planned"
            for b in store.run_batches(run_id)
        }
        if statuses == {"completed"}:
            store.set_run_status(run_id, "completed")


@run_app.command("cancel")
def run_cancel(
    trace_id: str | None = typer.Argument(None, help="The batch (trace_id) to cancel."),
    run: str | None = typer.Option(None, "--run", help="Cancel every batch of this run."),
) -> None:
    """Cancel a batch or a run: members not started end cancelled, members in flight stop at
    their next LLM call.

    Example: indiclass run cancel --run run-20261202-..."""
    if not trace_id and not run:
        raise InputError("give a TRACE_ID or --run RUN_ID")
    console = Console()
    with engine_session(load_settings()) as engine:
        traces = [trace_id] if trace_id else []
        if run:
            if engine.store.get_run(run) is None:
                raise InputError(f"unknown run {run!r}")
            traces += [b.trace_id for b in engine.store.run_batches(run)]
            engine.store.set_run_status(run, "cancelled", "cancelled by request")
        for trace in traces:
            if engine.store.batch_stats(trace) is None:
                if trace_id == trace:
                    raise InputError(f"unknown batch {trace!r}")
                continue  # a planned batch never submitted: nothing to cancel
            stats = engine.cancel(trace)
            console.print(
                f"⏹  {trace}: {stats.status} ({stats.cancelled_indicators} cancelled, "
                f"{stats.successful_indicators} done)",
                highlight=False,
            )


# ---------------------------------------------------------------- the run itself


def _fmt(value: str) -> LogFormat:
    if value not in ("compact", "seed", "quiet"):
        raise InputError(f"--log-format: {value!r} is not one of compact, seed, quiet")
    return value  # type: ignore[return-value]


def _run(
    kind: str,
    provider: str | None,
    api: str | None,
    batch_size: int,
    concurrent: int,
    strategy: str | None,
    model: str | None,
    force: bool,
    fmt: LogFormat,
    max_cost: float | None,
    min_confidence: float | None,
    pick: dict[str, Any],
    *,
    mode: str = "sync",
    dry_run: bool = False,
    callback_url: str | None = None,
) -> None:
    settings = load_settings()
    console = Console()
    if mode not in ("sync", "provider-batch"):
        raise InputError(f"--mode: {mode!r} is not one of sync, provider-batch")
    if dry_run:
        _dry_run(settings, provider, model, strategy, mode, min_confidence, pick)
        return
    session: Any = store_session(settings) if api else engine_session(settings)
    with session as opened:
        engine = None if api else opened
        store = opened if api else opened.store
        if engine is not None:
            _warn_others(console, engine)
        config = run_config(
            settings,
            provider,
            model,
            strategy,
            max_cost_usd=max_cost,
            min_confidence=min_confidence,
            mode=mode,
        )
        if callback_url:
            from indiclass.engine.webhooks import check_callback_url

            config = config.model_copy(update={"callback_url": check_callback_url(callback_url)})
        run = _record_run(kind, config, batch_size, concurrent, force, api)
        batches = store.claim_run(run, batch_size=batch_size, **pick)
        if pick.get("ids"):
            _explain_skipped(console, store, pick["ids"], batches)
        if not batches:
            store.set_run_status(run.run_id, "completed", "nothing to classify")
            console.print(
                "Nothing to classify: every selected indicator is already classified "
                "(use --force), being classified by another run, or `indiclass seed` was "
                "never run."
            )
            return
        backend: Backend
        if api:
            backend = _http_backend(settings, api, config, strategy, model, force, store)
        else:
            backend = EmbeddedBackend(engine, config, force=force, run_id=run.run_id)
        outcome = _drive_run(console, store, run, batches, backend, fmt)
    console.print(f"   log: {log_file(settings)}", highlight=False)
    _exit(outcome)


def _dry_run(
    settings: Settings,
    provider: str | None,
    model: str | None,
    strategy: str | None,
    mode: str,
    min_confidence: float | None,
    pick: dict[str, Any],
) -> None:
    """What the run would send and cost, from the prompts it would build (nothing is sent,
    claimed or recorded)."""
    from indiclass.cli.estimate_cmd import print_estimate
    from indiclass.estimate import estimate_run
    from indiclass.providers.pricing import PriceTable

    config = run_config(
        settings, provider, model, strategy, min_confidence=min_confidence, mode=mode
    )
    with store_session(settings) as store:
        indicators = store.list_source_indicators(**pick)
    if not indicators:
        Console().print("Nothing to classify (see `indiclass seed`, or use --force).")
        return
    prices = PriceTable.load(settings.llm_prices_file)
    print_estimate(estimate_run(indicators, config, prices=prices))


def _record_run(
    kind: str, config: RunConfig, batch_size: int, concurrent: int, force: bool, api: str | None
) -> RunRecord:
    now = datetime.now(UTC)
    run_id = f"run-{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    options = {"batch_size": batch_size, "concurrent": concurrent, "force": force, "api": api}
    return RunRecord(
        run_id=run_id,
        kind=kind,
        status="running",
        config=config,
        options=options,
        total_indicators=0,
        batches=0,
        created_at=now,
        updated_at=now,
    )


def _drive_run(
    console: Console,
    store: Any,
    run: RunRecord,
    batches: list[RunBatch],
    backend: Backend,
    fmt: LogFormat,
) -> RunOutcome:
    total = sum(len(b.indicator_ids) for b in batches)
    size = int(run.options.get("batch_size", 5))
    display = make_display(console, fmt, total=total, batch_size=size, total_batches=len(batches))
    try:
        outcome = drive(batches, backend, display, concurrent=int(run.options.get("concurrent", 4)))
    except KeyboardInterrupt:
        display.close()
        console.print(
            f"⏸  interrupted: run {run.run_id} stopped; nothing accepted is lost. "
            "Finish it with `indiclass run resume`.",
            highlight=False,
        )
        raise typer.Exit(INTERRUPTED) from None
    finally:
        display.close()
    status = _run_status(outcome)
    store.set_run_status(run.run_id, status)
    print_summary(console, store, outcome, run_id=run.run_id)
    return outcome


def _run_status(outcome: RunOutcome) -> str:
    if outcome.paused:
        return "paused"
    if outcome.clean:
        return "completed"
    return "failed" if outcome.failed and not (outcome.finished - outcome.failed) else "degraded"


def _merge(total: RunOutcome, part: RunOutcome) -> None:
    total.trace_ids += part.trace_ids
    total.submitted += part.submitted
    total.finished += part.finished
    total.failed += part.failed
    total.rejected += part.rejected
    total.statuses.update(part.statuses)


def _exit(outcome: RunOutcome) -> None:
    if outcome.paused:
        raise typer.Exit(PAUSED)
    if not outcome.clean:
        raise typer.Exit(UNREACHABLE if outcome.unreachable else SOME_FAILED)


def run_config(settings: Settings, *args: Any, **kwargs: Any) -> RunConfig:
    from indiclass.bootstrap.providers import run_config as resolve

    return resolve(settings, *args, **kwargs)


def _warn_others(console: Console, engine: Any) -> None:
    """Say which other live processes share this database (they never take this run's work)."""
    for other in engine.other_executors():
        console.print(
            f"note: {other['kind']} (pid {other['pid']}, executor {other['executor_id']}) also "
            "uses this database; this run's batches run here, with this command's configuration",
            highlight=False,
            style="yellow",
        )


def _explain_skipped(
    console: Console, store: Any, ids: Sequence[str], batches: list[RunBatch]
) -> None:
    taken = {i for b in batches for i in b.indicator_ids}
    known = {i.indicator_id for i in store.list_source_indicators(ids=list(ids))}
    missing = [i for i in ids if i not in known]
    if missing:
        raise InputError(f"not in source_indicators: {', '.join(missing[:10])}")
    busy = [i for i in ids if i in known and i not in taken]
    if busy:
        console.print(
            f"skipped {len(busy)} indicator(s) another open run is classifying: "
            f"{', '.join(busy[:5])}",
            highlight=False,
        )


def _http_backend(
    settings: Settings,
    api: str,
    config: RunConfig,
    strategy: str | None,
    model: str | None,
    force: bool,
    store: Any,
) -> HttpBackend:
    key = settings.api_key.get_secret_value() if settings.api_key else None
    http = HttpBackend(
        api,
        api_key=key,
        provider=config.provider.name,
        strategy=strategy,
        model=model,
        force=force,
    )
    extra = {
        "mode": config.mode if config.mode != "sync" else None,
        "max_cost_usd": config.max_cost_usd,
        "callback_url": config.callback_url,
    }
    http.options.update({k: v for k, v in extra.items() if v is not None})
    http.use_store(store)
    return http


def _raise_budgets(engine: Any, max_cost: float) -> None:
    for stats in engine.store.open_batches():
        if stats.status == "paused" and stats.run_config is not None:
            config = stats.run_config.model_copy(update={"max_cost_usd": max_cost})
            engine.store.set_run_config(stats.batch_id, config)


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
    """Run the HTTP API with an embedded worker (docs at /docs).

    Example: indiclass serve --port 3000"""
    import uvicorn

    from indiclass.api import create_app

    settings: Settings = load_settings()
    if settings.api_key is not None and not settings.api_key.get_secret_value().strip():
        raise ConfigError("API_KEY is set but empty: unset it to run without a key, or set one")
    Console().print(
        f"🚀 indiclass API on http://{host}:{port} (docs: /docs), "
        f"results: {database_label(settings)}, worker: {'embedded' if worker else 'external'}",
        highlight=False,
    )
    app = create_app(settings, embedded_worker=worker)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
