"""The expert system's core reading of an indicator: unit kind × subject → type, basis, orientation.

``concept_of(ind)`` is computed once per indicator (a tiny identity cache) and shared by the
normalize, time, family and type rules, so they can never disagree with each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from indiclass.domain.enums import (
    HeatMapOrientation,
    IndicatorType,
    Scale,
    TimeBasis,
)
from indiclass.domain.models import Indicator
from indiclass.rules import _text
from indiclass.rules._text import Row, ValueStats, clean, first_match, per_indicator, value_stats
from indiclass.rules.kinds import UnitKind
from indiclass.rules.lang import alternation, kind_rows, markers
from indiclass.rules.language import language_of
from indiclass.rules.script import fold
from indiclass.rules.shapes import PER_CAPITA, Ctx, shape
from indiclass.rules.subjects import BY_KEY, BY_LANGUAGE, HI, PER, Subject, subject_tables
from indiclass.rules.unit_lexicon import CURRENCY_WORDS, EARLY_KINDS
from indiclass.rules.units import UnitReading, iso_token, read_units, short_description

K = UnitKind
T = IndicatorType
_PARENS = re.compile(r"\([^()]*\)|\[[^\]]*\]")
_SHARE_CUT = re.compile(r"\s(as (a )?(percent(age)?|proportion|share|ratio) of|to gdp|% of)\b.*")
_SHARE_IN_NAME = re.compile(
    r"as (a )?(percent(age)?|proportion|share) of|\bto[- ]gdp\b|% of\b|\bshare of (world|total)\b"
    r"|%\s?(gdp|pib|bip|bnp|bbp)\b|" + fold(alternation(kind_rows(UnitKind.SHARE_OF)))
)
_CHANGE_MARK = re.compile(
    r"\((yoy|mom|qoq|wow|y/y|m/m|q/q)\)|\byoy\b|\bmom\b|\bqoq\b|% change|percent(age)? change"
    r"|pct\.? chg|\bgrowth\b|annuali[sz]ed|\bchange\b|inflation(?! expectation|[- ]indexed)"
    r"|\bytd\b|" + markers("change")
)
_PER_PHYSICAL = re.compile(
    r"\bper (metric )?(ton|tonne|pound|kilogram|kg|barrel|bushel|ounce|troy|gallon|lit(er|re)"
    r"|cubic|dry|mmbtu|million btu|btu|head|dozen|hundredweight|cwt|mt|million metric british)\b"
    r"|/(kg|mt|lb|bbl)\b"
)
_CALENDAR = re.compile(r"economic calendar")
_COUNT_CHANGE = re.compile(r"\bchange\b")
_COMMODITY = re.compile(
    r"\b(crude|oil|gasoline|distillates?|natural gas|barrels?|bcf|tonnes?"
    r"|tons?|refinery|heating oil)\b"
)
_PRICE_WORD = re.compile(r"\bprices?\b|\bcost\b|\bvalue\b|\$")
_LOG = re.compile(r"\blog\b|logarithm|\bln\b|delta")
_DIFFERENCE = re.compile(r"\bdelta\b|log difference|first difference|rate of change")
_PRICES_PAID = BY_KEY["prices-paid"]
_INDEX_WORD = re.compile(r"\bindex\b|\bindices\b|\bindice\b|指数|지수|\bindex\b|\bindeks\b")
_RATIO_NAME = re.compile(r"\bratios?\b(?!.*%)|\bper 1,?000\b|\bper 100,?000\b")
_PLURAL_PRICES = re.compile(
    r"\bprices\b|\bprecios\b|\bprecos\b|\bprix\b|\bpreise\b|\bpriser\b|\bprezzi\b"
)
_NET_BALANCE = re.compile(
    r"porcentaje neto|%\s?neto|net percentage|net balance|balance of opinion|saldo de respostas"
    r"|solde d.opinion|per ?cent balance|diffusion index"
)
"""Survey units: a net balance of answers is a survey reading whatever its subject."""


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
    subject_source: str = "none"
    """Which field named the subject: name, category, topic, description or none."""
    language: str | None = None
    subject_confidence: float = 0.0
    """The subject row's own weight (specific phrases high, generic words low)."""


@per_indicator
def concept_of(ind: Indicator) -> Concept:
    """The shared reading of ``ind`` (cached by identity: every stage sees the same answer)."""
    return _compute(ind)


_VALUATION = re.compile(
    r"\b(at )?(current|constant|market|basic|purchasers'?|chained( \d{4})?) prices\b|"
    + fold(markers("valuation"))
)
"""Valuation phrases ("at market prices", "precios corrientes"): not what the name measures."""
_RATE_ONLY = frozenset({T.YIELD, T.PERCENTAGE, T.RATE, T.SPREAD, T.PROBABILITY})


