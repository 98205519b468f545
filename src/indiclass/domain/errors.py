"""One root error for everything indiclass raises on purpose.

    IndiclassError
    ├── InputError              bad indicator data or a bad file; nothing was changed
    ├── ConfigError             a setting is missing or wrong (names the variable)
    ├── ProviderError           an LLM provider could not give a usable answer
    │   ├── ProviderUnavailable     server down / unreachable / auth missing (names URL or variable)
    │   ├── ProviderRateLimited     429 after retries (carries retry_after)
    │   ├── ProviderTransient       5xx / timeout after retries
    │   └── InvalidReply            reply did not validate against the stage's schema
    ├── StageFailed             a stage raised something unexpected (names the stage)
    ├── StorageError            the results database failed (after retries)
    └── EngineError             batch / workflow problems (unknown trace_id, ...)
        └── ConflictError           a trace_id re-used with a different body (HTTP 409)

Foreign exceptions (SDK, driver, pydantic) are translated into this tree at one boundary per
adapter; callers never see raw SDK errors.
"""

from __future__ import annotations


class IndiclassError(Exception):
    """Root of every error indiclass raises on purpose."""


class InputError(IndiclassError):
    """Input data is invalid. ``field`` names the offending field when known."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None) -> None:
        where = " ".join(p for p in (f"row {row}" if row is not None else "", field or "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.field = field
        self.row = row
        self.detail = message


class ConfigError(IndiclassError):
    """A setting is missing or invalid."""


class ProviderError(IndiclassError):
    """An LLM provider did not produce a usable answer."""


class ProviderUnavailable(ProviderError):
    """The provider cannot be reached or is not configured (missing key, server down)."""


class ProviderRateLimited(ProviderError):
    """The provider kept answering 429."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderTransient(ProviderError):
    """A 5xx, timeout or dropped connection that may succeed when retried."""


class InvalidReply(ProviderError):
    """The reply did not validate against the stage's schema; ``errors`` says why."""

    def __init__(self, message: str, *, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


class StageFailed(IndiclassError):
    """A stage raised an exception that is not one of ours (a bug, a broken rule)."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"stage {stage} failed: {reason}")
        self.stage = stage
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        return (StageFailed, (self.stage, self.reason))


class StorageError(IndiclassError):
    """The results database failed after retries."""


class StorageFull(StorageError):
    """The database's disk is full (or it cannot write at all): nothing more can be stored
    until space is freed; retrying sooner does not help."""


class EngineError(IndiclassError):
    """Batch or workflow level problem (unknown trace_id, engine not started, ...)."""


class ConflictError(EngineError):
    """The trace_id exists with other members or another configuration."""
