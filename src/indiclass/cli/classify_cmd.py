"""``indiclass classify`` (one indicator, or a whole file) and ``indiclass eval``.

Bad input never shows a traceback: it prints one line naming the row and field and exits 2.
File output is written to a temporary file and renamed, so nothing is ever half-written.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from indiclass.domain.enums import ProviderName, Strategy
from indiclass.domain.errors import ConfigError, IndiclassError, InputError
from indiclass.domain.models import CLASSIFICATION_FIELDS, Classification, parse_indicator
from indiclass.domain.ports import Provider
from indiclass.evaluation import TARGETS, EvalReport, score
from indiclass.loaders import load_indicators, load_records
from indiclass.pipeline import PipelineConfig, ProviderSet, classify

EXIT_BAD_INPUT = 2
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
    "provider",
)


def register(app: typer.Typer) -> None:
    app.command("classify")(classify_command)
    app.command("eval")(eval_command)


def _resolve_provider(
    provider: str | None, strategy: str | None
) -> tuple[Provider | ProviderSet | None, PipelineConfig]:
    """The provider(s) and pipeline config for ``--provider``/``--strategy``.

    ``--provider`` (else ``LLM_PROVIDER``) is the default provider; ``LLM_PROVIDER_<STAGE>`` and
    ``LLM_MODEL_<STAGE>`` override single stages. The strategy is ``--strategy``, else
    ``INDICLASS_STRATEGY``, else ``rules`` for the rules provider and ``llm`` for the others.
    A missing key or an unknown provider raises ConfigError naming the variable.
    """
    from pydantic import ValidationError

    from indiclass.bootstrap.providers import build_provider_set
    from indiclass.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError(
            f"invalid setting: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
        ) from None
    name = (provider or settings.llm_provider.value).strip().lower()
    if strategy:
        strat = Strategy(strategy)
    else:
        strat = settings.strategy or (
            Strategy.RULES if name == ProviderName.RULES.value else Strategy.LLM
        )
    providers = build_provider_set(settings, name)
    return providers, PipelineConfig(strategy=strat, hybrid_threshold=settings.hybrid_threshold)


def classify_command(
    name: str | None = typer.Argument(None, help="Indicator name, e.g. 'GDP Annual Growth Rate'."),
    file: Path | None = typer.Option(
        None,
        "--file",
        "-f",
        help="Classify every indicator in a .jsonl, .json (array) or .csv file.",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write results here: JSONL, or CSV "
        "when the name ends in .csv (default: JSONL on stdout).",
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
    provider: str | None = typer.Option(None, help="rules (default), openai, anthropic, local."),
    strategy: str | None = typer.Option(None, help="rules (default), llm or hybrid."),
    as_json: bool = typer.Option(False, "--json", help="Print the classification as JSON."),
) -> None:
    """Classify one indicator (NAME and options) or a whole file (--file)."""
    try:
        chosen, config = _resolve_provider(provider, _strategy(strategy))
        if file is not None:
            _classify_file(file, out, chosen, config)
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
        result = classify(ind, chosen, config).classification
    except IndiclassError as exc:
        _fail(exc)
    _show(result, as_json)


def eval_command(
    indicators: Path = typer.Argument(..., help="Indicators file (.jsonl, .json or .csv)."),
    labels: Path = typer.Argument(
        ..., help="Labels file (.jsonl or .json): id, family, indicator_type, …, optional alt."
    ),
    provider: str | None = typer.Option(None, help="rules (default), openai, anthropic, local."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    top: int = typer.Option(10, help="How many of the most frequent confusions to show."),
) -> None:
    """Accuracy per field against labels (right = the label or one of its alt values), and the
    most frequent confusions."""
    try:
        chosen, config = _resolve_provider(provider, None)
        inds = load_indicators(indicators)
        label_rows = load_records(labels)
        wanted = {str(r.get("id")) for r in label_rows}
        preds = {
            i.indicator_id: classify(i, chosen, config).classification
            for i in inds
            if i.indicator_id in wanted
        }
    except IndiclassError as exc:
        _fail(exc)
    report = score(preds, label_rows)
    if as_json:
        typer.echo(json.dumps(report.to_dict(top), indent=2))
    else:
        _print_report(report, top)


# ---------------------------------------------------------------- helpers


def _strategy(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in {s.value for s in Strategy}:
        raise InputError(f"unknown strategy {value!r}; one of llm, hybrid, rules", field="strategy")
    return value


def _values(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise InputError("must be a JSON array of {date, value}", field="values") from None


def _fail(exc: IndiclassError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _classify_file(
    path: Path, out: Path | None, chosen: Provider | ProviderSet | None, config: PipelineConfig
) -> None:
    inds = load_indicators(path)  # validates every row before anything is written
    results = [classify(i, chosen, config).classification for i in inds]
    if out is None:
        for c in results:
            sys.stdout.write(c.model_dump_json() + "\n")
        return
    _write_atomically(out, results)
    typer.echo(f"classified {len(results)} indicators → {out}", err=True)


def _write_atomically(out: Path, results: Iterable[Classification]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            if out.suffix.lower() == ".csv":
                _write_csv(fh, results)
            else:
                for c in results:
                    fh.write(c.model_dump_json() + "\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_csv(fh: Any, results: Iterable[Classification]) -> None:
    writer = csv.DictWriter(fh, fieldnames=list(CLASSIFICATION_FIELDS))
    writer.writeheader()
    for c in results:
        writer.writerow({k: "" if v is None else v for k, v in c.model_dump(mode="json").items()})


def _show(c: Classification, as_json: bool) -> None:
    if as_json:
        typer.echo(c.model_dump_json(indent=2))
        return
    table = Table(title=f"{c.name}  [{c.indicator_id}]", show_header=True)
    table.add_column("field")
    table.add_column("value")
    data = c.model_dump(mode="json")
    for f in SHOWN_FIELDS:
        table.add_row(f, str(data[f]))
    Console().print(table)


def _print_report(report: EvalReport, top: int) -> None:
    console = Console()
    table = Table(title=f"Accuracy over {report.scored} labelled indicators")
    for col in ("field", "accuracy", "target", "right/total"):
        table.add_column(col)
    for name, s in report.fields.items():
        target = TARGETS.get(name)
        mark = "" if target is None or s.accuracy >= target else " (below target)"
        table.add_row(
            name,
            f"{s.accuracy:.1%}{mark}",
            f"{target:.0%}" if target else "-",
            f"{s.right}/{s.total}",
        )
    console.print(table)
    conf = Table(title="Most frequent confusions (expected → predicted)")
    for col in ("field", "expected", "predicted", "count", "examples"):
        conf.add_column(col)
    for row in report.top_confusions(top):
        conf.add_row(
            row["field"],
            row["expected"],
            row["predicted"],
            str(row["count"]),
            ", ".join(row["examples"]),
        )
    console.print(conf)
    if report.missing:
        console.print(
            f"{len(report.missing)} labelled ids had no indicator: {', '.join(report.missing[:5])}"
        )
