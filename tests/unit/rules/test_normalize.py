"""Normalize: unit type, scale (exact multiplier), currency — real rows and the DESIGN traps."""

from __future__ import annotations

from typing import Any

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.rules import normalize_units

CAL = "economic calendar, market currency {}"

# (fields, parsed_unit_type, scale, is_currency, currency)
ROWS: list[tuple[dict[str, Any], str, str, bool, str | None]] = [
    # real rows (../shared/eval), fields copied inline
    (
        {"name": "Real Gross Domestic Product", "units": "Billions of Chained 2009 Dollars"},
        "currency-amount",
        "billions",
        True,
        "USD",
    ),
    (
        {"name": "All Federal Reserve Banks: Total Assets", "units": "Millions of Dollars"},
        "currency-amount",
        "millions",
        True,
        "USD",
    ),
    (
        {"name": "Civilian Unemployment Rate", "units": "Percent"},
        "percentage",
        "percent",
        False,
        None,
    ),
    (
        {"name": "Real Gross Domestic Product", "units": "Percent Change from Preceding Period"},
        "rate",
        "percent",
        False,
        None,
    ),
    (
        {
            "name": "Consumer Price Index for All Urban Consumers: All Items",
            "units": "Index 1982-1984=100",
        },
        "index",
        "index",
        False,
        None,
    ),
    (
        {"name": "All Employees: Total Nonfarm Payrolls", "units": "Thousands of Persons"},
        "count",
        "thousands",
        False,
        None,
    ),
    (
        {"name": "U.S. / Euro Foreign Exchange Rate", "units": "U.S. Dollars to One Euro"},
        "ratio",
        "raw-units",
        False,
        None,
    ),
    (
        {
            "name": "Gross domestic product, current prices",
            "units": "U.S. dollars",
            "scale": "Billions",
        },
        "currency-amount",
        "billions",
        True,
        "USD",
    ),
    (
        {
            "name": "Lamb, frozen carcass Smithfield London, US cents per pound",
            "units": "U.S. cents",
            "scale": "Units",
        },
        "currency-amount",
        "raw-units",
        True,
        "USD",
    ),
    (
        {"name": "GDP per capita, PPP (current international $)"},
        "currency-amount",
        "raw-units",
        True,
        None,
    ),
    ({"name": "GNI (constant LCU)"}, "currency-amount", "raw-units", True, None),
    (
        {"name": "Total reserves (includes gold, current US$)"},
        "currency-amount",
        "raw-units",
        True,
        "USD",
    ),
    (
        {
            "name": "Hourly Earnings: Manufacturing for the United States",
            "units": "National Currency",
        },
        "currency-amount",
        "raw-units",
        True,
        "USD",
    ),
    (
        {
            "name": "Total monthly expenditure on cafes, restaurants and takeaway food services in "
            "Australia ($billion)",
            "units": "$billion",
        },
        "currency-amount",
        "billions",
        True,
        "AUD",
    ),
    (
        {
            "name": "Monthly retail debit card usage in Iceland (million ISK)",
            "units": "million ISK",
        },
        "currency-amount",
        "millions",
        True,
        "ISK",
    ),
    (
        {"name": "Federal Budget Balance", "units": "B", "dataset": CAL.format("USD")},
        "currency-amount",
        "billions",
        True,
        "USD",
    ),
    (
        {"name": "Trade Balance (USD)", "units": "B", "dataset": CAL.format("CNY")},
        "currency-amount",
        "billions",
        True,
        "USD",
    ),
    (
        {"name": "Nonfarm Payrolls", "units": "K", "dataset": CAL.format("USD")},
        "count",
        "thousands",
        False,
        None,
    ),
    (
        {"name": "Unemployment Rate", "units": "%", "dataset": CAL.format("EUR")},
        "percentage",
        "percent",
        False,
        None,
    ),
    (
        {
            "name": "Household Debt to GDP for United States",
            "units": "Ratio",
            "sample_values": [
                {"date": "2018-01-01", "value": 80.1},
                {"date": "2017-10-01", "value": 80.0},
                {"date": "2017-07-01", "value": 80.2},
            ],
        },
        "ratio",
        "percent",
        False,
        None,
    ),
    (
        {
            "name": "Total Business: Inventories to Sales Ratio",
            "units": "Ratio",
            "sample_values": [{"date": "2018-05-01", "value": 1.35}],
        },
        "ratio",
        "raw-units",
        False,
        None,
    ),
    (
        {
            "name": "Deposit rate",
            "description": "Danish Money Demand Data",
            "sample_values": [
                {"date": f"200{i}-01-01", "value": 0.075 + i / 1000} for i in range(6)
            ],
        },
        "percentage",
        "raw-units",
        False,
        None,
    ),
    (
        {
            "name": "Indice brut de la production industrielle (base 100 en 2010)",
            "units": "SO",
            "scale": "Units",
        },
        "index",
        "index",
        False,
        None,
    ),
    (
        {"name": "Retail turnover", "units": "$Million AUD"},
        "currency-amount",
        "millions",
        True,
        "AUD",
    ),
    (
        {"name": "Total quarterly beer production (in megalitres)", "units": "megalitres"},
        "physical",
        "raw-units",
        False,
        None,
    ),
    (
        {"name": "Euro/US dollar exchange rate", "units": "US dollar"},
        "ratio",
        "raw-units",
        False,
        None,
    ),
    (
        {
            "name": "Implied PPP conversion rate",
            "units": "National currency per current international dollar",
        },
        "ratio",
        "raw-units",
        False,
        None,
    ),
    # DESIGN.md traps
    (
        {"name": "Trade Balance", "units": "USD Hundred Million"},
        "currency-amount",
        "millions",
        True,
        "USD",
    ),
    (
        {"name": "Consumer Price Index: All items", "units": "Index 2015=100"},
        "index",
        "index",
        False,
        None,
    ),
    (
        {"name": "Military expenditure (AMT, current US$)"},
        "currency-amount",
        "raw-units",
        True,
        "USD",
    ),
    ({"name": "Retail Sales", "units": "Percent change"}, "rate", "percent", False, None),
    ({"name": "CPI", "units": "% yoy"}, "rate", "percent", False, None),
    (
        {"name": "Henry Hub Natural Gas Spot Price", "units": "Dollars per Million BTU"},
        "currency-amount",
        "raw-units",
        True,
        "USD",
    ),
    ({"name": "TOP 10 EXPORTERS SHARE", "units": "PERCENT"}, "percentage", "percent", False, None),
    ({"name": "World Cup attendance", "units": "Persons"}, "count", "raw-units", False, None),
    (
        {"name": "Sales", "units": "USD Million", "currency_code": "EUR"},
        "currency-amount",
        "millions",
        True,
        "EUR",
    ),
    (
        {"name": "Sales", "units": "Millions of Dollars", "scale": "thousands"},
        "currency-amount",
        "thousands",
        True,
        "USD",
    ),
    # a quoted pair as the unit (trading-economics style) is an exchange rate, not euros
    ({"name": "Euro Currency", "units": "EURUSD"}, "ratio", "raw-units", False, None),
    ({"name": "Japanese Yen", "units": "USDJPY"}, "ratio", "raw-units", False, None),
    # a rate per 1,000 stays raw even when its values look like percents; a log is no money
    (
        {"name": "births per 1000 women 15-44", "sample_values": [{"date": "1990", "value": 65.4}]},
        "ratio",
        "raw-units",
        False,
        None,
    ),
    ({"name": "log of real money, M1"}, "unknown", "raw-units", False, None),
    ({"name": "Net generation (billion kilowatt hours)"}, "physical", "billions", False, None),
    (
        {
            "name": "Mobile cellular subscriptions (per 100 people)",
            "sample_values": [{"date": "2020", "value": 110.0}],
        },
        "ratio",
        "raw-units",
        False,
        None,
    ),
    ({"name": "Birth rate, crude (per 1,000 people)"}, "ratio", "raw-units", False, None),
    # "National/Domestic Currency" takes the currency of the country the name is about
    (
        {"name": "Gross Domestic Product for Korea", "units": "Domestic Currency"},
        "currency-amount",
        "raw-units",
        True,
        "KRW",
    ),
    (
        {"name": "Broad Money for Brazil", "units": "National Currency"},
        "currency-amount",
        "raw-units",
        True,
        "BRL",
    ),
    (
        {"name": "Gross Domestic Product for Netherlands", "units": "National Currency"},
        "currency-amount",
        "raw-units",
        True,
        "EUR",
    ),
]


