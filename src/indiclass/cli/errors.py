"""One exit-code table for every command, and the one error boundary that applies it.

    0    success: everything asked for was done
    1    some indicators failed, a batch closed degraded or cancelled
    2    bad input or usage (a file, an argument, an id, a conflicting trace_id)
    3    configuration, provider or database unreachable (a missing key, a server down)
    4    paused by its budget (``--max-cost``): resume with a higher one
    130  interrupted (Ctrl-C): ``indiclass run resume`` finishes the run

Every command runs inside :func:`boundary`: our errors become one line on stderr and their exit
code, never a traceback; Ctrl-C becomes one line saying how to go on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from indiclass.domain.errors import (
    ConfigError,
    ConflictError,
    EngineError,
    IndiclassError,
    InputError,
    ProviderError,
    ProviderUnavailable,
    StorageError,
)

OK, SOME_FAILED, BAD_INPUT, UNREACHABLE, PAUSED, INTERRUPTED = 0, 1, 2, 3, 4, 130

EXIT_CODES_HELP = (
    "Exit codes: 0 success · 1 some indicators failed (or a batch degraded/cancelled) · "
    "2 bad input or usage · 3 configuration, provider or database unreachable · "
    "4 paused by the budget · 130 interrupted."
)

F = TypeVar("F", bound=Callable[..., Any])


def exit_code(exc: BaseException) -> int:
    """The exit code of an error (see the module docstring)."""
    if isinstance(exc, InputError | ConflictError) or type(exc).__name__ == "UnknownProviderError":
        return BAD_INPUT
    if isinstance(exc, ConfigError | ProviderUnavailable | StorageError | ValidationError):
        return UNREACHABLE
    if isinstance(exc, ProviderError):
        return SOME_FAILED
    if isinstance(exc, EngineError):
        return BAD_INPUT
    return SOME_FAILED


def describe(exc: BaseException) -> str:
    """One line for an error: a settings problem names the variable."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        return f"invalid setting {where}: {err.get('msg', '')}"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def fail(message: str, code: int) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def boundary(fn: F) -> F:
    """Run a command; our errors (and bad settings) become one line and their exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (IndiclassError, ValidationError) as exc:
            raise fail(describe(exc), exit_code(exc)) from None
        except KeyboardInterrupt:
            Console(stderr=True).print(
                "interrupted; nothing accepted is lost: `indiclass run resume` finishes the run",
                highlight=False,
            )
            raise typer.Exit(INTERRUPTED) from None

    wrapper.__indiclass_boundary__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def guard_app(app: typer.Typer) -> None:
    """Wrap every command of ``app`` (and of its sub-apps) in :func:`boundary`."""
    for command in app.registered_commands:
        if command.callback is not None and not hasattr(command.callback, "__indiclass_boundary__"):
            command.callback = boundary(command.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard_app(group.typer_instance)
