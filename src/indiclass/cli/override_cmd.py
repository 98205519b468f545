"""People's corrections from the command line: ``indiclass override`` and ``indiclass overrides``.

    indiclass override ID family=price-value indicator_type=price --reason "a price index"
    indiclass override ID --remove scale            # back to the pipeline's answer
    indiclass overrides list [--id ID] [--history] [--json]
    indiclass overrides export [--out overrides.csv] [--history]

An override wins over the pipeline's answer in ``classifications`` (and so in ``query``,
``export`` and the seed's sqlite3 queries) until it is removed, across re-runs and ``--force``.
Values are checked against the taxonomy like an LLM's reply (exit 2 when one does not fit).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from indiclass.cli.session import load_settings, store_session
from indiclass.domain.errors import InputError

overrides_app = typer.Typer(help="List or export people's corrections (overrides).")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("override")(override_command)
    app.add_typer(overrides_app, name="overrides")


def override_command(
    indicator_id: str = typer.Argument(..., help="The indicator to correct."),
    values: list[str] = typer.Argument(None, help="field=value pairs, e.g. family=price-value"),
    reason: str = typer.Option("", "--reason", "-r", help="Why (kept with the override)."),
    who: str = typer.Option(None, "--who", help="Who corrects (default: the login name)."),
    remove: list[str] = typer.Option(
        None, "--remove", help="Remove the override of this field (repeatable; 'all' for all)."
    ),
) -> None:
    """Correct fields of a stored classification, or remove corrections (--remove)."""
    person = who or _login()
    with store_session(load_settings()) as store:
        if store.get_classification(indicator_id) is None:
            raise InputError(f"no classification for {indicator_id!r}", field="indicator_id")
        if remove:
            fields = None if "all" in remove else list(remove)
            gone = store.remove_overrides(indicator_id, fields, who=person)
            _say(f"removed {len(gone)} override(s) of {indicator_id}: pipeline answers restored")
            return
        active = store.add_overrides(indicator_id, _pairs(values or []), reason=reason, who=person)
    for o in active:
        _say(
            f"{indicator_id}  {o['field']} = {o['value']}  (pipeline: {o['replaced']}; {o['who']})"
        )


@overrides_app.command("list")
def list_command(
    indicator_id: str = typer.Option(None, "--id", help="One indicator's overrides."),
    history: bool = typer.Option(False, "--history", help="Include removed and superseded ones."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """The overrides in force (newest first)."""
    with store_session(load_settings()) as store:
        rows = store.list_overrides(indicator_id, include_deleted=history, limit=limit)
    if as_json:
        for r in rows:
            typer.echo(json.dumps(r))
        return
    for r in rows:
        state = "" if r["active"] else f"  [removed {r['deleted_at']} by {r['deleted_by']}]"
        _say(
            f"{r['indicator_id']}  {r['field']} = {r['value']}  (pipeline: {r['replaced']})  "
            f"{r['who']} {r['created_at']}  {r['reason']}{state}"
        )
    if not rows:
        _say("no overrides")


@overrides_app.command("export")
def export_command(
    out: Path = typer.Option(None, "--out", "-o", help="File (.csv, .jsonl, .json, .parquet)."),
    history: bool = typer.Option(False, "--history", help="Include removed and superseded ones."),
) -> None:
    """Every override record (JSONL on stdout without --out)."""
    from indiclass.cli.outputs import write_results

    with store_session(load_settings()) as store:
        count = write_results(out, store.iter_overrides(include_deleted=history))
    if out is not None:
        Console(stderr=True).print(f"wrote {count} override(s) to {out}", highlight=False)


def _pairs(values: list[str]) -> dict[str, Any]:
    pairs: dict[str, Any] = {}
    for item in values:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise InputError(f"expected field=value, got {item!r}", field="values")
        pairs[field.strip()] = value.strip()
    if not pairs:
        raise InputError("give field=value pairs to correct, or --remove FIELD", field="values")
    return pairs


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container): still say who
        return "cli"


def _say(text: str) -> None:
    Console().print(text, highlight=False, soft_wrap=True, markup=False)
