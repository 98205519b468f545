"""Looking inside: ``indiclass show ID`` (one indicator's whole trace) and ``indiclass logs``
(the latest LLM exchanges, like ``llm logs``). Read-only; no engine is started."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from indiclass.cli.render import Column, cell, fit_table, make_console, print_table
from indiclass.cli.session import friendly_errors, load_settings, store_session
from indiclass.domain.errors import InputError
from indiclass.domain.store import ResultStore
from indiclass.domain.usage import Usage
from indiclass.history import provenance

_NUMBER: dict[str, Any] = {"justify": "right"}

STAGE_COLUMNS: tuple[Column, ...] = (
    Column("stage", "stage", 0),
    Column("answer", "answer", 0, min_width=20, fill=True, wrap=True),
    Column("by", "answered by", 1, min_width=10),
    Column("confidence", "conf.", 1, **_NUMBER),
    Column("attempts", "asks", 3, **_NUMBER),
    Column("tokens", "tokens", 3, **_NUMBER),
    Column("cost_usd", "cost $", 2, decimals=5, **_NUMBER),
    Column("reasoning", "reasoning", 2, min_width=20, fill=True, wrap=True),
)
"""One row per stage of ``show``."""

CALL_COLUMNS: tuple[Column, ...] = (
    Column("id", "#", 0, **_NUMBER),
    Column("created_at", "at", 4),
    Column("indicator_id", "indicator", 0, min_width=14),
    Column("stage", "stage", 0),
    Column("model", "model", 2, min_width=10),
    Column("status", "status", 0),
    Column("attempt", "try", 3, **_NUMBER),
    Column("tokens", "tokens", 1, **_NUMBER),
    Column("cached_tokens", "cached", 4, **_NUMBER),
    Column("cost_usd", "cost $", 2, decimals=5, **_NUMBER),
    Column("duration_ms", "ms", 2, decimals=0, **_NUMBER),
    Column("error", "error", 1, min_width=16, fill=True, wrap=True),
)
"""One row per LLM exchange (``show`` and ``logs``)."""

_SKIP = {
    "id",
    "indicator_id",
    "trace_id",
    "confidence",
    "reasoning",
    "result_json",
    "source",
    "provider",
    "model",
    "attempts",
    "error",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
    "created_at",
    "updated_at",
    "field_confidence",
}
"""Stage-row columns that are provenance, not the stage's answer."""

