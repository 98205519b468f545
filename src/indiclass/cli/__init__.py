"""The ``indiclass`` command line (Typer + Rich). Each command group lives in its own module."""

from indiclass.cli.app import app, main

__all__ = ["app", "main"]
