"""The bundled catalogue loads from the installed package and the demo runs offline."""

from __future__ import annotations

from collections import Counter

from indiclass.catalogue import catalogue_records, load_catalogue


def test_catalogue_is_large_varied_and_valid() -> None:
    indicators = load_catalogue()
    assert len(indicators) >= 150
    assert len({i.indicator_id for i in indicators}) == len(indicators)
    countries = Counter(r.get("country") for r in catalogue_records())
    assert len(countries) >= 15
    units = {i.units for i in indicators}
    for messy in (
        "USD Billion",
        "%",
        "Index 2015=100",
        "Thousand",
        "EUR Million",
        "% of GDP",
        "Percent change",
        "JPY Hundred Million",
    ):
        assert messy in units, messy
    assert all(i.name and i.units and i.periodicity and i.source_name for i in indicators)


def test_catalogue_claims_no_sample_values() -> None:
    assert all(not i.sample_values for i in load_catalogue())