def subject_of(
    name: str, language: str | None = None, fits: Callable[[Subject], bool] | None = None
) -> tuple[Subject | None, float]:
    """The subject named by ``name`` (parentheses, "as % of …" tails and valuation phrases
    ignored first), trying the text's own language's lexicon first; with ``fits``, the first
    subject that fits."""
    row = subject_row(name, language, fits)
    return (row.outcome, row.confidence) if row is not None else (None, 0.0)


def subject_row(
    name: str, language: str | None = None, fits: Callable[[Subject], bool] | None = None
) -> Row[Subject] | None:
    """The lexicon row that names the subject (see ``subject_of``); memoised."""
    tables = subject_tables(language)
    key = ("subject", name, language, fits, *map(id, tables))
    if key in _text.MEMO:
        return _text.MEMO[key]  # type: ignore[no-any-return]
    found = _subject_row(name, language, fits, tables)
    _text.remember(key, found)
    return found


def _subject_row(
    name: str,
    language: str | None,
    fits: Callable[[Subject], bool] | None,
    tables: tuple[tuple[Row[Subject], ...], ...],
) -> Row[Subject] | None:
    lowered = _VALUATION.sub(" ", clean(name))
    core = _SHARE_CUT.sub("", _PARENS.sub(" ", lowered)).strip()
    primary = 2 if language in BY_LANGUAGE else 1  # own language and English: both texts
    order = [(t, x) for t in tables[:primary] for x in (core, lowered)]
    order += [(t, x) for x in (core, lowered) for t in tables[primary:]]
    for table, text in order:
        if fits is None:
            row = first_match(table, text)
            if row is not None:
                return row
            continue
        for candidate in table:
            if candidate.search(text) and fits(candidate.outcome):
                return candidate
    return None


_SOURCES = ("category", "topic", "description")
_SURVEYS = frozenset({"pmi", "sentiment"})


def subject_for(ind: Indicator, language: str | None) -> tuple[Subject | None, float, str]:
    """The subject of the name, else of the category, topic or description (and which). A
    survey table's rows are survey indicators whatever sector their name says (barometer,
    PMI)."""
    subject, conf = subject_of(ind.name, language)
    found: tuple[Subject | None, float, str] = (subject, conf, "name")
    for source, text in zip(_SOURCES, _context_texts(ind), strict=True):
        if not text or (subject is not None and subject.key in _SURVEYS):
            continue
        other, oconf = subject_of(text, language)
        if other is None:
            continue
        if subject is None:
            return other, oconf, source
        if other.key in _SURVEYS and subject.type not in (T.INDEX, T.SENTIMENT):
            survey = _PRICES_PAID if subject.key in ("price-level", "price") else other
            return survey, oconf, source
    return found if subject is not None else (None, 0.0, "none")


def _priced_by_context(
    ctx: Ctx, kind: UnitKind, language: str | None
) -> tuple[Subject, float, str] | None:
    """An index or change of an amount whose table says it is a price index or deflator (BEA
    "Fisher Price Index", ESRI "デフレーター"): the price of it, not its volume."""
    subj = ctx.subject
    if kind not in (K.INDEX, K.CHANGE) or subj is None or subj.price_like:
        return None
    if subj.type not in (T.FLOW, T.STOCK, T.BALANCE, T.VOLUME):
        return None
    for source, text in zip(_SOURCES, _context_texts(ctx.ind), strict=True):
        other, conf = subject_of(text, language, fits=_is_price_level) if text else (None, 0.0)
        if other is not None:
            return other, conf, source
    return None


def _can_be_amount(subject: Subject) -> bool:
    return subject.money or not subject.pct_native


def _is_price_level(subject: Subject) -> bool:
    return subject.key == "price-level"


def _context_texts(ind: Indicator) -> tuple[str | None, str | None, str]:
    return ind.category_group, ind.topic, short_description(ind)


def _fitting_subject(
    ind: Indicator, language: str | None, reading: UnitReading, subject: Subject | None
) -> tuple[Subject | None, float] | None:
    """A money unit on a name whose first subject is a rate ("juros", "bills"): the first
    subject that can be an amount (None: keep the first)."""
    if subject is None or reading.kind not in (K.CURRENCY, K.SCALE_ONLY):
        return None
    if not (subject.pct_native and not subject.money) and subject.type not in _RATE_ONLY:
        return None
    found, conf = subject_of(ind.name, language, fits=_can_be_amount)
    return (found, conf) if found is not None else None


