"""Type (within the given family), temporal aggregation and heat-map orientation.

The type is the shared concept's when it fits the family (the family may come from an LLM in
hybrid runs); otherwise the family's most likely type, with a low confidence. The temporal
aggregation follows the time basis, so the two can never disagree.
"""

from __future__ import annotations

import re

from indiclass.domain.enums import (
    Family,
    IndicatorType,
    TemporalAggregation,
    TimeBasis,
    type_fits_family,
)
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
)
from indiclass.rules._text import build
from indiclass.rules.calibration import stage_confidence
from indiclass.rules.concept import concept_of
from indiclass.rules.evidence import TYPE_DECIDING, calibrated, orientation_keys, type_keys

T = IndicatorType
A = TemporalAggregation

FAMILY_DEFAULT: dict[Family, IndicatorType] = {
    Family.PHYSICAL_FUNDAMENTAL: T.FLOW,
    Family.NUMERIC_MEASUREMENT: T.PERCENTAGE,
    Family.PRICE_VALUE: T.PRICE,
    Family.CHANGE_MOVEMENT: T.RATE,
    Family.COMPOSITE_DERIVED: T.INDEX,
    Family.TEMPORAL: T.DURATION,
    Family.QUALITATIVE: T.SENTIMENT,
}
"""The type to use when the concept's type is outside the family we were given."""
MISFIT_CONFIDENCE = 0.4
"""The type's confidence when it is only the given family's default."""

RATE_LIKE = frozenset(
    {
        T.RATE,
        T.PERCENTAGE,
        T.RATIO,
        T.SHARE,
        T.ALLOCATION,
        T.PROBABILITY,
        T.SPREAD,
        T.YIELD,
        T.VOLATILITY,
        T.GAP,
        T.ELASTICITY,
        T.CORRELATION,
    }
)
AVERAGE_WORDS = re.compile(r"\baverage\b|\bavg\b|\bmean\b|moving average", re.IGNORECASE)


def classify_type(
    ind: Indicator,
    norm: NormalizationResult,
    time: TimeResult,
    cumulative: CumulativeResult,
    family: FamilyResult,
) -> TypeResult:
    c = concept_of(ind)
    type_, why = c.indicator_type, c.reason
    type_conf = calibrated("indicator_type", c, type_keys(c, type_.value, TYPE_DECIDING))
    if not type_fits_family(type_, family.family):
        type_, type_conf = FAMILY_DEFAULT[family.family], MISFIT_CONFIDENCE
        why = f"family {family.family.value} given; {c.indicator_type.value} does not fit, default"
    agg = aggregation(type_, time.time_basis, ind.name)
    orient = calibrated("heat_map_orientation", c, orientation_keys(c, c.orientation.value))
    fields = {"indicator_type": type_conf, "heat_map_orientation": orient}
    return build(
        TypeResult,
        indicator_type=type_,
        temporal_aggregation=agg,
        heat_map_orientation=c.orientation,
        confidence=stage_confidence(fields, 0.5),
        field_confidence=fields,
        reasoning=f"{type_.value}, {agg.value}: {why}"[:2000],
    )


def aggregation(type_: IndicatorType, basis: TimeBasis, name: str) -> TemporalAggregation:
    """Temporal aggregation implied by the time basis (and the type for per-period values)."""
    if basis is TimeBasis.POINT_IN_TIME:
        return A.POINT_IN_TIME
    if basis is TimeBasis.CUMULATIVE:
        return A.PERIOD_CUMULATIVE
    if type_ is T.OTHER:
        return A.NOT_APPLICABLE
    if AVERAGE_WORDS.search(name) or type_ is T.INDEX:
        return A.PERIOD_AVERAGE
    if type_ in RATE_LIKE:
        return A.PERIOD_RATE
    return A.PERIOD_TOTAL
