"""``indiclass classify``: one indicator, or a whole file (in-process, concurrently; not durable:
use ``seed`` + ``run`` for thousands).

Bad input never shows a traceback: it prints one line naming the row and field and exits 2.
File output is written to a temporary file and renamed, so nothing is ever half-written; the
format follows the ``--out`` extension (.jsonl, .json, .csv, .parquet).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from indiclass.cli.outputs import write_results
from indiclass.domain import aio
from indiclass.domain.errors import InputError
from indiclass.domain.models import Classification, Indicator, parse_indicator
from indiclass.domain.usage import Usage
from indiclass.pipeline import PipelineConfig, PipelineRun, ProviderSet, aclassify, classify

SHOWN_FIELDS = (
    "family",
    "indicator_type",
    "temporal_aggregation",
    "heat_map_orientation",
    "time_basis",
    "reporting_frequency",
    "scale",
    "is_currency_denominated",
    "detected_currency",
    "is_cumulative",
    "cumulative_pattern_type",
    "parsed_unit_type",
    "review_status",
    "overall_confidence",
    "needs_review",
    "provider",
    "fallback_stages",
)


def register(app: typer.Typer) -> None:
    app.command("classify")(classify_command)


def resolve(
    provider: str | None, strategy: str | None, model: str | None = None
) -> tuple[ProviderSet, PipelineConfig, int]:
    """The providers and pipeline config for ``--provider`` / ``--strategy`` / ``--model``
    (else ``LLM_PROVIDER``, ``INDICLASS_STRATEGY``; ``LLM_PROVIDER_<STAGE>`` overrides), and
    the concurrency for files. A missing key raises ConfigError naming the variable."""
    from indiclass.settings import Settings

    settings = Settings()
    if (provider or settings.llm_provider) == "rules" and not settings.stage_overrides:
        from indiclass.pipeline import OFFLINE, default_config

        providers = ProviderSet(OFFLINE)
        config = default_config(providers, min_confidence=settings.min_confidence)
        if strategy:
            config = _with_strategy(config, strategy)
        return providers, config, settings.concurrency
    from indiclass.bootstrap.providers import build_provider_set, run_config

    run = run_config(settings, provider, model, strategy)
    providers = build_provider_set(settings, run)
    return providers, PipelineConfig.for_run(run, providers), settings.concurrency


def _with_strategy(config: PipelineConfig, strategy: str) -> PipelineConfig:
    from dataclasses import replace

    from indiclass.domain.enums import Strategy

    try:
        return replace(config, strategy=Strategy(strategy.lower()))
    except ValueError:
        raise InputError(f"unknown strategy {strategy!r}; one of llm, hybrid, rules") from None


def classify_command(
    name: str | None = typer.Argument(None, help="Indicator name, e.g. 'GDP Annual Growth Rate'."),
    file: Path | None = typer.Option(
        None,
        "--file",
        "-f",
        help="Classify every indicator in a file (.jsonl, .json, .csv, .tsv, .xlsx).",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write results here; the format follows the extension (.jsonl, .json, .csv, "
        ".parquet; default: JSONL on stdout).",
    ),
    units: str | None = typer.Option(
        None, help="Units as the source gives them, e.g. 'USD Billion'."
    ),
    periodicity: str | None = typer.Option(None, help="e.g. Monthly, Quarterly, Annual."),
    description: str | None = typer.Option(None, help="Free-text description."),
    source_name: str | None = typer.Option(
        None, help="Publisher, e.g. 'U.S. Bureau of Labor Statistics'."
    ),
    category: str | None = typer.Option(None, help="Category group, e.g. 'Prices'."),
    currency_code: str | None = typer.Option(None, help="ISO 4217 code the source gives."),
    scale: str | None = typer.Option(
        None, help="Scale the source gives (units, thousands, millions, billions, …)."
    ),
    dataset: str | None = typer.Option(None, help="Dataset name (calendars: the market currency)."),
    values: str | None = typer.Option(
        None, help='Sample values as JSON, e.g. \'[{"date": "2024-01", "value": 1.5}]\'.'
    ),
    provider: str | None = typer.Option(
        None, "--provider", "-p", help="rules (default), openai, anthropic, local."
    ),
    strategy: str | None = typer.Option(None, help="rules (default), llm or hybrid."),
    model: str | None = typer.Option(None, "--model", help="Model name for the provider."),
    as_json: bool = typer.Option(False, "--json", help="Print the classification as JSON."),
) -> None:
    """Classify one indicator (NAME and options) or a whole file (--file).

    Examples: indiclass classify "GDP Annual Growth Rate" --units % --json ·
    indiclass classify --file series.csv --out results.parquet -p openai --strategy hybrid"""
    if file is not None:
        inds = _load(file)  # validates every row before anything is asked or written
        providers, config, concurrency = resolve(provider, strategy, model)
        results = _classify_many(inds, providers, config, concurrency)
        _emit(results, out)
        return
    if not name:
        raise InputError("give an indicator NAME or --file FILE", field="name")
    raw = {
        "name": name,
        "units": units,
        "periodicity": periodicity,
        "description": description,
        "source_name": source_name,
        "category_group": category,
        "currency_code": currency_code,
        "scale": scale,
        "dataset": dataset,
        "sample_values": _values(values),
    }
    ind = parse_indicator({k: v for k, v in raw.items() if v is not None})
    providers, config, _ = resolve(provider, strategy, model)
    result = classify(ind, providers, config).classification
    _show(result, as_json)


def _load(path: Path) -> list[Indicator]:
    from indiclass.loaders import load_indicators

    return load_indicators(path)


def _classify_many(
    inds: Sequence[Indicator], providers: ProviderSet, config: PipelineConfig, concurrency: int
) -> list[Classification]:
    """Every indicator, ``concurrency`` at a time on the I/O loop, with a progress bar."""
    if config.strategy.value == "rules" or all(not config.asks(s) for s in config.stages):
        return [classify(i, providers, config).classification for i in inds]
    console = Console(stderr=True)
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("classifying", total=len(inds))

        async def run_all() -> list[PipelineRun]:
            gate = asyncio.Semaphore(concurrency)

            async def one(ind: Indicator) -> PipelineRun:
                async with gate:
                    run = await aclassify(ind, providers, config)
                bar.advance(task)
                return run

            return list(await asyncio.gather(*(one(i) for i in inds)))

        started = time.monotonic()
        runs = aio.run_sync(run_all())
    fallbacks = sum(bool(r.fallbacks) for r in runs)
    usage = sum((r.usage for r in runs), Usage())
    from indiclass.cli.summary import cost_line

    console.print(
        f"classified {len(runs)} indicators in {time.monotonic() - started:.1f}s", highlight=False
    )
    console.print(cost_line(usage, len(runs), fallbacks), highlight=False)
    return [r.classification for r in runs]


def _emit(results: list[Classification], out: Path | None) -> None:
    if out is None:
        for c in results:
            sys.stdout.write(c.model_dump_json() + "\n")
        return
    write_results(out, [c.model_dump(mode="json") for c in results])
    typer.echo(f"classified {len(results)} indicators → {out}", err=True)


def _values(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise InputError("must be a JSON array of {date, value}", field="values") from None


def _show(c: Classification, as_json: bool) -> None:
    if as_json:
        typer.echo(c.model_dump_json(indent=2))
        return
    table = Table(title=f"{c.name}  [{c.indicator_id}]", show_header=True)
    table.add_column("field", no_wrap=True)
    table.add_column("value", no_wrap=True)
    table.add_column("confidence", justify="right")
    data = c.model_dump(mode="json")
    for f in SHOWN_FIELDS:
        value = data[f]
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = ", ".join(value) or "-"
        elif value is None:
            value = "-"
        conf = c.field_confidence.get(f)
        table.add_row(f, str(value), f"{conf:.2f}" if conf is not None else "")
    Console().print(table)