_FIELDS = (
    ("family", "family"),
    ("indicator_type", "type"),
    ("time_basis", "time basis"),
    ("reporting_frequency", "frequency"),
    ("temporal_aggregation", "aggregation"),
    ("heat_map_orientation", "heat map"),
    ("scale", "scale"),
    ("detected_currency", "currency"),
    ("is_currency_denominated", "in a currency"),
    ("is_cumulative", "cumulative"),
    ("parsed_unit_type", "unit type"),
    ("review_status", "review"),
    ("overall_confidence", "confidence"),
    ("needs_review", "needs review"),
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("show")(show_command)
    app.command("logs")(logs_command)


@friendly_errors
def show_command(
    indicator_id: str = typer.Argument(..., help="The indicator's id."),
    prompts: bool = typer.Option(
        False, "--prompts", help="Print every LLM exchange's prompts and reply."
    ),
    as_json: bool = typer.Option(False, "--json", help="Everything as one JSON document."),
    wide: bool = typer.Option(False, "--wide", "-w", help="Every column, whole."),
) -> None:
    """One indicator's trace: the classification (overrides marked), every stage's answer,
    confidence, reasoning and who answered it (an LLM, the rules, or the rules after the LLM
    failed), and the LLM exchanges behind it with tokens and cost.

    Example: indiclass show US.CPI_YOY --prompts"""
    with store_session(load_settings()) as store:
        found = _trace(store, indicator_id)
    if as_json:
        typer.echo(json.dumps(found, default=str, ensure_ascii=False, indent=2))
        return
    console = make_console()
    _print_classification(console, found)
    rows = [_stage_row(name, row) for name, row in found["stages"].items()]
    print_table(console, fit_table(STAGE_COLUMNS, rows, title="Stages", wide=wide))
    calls = found["llm_calls"]
    if calls:
        usage = _usage(calls)
        print_table(
            console,
            fit_table(
                CALL_COLUMNS,
                [_call_row(c) for c in calls],
                title=f"LLM calls: {len(calls)}, {usage.total_tokens:,} tokens, "
                + (f"${usage.cost_usd:.5f}" if usage.cost_usd is not None else "cost unknown"),
                wide=wide,
            ),
        )
        if prompts:
            for call in calls:
                _print_exchange(console, call)
        else:
            console.print(f"   prompts and replies: indiclass show {indicator_id} --prompts")
    else:
        console.print("   LLM: no calls (every stage answered by the rules)")


@friendly_errors
def logs_command(
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=10_000, help="How many."),
    batch: str | None = typer.Option(None, "--batch", help="Only this trace_id."),
    stage: str | None = typer.Option(None, "--stage", help="Only this stage (e.g. family)."),
    errors: bool = typer.Option(False, "--errors", help="Only failed or interrupted calls."),
    prompts: bool = typer.Option(False, "--prompts", help="Print prompts and replies too."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    wide: bool = typer.Option(False, "--wide", "-w", help="Every column, whole."),
) -> None:
    """The latest LLM exchanges, newest first: stage, model, status, tokens, cost, time, error.

    Example: indiclass logs -n 50 --errors"""
    with store_session(load_settings()) as store:
        calls = store.recent_llm_calls(limit=limit, trace_id=batch, stage=stage)
        if errors:
            calls = [c for c in calls if c.get("status") != "ok"]
    if as_json:
        for call in calls:
            typer.echo(json.dumps(call, default=str, ensure_ascii=False))
        return
    console = make_console()
    if not calls:
        console.print("No LLM calls recorded" + (" for these filters" if batch or stage else ""))
        return
    usage = _usage(calls)
    title = f"{len(calls)} latest LLM call(s), {usage.total_tokens:,} tokens"
    print_table(
        console, fit_table(CALL_COLUMNS, [_call_row(c) for c in calls], title=title, wide=wide)
    )
    if prompts:
        for call in calls:
            _print_exchange(console, call)


# ---------------------------------------------------------------- pieces


def _trace(store: ResultStore, indicator_id: str) -> dict[str, Any]:
    row = store.get_classification(indicator_id)
    stages = store.stage_results(indicator_id)
    if row is None and not stages:
        raise InputError(f"no classification for {indicator_id!r} (see `indiclass query`)")
    return {
        "indicator_id": indicator_id,
        "classification": row,
        "stages": stages,
        "llm_calls": store.llm_calls_for(indicator_id),
        "overrides": store.list_overrides(indicator_id, limit=1000),
        "provenance": provenance(store, indicator_id),
    }


def _print_classification(console: Console, found: Mapping[str, Any]) -> None:
    row = found["classification"] or {}
    overridden = {o["field"]: o for o in found["overrides"]}
    head = f"[bold]{escape(found['indicator_id'])}[/bold]"
    if row.get("name"):
        head += f"  {escape(str(row['name']))}"
    console.print(head)
    facts = [f"provider {row.get('provider') or '-'} {row.get('model') or ''}".rstrip()]
    if row.get("trace_id"):
        facts.append(f"batch {row['trace_id']}")
    fallback = row.get("fallback_stages")
    if fallback:
        names = fallback if isinstance(fallback, str) else ", ".join(map(str, fallback))
        facts.append(f"fell back to the rules: {names}")
    console.print("   " + " · ".join(facts), highlight=False)
    parts = []
    for key, label in _FIELDS:
        if key not in row:
            continue
        mark = " ✎" if key in overridden else ""
        parts.append(f"{label} [bold]{escape(cell(row.get(key)))}[/bold]{mark}")
    console.print("   " + " · ".join(parts))
    made = (found.get("provenance") or {}).get("current") or {}
    facts = [
        f"{k} {made[k]}"
        for k in ("strategy", "rules_version", "prompt_hash", "request_hash", "run_id")
        if made.get(k)
    ]
    if facts:
        console.print("   made with: " + " · ".join(facts), highlight=False)
    runs = (found.get("provenance") or {}).get("history") or []
    if len(runs) > 1:
        console.print(f"   classified in {len(runs)} runs (indiclass diff A B)", highlight=False)
    for field_name, o in overridden.items():
        console.print(
            f"   ✎ {field_name}: {escape(str(o['value']))} by {escape(str(o['who']))} "
            f"(was {escape(str(o.get('replaced') or '-'))}): {escape(str(o['reason']))}",
            highlight=False,
        )


def _stage_row(name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    answer = ", ".join(
        f"{k}={cell(v)}" for k, v in row.items() if k not in _SKIP and v not in (None, "", [], {})
    )
    source = row.get("source") or "-"
    by = f"{row.get('provider') or '-'} {row.get('model') or ''}".strip()
    if source == "rules-fallback" or row.get("provider") == "rules-fallback":
        by = f"rules (fallback: {row.get('error') or 'LLM failed'})"
    elif source == "rules":
        by = "rules"
    tokens = int(row.get("input_tokens") or 0) + int(row.get("output_tokens") or 0)
    return {
        "stage": name,
        "answer": answer,
        "by": by,
        "confidence": row.get("confidence"),
        "attempts": row.get("attempts"),
        "tokens": tokens or None,
        "cost_usd": row.get("cost_usd"),
        "reasoning": row.get("reasoning"),
    }


def _call_row(call: Mapping[str, Any]) -> dict[str, Any]:
    tokens = int(call.get("input_tokens") or 0) + int(call.get("output_tokens") or 0)
    return {**call, "tokens": tokens}


def _usage(calls: list[dict[str, Any]]) -> Usage:
    costs = [c.get("cost_usd") for c in calls]
    return Usage(
        requests=len(calls),
        input_tokens=sum(int(c.get("input_tokens") or 0) for c in calls),
        output_tokens=sum(int(c.get("output_tokens") or 0) for c in calls),
        cached_tokens=sum(int(c.get("cached_tokens") or 0) for c in calls),
        cost_usd=None if any(c is None for c in costs) else sum(float(c or 0) for c in costs),
    )


def _print_exchange(console: Console, call: Mapping[str, Any]) -> None:
    console.rule(
        f"#{call.get('id')} {call.get('stage')} · {call.get('model')} · {call.get('status')}",
        align="left",
    )
    for label, key in (("system", "prompt_system"), ("user", "prompt_user"), ("reply", "response")):
        text = call.get(key)
        if text:
            console.print(f"[bold]{label}[/bold]")
            console.print(escape(str(text)), highlight=False, soft_wrap=True)
    if call.get("error"):
        console.print(f"[bold red]error[/bold red] {escape(str(call['error']))}", highlight=False)
