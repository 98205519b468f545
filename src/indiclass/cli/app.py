"""The Typer application: registers every command module, each command inside the one error
boundary (``cli.errors``: one exit-code table for every command)."""

from __future__ import annotations

import typer

from indiclass import __version__
from indiclass.cli import (
    classify_cmd,
    data_cmd,
    engine_cmd,
    eval_cmd,
    history_cmd,
    llm_cmd,
    run_cmd,
)
from indiclass.cli.errors import EXIT_CODES_HELP, guard_app

app = typer.Typer(
    name="indiclass",
    help="Classify economic indicators into a fixed taxonomy (family, type, time basis, currency, "
    "scale, aggregation, heat-map orientation) with offline rules or LLMs, in durable batches. "
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"indiclass {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """indiclass: classify economic indicators with rules or LLMs, in durable batches."""


for module in (classify_cmd, eval_cmd, llm_cmd, engine_cmd, run_cmd, data_cmd, history_cmd):
    module.register(app)
guard_app(app)


def main() -> None:
    app()
