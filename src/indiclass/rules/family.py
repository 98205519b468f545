"""Family assignment: the family of the type the shared concept reads (type → family map)."""

from __future__ import annotations

from indiclass.domain.enums import TYPE_FAMILY, Family, IndicatorType
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    RouteResult,
    TimeResult,
)
from indiclass.rules._text import build
from indiclass.rules.calibration import stage_confidence
from indiclass.rules.concept import concept_of
from indiclass.rules.evidence import calibrated, type_keys


def family_of(indicator_type: IndicatorType) -> Family:
    """The family of a type; ``other`` is filed under qualitative (regime flags)."""
    return TYPE_FAMILY.get(indicator_type, Family.QUALITATIVE)


def assign_family(
    ind: Indicator,
    norm: NormalizationResult,
    time: TimeResult,
    cumulative: CumulativeResult,
    route: RouteResult,
) -> FamilyResult:
    c = concept_of(ind)
    family = family_of(c.indicator_type)
    reason = f"{c.indicator_type.value} → {family.value} ({c.reason})"
    fields = {"family": calibrated("family", c, type_keys(c, c.indicator_type.value))}
    return build(
        FamilyResult,
        family=family,
        confidence=stage_confidence(fields, 0.5),
        field_confidence=fields,
        reasoning=reason[:2000],
    )
