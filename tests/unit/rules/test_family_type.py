"""Family, type, orientation and aggregation: real rows (fields copied inline) and the traps."""

from __future__ import annotations

from typing import Any

import pytest

from indiclass.domain.enums import Family
from indiclass.domain.models import FamilyResult, parse_indicator
from indiclass.pipeline import classify
from indiclass.rules import classify_type, detect_cumulative, infer_time, normalize_units

CAL = {"dataset": "economic calendar, market currency USD"}

# (fields, family, type, time_basis, orientation)
ROWS: list[tuple[dict[str, Any], str, str, str, str]] = [
    (
        {
            "name": "Real Gross Domestic Product",
            "units": "Billions of Chained 2009 Dollars",
            "periodicity": "Quarterly",
        },
        "physical-fundamental",
        "flow",
        "per-period",
        "higher-is-positive",
    ),
    (
        {
            "name": "Federal Debt: Total Public Debt",
            "units": "Millions of Dollars",
            "periodicity": "Quarterly, End of Period",
        },
        "physical-fundamental",
        "stock",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {
            "name": "Federal Surplus or Deficit [-]",
            "units": "Millions of Dollars",
            "periodicity": "Monthly",
        },
        "physical-fundamental",
        "balance",
        "per-period",
        "higher-is-positive",
    ),
    (
        {"name": "Trade Balance", "units": "B", **CAL},
        "physical-fundamental",
        "balance",
        "per-period",
        "neutral",
    ),
    (
        {"name": "Civilian Unemployment Rate", "units": "Percent", "periodicity": "Monthly"},
        "numeric-measurement",
        "percentage",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Initial Claims", "units": "Number", "periodicity": "Weekly, Ending Saturday"},
        "numeric-measurement",
        "count",
        "per-period",
        "lower-is-positive",
    ),
    (
        {"name": "Nonfarm Payrolls", "units": "K", **CAL},
        "numeric-measurement",
        "count",
        "per-period",
        "higher-is-positive",
    ),
    (
        {"name": "All Employees: Total Nonfarm Payrolls", "units": "Thousands of Persons"},
        "numeric-measurement",
        "count",
        "point-in-time",
        "higher-is-positive",
    ),
    (
        {
            "name": "Federal Debt: Total Public Debt as Percent of Gross Domestic Product",
            "units": "Percent of GDP",
        },
        "numeric-measurement",
        "ratio",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Gross fixed capital formation (% of GDP)"},
        "numeric-measurement",
        "share",
        "per-period",
        "higher-is-positive",
    ),
    (
        {
            "name": "10-Year Treasury Constant Maturity Minus 2-Year Treasury Constant Maturity",
            "units": "Percent",
        },
        "numeric-measurement",
        "spread",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "ICE BofAML US Corporate Master Option-Adjusted Spread", "units": "Percent"},
        "numeric-measurement",
        "spread",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "10-Year Treasury Constant Maturity Rate", "units": "Percent"},
        "price-value",
        "yield",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Bank Lending Rate", "units": "%"},
        "price-value",
        "price",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Japan / U.S. Foreign Exchange Rate", "units": "Japanese Yen to One U.S. Dollar"},
        "price-value",
        "price",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Crude Oil Prices: Brent - Europe", "units": "Dollars per Barrel"},
        "price-value",
        "price",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Core CPI (MoM)", "units": "%", **CAL},
        "change-movement",
        "rate",
        "per-period",
        "neutral",
    ),
    (
        {"name": "GlobalDairyTrade Price Index", "units": "%"},
        "change-movement",
        "rate",
        "per-period",
        "neutral",
    ),
    ({"name": "M3 Money Supply", "units": "%"}, "change-movement", "rate", "per-period", "neutral"),
    (
        {"name": "CBOE Volatility Index: VIX", "units": "Index"},
        "change-movement",
        "volatility",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Industrial Production Index", "units": "Index 2012=100"},
        "composite-derived",
        "index",
        "per-period",
        "higher-is-positive",
    ),
    (
        {"name": "ISM Manufacturing PMI", **CAL},
        "composite-derived",
        "index",
        "point-in-time",
        "higher-is-positive",
    ),
    (
        {"name": "CB Consumer Confidence", **CAL},
        "qualitative",
        "sentiment",
        "point-in-time",
        "higher-is-positive",
    ),
    (
        {
            "name": "Leading Indicators",
            "units": "%",
            "sample_values": [
                {"date": f"2025-0{m}-01", "value": v}
                for m, v in ((3, 118.2), (2, 118.9), (1, 123.0))
            ],
        },
        "composite-derived",
        "index",
        "point-in-time",
        "higher-is-positive",
    ),
    (
        {"name": "Existing Single-Family Home Sales: Months Supply", "units": "Months' Supply"},
        "temporal",
        "duration",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Smoothed U.S. Recession Probabilities", "units": "Percent"},
        "temporal",
        "probability",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Federal Funds Target Range - Upper Limit", "units": "Percent"},
        "temporal",
        "threshold",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "NBER based Recession Indicators for the United States", "units": "+1 or 0"},
        "qualitative",
        "other",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Real gross domestic product per capita", "units": "Chained 2009 Dollars"},
        "numeric-measurement",
        "ratio",
        "per-period",
        "higher-is-positive",
    ),
    (
        {"name": "Military expenditure (% of general government expenditure)"},
        "qualitative",
        "allocation",
        "per-period",
        "neutral",
    ),
    (
        {"name": "Chinese GDP YTD (YoY)", "units": "%", **CAL},
        "change-movement",
        "rate",
        "cumulative",
        "higher-is-positive",
    ),
    (
        {
            "name": "Chinese Fixed Asset Investment (YoY)",
            "units": "%",
            "dataset": "economic calendar, market currency CNY",
        },
        "change-movement",
        "rate",
        "cumulative",
        "higher-is-positive",
    ),
    # conventions 2 and 14: a deficit stated as a positive number is lower-is-positive
    (
        {
            "name": "Public Sector Net Borrowing",
            "units": "B",
            "dataset": "economic calendar, market currency GBP",
            "sample_values": [
                {"date": "2025-02-01", "value": 10.7},
                {"date": "2025-01-01", "value": 17.8},
            ],
        },
        "physical-fundamental",
        "balance",
        "per-period",
        "lower-is-positive",
    ),
    (
        {"name": "Crude Oil Inventories", "units": "M", **CAL},
        "physical-fundamental",
        "stock",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Output gap in percent of potential GDP", "units": "Percent of potential GDP"},
        "change-movement",
        "gap",
        "per-period",
        "neutral",
    ),
    (
        {"name": "St. Louis Fed Financial Stress Index", "units": "Index"},
        "composite-derived",
        "index",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Treasury Budget Balance", "units": "B", **CAL},
        "physical-fundamental",
        "balance",
        "per-period",
        "higher-is-positive",
    ),
    (
        {"name": "CFTC S&P 500 speculative net positions", "units": "K", **CAL},
        "physical-fundamental",
        "balance",
        "point-in-time",
        "neutral",
    ),
    (
        {"name": "Chicago Fed National Activity", "units": "", **CAL},
        "composite-derived",
        "index",
        "point-in-time",
        "higher-is-positive",
    ),
    (
        {"name": "RPI (YoY)", "units": "%", **CAL},
        "change-movement",
        "rate",
        "per-period",
        "neutral",
    ),
    (
        {"name": "Continuing Jobless Claims", "units": "K", **CAL},
        "numeric-measurement",
        "count",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        {"name": "Households and NPISHs Final consumption expenditure (current LCU)"},
        "physical-fundamental",
        "flow",
        "per-period",
        "higher-is-positive",
    ),
]


