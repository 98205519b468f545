"""Reading the units: kind (percent, index, currency amount, count, …), scale and currency.

The unit text is the ``units`` field, else the name's parentheses (World Bank style
"(current US$)"), else the name. Source fields outrank parsing: ``currency_code`` and ``scale``
given by the source are used as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indiclass.domain.currencies import ISO_CODES
from indiclass.domain.enums import Scale
from indiclass.domain.models import Indicator
from indiclass.rules._text import Row, clean, first_match, parentheticals
from indiclass.rules.unit_lexicon import (
    AMBIGUOUS_CODES,
    COUNTRY_CURRENCY,
    CURRENCY_WORDS,
    DOLLAR,
    EARLY_KINDS,
    EXACT_MULTIPLIER,
    INTL,
    LATE_KINDS,
    LCU,
    SCALE_WORDS,
    UnitKind,
)

K = UnitKind
_PER = re.compile(r"\s+per\s+|/")
_CODE = re.compile(r"\b[A-Z]{3}\b")
_MARKET = re.compile(r"market currency ([A-Z]{3})")
_STERLING = re.compile(r"british|sterling|£|\bgbp\b")
_NO_UNIT = {"", "none", "n/a", "na", "so", "-", "units", "unit"}


@dataclass(frozen=True, slots=True)
class UnitReading:
    kind: UnitKind
    text: str
    """The unit text read (lower case)."""
    scale: Scale | None = None
    """From a scale word or the source's ``scale`` field; None when the text names no scale."""
    multiplier: float | None = None
    currency: str | None = None
    currency_marker: str | None = None
    """The currency word found (an ISO code, LCU, INTL, DOLLAR) before country resolution."""
    confidence: float = 0.3
    from_name: bool = False


def unit_text(ind: Indicator) -> tuple[str, bool]:
    """The text that carries the unit, and whether it came from the name."""
    units = (ind.units or "").strip()
    if units.lower() not in _NO_UNIT:
        return units, False
    parens = parentheticals(ind.name)
    return (parens or ""), True


def read_units(ind: Indicator) -> UnitReading:
    """Kind, scale words and currency of the unit text (the subject is not consulted here)."""
    raw, from_name = unit_text(ind)
    text = clean(raw)
    if not text and (ind.units or "").strip().lower() == "units":
        return UnitReading(K.COUNT, "units", Scale.RAW_UNITS, 1.0, confidence=0.6)
    early = first_match(EARLY_KINDS, text) if text else None
    if early is None and from_name:
        early = _name_kind(clean(ind.name))
    if early is not None:
        return UnitReading(early.outcome, text, confidence=early.confidence, from_name=from_name)
    return _amount_reading(ind, raw, text, from_name)


def _name_kind(name: str) -> Row[UnitKind] | None:
    """Percent/change/index read from the whole name when no unit text exists."""
    return first_match(EARLY_KINDS, name)


def _amount_reading(ind: Indicator, raw: str, text: str, from_name: bool) -> UnitReading:
    amount = _PER.split(text, maxsplit=1)[0] if text else ""
    has_per = amount != text
    scale_row = first_match(SCALE_WORDS, amount) if amount else None
    if scale_row is None and has_per and "1k" in text:
        scale_row = first_match(SCALE_WORDS, text)
    scale = scale_row.outcome if scale_row else None
    mult = (
        next((m for word, m in EXACT_MULTIPLIER.items() if word in amount), None)
        if scale_row
        else None
    )
    marker, code = currency_in(raw.split(" per ")[0] if raw else "", amount)
    if marker is not None and has_per and _per_money(text):
        return UnitReading(K.FX, text, confidence=0.85, from_name=from_name)
    if marker is not None:
        kind = K.PRICE_PER if has_per else K.CURRENCY
        return UnitReading(kind, text, scale, mult, code, marker, 0.85, from_name)
    late = first_match(LATE_KINDS, amount) if amount else None
    kind = late.outcome if late else K.UNKNOWN
    conf = late.confidence if late else 0.3
    return UnitReading(kind, text, scale, mult, confidence=conf, from_name=from_name)


def _per_money(text: str) -> bool:
    """True when what follows "per" is itself money ("LCU per US$" is an exchange rate)."""
    after = _PER.split(text, maxsplit=1)[-1]
    row = first_match(CURRENCY_WORDS, after)
    if row is not None and row.outcome == "GBP" and not _STERLING.search(after):
        return False  # "cents per pound": a weight
    return row is not None


def currency_in(raw: str, lowered: str) -> tuple[str | None, str | None]:
    """(marker, ISO code or None) of the first currency word or upper-case ISO code."""
    row = first_match(CURRENCY_WORDS, lowered) if lowered else None
    if row is not None:
        marker = row.outcome
        if marker == DOLLAR:  # "$Million AUD": the code names which dollar
            code = iso_token(raw)
            if code:
                return code, code
        return marker, (marker if marker in ISO_CODES else None)
    code = iso_token(raw)
    return (code, code) if code else (None, None)


def iso_token(raw: str) -> str | None:
    """An upper-case ISO 4217 token in mixed-case text (all-caps text: unambiguous codes only)."""
    shouting = raw.isupper()
    for token in _CODE.findall(raw):
        if (
            token in ISO_CODES
            and not (shouting and token in AMBIGUOUS_CODES)
            and token not in ("XXX", "XTS")
        ):
            return str(token)
    return None


def country_currency(ind: Indicator, *, deep: bool = False) -> str | None:
    """The currency of the country the indicator is about: the calendar's market currency, the
    name; with ``deep`` also the description and source (for unit-less rows only)."""
    if ind.dataset:
        market = _MARKET.search(ind.dataset)
        if market and market.group(1) in ISO_CODES:
            return market.group(1)
    texts = (
        (ind.name, ind.long_name, ind.description, ind.source_name)
        if deep
        else (ind.name, ind.long_name)
    )
    for text in texts:
        row = first_match(COUNTRY_CURRENCY, clean(text)[:400]) if text else None
        if row is not None:
            return row.outcome
    return None


def resolve_currency(
    ind: Indicator, marker: str | None, code: str | None, *, deep: bool = False
) -> tuple[str | None, float]:
    """ISO code for a currency marker: source field first, then the word, then the country."""
    if ind.currency_code:
        return ind.currency_code, 0.95
    if code:
        return code, 0.9
    if marker == INTL:
        return None, 0.8
    country = country_currency(ind, deep=deep)
    if marker == DOLLAR:
        dollar = country if country in _DOLLAR_COUNTRIES else "USD"
        return dollar, 0.8 if country else 0.7
    if marker == LCU:
        return country, 0.7 if country else 0.6
    return country, 0.5


_DOLLAR_COUNTRIES = frozenset({"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "TWD"})


def source_scale(ind: Indicator) -> Scale | None:
    return ind.scale
