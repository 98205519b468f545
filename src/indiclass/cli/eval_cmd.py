"""``indiclass eval``: accuracy per field (with 95% intervals) and per publisher / language (or
id prefix), how well each field's confidence is calibrated, what ``hybrid`` would send to an LLM
at a threshold, the most frequent confusions, and optionally a reliability diagram."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from indiclass.cli.classify_cmd import resolve
from indiclass.domain.errors import InputError
from indiclass.evaluation import TARGETS, EvalReport, reliability_plot, score
from indiclass.pipeline import classify


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def eval_command(
    indicators: Path | None = typer.Argument(None, help="Indicators file (.jsonl, .json or .csv)."),
    labels: Path | None = typer.Argument(
        None, help="Labels file (.jsonl or .json): id, family, indicator_type, …, optional alt."
    ),
    labels_from: str | None = typer.Option(
        None,
        "--labels-from",
        help="'overrides': people's corrections in the results database are the labels "
        "(the indicators are its source_indicators).",
    ),
    run: str | None = typer.Option(
        None, "--run", help="With --labels-from overrides: score this run's answers (history)."
    ),
    provider: str | None = typer.Option(
        None, "--provider", "-p", help="rules (default), openai, anthropic, local."
    ),
    strategy: str | None = typer.Option(None, help="rules (default), llm or hybrid."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    top: int = typer.Option(10, help="How many of the most frequent confusions to show."),
    min_confidence: float | None = typer.Option(
        None,
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Threshold for the hybrid numbers (default: INDICLASS_MIN_CONFIDENCE, 0.75).",
    ),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write a reliability diagram per field to this PNG (extra 'plot')."
    ),
) -> None:
    """Accuracy per field against labels (right = the label or one of its alt values), per
    publisher and language, calibration of the confidences, and the most frequent confusions.

    Examples: indiclass eval ../shared/eval/indicators.jsonl ../shared/eval/labels.jsonl ·
    indiclass eval --labels-from overrides --run run-20261202-..."""
    from indiclass.loaders import load_indicators, load_records

    providers, config, _ = resolve(provider, strategy)
    threshold = config.min_confidence if min_confidence is None else min_confidence
    if labels_from is not None:
        if labels_from != "overrides":
            raise InputError(f"--labels-from: {labels_from!r} is not 'overrides'")
        preds, label_rows, rows = _from_overrides(run, providers, config)
    else:
        if indicators is None or labels is None:
            raise InputError("give INDICATORS and LABELS files, or --labels-from overrides")
        inds = load_indicators(indicators)
        rows = {str(r.get("id") or r.get("indicator_id")): r for r in load_records(indicators)}
        label_rows = load_records(labels)
        wanted = {str(r.get("id")) for r in label_rows}
        preds = {
            i.indicator_id: classify(i, providers, config).classification
            for i in inds
            if i.indicator_id in wanted
        }
    report = score(preds, label_rows, rows, threshold)
    if plot is not None:
        _plot(report, plot, indicators.name if indicators else "overrides")
    if as_json:
        typer.echo(json.dumps(report.to_dict(top), indent=2))
    else:
        _print_report(report, top)


def _from_overrides(
    run: str | None, providers: Any, config: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Labels from the active overrides (one row per corrected indicator, only its corrected
    fields); predictions from a run's history, or the pipeline run again on the indicators."""
    from indiclass.cli.session import load_settings, store_session
    from indiclass.evaluation import FIELD_MAP

    to_label = {cf: lf for lf, cf in FIELD_MAP.items()}
    with store_session(load_settings()) as store:
        labels: dict[str, dict[str, Any]] = {}
        for r in store.iter_overrides():
            if r["field"] in to_label:
                labels.setdefault(r["indicator_id"], {"id": r["indicator_id"]})[
                    to_label[r["field"]]
                ] = r["value"]
        if not labels:
            raise InputError("no overrides to score against (see `indiclass override`)")
        found = store.list_source_indicators(ids=sorted(labels))
        if run is not None:
            from indiclass.history import history_predictions

            preds = history_predictions(store, run)
        else:
            preds = {i.indicator_id: classify(i, providers, config).classification for i in found}
    preds = {k: v for k, v in preds.items() if k in labels}
    rows = {i.indicator_id: i.model_dump(mode="json") for i in found}
    return preds, [labels[k] for k in sorted(labels) if k in preds], rows


def _plot(report: EvalReport, path: Path, title: str) -> None:
    try:
        reliability_plot(report, str(path), title=f"Reliability per field: {title}")
    except ImportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _print_report(report: EvalReport, top: int) -> None:
    console = Console()
    console.print(_accuracy_table(report))
    for kind, groups in report.group_accuracy().items():
        console.print(_group_table(kind, groups))
    console.print(_calibration_table(report))
    t = report.min_confidence
    misses = report.family_misses_below()
    console.print(
        f"At min_confidence {t:.2f}: hybrid would ask the LLM for "
        f"{_pct(report.llm_share)} of indicators; {_pct(misses)} of family misses are below it."
    )
    console.print(_confusion_table(report, top))
    if report.missing:
        console.print(
            f"{len(report.missing)} labelled ids had no indicator: {', '.join(report.missing[:5])}"
        )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _accuracy_table(report: EvalReport) -> Table:
    table = Table(title=f"Accuracy over {report.scored} labelled indicators")
    for col in ("field", "accuracy", "95% CI", "target", "right/total"):
        table.add_column(col)
    intervals = report.intervals()
    for name, s in report.fields.items():
        target = TARGETS.get(name)
        mark = "" if target is None or s.accuracy >= target else " (below target)"
        lo, hi = intervals[name]
        table.add_row(
            name,
            f"{s.accuracy:.1%}{mark}",
            f"{lo:.0%}–{hi:.0%}",
            f"{target:.0%}" if target else "-",
            f"{s.right}/{s.total}",
        )
    return table


def _group_table(kind: str, groups: dict[str, dict[str, Any]]) -> Table:
    fields = [f for f in next(iter(groups.values()), {}) if f != "n"]
    table = Table(title=f"Accuracy per {kind}")
    for col in (kind, "n", *(f[:10] for f in fields)):
        table.add_column(col)
    for name, row in groups.items():
        table.add_row(name, str(row["n"]), *(f"{row[f]:.2f}" for f in fields))
    return table


def _calibration_table(report: EvalReport) -> Table:
    cal = report.calibration()
    table = Table(title="Calibration of the field confidences (10 bins)")
    for col in ("field", "mean conf", "accuracy", "ECE", "share ≥0.8", "wrong at ≥0.8"):
        table.add_column(col)
    rows = [*cal["fields"].items(), ("all fields", cal["overall"])]
    for name, c in rows:
        table.add_row(
            name,
            f"{c['mean_confidence']:.2f}",
            f"{c['accuracy']:.1%}",
            f"{c['ece']:.3f}",
            f"{c['share_high']:.0%}",
            f"{c['wrong_high']:.1%}",
        )
    return table


def _confusion_table(report: EvalReport, top: int) -> Table:
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
    return conf