@pytest.mark.parametrize(("fields", "family", "type_", "basis", "orient"), ROWS)
def test_classification_table(
    fields: dict[str, Any], family: str, type_: str, basis: str, orient: str
) -> None:
    c = classify(parse_indicator(fields)).classification
    got = (c.family.value, c.indicator_type.value, c.time_basis.value, c.heat_map_orientation.value)
    assert got == (family, type_, basis, orient)
    assert c.review_status.value == "passed"


def test_type_stays_inside_a_family_given_by_someone_else() -> None:
    ind = parse_indicator({"name": "Civilian Unemployment Rate", "units": "Percent"})
    norm = normalize_units(ind)
    time = infer_time(ind, norm)
    cum = detect_cumulative(ind, time)
    given = FamilyResult(family=Family.PRICE_VALUE, confidence=0.9)
    t = classify_type(ind, norm, time, cum, given)
    assert t.indicator_type.value == "price" and t.confidence <= 0.6


@pytest.mark.parametrize(
    ("fields", "low"),
    [
        ({"name": "Xyzzy"}, True),
        (
            {
                "name": "10-Year Treasury Constant Maturity Rate",
                "units": "Percent",
                "periodicity": "Daily",
            },
            False,
        ),
    ],
)
def test_confidence_means_something(fields: dict[str, Any], low: bool) -> None:
    c = classify(parse_indicator(fields)).classification
    assert (c.overall_confidence <= 0.6) is low
    assert low or c.overall_confidence >= 0.8


