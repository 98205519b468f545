"""The Typer application: registers every command module."""

from __future__ import annotations

import typer

from indiclass.cli import classify_cmd, engine_cmd, llm_cmd, run_cmd

app = typer.Typer(
    name="indiclass",
    help="Classify economic indicators into a fixed taxonomy (family, type, time basis, currency, "
    "scale, aggregation, heat-map orientation) with offline rules or LLMs, in durable batches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """indiclass: classify economic indicators with rules or LLMs, in durable batches."""


for module in (classify_cmd, llm_cmd, engine_cmd, run_cmd):
    module.register(app)


def main() -> None:
    app()