def _compute(ind: Indicator) -> Concept:
    language = language_of(ind)
    subject, sconf, ssrc = subject_for(ind, language)
    reading = read_units(ind)
    better = _fitting_subject(ind, language, reading, subject) if ssrc == "name" else None
    if better is not None:
        subject, sconf = better
    if _NET_BALANCE.search(f"{clean(ind.units)} {reading.text}") and (
        subject is None or subject.type not in (T.INDEX, T.SENTIMENT, T.PERCENTAGE)
    ):
        subject, sconf, ssrc = BY_KEY["survey-balance"], 0.7, "units"
    ctx = Ctx(ind, clean(ind.name), reading, subject, sconf, value_stats(ind))
    kind = resolve_kind(ctx)
    priced = _priced_by_context(ctx, kind, language) if ssrc == "name" else None
    if priced is not None:
        subject, sconf, ssrc = priced
        ctx = Ctx(ind, ctx.name, reading, subject, sconf, ctx.stats)
    type_, basis, orient, conf, why = shape(kind, ctx)
    if type_ is T.COUNT and _is_change_count(ctx):
        basis = PER
    if type_ is T.STOCK and _COUNT_CHANGE.search(ctx.name):
        type_, basis = T.BALANCE, PER  # a change in a stock is a net flow over the period
    if subject is not None and subject.key == "deficit" and _mostly_negative(ctx.ind):
        orient = HI  # a deficit shown as negative numbers: higher (less negative) is better
    about = f", subject {subject.key} from {ssrc}" if subject else ", no subject"
    reason = f"unit {kind.value} from {ctx.reading.source}{about}{why}"
    return Concept(
        type_,
        basis,
        orient,
        round(conf, 3),
        reason,
        kind,
        ctx.reading,
        subject,
        ctx.stats,
        ssrc,
        language,
        sconf,
    )


# ---------------------------------------------------------------- unit kind, with the subject


def resolve_kind(ctx: Ctx) -> UnitKind:
    """The unit kind once the subject and the values are taken into account."""
    kind, subj = ctx.reading.kind, ctx.subject
    if kind is K.PERCENT and _SHARE_IN_NAME.search(ctx.name):
        return K.SHARE_OF
    if kind is K.CURRENCY and subj is None and ctx.reading.source == "name":
        return K.FX  # a name that only names a currency ("KRW South Korea, won"): its rate
    if kind is K.PERCENT and _CHANGE_MARK.search(ctx.name) and not _pct_level(subj):
        return K.CHANGE
    if kind is K.PERCENT and _context_says_change(ctx) and not _pct_native(subj):
        return K.CHANGE
    if kind is K.INDEX and not ctx.reading.from_name and _name_says_change(ctx):
        return K.CHANGE
    if kind is K.PERCENT and subj is not None and subj.type is T.INDEX and _index_level(ctx):
        return K.INDEX
    if kind is K.PERCENT and _index_survey(ctx):
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
    if (
        subj is not None
        and subj.key == "fx"
        and kind not in (K.INDEX, K.CHANGE, K.PERCENT)
        and (ctx.reading.from_name or kind in (K.CURRENCY, K.PRICE_PER, K.RATIO))
    ):
        return K.FX
    if kind is K.UNKNOWN:
        return _unknown_kind(ctx)
    return kind


def _context_says_change(ctx: Ctx) -> bool:
    """The description, category or topic says the percent is a change ("1-Term % change",
    "Percent Change From Preceding Period", CBS "mutaties", ESRI "増加率")."""
    ind = ctx.ind
    parts = (short_description(ind), ind.category_group, ind.topic)
    where = clean(" ; ".join(t for t in parts if t))
    row = first_match(EARLY_KINDS, where[:300]) if where else None
    return (row is not None and row.outcome is K.CHANGE) or bool(_CONTEXT_CHANGE.search(where))


_CONTEXT_CHANGE = re.compile(fold(markers("change")))


def _name_says_change(ctx: Ctx) -> bool:
    """An index-based unit ("Base_2015=100") on a name that says it is the change of it
    ("Tasa interanual", "前年比")."""
    row = first_match(EARLY_KINDS, ctx.name)
    return row is not None and row.outcome is K.CHANGE


def _index_survey(ctx: Ctx) -> bool:
    """A diffusion index given in % (NBS "制造业采购经理指数(%)"): an index, not a percent."""
    subj = ctx.subject
    survey = subj is not None and subj.type in (T.INDEX, T.SENTIMENT) and not subj.price_like
    return survey and bool(_INDEX_WORD.search(ctx.name))


