"""The runner commands: ``demo`` (and, as they land, seed / run / serve / query / stats ...)."""

from __future__ import annotations

import random

import typer

from indiclass.catalogue import load_catalogue
from indiclass.cli.render import make_console, provider_hints, results_table
from indiclass.pipeline import classify


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("demo")(demo_command)


def demo_command(
    count: int = typer.Option(20, "--count", "-n", min=1, help="Indicators to classify."),
    seed: int | None = typer.Option(None, help="Random seed for the sample (default: random)."),
) -> None:
    """Classify a random sample of the bundled catalogue offline (rules) and show the results."""
    console = make_console()
    catalogue = load_catalogue()
    sample = random.Random(seed).sample(catalogue, min(count, len(catalogue)))
    console.print(f"📚 Bundled catalogue: {len(catalogue)} indicators; classifying {len(sample)} "
                  "offline with the rules provider (no key, no network)")
    rows = [classify(ind).classification.model_dump(mode="json") for ind in sample]
    console.print(results_table(rows))
    provider_hints(console)
