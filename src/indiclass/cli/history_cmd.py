"""Runs side by side and retention: ``runs``, ``diff``, ``purge``.

indiclass runs                                   # runs and API batches, newest first
indiclass diff RUN_A RUN_B [--format table|csv|jsonl]
indiclass purge --llm-calls-older-than 30d       # blank old prompt and reply text
indiclass purge --redact-prompts                 # blank every stored prompt now
"""

from __future__ import annotations

from typing import Any, cast

import typer

from indiclass.cli.outputs import write_results
from indiclass.cli.render import Column, fit_table, make_console, print_table
from indiclass.cli.session import database_label, friendly_errors, load_settings, store_session
from indiclass.domain.errors import InputError
from indiclass.domain.history import HistoryStore

FORMATS = ("table", "csv", "jsonl")
_NUMBER: dict[str, Any] = {"justify": "right"}

RUN_COLUMNS: tuple[Column, ...] = (
    Column("run_id", "run", 0, min_width=14),
    Column("kind", "kind", 1),
    Column("status", "status", 0),
    Column("strategy", "strategy", 1),
    Column("provider", "provider", 2),
    Column("model", "model", 4, min_width=10, fill=True),
    Column("total_indicators", "indicators", 2, **_NUMBER),
    Column("classified", "classified", 1, **_NUMBER),
    Column("created_at", "started", 3),
)
CHANGE_COLUMNS: tuple[Column, ...] = (
    Column("indicator_id", "id", 0, min_width=16),
    Column("field", "field", 0),
    Column("a", "A", 0, min_width=8),
    Column("b", "B", 0, min_width=8),
    Column("stage", "stage", 1),
    Column("a_confidence", "conf. A", 2, decimals=3, **_NUMBER),
    Column("b_confidence", "conf. B", 2, decimals=3, **_NUMBER),
    Column("a_source", "source A", 3),
    Column("b_source", "source B", 3),
    Column("a_model", "model A", 5, min_width=8),
    Column("b_model", "model B", 5, min_width=8),
)


def register(app: typer.Typer) -> None:
    app.command("runs")(runs_command)
    app.command("diff")(diff_command)
    app.command("purge")(purge_command)


def _format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"--format: {value!r} is not one of {', '.join(FORMATS)}")
    return fmt


@friendly_errors
def runs_command(
    limit: int = typer.Option(50, "--limit", min=1, help="How many, newest first."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | csv | jsonl"),
) -> None:
    """List runs (``indiclass run ...``) and API batches (each its own run), newest first.

    Example: indiclass runs --limit 10"""
    from indiclass.history import list_runs

    fmt = _format(fmt)
    with store_session(load_settings()) as store:
        runs = list_runs(store, limit=limit)
    if fmt != "table":
        write_results(None, runs, fmt)
        return
    print_table(make_console(), fit_table(RUN_COLUMNS, runs, title=f"{len(runs)} runs"))


@friendly_errors
def diff_command(
    run_a: str = typer.Argument(..., help="A run id or a batch trace_id."),
    run_b: str = typer.Argument(..., help="Another run id or trace_id."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | csv | jsonl"),
) -> None:
    """Indicators whose answers differ between two runs: the field, both answers, both
    confidences, the stage that decided it and who answered it in each run. table and csv:
    one row per changed field; jsonl: one line per indicator with both answers.

    Example: indiclass diff run-20260101-120000-ab12cd run-20260102-090000-ef34gh -f csv"""
    from indiclass.history import diff_runs

    fmt = _format(fmt)
    with store_session(load_settings()) as store:
        diff = diff_runs(store, run_a, run_b)
    note = make_console(stderr=True)
    if fmt == "jsonl":
        write_results(None, (d.to_dict() for d in diff.changed), "jsonl")
    else:
        rows = [row for d in diff.changed for row in d.rows()]
        if fmt == "csv":
            write_results(None, rows, "csv")
        else:
            title = f"{len(diff.changed)} of {len(diff.changed) + diff.unchanged} changed"
            print_table(make_console(), fit_table(CHANGE_COLUMNS, rows, title=title))
    note.print(
        f"{len(diff.changed)} changed, {diff.unchanged} unchanged, {len(diff.only_a)} only in "
        f"{run_a}, {len(diff.only_b)} only in {run_b}",
        highlight=False,
    )


@friendly_errors
def purge_command(
    older_than: str | None = typer.Option(
        None,
        "--llm-calls-older-than",
        help="Blank the prompt and reply text of LLM calls older than this (30d, 12h, 2w); "
        "tokens and cost stay. Calls of batches still open keep their replies.",
    ),
    redact_prompts: bool = typer.Option(
        False,
        "--redact-prompts",
        help="Blank every stored prompt now, whatever its age (replies stay). "
        "INDICLASS_REDACT_PROMPTS=true stops storing new ones.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would change."),
) -> None:
    """Remove stored LLM prompt and reply text (docs/operations.md: Retention).

    Example: indiclass purge --llm-calls-older-than 30d"""
    from datetime import timedelta

    from indiclass.engine.retention import cutoff, parse_age

    if older_than is None and not redact_prompts:
        raise InputError("give --llm-calls-older-than AGE and/or --redact-prompts")
    settings = load_settings()
    jobs: list[tuple[str, str, bool]] = []
    if redact_prompts:
        jobs.append(("prompts of every call", cutoff(timedelta(days=-1)), True))
    if older_than is not None:
        what = f"prompt and reply text older than {older_than}"
        jobs.append((what, cutoff(parse_age(older_than)), False))
    console = make_console()
    with store_session(settings) as opened:
        store = cast(HistoryStore, opened)
        for what, before, prompts_only in jobs:
            count = store.count_llm_text if dry_run else store.purge_llm_text
            n = count(before, prompts_only=prompts_only)
            verb = "would blank" if dry_run else "blanked"
            console.print(
                f"🧽 {verb} {what}: {n} LLM call(s) in {database_label(settings)}",
                highlight=False,
            )
