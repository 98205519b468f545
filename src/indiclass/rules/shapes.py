"""Type, time basis and orientation of an indicator from its unit kind and its subject.

One small function per unit kind (``_SHAPERS``); each returns the type, the time basis, the
heat-map orientation, a confidence and a short reason. Used by ``rules.concept``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indiclass.domain.enums import HeatMapOrientation, IndicatorType, TimeBasis
from indiclass.domain.models import Indicator
from indiclass.rules._text import ValueStats
from indiclass.rules.kinds import UnitKind
from indiclass.rules.lang import markers
from indiclass.rules.script import fold
from indiclass.rules.subjects import HI, LO, NE, PER, PIT, Subject
from indiclass.rules.units import UnitReading

K = UnitKind
T = IndicatorType
PER_CAPITA = re.compile(
    r"per (capita|person|worker|employee|head|inhabitant)|per person employed|"
    + fold(markers("per_capita"))
)
_AVERAGE_PAY = re.compile(r"\b(average|median|mean|hourly|weekly|monthly|minimum)\b|\bper\b")
_POP_DENOM = re.compile(
    r"population|people|adults|labou?r force|children|employment|firms|teachers"
    r"|workers|youth|households|beneficiar|welfare|persons|employed"
)
_EXPENSE_DENOM = re.compile(r"\bexpense\b|expenditure")
_COMPONENT_DENOM = re.compile(r"\btotal\b|merchandise|service|value added|\btaxes\b|\brevenue\b")
_RATE_WORD = re.compile(r"\brate\b|\bratio\b|\bshare\b|participation|proportion")

STOCKY = frozenset({"debt", "money-credit", "reserves", "inventories", "backlog", "market-cap"})
PER_RATIO = frozenset(
    {
        "budget-balance",
        "deficit",
        "external-balance",
        "net-flow",
        "debt-service",
        "aid",
        "interest-payments",
        "revenue",
        "outlays",
        "debt-service-ratio",
        "new-loans",
    }
)
NEVER_SHARE = frozenset(
    {
        "budget-balance",
        "deficit",
        "external-balance",
        "net-flow",
        "debt-service",
        "interest-payments",
        "debt-service-ratio",
    }
)
COMPONENTS = frozenset(
    {
        "investment",
        "savings",
        "depletion",
        "spending",
        "imports",
        "exports",
        "output",
        "income",
        "gdp-share",
        "income-share",
    }
)
AMOUNT_TYPES = frozenset({T.STOCK, T.FLOW, T.BALANCE, T.CAPACITY, T.VOLUME, T.PRICE, T.THRESHOLD})


@dataclass(frozen=True, slots=True)
class Ctx:
    ind: Indicator
    name: str
    reading: UnitReading
    subject: Subject | None
    subject_conf: float
    stats: ValueStats


Shape = tuple[IndicatorType, TimeBasis, HeatMapOrientation, float, str]


def shape(kind: UnitKind, ctx: Ctx) -> Shape:
    """Type, basis, orientation, confidence and reason for a unit kind."""
    return _SHAPERS.get(kind, _shape_unknown)(ctx)


def _conf(ctx: Ctx, unit_conf: float, alone: float = 0.5) -> float:
    if ctx.subject is None:
        return alone
    return min(0.95, 0.5 * (ctx.subject_conf + unit_conf) + 0.05)


def _orient(subj: Subject | None, default: HeatMapOrientation = HI) -> HeatMapOrientation:
    return default if subj is None else subj.orientation


def _shape_flag(ctx: Ctx) -> Shape:
    annual = "crisis" in ctx.name or "years" in ctx.name
    return T.OTHER, PER if annual else PIT, LO, 0.8, ": 0/1 regime flag"


def _shape_fx(ctx: Ctx) -> Shape:
    return T.PRICE, PIT, NE, 0.9, ": exchange rate (a price of one currency in another)"


def _shape_change(ctx: Ctx) -> Shape:
    subj = ctx.subject
    basis = PIT if subj is not None and subj.key == "inflation-expectation" else PER
    return T.RATE, basis, _orient(subj), _conf(ctx, 0.9, 0.8), ": a % change is a rate"


def _shape_percent(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.PERCENTAGE, PIT, NE, 0.4, ": percent with no known subject"
    if subj.pct_native or subj.type in (T.DURATION, T.THRESHOLD, T.OTHER):
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.9), ": measured in %"
    if subj.type in (T.COUNT, T.CAPACITY):
        return T.PERCENTAGE, subj.basis, subj.orientation, _conf(ctx, 0.75), ": % of people"
    if subj.type is T.RATIO:
        return T.RATIO, subj.basis, subj.orientation, _conf(ctx, 0.8), ": a ratio in %"
    return T.RATE, PER, _orient(subj), _conf(ctx, 0.75), ": % of an amount or index is a change"


def _shape_share(ctx: Ctx) -> Shape:
    subj, unit = ctx.subject, ctx.reading.text
    denom = (unit if " of " in unit else ctx.name).split(" of ", 1)[-1]
    key = subj.key if subj else ""
    if subj is not None and subj.pct_native and subj.type is not T.RATE:
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.85), ": measured in % of"
    if _POP_DENOM.search(denom):
        return (
            T.PERCENTAGE,
            PIT,
            subj.orientation if subj else NE,
            _conf(ctx, 0.8, 0.6),
            ": share of a population",
        )
    if _EXPENSE_DENOM.search(denom) and key in ("outlays", "spending", "investment", ""):
        return T.ALLOCATION, PER, NE, _conf(ctx, 0.7, 0.55), ": part of spending"
    if key in STOCKY:
        return T.RATIO, PIT, LO if key == "debt" else NE, _conf(ctx, 0.85), ": stock to aggregate"
    if key in NEVER_SHARE:
        return T.RATIO, PER, _ratio_orient(key), _conf(ctx, 0.85), ": flow to aggregate"
    if key in COMPONENTS or _COMPONENT_DENOM.search(denom):
        orient = {"investment": HI, "savings": HI, "depletion": LO}.get(key, NE)
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


def _shape_index(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type in (T.SENTIMENT, T.VOLATILITY):
        return subj.type, PIT, subj.orientation, _conf(ctx, 0.85), ": survey/volatility index"
    basis = PER if subj is not None and subj.output_like else PIT
    orient = _orient(subj) if subj is None or subj.type is not T.STOCK else NE
    return T.INDEX, basis, orient, _conf(ctx, 0.9, 0.7), ": index level"


def _shape_currency(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if PER_CAPITA.search(ctx.name):
        return T.RATIO, PER, HI, _conf(ctx, 0.8, 0.7), ": money per person"
    if subj is None:
        return T.FLOW, PER, HI, 0.45, ": money amount, kind unknown"
    if subj.key == "wage" and (ctx.reading.scale is not None or not _AVERAGE_PAY.search(ctx.name)):
        return T.FLOW, PER, HI, _conf(ctx, 0.8), ": aggregate pay is an income flow"
    if subj.key in ("interest-rate", "bond-yield"):
        return T.FLOW, PER, NE, _conf(ctx, 0.7), ": interest paid or received, in money"
    if subj.type in AMOUNT_TYPES:
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.9), ": money amount"
    if subj.key == "price-level":
        return T.PRICE, PIT, NE, _conf(ctx, 0.8), ": a price in money"
    return T.FLOW, PER, subj.orientation, 0.45, ": money amount"


def _shape_price_per(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type is T.THRESHOLD:
        return T.THRESHOLD, PIT, NE, _conf(ctx, 0.85), ": a legal threshold in money"
    orient = subj.orientation if subj is not None and subj.key == "wage" else NE
    return T.PRICE, PIT, orient, _conf(ctx, 0.9, 0.8), ": money per unit is a price"


def _shape_count(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.COUNT, PIT, HI, 0.5, ": a count"
    if subj.type is T.CAPACITY:
        return T.CAPACITY, subj.basis, subj.orientation, _conf(ctx, 0.7), ": productive capacity"
    basis = PER if subj.type in (T.FLOW, T.VOLUME) else subj.basis
    return T.COUNT, basis, subj.orientation, _conf(ctx, 0.8), ": people or things counted"


def _shape_physical(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if PER_CAPITA.search(ctx.name):
        return T.RATIO, PER, _orient(subj, NE), _conf(ctx, 0.75, 0.6), ": quantity per person"
    if subj is not None and subj.type in (T.FLOW, T.STOCK, T.VOLUME, T.CAPACITY, T.BALANCE):
        return subj.type, subj.basis, subj.orientation, _conf(ctx, 0.8), ": physical quantity"
    return T.FLOW, PER, NE, 0.5, ": physical quantity"


def _shape_duration(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is not None and subj.type is T.DURATION:
        return T.DURATION, subj.basis, subj.orientation, _conf(ctx, 0.85), ": a length of time"
    orient = LO if subj is None else NE  # a term or maturity of something else: neutral
    return T.DURATION, PIT, orient, 0.6, ": a length of time"


def _shape_ratio(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.RATIO, PIT, NE, 0.55, ": a ratio"
    native = subj.type is T.RATIO or subj.pct_native
    bad = subj.orientation is LO  # debt, debt service, deficits, unemployment stay bad as ratios
    orient = LO if bad else (subj.orientation if native else NE)
    basis = subj.basis if subj.type is not T.COUNT else PIT
    return T.RATIO, basis, orient, _conf(ctx, 0.75), ": a ratio"


def _shape_unknown(ctx: Ctx) -> Shape:
    subj = ctx.subject
    if subj is None:
        return T.COUNT, PIT, NE, 0.3, ": nothing recognised; default"
    return (
        subj.type,
        subj.basis,
        subj.orientation,
        0.55 * ctx.subject_conf + 0.1,
        ": from the name only",
    )


_SHAPERS = {
    K.FLAG: _shape_flag,
    K.FX: _shape_fx,
    K.CHANGE: _shape_change,
    K.PERCENT: _shape_percent,
    K.SHARE_OF: _shape_share,
    K.INDEX: _shape_index,
    K.CURRENCY: _shape_currency,
    K.PRICE_PER: _shape_price_per,
    K.COUNT: _shape_count,
    K.PHYSICAL: _shape_physical,
    K.DURATION: _shape_duration,
    K.RATIO: _shape_ratio,
}