@pytest.mark.parametrize(("fields", "unit_type", "scale", "is_cur", "cur"), ROWS)
def test_normalize_table(
    fields: dict[str, Any], unit_type: str, scale: str, is_cur: bool, cur: str | None
) -> None:
    n = normalize_units(parse_indicator(fields))
    assert (
        n.parsed_unit_type.value,
        n.scale.value,
        n.is_currency_denominated,
        n.detected_currency,
    ) == (unit_type, scale, is_cur, cur)
    assert 0.0 <= n.confidence <= 1.0 and n.reasoning


def test_hundred_million_keeps_the_exact_multiplier() -> None:
    n = normalize_units(parse_indicator({"name": "Exports", "units": "CNY Hundred Million"}))
    assert n.scale.value == "millions" and n.scale_multiplier == 1e8


@pytest.mark.parametrize("word", ["all", "top", "cup", "pen", "try", "mad"])
def test_english_words_are_never_currency_codes(word: str) -> None:
    n = normalize_units(parse_indicator({"name": f"{word} items index", "units": f"{word} items"}))
    assert n.detected_currency is None and not n.is_currency_denominated


def test_unknown_units_give_a_low_confidence() -> None:
    n = normalize_units(parse_indicator({"name": "Xyzzy"}))
    assert n.confidence <= 0.6
