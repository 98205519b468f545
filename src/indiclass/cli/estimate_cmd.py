"""``indiclass estimate``: what a run over a file would send and cost, before sending anything
(calls, input / cached / output tokens and dollars per LLM stage; see ``indiclass.estimate``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast, get_args

import typer
from rich.console import Console
from rich.table import Table

from indiclass.domain.errors import InputError
from indiclass.domain.run import RunMode
from indiclass.domain.usage import Usage
from indiclass.estimate import TOKENS_NOTE, Estimate, estimate_run

MODES: tuple[str, ...] = get_args(RunMode)


def register(app: typer.Typer) -> None:
    app.command("estimate")(estimate_command)


def estimate_command(
    file: Path = typer.Argument(..., help="Indicators file (.jsonl, .json, .csv, .tsv, .xlsx)."),
    provider: str | None = typer.Option(
        None, "--provider", "-p", help="openai, anthropic, local, rules (default LLM_PROVIDER)."
    ),
    model: str | None = typer.Option(None, "--model", help="Model name for the provider."),
    strategy: str | None = typer.Option(None, help="llm, hybrid or rules."),
    mode: str = typer.Option(
        "sync", "--mode", help="sync, or provider-batch (the batch APIs, at half price)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the estimate as JSON."),
) -> None:
    """Estimate the LLM calls, tokens and dollars of classifying FILE, per stage and in total,
    without sending anything (no API key needed).

    Example: indiclass estimate series.jsonl --provider openai --model gpt-4.1-mini --strategy
    hybrid"""
    from indiclass.bootstrap.providers import run_config
    from indiclass.loaders import load_indicators
    from indiclass.providers.pricing import PriceTable
    from indiclass.settings import Settings

    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; one of {', '.join(MODES)}", field="--mode")
    settings = Settings()
    run = run_config(settings, provider, model, strategy, mode=cast(RunMode, mode))
    prices = PriceTable.load(settings.llm_prices_file)
    estimate = estimate_run(load_indicators(file), run, prices=prices)
    if as_json:
        typer.echo(json.dumps(estimate.to_dict(), indent=2))
    else:
        print_estimate(estimate)


def print_estimate(estimate: Estimate) -> None:
    """The estimate as a table per stage, with the total and $ per indicator."""
    run = estimate.run
    title = (
        f"{estimate.indicators} indicators · {run.provider.label} · {run.strategy.value} · "
        f"{run.mode}, estimated (nothing sent)"
    )
    table = Table(title=title)
    table.add_column("stage", no_wrap=True)
    for col in ("calls", "input", "cached", "written", "output", "$"):
        table.add_column(col, justify="right")
    for stage in estimate.stages:
        table.add_row(stage.stage, *_cells(stage.usage))
    table.add_row("total", *_cells(estimate.total), style="bold")
    console = Console()
    console.print(table)
    per = estimate.cost_per_indicator
    console.print(f"$ per indicator: {_dollars(per, 7)}", highlight=False)
    if per is None:
        console.print(
            f"no price for {run.provider.model}: add it to LLM_PRICES_FILE", highlight=False
        )
    console.print(
        "cached: read from the provider's prompt cache; written: to it (Anthropic). " + TOKENS_NOTE,
        highlight=False,
    )


def _cells(usage: Usage) -> list[str]:
    counts = (
        usage.requests,
        usage.input_tokens,
        usage.cached_tokens,
        usage.cache_write_tokens,
        usage.output_tokens,
    )
    return [f"{n:,}" for n in counts] + [_dollars(usage.cost_usd, 4)]


def _dollars(value: float | None, places: int) -> str:
    return "unknown" if value is None else f"${value:.{places}f}"
