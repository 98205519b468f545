"""The taxonomy: every enumeration with its exact strings (DESIGN.md §1)."""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    PHYSICAL_FUNDAMENTAL = "physical-fundamental"
    NUMERIC_MEASUREMENT = "numeric-measurement"
    PRICE_VALUE = "price-value"
    CHANGE_MOVEMENT = "change-movement"
    COMPOSITE_DERIVED = "composite-derived"
    TEMPORAL = "temporal"
    QUALITATIVE = "qualitative"


class IndicatorType(StrEnum):
    STOCK = "stock"
    FLOW = "flow"
    BALANCE = "balance"
    CAPACITY = "capacity"
    VOLUME = "volume"
    COUNT = "count"
    PERCENTAGE = "percentage"
    RATIO = "ratio"
    SPREAD = "spread"
    SHARE = "share"
    PRICE = "price"
    YIELD = "yield"
    RATE = "rate"
    VOLATILITY = "volatility"
    GAP = "gap"
    INDEX = "index"
    CORRELATION = "correlation"
    ELASTICITY = "elasticity"
    MULTIPLIER = "multiplier"
    DURATION = "duration"
    PROBABILITY = "probability"
    THRESHOLD = "threshold"
    SENTIMENT = "sentiment"
    ALLOCATION = "allocation"
    OTHER = "other"


_F = Family
_T = IndicatorType
TYPE_FAMILY: dict[IndicatorType, Family] = {
    **{t: _F.PHYSICAL_FUNDAMENTAL for t in (_T.STOCK, _T.FLOW, _T.BALANCE, _T.CAPACITY, _T.VOLUME)},
    **{t: _F.NUMERIC_MEASUREMENT for t in (_T.COUNT, _T.PERCENTAGE, _T.RATIO, _T.SPREAD, _T.SHARE)},
    **{t: _F.PRICE_VALUE for t in (_T.PRICE, _T.YIELD)},
    **{t: _F.CHANGE_MOVEMENT for t in (_T.RATE, _T.VOLATILITY, _T.GAP)},
    **{t: _F.COMPOSITE_DERIVED for t in (_T.INDEX, _T.CORRELATION, _T.ELASTICITY, _T.MULTIPLIER)},
    **{t: _F.TEMPORAL for t in (_T.DURATION, _T.PROBABILITY, _T.THRESHOLD)},
    **{t: _F.QUALITATIVE for t in (_T.SENTIMENT, _T.ALLOCATION)},
}
"""Every type's family; `other` is allowed in any family and is not listed."""


def type_fits_family(indicator_type: IndicatorType, family: Family) -> bool:
    """True when the type belongs to the family (``other`` fits every family)."""
    return indicator_type is IndicatorType.OTHER or TYPE_FAMILY[indicator_type] is family


def types_of(family: Family) -> list[IndicatorType]:
    """The types a family admits, ``other`` last."""
    return [t for t, f in TYPE_FAMILY.items() if f is family] + [IndicatorType.OTHER]


class TemporalAggregation(StrEnum):
    POINT_IN_TIME = "point-in-time"
    PERIOD_RATE = "period-rate"
    PERIOD_CUMULATIVE = "period-cumulative"
    PERIOD_AVERAGE = "period-average"
    PERIOD_TOTAL = "period-total"
    NOT_APPLICABLE = "not-applicable"


class HeatMapOrientation(StrEnum):
    HIGHER_IS_POSITIVE = "higher-is-positive"
    LOWER_IS_POSITIVE = "lower-is-positive"
    NEUTRAL = "neutral"


class TimeBasis(StrEnum):
    PER_PERIOD = "per-period"
    POINT_IN_TIME = "point-in-time"
    CUMULATIVE = "cumulative"


class ReportingFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    IRREGULAR = "irregular"
    POINT_IN_TIME = "point-in-time"


class Scale(StrEnum):
    RAW_UNITS = "raw-units"
    HUNDREDS = "hundreds"
    THOUSANDS = "thousands"
    MILLIONS = "millions"
    BILLIONS = "billions"
    TRILLIONS = "trillions"
    PERCENT = "percent"
    INDEX = "index"


SCALE_MULTIPLIER: dict[Scale, float | None] = {
    Scale.RAW_UNITS: 1.0,
    Scale.HUNDREDS: 1e2,
    Scale.THOUSANDS: 1e3,
    Scale.MILLIONS: 1e6,
    Scale.BILLIONS: 1e9,
    Scale.TRILLIONS: 1e12,
    Scale.PERCENT: None,
    Scale.INDEX: None,
}


class ParsedUnitType(StrEnum):
    PERCENTAGE = "percentage"
    INDEX = "index"
    COUNT = "count"
    CURRENCY_AMOUNT = "currency-amount"
    PHYSICAL = "physical"
    RATE = "rate"
    RATIO = "ratio"
    DURATION = "duration"
    UNKNOWN = "unknown"


class CumulativePattern(StrEnum):
    YTD = "ytd"
    RUNNING_TOTAL = "running_total"
    PERIODIC = "periodic"
    UNKNOWN = "unknown"


class ReviewStatus(StrEnum):
    PASSED = "passed"
    CORRECTED = "corrected"
    FAILED = "failed"


class ProviderName(StrEnum):
    RULES = "rules"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    LOCAL = "local"


class Strategy(StrEnum):
    RULES = "rules"
    """Every stage answered by the offline rules (no LLM call)."""
    LLM = "llm"
    """Every LLM stage asks the provider, as the seed does."""
    HYBRID = "hybrid"
    """Rules first; the LLM only where rules are unsure or the review finds a problem."""


class Branch(StrEnum):
    CURRENCY = "currency"
    NON_CURRENCY = "non-currency"


class StageName(StrEnum):
    """Pipeline stages in order; the values are the names used in tables and logs."""

    NORMALIZE = "normalize"
    TIME = "time"
    CUMULATIVE = "cumulative"
    ROUTER = "router"
    FAMILY = "family"
    TYPE = "type"
    BOOLEAN_REVIEW = "boolean-review"
    FINAL_REVIEW = "final-review"
    COMPLETE = "complete"


LLM_STAGES: tuple[StageName, ...] = (
    StageName.TIME,
    StageName.FAMILY,
    StageName.TYPE,
    StageName.BOOLEAN_REVIEW,
    StageName.FINAL_REVIEW,
)
"""Stages that may ask an LLM; the others are always rules."""


class AnswerSource(StrEnum):
    """Where a stage's answer came from."""

    RULES = "rules"
    LLM = "llm"
    RULES_FALLBACK = "rules-fallback"
    """The LLM failed or kept replying invalid output; the rules answer was used instead."""
    SKIPPED = "skipped"
    """Stage had nothing to do (final review when the boolean review passed)."""
