"""What a unit text says a value is: the unit kinds the rules read (before the subject)."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    FLAG = "flag"
    FX = "fx"
    CHANGE = "change"
    SHARE_OF = "share-of"
    PERCENT = "percent"
    INDEX = "index"
    CURRENCY = "currency"
    PRICE_PER = "price-per"
    DURATION = "duration"
    PHYSICAL = "physical"
    COUNT = "count"
    RATIO = "ratio"
    SCALE_ONLY = "scale-only"
    UNKNOWN = "unknown"


LCU = "LCU"
"""Marker: the country's own currency ("national currency", "moneda nacional", 本币)."""
INTL = "INTL"
"""Marker: PPP international dollars (no ISO code)."""
DOLLAR = "DOLLAR"
"""Marker: a dollar of a country not named in the word (US dollar unless the country says)."""
PESO = "PESO"
"""Marker: a peso of the country (MXN, ARS, CLP, COP, ...); unknown without a country."""
KRONE = "KRONE"
"""Marker: kroner/krone (NOK unless the country is Denmark)."""
YUAN = "YUAN"
"""Marker: 元 (CNY unless the country is Taiwan, Hong Kong or Macao)."""
NAMED = "NAMED"
"""Marker: a currency named without a code the rules resolve (schilling, peseta, dinar, ...)."""
MARKERS = frozenset({LCU, INTL, DOLLAR, PESO, KRONE, YUAN, NAMED})
