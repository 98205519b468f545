"""``indiclass classify`` and ``indiclass eval``. (First cut; to be completed.)"""

from __future__ import annotations

import typer

from indiclass.domain.errors import InputError
from indiclass.domain.models import parse_indicator
from indiclass.pipeline import classify


def register(app: typer.Typer) -> None:
    app.command("classify")(classify_command)


def classify_command(
    name: str = typer.Argument(..., help="Indicator name, e.g. 'GDP Annual Growth Rate'."),
    units: str | None = typer.Option(None, help="Units as the source gives them, e.g. 'USD Billion'."),
    periodicity: str | None = typer.Option(None, help="e.g. Monthly, Quarterly, Annual."),
    description: str | None = typer.Option(None, help="Free-text description."),
) -> None:
    """Classify one indicator and print the classification as JSON."""
    try:
        ind = parse_indicator({"name": name, "units": units, "periodicity": periodicity,
                               "description": description})
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(classify(ind).classification.model_dump_json(indent=2))
