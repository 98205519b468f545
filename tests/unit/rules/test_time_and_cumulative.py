"""Reporting frequency, time basis and cumulative (YTD) detection."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.rules import detect_cumulative, infer_time, normalize_units


def _time(fields: dict[str, Any]) -> tuple[str, str]:
    ind = parse_indicator(fields)
    t = infer_time(ind, normalize_units(ind))
    return t.reporting_frequency.value, t.time_basis.value


def _monthly(values: list[float], start: date = date(2023, 1, 31)) -> list[dict[str, Any]]:
    """Month-end dates from ``start``, newest first (as the eval files give them)."""
    out = []
    for i, v in enumerate(values):
        m = start.month - 1 + i
        out.append({"date": f"{start.year + m // 12}-{m % 12 + 1:02d}-28", "value": v})
    return out[::-1]


TIME_ROWS = [
    (
        {
            "name": "Federal Debt: Total Public Debt",
            "units": "Millions of Dollars",
            "periodicity": "Quarterly, End of Period",
        },
        ("quarterly", "point-in-time"),
    ),
    (
        {
            "name": "E-Commerce Retail Sales",
            "units": "Millions of Dollars",
            "periodicity": "Quarterly",
        },
        ("quarterly", "per-period"),
    ),
    (
        {
            "name": "4-Week Moving Average of Initial Claims",
            "units": "Number",
            "periodicity": "Weekly, Ending Saturday",
        },
        ("weekly", "per-period"),
    ),
    (
        {
            "name": "Gross Domestic Product",
            "units": "Billions of Dollars",
            "periodicity": "Annual, Fiscal Year",
        },
        ("annual", "per-period"),
    ),
    ({"name": "S&P 500", "units": "Index", "periodicity": "Daily"}, ("daily", "point-in-time")),
    (
        {"name": "Car Registrations", "units": "Hundreds", "periodicity": "Yearly"},
        ("annual", "per-period"),
    ),
    (
        {
            "name": "Population of the United States (in millions)",
            "units": "in millions",
            "periodicity": "Decennial",
        },
        ("irregular", "point-in-time"),
    ),
    (
        {"name": "Unemployment Rate", "units": "%", "sample_values": _monthly([4.0] * 6)},
        ("monthly", "point-in-time"),
    ),
    (
        {
            "name": "Chinese GDP YTD (YoY)",
            "units": "%",
            "sample_values": [
                {"date": f"202{y}-{m:02d}-15", "value": 5.0} for y in (5, 4) for m in (10, 7, 4, 1)
            ],
        },
        ("quarterly", "cumulative"),
    ),
]


@pytest.mark.parametrize(("fields", "expected"), TIME_ROWS)
def test_time_table(fields: dict[str, Any], expected: tuple[str, str]) -> None:
    assert _time(fields) == expected


def test_without_periodicity_or_dates_frequency_is_a_low_confidence_guess() -> None:
    ind = parse_indicator({"name": "Trade Balance", "units": "B"})
    t = infer_time(ind, normalize_units(ind))
    assert t.field_confidence["reporting_frequency"] <= 0.6


def _cum(fields: dict[str, Any]) -> tuple[bool, str, int]:
    ind = parse_indicator(fields)
    c = detect_cumulative(ind, infer_time(ind, normalize_units(ind)))
    return c.is_cumulative, c.pattern.value, c.evidence_years


YTD = [10.0 * k for k in range(1, 13)]  # a running total that resets every January


def test_ytd_running_total_across_two_year_boundaries_is_cumulative() -> None:
    fields = {
        "name": "Fiscal Balance",
        "units": "EUR Billion",
        "sample_values": _monthly(YTD + YTD + YTD[:3], start=date(2022, 1, 31)),
    }
    assert _cum(fields) == (True, "ytd", 2)


def test_one_year_boundary_is_not_enough_evidence() -> None:
    fields = {
        "name": "Fiscal Balance",
        "units": "EUR Billion",
        "sample_values": _monthly(YTD[6:] + YTD[:6], start=date(2022, 7, 31)),
    }
    assert _cum(fields)[0] is False


def test_seasonal_flow_without_resets_is_not_cumulative() -> None:
    season = [90.0, 95, 100, 98, 97, 99, 101, 103, 102, 100, 110, 130]
    fields = {
        "name": "Retail Sales",
        "units": "USD Billion",
        "sample_values": _monthly(season * 2, start=date(2022, 1, 31)),
    }
    assert _cum(fields)[0] is False


def test_pseudo_dates_are_skipped_and_offsets_do_not_shift_the_year() -> None:
    values = _monthly(YTD + YTD + YTD[:3], start=date(2022, 1, 31))
    values.append({"date": "last10YearsAvg", "value": 999.0})
    # a late-December value written with an offset stays in December (no TZ shift into January)
    values = [
        {**v, "date": v["date"][:8] + "31T23:00:00-05:00"} if v["date"].endswith("12-28") else v
        for v in values
    ]
    assert _cum({"name": "Budget", "units": "EUR Billion", "sample_values": values})[0] is True


@pytest.mark.parametrize(
    ("name", "periodicity", "expected"),
    [
        ("Chinese Industrial Production YTD (YoY)", None, True),
        ("Cumulative Industrial Production", "Monthly", True),
        ("Fiscal deficit, year-to-date", "Monthly", True),
        ("Federal Surplus or Deficit [-]", "Annual, Fiscal Year", False),
        ("Current Account (12-month sum)", "Monthly", False),
        ("Current Account (YoY)", None, False),
    ],
)
def test_cumulative_from_words(name: str, periodicity: str | None, expected: bool) -> None:
    fields = {"name": name, "units": "%", "periodicity": periodicity}
    assert _cum(fields)[0] is expected
