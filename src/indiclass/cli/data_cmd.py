"""Results-database commands: ``seed``, ``query``, ``stats``, ``errors``, ``reset``, ``export``."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from indiclass.catalogue import load_catalogue
from indiclass.cli.render import make_console, results_table
from indiclass.cli.session import database_label, friendly_errors, load_settings, store_session
from indiclass.domain.errors import InputError
from indiclass.domain.models import CLASSIFICATION_FIELDS, Indicator


def register(app: typer.Typer) -> None:
    for name, fn in (
        ("seed", seed_command),
        ("query", query_command),
        ("stats", stats_command),
        ("errors", errors_command),
        ("reset", reset_command),
        ("export", export_command),
    ):
        app.command(name)(fn)


@friendly_errors
def seed_command(
    file: Path | None = typer.Argument(
        None,
        help="JSONL, JSON, CSV/TSV/TXT or XLSX of indicators (docs/usage.md); "
        "default: the bundled catalogue.",
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Duplicate ids in FILE: keep the last row of each."
    ),
) -> None:
    """Load indicators into source_indicators (the pool `run` draws from)."""
    indicators, replaced = _read_file(file, replace=replace) if file else (load_catalogue(), 0)
    settings = load_settings()
    with store_session(settings) as store:
        count = store.upsert_source_indicators(indicators)
    origin = str(file) if file else "the bundled catalogue"
    note = f" ({_plural(replaced, 'duplicate id')} replaced)" if replaced else ""
    make_console().print(
        f"🌱 Seeded {count} indicators{note} from {origin} into {database_label(settings)}",
        highlight=False,
    )


def _read_file(path: Path, *, replace: bool) -> tuple[list[Indicator], int]:
    """The file's indicators, one per id, and how many earlier rows a later one replaced."""
    from indiclass.loaders import describe_duplicates, read_indicators

    loaded = read_indicators(path)
    for note in loaded.notes:
        _stderr().print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    duplicates = loaded.duplicates()
    if duplicates and not replace:
        usage_error(
            f"{path.name}: {describe_duplicates(duplicates)}; nothing was seeded "
            "(--replace keeps the last row of each)"
        )
    kept = loaded.last_wins()
    return kept, len(loaded.numbered) - len(kept)


