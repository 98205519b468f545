"""Units → semantic type, scale (exact multiplier) and currency. PLACEHOLDER: to be replaced."""

from __future__ import annotations

from indiclass.domain.enums import ParsedUnitType, Scale
from indiclass.domain.models import Indicator, NormalizationResult


def normalize_units(ind: Indicator) -> NormalizationResult:
    units = (ind.units or "").lower()
    if "%" in units or "percent" in units:
        return NormalizationResult(parsed_unit_type=ParsedUnitType.PERCENTAGE, scale=Scale.PERCENT,
                                   is_currency_denominated=False, confidence=0.5)
    return NormalizationResult(parsed_unit_type=ParsedUnitType.UNKNOWN, scale=Scale.RAW_UNITS,
                               scale_multiplier=1.0, is_currency_denominated=False, confidence=0.2)
