"""The expert system's core reading of an indicator: unit kind × subject → type, basis, orientation.

``concept_of(ind)`` is computed once per indicator (a tiny identity cache) and shared by the
normalize, time, family and type rules, so they can never disagree with each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indiclass.domain.enums import (
    HeatMapOrientation,
    IndicatorType,
    Scale,
    TimeBasis,
)
from indiclass.domain.models import Indicator
from indiclass.rules._text import ValueStats, clean, first_match, per_indicator, value_stats
from indiclass.rules.subjects import HI, LO, NE, PER, PIT, SUBJECTS, Subject
from indiclass.rules.unit_lexicon import CURRENCY_WORDS, UnitKind
from indiclass.rules.units import UnitReading, iso_token, read_units

K = UnitKind
T = IndicatorType
_PARENS = re.compile(r"\([^()]*\)|\[[^\]]*\]")
_SHARE_CUT = re.compile(r"\s(as (a )?(percent(age)?|proportion|share|ratio) of|to gdp|% of)\b.*")
_SHARE_IN_NAME = re.compile(r"as (a )?(percent(age)?|proportion|share) of|\bto gdp\b|% of\b")
_CHANGE_MARK = re.compile(
    r"\((yoy|mom|qoq|wow|y/y|m/m|q/q)\)|\byoy\b|\bmom\b|\bqoq\b|% change|percent(age)? change"
    r"|pct\.? chg|\bgrowth\b|annuali[sz]ed|\bchange\b|inflation(?! expectation|[- ]indexed)"
    r"|\bytd\b")
_PER_CAPITA = re.compile(r"per (capita|person|worker|employee|head|inhabitant)|per person employed")
_PER_PHYSICAL = re.compile(
    r"\bper (metric )?(ton|tonne|pound|kilogram|kg|barrel|bushel|ounce|troy|gallon|lit(er|re)"
    r"|cubic|dry|mmbtu|million btu|btu|head|dozen|hundredweight|cwt|mt|million metric british)\b"
    r"|/(kg|mt|lb|bbl)\b")
_POP_DENOM = re.compile(r"population|people|adults|labou?r force|children|employment|firms|teachers"
                        r"|workers|youth|households|beneficiar|welfare|persons|employed")
_EXPENSE_DENOM = re.compile(r"\bexpense\b|expenditure")
_COMPONENT_DENOM = re.compile(r"\btotal\b|merchandise|service|value added|\btaxes\b|\brevenue\b")
_CALENDAR = re.compile(r"economic calendar")
_COUNT_CHANGE = re.compile(r"\bchange\b")
_COMMODITY = re.compile(r"\b(crude|oil|gasoline|distillates?|natural gas|barrels?|bcf|tonnes?"
                        r"|tons?|refinery|heating oil)\b")
_PRICE_WORD = re.compile(r"\bprices?\b|\bcost\b|\bvalue\b|\$")
_LOG = re.compile(r"\blog\b|logarithm|\bln\b|delta")
_RATIO_NAME = re.compile(r"\bratio\b(?!.*%)")
_RATE_WORD = re.compile(r"\brate\b|\bratio\b|\bshare\b|participation|proportion")

STOCKY = frozenset({"debt", "money-credit", "reserves", "inventories", "backlog", "market-cap"})
PER_RATIO = frozenset({"budget-balance", "deficit", "external-balance", "net-flow",
                       "debt-service", "aid",
                       "interest-payments", "revenue", "outlays", "debt-service-ratio",
                       "new-loans"})
NEVER_SHARE = frozenset({"budget-balance", "deficit", "external-balance", "net-flow",
                         "debt-service",
                         "interest-payments", "debt-service-ratio"})
COMPONENTS = frozenset({"investment", "spending", "imports", "exports", "output", "income",
                        "gdp-share", "income-share"})
AMOUNT_TYPES = frozenset({T.STOCK, T.FLOW, T.BALANCE, T.CAPACITY, T.VOLUME, T.PRICE, T.THRESHOLD})


@dataclass(frozen=True, slots=True)
class Concept:
    indicator_type: IndicatorType
    time_basis: TimeBasis
    orientation: HeatMapOrientation
    confidence: float
    reason: str
    kind: UnitKind
    reading: UnitReading
    subject: Subject | None
    stats: ValueStats


@dataclass(frozen=True, slots=True)
class _Ctx:
    ind: Indicator
    name: str
    reading: UnitReading
    subject: Subject | None
    subject_conf: float
    stats: ValueStats


@per_indicator
def concept_of(ind: Indicator) -> Concept:
    """The shared reading of ``ind`` (cached by identity: every stage sees the same answer)."""
    return _compute(ind)


def subject_of(name: str) -> tuple[Subject | None, float]:
    """The subject named by ``name`` (parentheses and "as % of …" tails ignored first)."""
    lowered = clean(name)
    core = _SHARE_CUT.sub("", _PARENS.sub(" ", lowered)).strip()
    row = first_match(SUBJECTS, core) or first_match(SUBJECTS, lowered)
    return (row.outcome, row.confidence) if row else (None, 0.0)


def _compute(ind: Indicator) -> Concept:
    subject, sconf = subject_of(ind.name)
    ctx = _Ctx(ind, clean(ind.name), read_units(ind), subject, sconf, value_stats(ind))
    kind = resolve_kind(ctx)
    type_, basis, orient, conf, why = _shape(kind, ctx)
    if type_ is T.COUNT and _is_change_count(ctx):
        basis = PER
    if subject is not None and subject.key == "deficit" and _mostly_negative(ctx.ind):
        orient = HI  # a deficit shown as negative numbers: higher (less negative) is better
    about = f", subject {subject.key}" if subject else ", no subject"
    reason = f"unit {kind.value}{about}{why}"
    return Concept(type_, basis, orient, round(conf, 3), reason, kind, ctx.reading, subject,
                   ctx.stats)


# ---------------------------------------------------------------- unit kind, with the subject


def resolve_kind(ctx: _Ctx) -> UnitKind:
    """The unit kind once the subject and the values are taken into account."""
    kind, subj = ctx.reading.kind, ctx.subject
    if kind is K.PERCENT and _SHARE_IN_NAME.search(ctx.name):
        return K.SHARE_OF
    if kind is K.PERCENT and _CHANGE_MARK.search(ctx.name) and not _pct_level(subj):
        return K.CHANGE
    if kind is K.PERCENT and subj is not None and subj.type is T.INDEX and _index_level(ctx):
        return K.INDEX
    if kind is K.CURRENCY and _PER_PHYSICAL.search(ctx.name):
        return K.PRICE_PER
    if kind is K.CHANGE and ctx.reading.from_name and _index_named(ctx):
        return K.INDEX
    if kind is K.SCALE_ONLY and _COMMODITY.search(ctx.name) and not _PRICE_WORD.search(ctx.name):
        return K.PHYSICAL
    if kind is K.SCALE_ONLY:
        big = ctx.reading.scale in (Scale.BILLIONS, Scale.TRILLIONS)
        if (subj is not None and subj.money) or (subj is None and big):
            return K.CURRENCY
        physical = subj is not None and subj.type in (T.STOCK, T.FLOW, T.VOLUME, T.BALANCE)
        return K.PHYSICAL if physical else K.COUNT
    if subj is not None and subj.key == "fx" and kind not in (K.INDEX, K.CHANGE, K.PERCENT) \
            and (ctx.reading.from_name or kind in (K.CURRENCY, K.PRICE_PER, K.RATIO)):
        return K.FX
    if kind is K.UNKNOWN:
        return _unknown_kind(ctx)
    return kind


def _pct_level(subj: Subject | None) -> bool:
    """Subjects whose % value is a level even when the name says "change" or "inflation"."""
    return subj is not None and subj.key in ("inflation-expectation", "term-spread")


def _index_level(ctx: _Ctx) -> bool:
    """A "%" series that is really an index level (values near 100, no change words)."""
    s = ctx.stats
    return s.n >= 3 and 50 <= s.median_abs <= 250 and not _CHANGE_MARK.search(ctx.name)


def _index_named(ctx: _Ctx) -> bool:
    """A unit-less survey/index whose name carries a change label but whose values are levels."""
    subj, s = ctx.subject, ctx.stats
    survey = subj is not None and subj.type in (T.INDEX, T.SENTIMENT)
    return survey and s.n >= 3 and 25 <= s.median_abs <= 250


def _unknown_kind(ctx: _Ctx) -> UnitKind:
    subj = ctx.subject
    if _RATIO_NAME.search(ctx.name):
        return K.RATIO
    if subj is None:
        return K.CHANGE if _CHANGE_MARK.search(ctx.name) else K.UNKNOWN
    if subj.money and _PER_CAPITA.search(ctx.name):
        return K.CURRENCY
    if subj.key in ("fx",):
        return K.FX
    if subj.key == "price-level" or subj.type in (T.INDEX, T.SENTIMENT, T.VOLATILITY):
        return K.INDEX
    if subj.key == "flag":
        return K.FLAG
    if subj.pct_native:
        return K.PERCENT
    if subj.type is T.DURATION:
        return K.DURATION
    if subj.money and (_money_word(ctx.name, ctx.ind.name) or subj.type in (T.PRICE, T.THRESHOLD)
                       or _macro_aggregate(ctx) or _aggregate(ctx, subj)):
        return K.CURRENCY
    if subj.type in (T.COUNT, T.CAPACITY):
        return K.COUNT
    return K.UNKNOWN


AGGREGATES = frozenset({"output", "income", "spending", "investment", "money-credit", "revenue",
                        "outlays", "exports", "imports", "debt", "budget-balance",
                        "external-balance"})


def _aggregate(ctx: _Ctx, subj: Subject) -> bool:
    """A unit-less national-accounts, fiscal or money aggregate (not a logarithm) is money."""
    return subj.key in AGGREGATES and not _LOG.search(ctx.name)


def _money_word(lowered: str, raw: str) -> bool:
    return first_match(CURRENCY_WORDS, lowered) is not None or iso_token(raw) is not None


def _macro_aggregate(ctx: _Ctx) -> bool:
    """A unit-less national-accounts or money aggregate from a US macro dataset (USD amounts)."""
    desc = clean(ctx.ind.description)[:200]
    return "macroeconomic" in desc and ("us " in desc or "united states" in desc)


def _mostly_negative(ind: Indicator) -> bool:
    vals = [s.value for s in ind.sample_values]
    return bool(vals) and sum(v < 0 for v in vals) > len(vals) / 2


def _is_change_count(ctx: _Ctx) -> bool:
    """Counts reported as changes (NFP, "Employment Change"): events during the period."""
    if _COUNT_CHANGE.search(ctx.name):
        return True
    calendar = bool(ctx.ind.dataset and _CALENDAR.search(ctx.ind.dataset))
    subj = ctx.subject
    levels = subj is not None and subj.key in ("employment", "unemployed")
    return levels and (calendar or ctx.stats.any_negative)


# ---------------------------------------------------------------- type, basis, orientation

Shape = tuple[IndicatorType, TimeBasis, HeatMapOrientation, float, str]


def _shape(kind: UnitKind, ctx: _Ctx) -> Shape:
    return _SHAPERS.get(kind, _shape_unknown)(ctx)


def _conf(ctx: _Ctx, unit_conf: float, alone: float = 0.5) -> float:
    if ctx.subject is None:
        return alone
    return min(0.95, 0.5 * (ctx.subject_conf + unit_conf) + 0.05)


def _orient(subj: Subject | None, default: HeatMapOrientation = HI) -> HeatMapOrientation:
    return default if subj is None else subj.orientation


def _shape_flag(ctx: _Ctx) -> Shape:
    annual = "crisis" in ctx.name or "years" in ctx.name
    return T.OTHER, PER if annual else PIT, LO, 0.8, ": 0/1 regime flag"


def _shape_fx(ctx: _Ctx) -> Shape:
    return T.PRICE, PIT, NE, 0.9, ": exchange rate (a price of one currency in another)"


def _shape_change(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    basis = PIT if subj is not None and subj.key == "inflation-expectation" else PER
    return T.RATE, basis, _orient(subj), _conf(ctx, 0.9, 0.8), ": a % change is a rate"


def _shape_percent(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.PERCENTAGE, PIT, NE, 0.4, ": percent with no known subject"
    if subj.pct_native or subj.type in (T.DURATION, T.THRESHOLD, T.OTHER):
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.9), ": measured in %"
    if subj.type in (T.COUNT, T.CAPACITY) and _RATE_WORD.search(f"{ctx.name} {ctx.reading.text}"):
        return T.PERCENTAGE, subj.basis, subj.orientation, _conf(ctx, 0.75), ": % of people"
    return T.RATE, PER, _orient(subj), _conf(ctx, 0.75), ": % of an amount or index is a change"


def _shape_share(ctx: _Ctx) -> Shape:
    subj, unit = ctx.subject, ctx.reading.text or ctx.name
    denom = unit.split(" of ", 1)[-1]
    key = subj.key if subj else ""
    if subj is not None and subj.pct_native and subj.type is not T.RATE:
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.85), ": measured in % of"
    if _POP_DENOM.search(denom):
        return T.PERCENTAGE, PIT, subj.orientation if subj else NE, _conf(ctx, 0.8, 0.6), \
            ": share of a population"
    if _EXPENSE_DENOM.search(denom) and key in ("outlays", "spending", "investment", ""):
        return T.ALLOCATION, PER, NE, _conf(ctx, 0.7, 0.55), ": part of spending"
    if key in STOCKY:
        return T.RATIO, PIT, LO if key == "debt" else NE, _conf(ctx, 0.85), ": stock to aggregate"
    if key in NEVER_SHARE:
        return T.RATIO, PER, _ratio_orient(key), _conf(ctx, 0.85), ": flow to aggregate"
    if key in COMPONENTS or _COMPONENT_DENOM.search(denom):
        orient = HI if key == "investment" else NE
        return T.SHARE, PER, orient, _conf(ctx, 0.75, 0.6), ": component of the total"
    if key in PER_RATIO:
        return T.RATIO, PER, _ratio_orient(key), _conf(ctx, 0.85), ": flow to aggregate"
    return T.RATIO, PER, NE, _conf(ctx, 0.6, 0.5), ": ratio to an aggregate"


def _ratio_orient(key: str) -> HeatMapOrientation:
    if key == "budget-balance":
        return HI
    if key in ("debt-service", "interest-payments", "debt-service-ratio", "deficit"):
        return LO
    return NE


def _shape_index(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type in (T.SENTIMENT, T.VOLATILITY):
        return subj.type, PIT, subj.orientation, _conf(ctx, 0.85), ": survey/volatility index"
    basis = PER if subj is not None and subj.output_like else PIT
    orient = _orient(subj) if subj is None or subj.type is not T.STOCK else NE
    return T.INDEX, basis, orient, _conf(ctx, 0.9, 0.7), ": index level"


def _shape_currency(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if _PER_CAPITA.search(ctx.name):
        return T.RATIO, PER, HI, _conf(ctx, 0.8, 0.7), ": money per person"
    if subj is None:
        return T.FLOW, PER, HI, 0.45, ": money amount, kind unknown"
    if subj.key == "wage" and ctx.reading.scale is not None:
        return T.FLOW, PER, HI, _conf(ctx, 0.8), ": aggregate pay is an income flow"
    if subj.type in AMOUNT_TYPES:
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.9), ": money amount"
    if subj.key == "price-level":
        return T.PRICE, PIT, NE, _conf(ctx, 0.8), ": a price in money"
    return T.FLOW, PER, subj.orientation, 0.45, ": money amount"


def _shape_price_per(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type is T.THRESHOLD:
        return T.THRESHOLD, PIT, NE, _conf(ctx, 0.85), ": a legal threshold in money"
    orient = subj.orientation if subj is not None and subj.key == "wage" else NE
    return T.PRICE, PIT, orient, _conf(ctx, 0.9, 0.8), ": money per unit is a price"


def _shape_count(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.COUNT, PIT, NE, 0.5, ": a count"
    basis = PER if subj.type in (T.FLOW, T.VOLUME) else subj.basis
    return T.COUNT, basis, subj.orientation, _conf(ctx, 0.8), ": people or things counted"


def _shape_physical(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type in (T.FLOW, T.STOCK, T.VOLUME, T.CAPACITY, T.BALANCE):
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.8), ": physical quantity"
    return T.FLOW, PER, NE, 0.5, ": physical quantity"


def _shape_duration(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type is T.DURATION:
        return T.DURATION, subj.basis, subj.orientation, _conf(ctx, 0.85), ": a length of time"
    return T.DURATION, PIT, LO, 0.6, ": a length of time"


def _shape_ratio(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.RATIO, PIT, NE, 0.55, ": a ratio"
    orient = LO if subj.key == "debt" else (subj.orientation if subj.type is T.RATIO else NE)
    basis = subj.basis if subj.type is not T.COUNT else PIT
    return T.RATIO, basis, orient, _conf(ctx, 0.75), ": a ratio"


def _shape_unknown(ctx: _Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.COUNT, PIT, NE, 0.3, ": nothing recognised; default"
    return subj.type, subj.basis, subj.orientation, 0.55 * ctx.subject_conf + 0.1, \
        ": from the name only"


_SHAPERS = {
    K.FLAG: _shape_flag, K.FX: _shape_fx, K.CHANGE: _shape_change, K.PERCENT: _shape_percent,
    K.SHARE_OF: _shape_share, K.INDEX: _shape_index, K.CURRENCY: _shape_currency,
    K.PRICE_PER: _shape_price_per, K.COUNT: _shape_count, K.PHYSICAL: _shape_physical,
    K.DURATION: _shape_duration, K.RATIO: _shape_ratio,
}
