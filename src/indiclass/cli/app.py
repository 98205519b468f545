"""The Typer application: one table of commands, each loaded only when it runs.

A command's module is imported when the command is invoked (or listed by ``--help``), so
``indiclass classify`` loads the pipeline and nothing of the engine, the API or the fake server.
Every command runs inside the one error boundary (``cli.errors``: one exit-code table).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

from indiclass import __version__
from indiclass.cli.errors import EXIT_CODES_HELP, guard_app

COMMANDS: dict[str, str] = {
    "classify": "classify_cmd",
    "eval": "eval_cmd",
    "estimate": "estimate_cmd",
    "seed": "data_cmd",
    "query": "data_cmd",
    "stats": "data_cmd",
    "errors": "data_cmd",
    "reset": "data_cmd",
    "export": "data_cmd",
    "run": "run_cmd",
    "serve": "run_cmd",
    "demo": "run_cmd",
    "worker": "engine_cmd",
    "recover": "engine_cmd",
    "engine-status": "engine_cmd",
    "fake-llm": "llm_cmd",
    "runs": "history_cmd",
    "diff": "history_cmd",
    "purge": "history_cmd",
    "show": "inspect_cmd",
    "logs": "inspect_cmd",
    "override": "override_cmd",
    "overrides": "override_cmd",
}
"""Command name → the module under ``indiclass.cli`` whose ``register(app)`` defines it."""


class LazyGroup(TyperGroup):
    """Resolves a command by importing its module on demand (click's lazy-loading recipe)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        module = import_module(f"indiclass.cli.{COMMANDS[cmd_name]}")
        part = typer.Typer()
        module.register(part)
        guard_app(part)
        group = typer.main.get_group(part)
        for name, command in group.commands.items():
            self.add_command(command, name)
        return self.commands.get(cmd_name)


app = typer.Typer(
    name="indiclass",
    cls=LazyGroup,
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


def register(module_name: str) -> None:
    """Register one more command module (a plugin's CLI, a new command) by its import path."""
    module = import_module(module_name)
    module.register(app)
    guard_app(app)


def main() -> None:
    app()
