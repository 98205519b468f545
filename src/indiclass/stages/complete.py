"""Complete: applies the final review's corrections and assembles the Classification with its
overall confidence and review status. Rules only; never produces a half-made classification."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from indiclass.domain.enums import ReviewStatus, StageName
from indiclass.domain.models import (
    BooleanReviewResult,
    Classification,
    Correction,
    CumulativeResult,
    FamilyResult,
    FinalReviewResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
    coerce_field,
)
from indiclass.stages.base import StageInput

REVIEW_FACTOR = {ReviewStatus.PASSED: 1.0, ReviewStatus.CORRECTED: 0.9, ReviewStatus.FAILED: 0.5}


class CompleteInput(StageInput):
    indicator: Indicator
    normalization: NormalizationResult
    time: TimeResult
    cumulative: CumulativeResult
    family: FamilyResult
    type: TypeResult
    boolean_review: BooleanReviewResult
    final_review: FinalReviewResult
    provider: str
    model: str


def run(inp: CompleteInput) -> Classification:
    draft = _draft(inp)
    status = inp.final_review.status
    if inp.final_review.corrections and status is not ReviewStatus.FAILED:
        corrected = _apply(draft, inp.final_review.corrections)
        if corrected is not None:
            return corrected
        status = ReviewStatus.FAILED
    return _finish(draft, status)


def overall_confidence(inp: CompleteInput, status: ReviewStatus) -> float:
    """Half the weakest stage, half the mean of the deciding stages, scaled by the review."""
    parts = [
        inp.normalization.confidence,
        inp.time.confidence,
        inp.family.confidence,
        inp.type.confidence,
    ]
    base = 0.5 * min(parts) + 0.5 * sum(parts) / len(parts)
    return round(base * REVIEW_FACTOR[status], 4)


def _draft(inp: CompleteInput) -> dict[str, Any]:
    ind, norm, typ = inp.indicator, inp.normalization, inp.type
    return {
        "indicator_id": ind.indicator_id,
        "name": ind.name,
        "family": inp.family.family,
        "indicator_type": typ.indicator_type,
        "temporal_aggregation": typ.temporal_aggregation,
        "heat_map_orientation": typ.heat_map_orientation,
        "time_basis": inp.time.time_basis,
        "reporting_frequency": inp.time.reporting_frequency,
        "scale": norm.scale,
        "scale_multiplier": norm.scale_multiplier,
        "is_currency_denominated": norm.is_currency_denominated,
        "detected_currency": norm.detected_currency,
        "is_cumulative": inp.cumulative.is_cumulative,
        "cumulative_pattern_type": inp.cumulative.pattern,
        "parsed_unit_type": norm.parsed_unit_type,
        "provider": inp.provider,
        "model": inp.model,
        **_stage_fields(inp),
        "_inp": inp,
    }


def _stage_fields(inp: CompleteInput) -> dict[str, Any]:
    stages = {
        "normalization": inp.normalization,
        "time": inp.time,
        "cumulative": inp.cumulative,
        "family": inp.family,
        "type": inp.type,
        "boolean_review": inp.boolean_review,
        "final_review": inp.final_review,
    }
    out: dict[str, Any] = {}
    for prefix, result in stages.items():
        out[f"{prefix}_confidence"] = result.confidence
        out[f"{prefix}_reasoning"] = result.reasoning
    return out


def _apply(draft: dict[str, Any], corrections: list[Correction]) -> Classification | None:
    updated = dict(draft)
    try:
        for c in corrections:
            updated[c.field] = coerce_field(c.field, c.value)
        if updated["is_currency_denominated"] is False:
            updated["detected_currency"] = None
        return _finish(updated, ReviewStatus.CORRECTED)
    except (ValueError, ValidationError):
        return None


def _finish(draft: dict[str, Any], status: ReviewStatus) -> Classification:
    fields = {k: v for k, v in draft.items() if k != "_inp"}
    inp: CompleteInput = draft["_inp"]
    return Classification(
        **fields, review_status=status, overall_confidence=overall_confidence(inp, status)
    )


STAGE_NAME = StageName.COMPLETE
