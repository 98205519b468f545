"""Results-database commands: ``seed``, ``query``, ``stats``, ``errors``, ``reset``, ``export``."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypedDict

import typer
from rich.console import Console
from rich.markup import escape

from indiclass.catalogue import load_catalogue
from indiclass.cli.outputs import (
    FORMULA_PREFIXES,
    SUFFIXES,
    output_format,
    spreadsheet_text,
    write_results,
)
from indiclass.cli.render import (
    BATCH_COLUMNS,
    FAILED_COLUMNS,
    fit_table,
    make_console,
    print_table,
    results_table,
)
from indiclass.cli.session import database_label, friendly_errors, load_settings, store_session
from indiclass.domain.enums import (
    TYPE_FAMILY,
    Family,
    IndicatorType,
    ReviewStatus,
    type_fits_family,
)
from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator
from indiclass.domain.store import BatchStats, ResultStore

WIDE = typer.Option(False, "--wide", "-w", help="Every column, whole (wider than the terminal).")


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
    family: str | None = typer.Option(None, "--family", help="A family (any case)."),
    type_: str | None = typer.Option(None, "--type", help="An indicator_type (any case)."),
    status: str | None = typer.Option(None, "--status", help="passed | corrected | failed"),
    provider: str | None = typer.Option(None, "--provider", help="rules | openai | ..."),
    batch: str | None = typer.Option(None, "--batch", help="trace_id"),
    needs_review: bool = typer.Option(
        False, "--needs-review", help="Only classifications marked needs_review."
    ),
    limit: int = typer.Option(20, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
    wide: bool = WIDE,
) -> None:
    """Show classifications, filtered by the taxonomy's values (checked, any case)."""
    filters = _filters(family, type_, status, provider, batch)
    if needs_review:
        filters["needs_review"] = True
    with store_session(load_settings()) as store:
        rows = store.query_classifications(**filters, limit=limit)
        total = _count_matches(store, filters, shown=len(rows), limit=limit)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, default=str))
        return
    title = f"{len(rows)} of {total} classifications"
    print_table(make_console(), results_table(rows, title=title, wide=wide))


QUERY_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "family": ("family", tuple(v.value for v in Family)),
    "indicator_type": ("type", tuple(v.value for v in IndicatorType)),
    "review_status": ("review status", tuple(v.value for v in ReviewStatus)),
    "provider": ("provider", ()),
}
"""Query filter → (what the user calls it, the values it accepts)."""


class Filters(TypedDict):
    """``query_classifications``'s filters (None: any)."""

    family: str | None
    indicator_type: str | None
    review_status: str | None
    provider: str | None
    trace_id: str | None
    needs_review: bool | None


def _filters(
    family: str | None,
    type_: str | None,
    status: str | None,
    provider: str | None,
    batch: str | None,
) -> Filters:
    filters = Filters(
        family=_choice("family", family),
        indicator_type=_choice("indicator_type", type_),
        review_status=_choice("review_status", status),
        provider=_choice("provider", provider),
        trace_id=batch,
        needs_review=None,
    )
    kind, fam = filters["indicator_type"], filters["family"]
    if kind and fam and not type_fits_family(IndicatorType(kind), Family(fam)):
        usage_error(
            f"type {kind!r} is not in family {fam!r} "
            f"(its family is {TYPE_FAMILY[IndicatorType(kind)]})"
        )
    return filters


def _choice(key: str, value: str | None) -> str | None:
    """The taxonomy value a filter names, in any case and with spaces or _ for -; exit 2 if none."""
    if value is None:
        return None
    what, allowed = QUERY_FILTERS[key]
    if key == "provider":
        from indiclass.providers import registry

        allowed = (*registry.names(), "rules-fallback")
    wanted = re.sub(r"[\s_]+", "-", value.strip().lower())
    if wanted in allowed:
        return wanted
    unknown(what, value, allowed, wanted)


