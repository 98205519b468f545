"""Provider batch mode's settings: defaults, values from the environment, a wrong value named."""

from __future__ import annotations

import itertools

import pytest

from indiclass.domain.errors import ConfigError
from indiclass.domain.waves import custom_id, wave_key
from indiclass.engine.wave_settings import WaveSettings, wave_settings


def test_defaults_and_values_from_the_environment() -> None:
    assert wave_settings({}) == WaveSettings()
    got = wave_settings(
        {
            "INDICLASS_BATCH_POLL_S": "0.1",
            "INDICLASS_BATCH_POLL_GROWTH": "2",
            "INDICLASS_BATCH_POLL_MAX_S": "0.5",
            "INDICLASS_BATCH_RESUBMITS": "0",
            "INDICLASS_BATCH_GIVE_UP": "fail",
            "INDICLASS_BATCH_MAX_REQUESTS": "50",
            "INDICLASS_BATCH_CLOCK_SKEW_S": "0",
        }
    )
    assert (got.tries, got.give_up, got.max_requests, got.clock_skew_s) == (1, "fail", 50, 0.0)
    assert list(itertools.islice(got.delays(), 5)) == [0.1, 0.2, 0.4, 0.5, 0.5]
    assert WaveSettings.from_dict(got.as_dict()) == got  # as recorded with the workflow


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INDICLASS_BATCH_POLL_S", "0"),
        ("INDICLASS_BATCH_POLL_GROWTH", "0.5"),
        ("INDICLASS_BATCH_RESUBMITS", "two"),
        ("INDICLASS_BATCH_GIVE_UP", "retry"),
        ("INDICLASS_BATCH_MAX_REQUESTS", "-1"),
    ],
)
def test_a_wrong_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        wave_settings({name: value})


def test_wave_keys_and_custom_ids_are_short_safe_and_stable() -> None:
    key = wave_key("a trace/with:odd chars", 3, 1)
    assert (
        key == wave_key("a trace/with:odd chars", 3, 1) != wave_key("a trace/with:odd chars", 3, 2)
    )
    assert key != wave_key("a trace/with:odd chars", 4, 1)
    cid = custom_id(key, 99_999)
    assert len(cid) <= 64 and all(c.isalnum() or c in "_-" for c in cid)
