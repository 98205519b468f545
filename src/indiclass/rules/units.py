"""Reading the units: kind (percent, index, currency amount, count, …), scale and currency.

The unit text is the ``units`` field, else the name's parentheses (World Bank style
"(current US$)", NBS "(亿元)"), else the name itself, else the description, else the category
and topic; ``UnitReading.source`` says which one decided. Source fields outrank parsing:
``currency_code`` and ``scale`` given by the source are used as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from indiclass.domain.currencies import ISO_CODES
from indiclass.domain.enums import Scale
from indiclass.domain.models import Indicator
from indiclass.rules._text import Row, clean, first_match, parentheticals
from indiclass.rules.kinds import DOLLAR, INTL, KRONE, LCU, PESO, YUAN, UnitKind
from indiclass.rules.language import language_of
from indiclass.rules.script import fold
from indiclass.rules.unit_lexicon import (
    AMBIGUOUS_CODES,
    COUNTRY_CURRENCY,
    CURRENCY_WORDS,
    EARLY_KINDS,
    LATE_KINDS,
    NO_UNIT,
    SCALE_WORDS,
)

K = UnitKind
_PER = re.compile(r"\s+(per|por(?! ciento)|par|je|pro)\s+|/")
_CODE = re.compile(r"\b[A-Z]{3}\b")
_MARKET = re.compile(r"market currency ([A-Z]{3})")
_STERLING = re.compile(r"british|sterling|£|\bgbp\b")
_NO_UNIT = {"", "none", "n/a", "na", "so", "-", "units", "unit", "to be defined", "nan"}
_DESCRIPTION_CHARS = 160
"""A description this short is read as a unit or subject (BEA "…, Chained Dollars, Level",
SARB "1-Term % change"); longer ones are prose."""


def short_description(ind: Indicator) -> str:
    """The folded description when it is short enough to be a label, else ''."""
    desc = clean(ind.description)
    return desc if len(desc) <= _DESCRIPTION_CHARS else ""


@dataclass(frozen=True, slots=True)
class UnitReading:
    kind: UnitKind
    text: str
    """The unit text read (folded, lower case)."""
    scale: Scale | None = None
    """From a scale word or the source's ``scale`` field; None when the text names no scale."""
    multiplier: float | None = None
    currency: str | None = None
    currency_marker: str | None = None
    """The currency word found (an ISO code, LCU, INTL, DOLLAR, …) before country resolution."""
    confidence: float = 0.3
    from_name: bool = False
    source: str = "units"
    """Which field decided: units, name-parens, name, description, category or none."""


def unit_text(ind: Indicator) -> tuple[str, bool]:
    """The text that carries the unit, and whether it came from the name."""
    units = (ind.units or "").strip()
    if not _placeholder(units):
        return units, False
    return parentheticals(fold(ind.name)), True


def _placeholder(units: str) -> bool:
    lowered = clean(units)
    return lowered in _NO_UNIT or first_match(NO_UNIT, lowered) is not None


def read_units(ind: Indicator) -> UnitReading:
    """Kind, scale words and currency of the unit text (the subject is not consulted here)."""
    raw, from_name = unit_text(ind)
    text = clean(raw)
    if not text and clean(ind.units) == "units":
        return UnitReading(K.COUNT, "units", Scale.RAW_UNITS, 1.0, confidence=0.6)
    source = "name-parens" if from_name else "units"
    reading = _read(ind, raw, text, from_name, source) if text else None
    if reading is not None and reading.kind is not K.UNKNOWN:
        return reading
    fallback = _from_context(ind, from_name)
    if fallback is not None:
        return _merge(reading, fallback)
    return reading or UnitReading(K.UNKNOWN, "", from_name=from_name, source="none")


def _read(ind: Indicator, raw: str, text: str, from_name: bool, source: str) -> UnitReading:
    """The unit text's kind; a unit from the name's parentheses lets the whole name say
    percent, change or index first (WDI "GDP growth (annual %)")."""
    early = first_match(EARLY_KINDS, text)
    if early is None and from_name:
        early = first_match(EARLY_KINDS, clean(ind.name))
        source = "name" if early is not None else source
    if early is not None:
        return UnitReading(
            early.outcome, text, confidence=early.confidence, from_name=from_name, source=source
        )
    return _amount_reading(raw, text, from_name, source)


def _merge(reading: UnitReading | None, fallback: UnitReading) -> UnitReading:
    """A kind read elsewhere, keeping the scale and currency the unit text already gave."""
    if reading is None:
        return fallback
    return replace(
        fallback,
        text=reading.text or fallback.text,
        scale=reading.scale or fallback.scale,
        multiplier=reading.multiplier or fallback.multiplier,
        currency=reading.currency or fallback.currency,
        currency_marker=reading.currency_marker or fallback.currency_marker,
    )


