"""Retention of LLM prompt and reply text: purge it after a while, or never store prompts.

- ``INDICLASS_PURGE_LLM_CALLS_DAYS=N`` (or ``indiclass purge --llm-calls-older-than Nd``):
  the prompt and reply text of ``llm_calls`` rows older than N days is blanked (prompts ``''``,
  reply ``NULL``, ``text_purged_at`` set); tokens, cost, duration, status, provider, model,
  stage, attempt, error and ``request_hash`` stay. The reply of a batch that is not closed is
  kept whatever its age (its prompt goes): a step re-run after a crash replays the replies
  instead of paying again, so they go at the first purge after the batch closes.
- ``INDICLASS_REDACT_PROMPTS=true``: calls are logged without prompt text from the start
  (replies are still stored: they are what crash replay re-sends).

Settings are read from the environment here until the settings object carries them.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from indiclass.domain.errors import ConfigError, InputError

log = logging.getLogger("indiclass.retention")

PURGE_EVERY_S = 3600.0
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


class TextStore(Protocol):
    def purge_llm_text(self, cutoff_iso: str, *, prompts_only: bool = False) -> int: ...


@dataclass(frozen=True)
class RetentionSettings:
    purge_llm_calls_days: float | None = None
    """``INDICLASS_PURGE_LLM_CALLS_DAYS``: None keeps text forever; 0 purges closed batches'."""
    redact_prompts: bool = False
    """``INDICLASS_REDACT_PROMPTS``: store no prompt text."""


def retention_settings(env: Mapping[str, str] | None = None) -> RetentionSettings:
    env = os.environ if env is None else env
    days_text = env.get("INDICLASS_PURGE_LLM_CALLS_DAYS", "").strip()
    try:
        days = float(days_text) if days_text else None
    except ValueError:
        raise ConfigError(f"INDICLASS_PURGE_LLM_CALLS_DAYS: not a number: {days_text!r}") from None
    if days is not None and days < 0:
        raise ConfigError("INDICLASS_PURGE_LLM_CALLS_DAYS must be 0 or more")
    return RetentionSettings(days, flag(env, "INDICLASS_REDACT_PROMPTS"))


def flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false, got {value!r}")


def redact_prompts() -> bool:
    """Whether calls are logged without their prompt text (read at each call: cheap). Never
    raises mid-batch: a value that is not clearly false redacts (``retention_settings``
    reports it as an error at start)."""
    return os.environ.get("INDICLASS_REDACT_PROMPTS", "").strip().lower() not in _FALSE


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``45s``, ``2w`` (a bare number is days)."""
    match = _AGE.match(text)
    if not match:
        raise InputError(f"not an age: {text!r} (e.g. 30d, 12h, 90m, 2w)")
    return timedelta(seconds=float(match[1]) * _UNIT_S[match[2].lower()])


def cutoff(age: timedelta, now: datetime | None = None) -> str:
    """The ISO timestamp ``age`` before ``now``, in the stored form (``...T...Z``)."""
    moment = (now or datetime.now(UTC)) - age
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def purge(store: TextStore, age: timedelta, *, prompts_only: bool = False) -> int:
    """Blank LLM text older than ``age`` (see the module docstring); returns calls changed."""
    return store.purge_llm_text(cutoff(age), prompts_only=prompts_only)


def apply_retention(store: TextStore, settings: RetentionSettings | None = None) -> int:
    """One purge by ``INDICLASS_PURGE_LLM_CALLS_DAYS`` (nothing when it is unset)."""
    settings = settings or retention_settings()
    if settings.purge_llm_calls_days is None:
        return 0
    return purge(store, timedelta(days=settings.purge_llm_calls_days))


def start_retention(
    store: TextStore, *, every_s: float = PURGE_EVERY_S, settings: RetentionSettings | None = None
) -> Callable[[], None]:
    """Purge now and every ``every_s`` on a daemon thread (a server calls this at start);
    returns the function that stops it. Does nothing when the setting is unset."""
    settings = settings or retention_settings()
    stop = threading.Event()
    if settings.purge_llm_calls_days is None:
        return stop.set

    def loop() -> None:
        while True:
            try:
                n = apply_retention(store, settings)
                if n:
                    log.info("purged the prompt and reply text of %d LLM call(s)", n)
            except Exception as exc:  # a failed purge is retried at the next turn
                log.warning("purging LLM call text failed: %s", exc)
            if stop.wait(every_s):
                return

    thread = threading.Thread(target=loop, name="indiclass-retention", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=5)

    return stopper
