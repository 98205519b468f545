"""Domain model: validation of input indicators (bad input → clear error naming the field)."""

from __future__ import annotations

import math

import pytest

from indiclass.domain.enums import TYPE_FAMILY, Family, IndicatorType, type_fits_family
from indiclass.domain.errors import InputError
from indiclass.domain.models import parse_indicator
from indiclass.domain.usage import Usage

BAD_INPUT = [
    ({"units": "%"}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 1_000_000}, "name"),
    ({"name": "x", "description": "d" * 1_000_000}, "description"),
    (
        {"name": "x", "sample_values": [{"date": "2020-01-01", "value": math.nan}]},
        "sample_values.0.value",
    ),
    (
        {"name": "x", "sample_values": [{"date": "2020-01-01", "value": math.inf}]},
        "sample_values.0.value",
    ),
    (
        {"name": "x", "sample_values": [{"date": "2020-01-01", "value": "abc"}]},
        "sample_values.0.value",
    ),
    (
        {"name": "x", "sample_values": [{"date": "2020-01-01", "value": None}]},
        "sample_values.0.value",
    ),
    ({"name": "x", "sample_values": [{"date": "2020-02-30", "value": 1}]}, "sample_values.0.date"),
    ({"name": "x", "sample_values": [{"date": "99999-01-01", "value": 1}]}, "sample_values.0.date"),
    ({"name": "x", "sample_values": [{"date": "0001-01-01", "value": 1}]}, "sample_values.0.date"),
    ({"name": "x", "scale": "zillions"}, "scale"),
    ({"name": "x", "currency_code": "dollars"}, "currency_code"),
    ({"name": "x", "currency_code": "ZZZ"}, "currency_code"),
]


@pytest.mark.parametrize(("raw", "field"), BAD_INPUT)
def test_bad_input_names_the_field(raw: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_indicator(raw)
    assert info.value.field == field
    assert field in str(info.value)


def test_pseudo_dates_are_kept_and_have_no_period() -> None:
    ind = parse_indicator(
        {
            "name": "x",
            "sample_values": [
                {"date": "last10YearsAvg", "value": 2.0},
                {"date": "2024-03", "value": 1.0},
            ],
        }
    )
    assert ind.sample_values[0].period is None
    assert ind.sample_values[1].period is not None


def test_dates_with_offsets_keep_the_written_calendar_day() -> None:
    ind = parse_indicator(
        {"name": "x", "sample_values": [{"date": "2023-12-31T23:00:00-05:00", "value": 1.0}]}
    )
    assert ind.sample_values[0].period.isoformat() == "2023-12-31"


def test_id_aliases_and_default_id() -> None:
    assert parse_indicator({"id": "a", "name": "x"}).indicator_id == "a"
    assert parse_indicator({"indicator_id": "b", "name": "x"}).indicator_id == "b"
    derived = parse_indicator({"name": "GDP growth"}).indicator_id
    assert (
        derived.startswith("gdp-growth-")
        and derived == parse_indicator({"name": "GDP growth"}).indicator_id
    )


def test_source_fields_are_normalised() -> None:
    ind = parse_indicator({"name": "x", "scale": "Billions", "currency_code": "usd"})
    assert ind.scale == "billions" and ind.currency_code == "USD"


def test_every_type_has_one_family_and_other_fits_all() -> None:
    assert set(TYPE_FAMILY) == set(IndicatorType) - {IndicatorType.OTHER}
    assert all(type_fits_family(IndicatorType.OTHER, f) for f in Family)
    assert not type_fits_family(IndicatorType.STOCK, Family.PRICE_VALUE)


def test_usage_adds_and_unknown_cost_stays_unknown() -> None:
    a = Usage(requests=1, input_tokens=10, output_tokens=2, cached_tokens=4, cost_usd=0.5)
    b = Usage(requests=1, input_tokens=5, cost_usd=None)
    assert (a + a).cost_usd == 1.0 and (a + a).input_tokens == 20
    assert (a + b).cost_usd is None