def unknown(what: str, value: str, allowed: Sequence[str], key: str | None = None) -> NoReturn:
    """``unknown family 'price-valu' (did you mean 'price-value'?); one of: ...``, exit 2."""
    close = difflib.get_close_matches(key or value, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    usage_error(f"unknown {what} {value!r}{hint}; one of: {', '.join(allowed)}")


def _count_matches(store: ResultStore, filters: Filters, *, shown: int, limit: int) -> int:
    """How many classifications match (one COUNT query)."""
    if shown < limit:
        return shown
    return store.count_classifications(**{k: v for k, v in filters.items() if v is not None})


@friendly_errors
def stats_command(limit: int = typer.Option(20, "--limit", min=1), wide: bool = WIDE) -> None:
    """pipeline_stats per batch, with totals, averages and cost."""
    with store_session(load_settings()) as store:
        batches = store.list_batches(limit=limit)
        total = store.count("classifications")
    console = make_console()
    rows = [_batch_row(b) for b in batches]
    print_table(
        console, fit_table(BATCH_COLUMNS, rows, title="pipeline_stats (newest first)", wide=wide)
    )
    console.print(_totals_line(batches, total), highlight=False)


def _batch_row(b: BatchStats) -> dict[str, Any]:
    return {
        "batch_id": b.batch_id,
        "provider": b.provider,
        "model": b.model,
        "total": b.total_indicators,
        "ok": b.successful_indicators,
        "failed": b.failed_indicators,
        "pending": b.pending_indicators,
        "status": b.status,
        "fallback": b.fallback_indicators,
        "duration_ms": b.total_duration_ms,
        "avg_ms": b.avg_time_per_indicator_ms,
        "avg_confidence": b.avg_confidence,
        "llm_calls": b.llm_calls,
        "tokens": b.usage.total_tokens,
        "cost_usd": b.usage.cost_usd,
    }


def _totals_line(batches: list[BatchStats], classified: int) -> str:
    done = sum(b.successful_indicators for b in batches)
    times = [b.avg_time_per_indicator_ms for b in batches if b.avg_time_per_indicator_ms]
    costs = [b.usage.cost_usd for b in batches]
    known = [c for c in costs if c is not None]
    cost = "unknown" if len(known) < len(costs) else f"${sum(known):.4f}"
    avg = f"{sum(times) / len(times):.0f} ms" if times else "-"
    per = f"${sum(known) / done:.5f}" if done and cost != "unknown" else "-"
    return (
        f"classifications: {classified} | shown batches: {len(batches)}, {done} done, "
        f"{sum(b.failed_indicators for b in batches)} failed, "
        f"{sum(b.fallback_indicators for b in batches)} fell back to the rules | "
        f"avg time/indicator: {avg} | "
        f"LLM calls: {sum(b.llm_calls for b in batches)} | cost: {cost} (per indicator {per})"
    )


@friendly_errors
def errors_command(
    batch: str | None = typer.Option(None, "--batch", help="trace_id"),
    needs_review: bool = typer.Option(
        False, "--needs-review", help="Only classifications marked needs_review."
    ),
    wide: bool = WIDE,
) -> None:
    """Failed indicators: batch, stage and reason."""
    with store_session(load_settings()) as store:
        failed = store.failed_items(batch)
    rows = [f.model_dump() for f in failed]
    title = f"{len(failed)} failed indicator(s)"
    print_table(make_console(), fit_table(FAILED_COLUMNS, rows, title=title, wide=wide))


@friendly_errors
def reset_command(
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask."),
    force: bool = typer.Option(False, "--force", help="Cancel open batches first."),
) -> None:
    """Delete every row of the results database (keeps the schema) and the engine's records
    of those batches, so trace_ids can be used again. Refuses while batches are open.

    Example: indiclass reset --yes"""
    import os

    from indiclass.cli.session import engine_session

    settings = load_settings()
    where = database_label(settings)
    if not yes and not typer.confirm(f"Delete all indicators and results in {where}?"):
        raise typer.Exit(1)
    with engine_session(settings, listen=False, worker_id=f"reset-{os.getpid()}") as engine:
        engine.reset(force=force)
    make_console().print(f"🧹 Reset {where}", highlight=False)


EXPORT_SUFFIXES = {k: v for k, v in SUFFIXES.items() if v != "json"}
EXPORT_FORMATS = ("csv", "jsonl", "parquet")
__all__ = ["FORMULA_PREFIXES", "spreadsheet_text"]


@friendly_errors
def export_command(
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="csv | jsonl | parquet (default: from --out, else jsonl)"
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File (default: stdout; parquet needs --out)."
    ),
) -> None:
    """Export every classification (the classifications columns)."""
    fmt = _export_format(fmt, out)
    with store_session(load_settings()) as store:
        count = _export(store.iter_classifications(), fmt, out)
    if out is not None:
        make_console(stderr=True).print(f"📤 Exported {count} classifications to {out}")


def _export_format(fmt: str | None, out: Path | None) -> str:
    if fmt is not None and fmt.strip().lower() not in EXPORT_FORMATS:
        unknown("format", fmt, EXPORT_FORMATS)
    try:
        return output_format(fmt, out)
    except InputError as exc:
        usage_error(str(exc))


def _export(rows: Iterator[dict[str, Any]], fmt: str, out: Path | None) -> int:
    """The classification fields first, in their order, then the row's own (trace, times)."""
    from indiclass.stages import DEFAULT_STAGES

    first = DEFAULT_STAGES.classification_fields

    def ordered(row: dict[str, Any]) -> dict[str, Any]:
        head = {k: row[k] for k in first if k in row}
        return {**head, **{k: v for k, v in row.items() if k not in head}}

    return write_results(out, (ordered(r) for r in rows), fmt)
