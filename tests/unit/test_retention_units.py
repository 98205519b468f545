"""Retention settings and ages (issue #16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from indiclass.domain.errors import ConfigError, InputError
from indiclass.engine.retention import cutoff, parse_age, redact_prompts, retention_settings


def test_retention_settings_and_ages(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_age("30d") == timedelta(days=30) == parse_age("30")
    assert parse_age("12h") == timedelta(hours=12) and parse_age("2w") == timedelta(days=14)
    assert parse_age("90m") == timedelta(minutes=90) and parse_age("1.5d") == timedelta(hours=36)
    with pytest.raises(InputError):
        parse_age("a month")
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert cutoff(timedelta(days=30), now) == "2026-03-01T12:00:00.000Z"
    assert retention_settings({}).purge_llm_calls_days is None
    found = retention_settings(
        {"INDICLASS_PURGE_LLM_CALLS_DAYS": "30", "INDICLASS_REDACT_PROMPTS": "true"}
    )
    assert (found.purge_llm_calls_days, found.redact_prompts) == (30.0, True)
    with pytest.raises(ConfigError):
        retention_settings({"INDICLASS_REDACT_PROMPTS": "maybe"})
    monkeypatch.delenv("INDICLASS_REDACT_PROMPTS", raising=False)
    assert redact_prompts() is False
    monkeypatch.setenv("INDICLASS_REDACT_PROMPTS", "ture")  # a typo redacts: the safe side
    assert redact_prompts() is True