CATALOGUE_STYLE = [
    # (name, units, family, type, time_basis, orientation)
    ("CPIH Index", "Index 2015=100", "composite-derived", "index", "point-in-time", "neutral"),
    ("New Yuan Loans", "CNY Hundred Million", "physical-fundamental", "flow", "per-period", None),
    (
        "Crude Oil Inventories Change",
        "Million Barrels",
        "physical-fundamental",
        "balance",
        "per-period",
        None,
    ),
    (
        "Federal Minimum Hourly Wage for Nonfarm Workers",
        "Dollars per Hour",
        "temporal",
        "threshold",
        "point-in-time",
        "neutral",
    ),
    ("Risk-free rate", "percent", "price-value", "yield", "point-in-time", "neutral"),
    (
        "Secured Overnight Financing Rate",
        "Percent",
        "price-value",
        "price",
        "point-in-time",
        "neutral",
    ),
    (
        "the market excess return (in percent)",
        "in percent",
        "change-movement",
        "rate",
        "per-period",
        "higher-is-positive",
    ),
    (
        "Unemployment Rate - Construction Industry, Private Wage and Salary Workers",
        "Percent",
        "numeric-measurement",
        "percentage",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        "Exports of Goods and Services: Balance of Payments Basis",
        "Millions of Dollars",
        "physical-fundamental",
        "flow",
        "per-period",
        "higher-is-positive",
    ),
    (
        "Household Financial Obligations as a percent of Disposable Personal Income",
        "Percent",
        "numeric-measurement",
        "ratio",
        "per-period",
        "lower-is-positive",
    ),
    (
        "Gross domestic product based on purchasing-power-parity (PPP) share of world total",
        "Percent",
        "numeric-measurement",
        "share",
        "per-period",
        None,
    ),
    ("Arable land (hectares)", "", "physical-fundamental", "stock", "point-in-time", None),
    (
        "Energy use (kg of oil equivalent per capita)",
        "",
        "numeric-measurement",
        "ratio",
        "per-period",
        None,
    ),
    ("Intentional homicides (per 100,000 people)", "", "numeric-measurement", "ratio", None, None),
    (
        "Yield curve spot rate, 10-year maturity - Government bond, rating triple A",
        "Percent per annum",
        "price-value",
        "yield",
        "point-in-time",
        "neutral",
    ),
    (
        "Total net generation of electricity (billion kilowatt hours)",
        "billion kilowatt hours",
        "physical-fundamental",
        "flow",
        "per-period",
        None,
    ),
    (
        "Road casualties: drivers killed or seriously injured",
        "",
        "numeric-measurement",
        "count",
        "per-period",
        "lower-is-positive",
    ),
    (
        "Nombre de demandeurs d'emploi en catégorie A - France",
        "Nombre",
        "numeric-measurement",
        "count",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        "Stock of plant and equipment in 1947 dollars",
        "",
        "physical-fundamental",
        "stock",
        "point-in-time",
        None,
    ),
    (
        "Adjusted savings: carbon dioxide damage",
        "% of GNI",
        "numeric-measurement",
        "share",
        "per-period",
        "lower-is-positive",
    ),
    (
        "Cost to export, border compliance",
        "US$",
        "price-value",
        "price",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        "Patent applications, residents",
        "Number",
        "numeric-measurement",
        "count",
        "per-period",
        "higher-is-positive",
    ),
    (
        "Total Unemployed, Plus Marginally Attached, as a Percent of the Civilian Labor Force",
        "Percent",
        "numeric-measurement",
        "percentage",
        "point-in-time",
        "lower-is-positive",
    ),
    (
        "United States Non Farm Payrolls",
        "Thousand",
        "numeric-measurement",
        "count",
        "per-period",
        "higher-is-positive",
    ),
    (
        "All Employees, Total Nonfarm Payrolls",
        "Thousands of Persons",
        "numeric-measurement",
        "count",
        "point-in-time",
        "higher-is-positive",
    ),
    (
        "Gross national savings",
        "Percent of GDP",
        "numeric-measurement",
        "share",
        "per-period",
        "higher-is-positive",
    ),
    (
        "Accidental Deaths in the US",
        "Number",
        "numeric-measurement",
        "count",
        "per-period",
        "lower-is-positive",
    ),
]


@pytest.mark.parametrize(("name", "units", "family", "type_", "basis", "orient"), CATALOGUE_STYLE)
def test_catalogue_style_names(
    name: str, units: str, family: str, type_: str, basis: str | None, orient: str | None
) -> None:
    c = classify(parse_indicator({"name": name, "units": units})).classification
    assert (c.family, c.indicator_type) == (family, type_)
    if basis:
        assert c.time_basis == basis
    if orient:
        assert c.heat_map_orientation == orient