def _from_context(ind: Indicator, from_name: bool) -> UnitReading | None:
    """The name (when there is no unit field), then the description, category and topic."""
    if from_name:
        name = clean(ind.name)
        early = first_match(EARLY_KINDS, name)
        if early is not None:
            return UnitReading(
                early.outcome, "", confidence=early.confidence, from_name=True, source="name"
            )
        amount = _amount_reading(fold(ind.name), name, True, "name", late=False)
        if amount.kind is not K.UNKNOWN:
            return amount
    desc = short_description(ind)
    if desc:
        early = first_match(EARLY_KINDS, desc)
        if early is not None:
            return UnitReading(
                early.outcome,
                "",
                confidence=early.confidence,
                from_name=from_name,
                source="description",
            )
        found = _amount_reading(fold(ind.description or ""), desc, from_name, "description")
        if found.kind is not K.UNKNOWN:
            return found
    where = clean(" ; ".join(t for t in (ind.category_group, ind.topic) if t))
    early = first_match(EARLY_KINDS, where) if where else None
    if early is not None:
        return UnitReading(
            early.outcome, "", confidence=early.confidence, from_name=from_name, source="category"
        )
    return None


def _amount_reading(
    raw: str, text: str, from_name: bool, source: str, *, late: bool = True
) -> UnitReading:
    amount = (_PER.split(text, maxsplit=1)[0] if source != "name" else text) if text else ""
    has_per = amount != text
    scale_row = first_match(SCALE_WORDS, amount) if amount else None
    if scale_row is None and has_per and "1k" in text:
        scale_row = first_match(SCALE_WORDS, text)
    scale, mult = scale_row.outcome if scale_row else (None, None)
    marker, code = currency_in(_PER.split(raw, maxsplit=1)[0] if raw else "", amount)
    if marker is not None and has_per and _per_money(text):
        return UnitReading(K.FX, text, confidence=0.85, from_name=from_name, source=source)
    if marker is not None:
        kind = K.PRICE_PER if has_per else K.CURRENCY
        return UnitReading(kind, text, scale, mult, code, marker, 0.85, from_name, source)
    row = first_match(LATE_KINDS, amount) if amount and late else None
    kind = row.outcome if row else K.UNKNOWN
    conf = row.confidence if row else 0.3
    return UnitReading(kind, text, scale, mult, confidence=conf, from_name=from_name, source=source)


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
    name, the source; with ``deep`` also the description, category and topic."""
    if ind.dataset:
        market = _MARKET.search(ind.dataset)
        if market and market.group(1) in ISO_CODES:
            return market.group(1)
    texts: tuple[str | None, ...] = (ind.name, ind.long_name, ind.source_name)
    if deep:
        texts = (*texts, ind.description, ind.category_group, ind.topic)
    for text in texts:
        row: Row[str] | None = first_match(COUNTRY_CURRENCY, clean(text)[:400]) if text else None
        if row is not None:
            return row.outcome
    return None


LANGUAGE_CURRENCY: dict[str, str] = {
    "ko": "KRW",
    "ja": "JPY",
    "zh": "CNY",
    "sv": "SEK",
    "no": "NOK",
    "de": "EUR",
    "fr": "EUR",
    "it": "EUR",
    "nl": "EUR",
}
"""A money amount with no currency word or country: the currency its language most likely means
(Spanish and Portuguese are written in too many currencies to guess)."""

_DOLLAR_COUNTRIES = frozenset({"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "TWD"})
_PESO_COUNTRIES = frozenset({"MXN", "ARS", "CLP", "COP", "UYU", "DOP", "PHP", "CUP", "BOB"})


@dataclass(frozen=True, slots=True)
class CurrencyAnswer:
    code: str | None
    how: str
    """Evidence kind: source-field, unit-code, country, language, default, unknown."""


def resolve_currency(
    ind: Indicator, marker: str | None, code: str | None, *, deep: bool = False
) -> CurrencyAnswer:
    """ISO code for a currency marker: source field first, then the word, then the country, then
    the language."""
    if ind.currency_code:
        return CurrencyAnswer(ind.currency_code, "source-field")
    if code:
        return CurrencyAnswer(code, "unit-code")
    if marker == INTL:
        return CurrencyAnswer(None, "intl")
    country = country_currency(ind, deep=deep) or country_currency(ind, deep=True)
    lang = LANGUAGE_CURRENCY.get(language_of(ind) or "")
    resolved = _by_marker(marker, country or lang)
    if resolved is not None:
        how = "country" if country else ("language" if lang else "default")
        return CurrencyAnswer(resolved, f"{_marker_kind(marker)}-{how}")
    if marker is None and country:
        return CurrencyAnswer(country, "country")
    if marker is None and lang:
        return CurrencyAnswer(lang, "language")
    return CurrencyAnswer(None, "unknown")


def _by_marker(marker: str | None, country: str | None) -> str | None:
    if marker == DOLLAR:
        return country if country in _DOLLAR_COUNTRIES else "USD"
    if marker == PESO:
        return country if country in _PESO_COUNTRIES else None
    if marker == KRONE:
        return country if country in ("DKK", "SEK", "ISK") else "NOK"
    if marker == YUAN:
        return country if country in ("TWD", "HKD", "MOP") else "CNY"
    if marker == LCU:
        return country
    return None


def _marker_kind(marker: str | None) -> str:
    return (marker or "none").lower()


def source_scale(ind: Indicator) -> Scale | None:
    return ind.scale