def usage_error(message: str) -> NoReturn:
    """One red line on stderr and exit code 2 (a bad argument or file, as Click does)."""
    _stderr().print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _stderr() -> Console:
    return Console(stderr=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@friendly_errors
def query_command(
    family: str | None = typer.Option(None, "--family"),
    type_: str | None = typer.Option(None, "--type", help="indicator_type"),
    status: str | None = typer.Option(None, "--status", help="review status"),
    provider: str | None = typer.Option(None, "--provider"),
    batch: str | None = typer.Option(None, "--batch", help="trace_id"),
    limit: int = typer.Option(20, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    """Show classifications, filtered."""
    with store_session(load_settings()) as store:
        rows = store.query_classifications(
            family=family,
            indicator_type=type_,
            review_status=status,
            provider=provider,
            trace_id=batch,
            limit=limit,
        )
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, default=str))
        return
    make_console().print(results_table(rows, title=f"{len(rows)} classifications"))


@friendly_errors
def stats_command(limit: int = typer.Option(20, "--limit", min=1)) -> None:
    """pipeline_stats per batch, with totals, averages and cost."""
    with store_session(load_settings()) as store:
        batches = store.list_batches(limit=limit)
        total = store.count("classifications")
    table = Table(title="pipeline_stats (newest first)", header_style="bold")
    for col in (
        "batch_id",
        "provider",
        "model",
        "total",
        "ok",
        "failed",
        "pending",
        "duration ms",
        "avg ms/ind.",
        "avg conf.",
        "LLM calls",
        "tokens",
        "cost $",
    ):
        table.add_column(col, overflow="fold")
    for b in batches:
        table.add_row(
            b.batch_id,
            b.provider,
            b.model,
            *map(
                _text,
                (
                    b.total_indicators,
                    b.successful_indicators,
                    b.failed_indicators,
                    b.pending_indicators,
                    b.total_duration_ms,
                    b.avg_time_per_indicator_ms,
                    b.avg_confidence,
                    b.llm_calls,
                    b.usage.total_tokens,
                    b.usage.cost_usd,
                ),
            ),
        )
    console = make_console()
    console.print(table)
    console.print(_totals_line(batches, total), highlight=False)


def _totals_line(batches: list[Any], classified: int) -> str:
    done = sum(b.successful_indicators for b in batches)
    times = [b.avg_time_per_indicator_ms for b in batches if b.avg_time_per_indicator_ms]
    costs = [b.usage.cost_usd for b in batches]
    cost = "unknown" if any(c is None for c in costs) else f"${sum(costs):.4f}"
    avg = f"{sum(times) / len(times):.0f} ms" if times else "-"
    per = f"${sum(costs) / done:.5f}" if done and cost != "unknown" else "-"
    return (
        f"classifications: {classified} | shown batches: {len(batches)}, {done} done, "
        f"{sum(b.failed_indicators for b in batches)} failed | avg time/indicator: {avg} | "
        f"LLM calls: {sum(b.llm_calls for b in batches)} | cost: {cost} (per indicator {per})"
    )


def _text(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


@friendly_errors
def errors_command(batch: str | None = typer.Option(None, "--batch", help="trace_id")) -> None:
    """Failed indicators: batch, stage and reason."""
    with store_session(load_settings()) as store:
        failed = store.failed_items(batch)
    table = Table(title=f"{len(failed)} failed indicator(s)", header_style="bold")
    for col in ("trace_id", "indicator_id", "stage", "error", "failed_at"):
        table.add_column(col, overflow="fold")
    for f in failed:
        table.add_row(
            f.trace_id,
            f.indicator_id,
            f.stage or "-",
            f.error or "-",
            f.failed_at.isoformat() if f.failed_at else "-",
        )
    make_console().print(table)


@friendly_errors
def reset_command(yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask.")) -> None:
    """Delete every row of the results database (keeps the schema)."""
    settings = load_settings()
    where = database_label(settings)
    if not yes and not typer.confirm(f"Delete all indicators and results in {where}?"):
        raise typer.Exit(1)
    with store_session(settings) as store:
        store.reset()
    make_console().print(f"🧹 Reset {where}", highlight=False)


@friendly_errors
def export_command(
    fmt: str = typer.Option("jsonl", "--format", "-f", help="csv | jsonl | parquet"),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File (default: stdout; parquet needs --out)."
    ),
) -> None:
    """Export every classification (the classifications columns)."""
    if fmt not in ("csv", "jsonl", "parquet"):
        raise InputError(f"unknown format {fmt!r}: csv, jsonl or parquet")
    if fmt == "parquet" and out is None:
        raise InputError("parquet needs --out FILE")
    with store_session(load_settings()) as store:
        count = _export(store.iter_classifications(), fmt, out)
    if out is not None:
        make_console(stderr=True).print(f"📤 Exported {count} classifications to {out}")


def _export(rows: Iterator[dict[str, Any]], fmt: str, out: Path | None) -> int:
    if fmt == "parquet":
        assert out is not None
        return _write_parquet(rows, out)
    handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        return _write_csv(rows, handle) if fmt == "csv" else _write_jsonl(rows, handle)
    finally:
        if out:
            handle.close()


def _write_jsonl(rows: Iterable[dict[str, Any]], handle: Any) -> int:
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        handle.write(json.dumps(row, default=str) + "\n")
    return count


def _write_csv(rows: Iterable[dict[str, Any]], handle: Any) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        if writer is None:
            fields = [*CLASSIFICATION_FIELDS, *(k for k in row if k not in CLASSIFICATION_FIELDS)]
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
        writer.writerow(row)
    return count


def _write_parquet(rows: Iterable[dict[str, Any]], out: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise typer.BadParameter(
            "parquet export needs pyarrow: pip install 'indiclass[export]'"
        ) from None

    batch = list(rows)
    pq.write_table(pa.Table.from_pylist(batch), out)
    return len(batch)
