"""``indiclass eval``: accuracy per field against labels, with the most frequent confusions."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from indiclass.cli.classify_cmd import resolve
from indiclass.evaluation import TARGETS, EvalReport, score
from indiclass.pipeline import classify


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def eval_command(
    indicators: Path = typer.Argument(..., help="Indicators file (.jsonl, .json or .csv)."),
    labels: Path = typer.Argument(
        ..., help="Labels file (.jsonl or .json): id, family, indicator_type, …, optional alt."
    ),
    provider: str | None = typer.Option(
        None, "--provider", "-p", help="rules (default), openai, anthropic, local."
    ),
    strategy: str | None = typer.Option(None, help="rules (default), llm or hybrid."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    top: int = typer.Option(10, help="How many of the most frequent confusions to show."),
) -> None:
    """Accuracy per field against labels (right = the label or one of its alt values), and the
    most frequent confusions.

    Example: indiclass eval ../shared/eval/indicators.jsonl ../shared/eval/labels.jsonl"""
    from indiclass.loaders import load_indicators, load_records

    providers, config, _ = resolve(provider, strategy)
    inds = load_indicators(indicators)
    label_rows = load_records(labels)
    wanted = {str(r.get("id")) for r in label_rows}
    preds = {
        i.indicator_id: classify(i, providers, config).classification
        for i in inds
        if i.indicator_id in wanted
    }
    report = score(preds, label_rows)
    if as_json:
        typer.echo(json.dumps(report.to_dict(top), indent=2))
    else:
        _print_report(report, top)


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
