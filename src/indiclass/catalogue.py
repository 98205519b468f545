"""The bundled demo catalogue: well-known indicators across countries, shipped with the package.

Written for indiclass (names, units, periodicities and sources as national statistics offices and
central banks publish them). It has no sample values: none are claimed.
"""

from __future__ import annotations

import json
from importlib import resources

from indiclass.domain.models import Indicator, parse_indicator

CATALOGUE_FILE = "catalogue.jsonl"


def catalogue_records() -> list[dict[str, object]]:
    """The raw catalogue rows (with extra fields such as ``country``)."""
    text = resources.files("indiclass").joinpath("data", CATALOGUE_FILE).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load_catalogue() -> list[Indicator]:
    """The bundled catalogue as validated indicators, in file order."""
    return [parse_indicator(row, row=n) for n, row in enumerate(catalogue_records(), start=1)]
