"""Family assignment. PLACEHOLDER: to be replaced."""

from __future__ import annotations

from indiclass.domain.enums import Family
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    RouteResult,
    TimeResult,
)


def assign_family(ind: Indicator, norm: NormalizationResult, time: TimeResult,
                  cumulative: CumulativeResult, route: RouteResult) -> FamilyResult:
    return FamilyResult(family=Family.NUMERIC_MEASUREMENT, confidence=0.2)
