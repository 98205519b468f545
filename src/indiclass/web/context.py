"""What the console needs from the server it runs in (``app.state.services``): the store, the
engine and the settings; structural, so the console depends on no other layer's classes."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import Request

from indiclass.domain.run import RunConfig
from indiclass.domain.store import ResultStore
from indiclass.settings import Settings


class ConsoleServices(Protocol):
    settings: Settings
    engine: Any
    """The durable engine: submit, cancel, retry_failed."""

    @property
    def store(self) -> ResultStore: ...

    def run_config(self, body: Any) -> RunConfig:
        """The batch's configuration for ``body.llm_provider``/``model``/``strategy``; raises
        (an error with ``message``) for an unknown provider or one nobody can serve."""


def services(request: Request) -> ConsoleServices:
    found: ConsoleServices = request.app.state.services
    return found


def store(request: Request) -> ResultStore:
    return services(request).store


def message(exc: Exception) -> str:
    """An error's text as the person should read it."""
    return str(getattr(exc, "message", None) or exc)