def _pct_native(subj: Subject | None) -> bool:
    return subj is not None and (subj.pct_native or subj.type is T.INDEX)


def _pct_level(subj: Subject | None) -> bool:
    """Subjects whose % value is a level even when the name says "change" or "inflation"."""
    return subj is not None and subj.key in ("inflation-expectation", "term-spread")


def _index_level(ctx: Ctx) -> bool:
    """A "%" series that is really an index level (values near 100, no change words)."""
    s = ctx.stats
    return s.n >= 3 and 50 <= s.median_abs <= 250 and not _CHANGE_MARK.search(ctx.name)


def _index_named(ctx: Ctx) -> bool:
    """A unit-less survey/index whose name carries a change label but whose values are levels."""
    subj, s = ctx.subject, ctx.stats
    survey = subj is not None and subj.type in (T.INDEX, T.SENTIMENT)
    return survey and s.n >= 3 and 25 <= s.median_abs <= 250


def _unknown_kind(ctx: Ctx) -> UnitKind:
    subj = ctx.subject
    if _DIFFERENCE.search(ctx.name):
        return K.CHANGE
    if _RATIO_NAME.search(ctx.name) and not (subj is not None and subj.type is T.SHARE):
        return K.RATIO
    if _SHARE_IN_NAME.search(ctx.name):
        return K.SHARE_OF
    if subj is None:
        if _CHANGE_MARK.search(ctx.name):
            return K.CHANGE
        return K.CURRENCY if _money_word(ctx.name, ctx.ind.name) else K.UNKNOWN
    if subj.money and PER_CAPITA.search(ctx.name):
        return K.CURRENCY
    if subj.key in ("fx",):
        return K.FX
    if subj.key == "price-level" or subj.type in (T.INDEX, T.SENTIMENT, T.VOLATILITY):
        return K.INDEX
    if subj.key == "price" and _PLURAL_PRICES.search(ctx.name) and not _money_word(ctx.name, ""):
        return K.INDEX  # "Commercial property prices" with no unit: a price index
    if _INDEX_WORD.search(ctx.name) and subj.type not in (T.PRICE, T.THRESHOLD):
        return K.INDEX
    if subj.key == "flag":
        return K.FLAG
    if subj.pct_native:
        return K.PERCENT
    if subj.type is T.DURATION:
        return K.DURATION
    if (
        subj.money
        and not _LOG.search(ctx.name)
        and (
            _money_word(ctx.name, ctx.ind.name)
            or subj.type in (T.PRICE, T.THRESHOLD)
            or _macro_aggregate(ctx)
            or _aggregate(ctx, subj)
        )
    ):
        return K.CURRENCY
    if subj.type in (T.COUNT, T.CAPACITY):
        return K.COUNT
    return K.UNKNOWN


AGGREGATES = frozenset(
    {
        "output",
        "income",
        "spending",
        "investment",
        "money-credit",
        "revenue",
        "outlays",
        "exports",
        "imports",
        "debt",
        "budget-balance",
        "external-balance",
        "net-flow",
        "new-loans",
        "reserves",
        "payments",
        "inventory-change",
    }
)


def _aggregate(ctx: Ctx, subj: Subject) -> bool:
    """A unit-less national-accounts, fiscal or money aggregate (not a logarithm) is money."""
    no_unit = not ctx.reading.text or ctx.reading.source == "name-parens"
    unitless = no_unit and (ctx.stats.n == 0 or ctx.stats.median_abs >= 1)
    return unitless and subj.key in AGGREGATES and not _LOG.search(ctx.name)


def _money_word(lowered: str, raw: str) -> bool:
    return first_match(CURRENCY_WORDS, lowered) is not None or iso_token(raw) is not None


def _macro_aggregate(ctx: Ctx) -> bool:
    """A unit-less national-accounts or money aggregate from a US macro dataset (USD amounts)."""
    desc = clean(ctx.ind.description)[:200]
    return "macroeconomic" in desc and ("us " in desc or "united states" in desc)


def _mostly_negative(ind: Indicator) -> bool:
    vals = [s.value for s in ind.sample_values]
    return bool(vals) and sum(v < 0 for v in vals) > len(vals) / 2


def _is_change_count(ctx: Ctx) -> bool:
    """Counts reported as changes (NFP, "Employment Change"): events during the period."""
    if _COUNT_CHANGE.search(ctx.name):
        return True
    calendar = bool(ctx.ind.dataset and _CALENDAR.search(ctx.ind.dataset))
    subj = ctx.subject
    levels = subj is not None and subj.key in ("employment", "unemployed")
    return levels and (calendar or ctx.stats.any_negative)
