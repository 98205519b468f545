"""Type, temporal aggregation and heat-map orientation. PLACEHOLDER: to be replaced."""

from __future__ import annotations

from indiclass.domain.enums import HeatMapOrientation, TemporalAggregation, types_of
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
)


def classify_type(ind: Indicator, norm: NormalizationResult, time: TimeResult,
                  cumulative: CumulativeResult, family: FamilyResult) -> TypeResult:
    return TypeResult(indicator_type=types_of(family.family)[0],
                      temporal_aggregation=TemporalAggregation.PERIOD_RATE,
                      heat_map_orientation=HeatMapOrientation.NEUTRAL, confidence=0.2)
