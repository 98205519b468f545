"""The public API: a curated, sorted ``__all__``, cheap to import, ``classify`` in three lines."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

import indiclass


def test_exported_members_are_sorted_and_exactly_these() -> None:
    assert indiclass.__all__ == sorted(indiclass.__all__)
    assert set(indiclass.__all__) == {*indiclass._EXPORTS, "__version__"}
    assert set(indiclass.__all__) == {
        "Classification",
        "ConfigError",
        "EngineError",
        "Indicator",
        "IndiclassError",
        "InputError",
        "ProviderError",
        "ProviderUnavailable",
        "SampleValue",
        "Settings",
        "StorageError",
        "__version__",
        "classify",
        "open_engine",
    }
    for name in indiclass.__all__:
        assert getattr(indiclass, name) is not None, name


def test_import_indiclass_loads_neither_dbos_nor_an_sdk_nor_the_rules() -> None:
    code = (
        "import sys, indiclass; "
        "print(sorted(m for m in ('dbos', 'openai', 'anthropic', 'indiclass.rules', "
        "'sqlalchemy', 'fastapi') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_classify_records_in_three_lines() -> None:
    [c] = indiclass.classify([{"name": "CPI YoY", "units": "%"}])
    assert (c.family, c.indicator_type) == ("change-movement", "rate")


def test_none_and_nan_in_optional_fields_mean_missing_nan_in_values_is_an_error() -> None:
    rows = [
        {"id": "a", "name": "Exports", "units": "USD Million", "description": None},
        {"id": "b", "name": "Unemployment Rate", "units": "%", "periodicity": math.nan},
    ]
    a, b = indiclass.classify(rows)
    assert a.is_currency_denominated and b.reporting_frequency is not None
    with pytest.raises(indiclass.InputError, match="sample_values"):
        indiclass.classify(
            [{"name": "GDP", "sample_values": [{"date": "2024-01-01", "value": math.nan}]}]
        )


def test_a_dataframe_in_gives_a_dataframe_out() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        [
            {"name": "GDP Annual Growth Rate", "units": "%", "periodicity": "Quarterly"},
            {"name": "Policy Rate", "units": "%", "periodicity": None},
        ],
        index=["x", "y"],
    )
    out = indiclass.classify(frame)
    assert list(out.index) == ["x", "y"] and out.loc["y", "family"] == "price-value"
