"""Normalize: units → semantic type, scale (exact multiplier kept) and ISO 4217 currency.

Source fields outrank parsing: ``currency_code`` and ``scale`` from the source win over the
unit text. When the unit and the values disagree on percent vs fraction, the values win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indiclass.domain.enums import SCALE_MULTIPLIER, IndicatorType, ParsedUnitType, Scale
from indiclass.domain.models import Indicator, NormalizationResult
from indiclass.rules._text import build, clean, per_indicator
from indiclass.rules.calibration import stage_confidence
from indiclass.rules.concept import Concept, concept_of
from indiclass.rules.evidence import calibrated, currency_keys, money_keys, scale_keys
from indiclass.rules.kinds import UnitKind
from indiclass.rules.language import language_of
from indiclass.rules.script import fold
from indiclass.rules.units import CurrencyAnswer, currency_in, resolve_currency

K = UnitKind
P = ParsedUnitType

UNIT_TYPE: dict[UnitKind, ParsedUnitType] = {
    K.FLAG: P.UNKNOWN,
    K.FX: P.RATIO,
    K.CHANGE: P.RATE,
    K.SHARE_OF: P.PERCENTAGE,
    K.PERCENT: P.PERCENTAGE,
    K.INDEX: P.INDEX,
    K.CURRENCY: P.CURRENCY_AMOUNT,
    K.PRICE_PER: P.CURRENCY_AMOUNT,
    K.DURATION: P.DURATION,
    K.PHYSICAL: P.PHYSICAL,
    K.COUNT: P.COUNT,
    K.RATIO: P.RATIO,
    K.SCALE_ONLY: P.COUNT,
    K.UNKNOWN: P.UNKNOWN,
}
_PER_THOUSANDS = re.compile(
    r"\bper (1,?000|10,?000|100,?000|100|million)\b|\bper (woman|women|sq\.? ?km|square k)"
)
PERCENT_KINDS = frozenset({K.CHANGE, K.SHARE_OF, K.PERCENT})
RAW_KINDS = frozenset({K.FX, K.PRICE_PER, K.FLAG, K.DURATION})
MONEY_KINDS = frozenset({K.CURRENCY, K.PRICE_PER})


@dataclass(frozen=True, slots=True)
class NormEvidence:
    scale: Scale
    scale_why: str
    scale_how: str
    """Evidence kind of the scale (source, word, percent, index, millions-guess, none, …)."""
    is_currency: bool
    currency: CurrencyAnswer


@per_indicator
def normalization_evidence(ind: Indicator) -> NormEvidence:
    """Scale and currency with how each was found (cached: the stage and the fit share it)."""
    c = concept_of(ind)
    scale, why, how = _scale(ind, c)
    is_cur, answer = _currency(ind, c)
    return NormEvidence(scale, why, how, is_cur, answer)


def normalize_units(ind: Indicator) -> NormalizationResult:
    c = concept_of(ind)
    ev = normalization_evidence(ind)
    scale, is_cur, code = ev.scale, ev.is_currency, ev.currency.code
    mult = c.reading.multiplier if c.reading.multiplier else SCALE_MULTIPLIER[scale]
    fields = {
        "scale": calibrated("scale", c, scale_keys(c, ev.scale_how, scale.value)),
        "is_currency_denominated": calibrated("is_currency_denominated", c, money_keys(c, is_cur)),
        "detected_currency": calibrated("detected_currency", c, currency_keys(c, ev.currency.how)),
    }
    cur = f"currency {code or 'unspecified'} ({ev.currency.how})" if is_cur else "not money"
    src = c.reading.source
    reason = f"{c.kind.value} unit from {src} '{c.reading.text[:60]}'; {ev.scale_why}; {cur}"
    return build(
        NormalizationResult,
        parsed_unit_type=UNIT_TYPE[c.kind],
        scale=scale,
        scale_multiplier=mult,
        is_currency_denominated=is_cur,
        detected_currency=code if is_cur else None,
        unit_label=c.reading.text[:200],
        confidence=stage_confidence(fields, 0.5),
        field_confidence=fields,
        reasoning=reason[:2000],
    )


def _scale(ind: Indicator, c: Concept) -> tuple[Scale, str, str]:
    """The scale, why (for the reasoning) and the evidence kind (for the confidence table)."""
    kind, src = c.kind, ind.scale
    if src in (Scale.PERCENT, Scale.INDEX):
        return src, "scale from the source field", "source"
    if kind in PERCENT_KINDS or (kind is K.UNKNOWN and c.subject and c.subject.pct_native):
        scale, why = _percent_or_fraction(ind, c)
        return scale, why, "percent" if scale is Scale.PERCENT else "fraction"
    if kind is K.INDEX:
        return Scale.INDEX, "index level", "index"
    if kind is K.RATIO:
        if _PER_THOUSANDS.search(f"{c.reading.text} {clean(ind.name)}"):
            return Scale.RAW_UNITS, "a rate per 1,000 or 100,000", "per-n"
        big = c.stats.n > 0 and c.stats.median_abs >= 10
        if big:
            return Scale.PERCENT, "ratio values look like %", "ratio-values"
        return Scale.RAW_UNITS, "ratio", "ratio"
    if src is not None:
        return src, "scale from the source field", "source"
    if kind in RAW_KINDS:
        return Scale.RAW_UNITS, "per-unit or plain value", "per-unit"
    if c.reading.scale is not None:
        return c.reading.scale, f"scale word in the {c.reading.source}", "word"
    if kind is K.CURRENCY and c.reading.source != "units" and _billions_guess(c):
        why = "unit-less US macro aggregate, magnitude suggests billions"
        return Scale.BILLIONS, why, "billions-guess"
    if kind is K.CURRENCY and c.reading.source != "units" and _aggregate(c):
        why = "unit-less money aggregate: statistical offices publish millions"
        return Scale.MILLIONS, why, "millions-guess"
    return Scale.RAW_UNITS, "no scale word", "none"


def _percent_or_fraction(ind: Indicator, c: Concept) -> tuple[Scale, str]:
    """Percent, unless no unit says so and every value is a small fraction (0.038 for 3.8%)."""
    units = (ind.units or "").lower()
    explicit = "%" in units or "percent" in units
    s = c.stats
    if not explicit and c.reading.from_name and s.n >= 4 and s.max_abs < 0.3 and not s.all_binary:
        return Scale.RAW_UNITS, "values are fractions, not percent"
    return Scale.PERCENT, "percent"


def _billions_guess(c: Concept) -> bool:
    """US national-accounts style: a unit-less English money aggregate is in billions."""
    if c.language not in (None, "en"):
        return False
    s = c.stats
    kind_ok = c.indicator_type in (IndicatorType.FLOW, IndicatorType.STOCK)
    return kind_ok and s.n >= 3 and 100 <= s.median_abs <= 100_000


def _currency(ind: Indicator, c: Concept) -> tuple[bool, CurrencyAnswer]:
    """Whether the value is money, and its currency with how it was found."""
    if c.kind not in MONEY_KINDS:
        return False, CurrencyAnswer(None, "not-money")
    marker, code = c.reading.currency_marker, c.reading.currency
    if marker is None:
        marker, code = currency_in(fold(ind.name), c.reading.text or "")
        if marker is None:
            marker, code = currency_in(fold(ind.name), clean(ind.name))
        if marker is None and ind.description:
            desc = ind.description[:160]
            marker, code = currency_in(fold(desc), clean(desc))
    if marker is None and not ind.currency_code and _dollar_default(ind):
        marker = "DOLLAR"
    answer = resolve_currency(ind, marker, code, deep=not c.reading.text)
    if c.subject is not None and c.subject.key == "reserves" and _guessed(answer):
        return True, CurrencyAnswer("USD", "reserves-usd")  # reserves are reported in dollars
    return True, answer


def _guessed(answer: CurrencyAnswer) -> bool:
    """No currency word or code decided it: only the country, the language or a default."""
    return answer.how in ("country", "language", "unknown") or answer.how.startswith("none-")


def _dollar_default(ind: Indicator) -> bool:
    """Unit-less money amounts default to US dollars only in English text without a
    market-currency hint."""
    return not ind.dataset and language_of(ind) in (None, "en")


def _aggregate(c: Concept) -> bool:
    """A national money aggregate with no currency word at all (not a price, a per-person amount
    or a small value): WDI "(current US$)" is an explicit unit, in units."""
    if c.reading.currency_marker is not None:
        return False
    s = c.stats
    big = s.n == 0 or s.median_abs >= 100
    return big and c.indicator_type in (
        IndicatorType.FLOW,
        IndicatorType.STOCK,
        IndicatorType.BALANCE,
    )
