"""Complete: applies the final review's corrections and assembles the Classification with its
per-field and overall confidence, review status and ``needs_review``. Rules only; never produces
a half-made classification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from indiclass.domain.enums import ReviewStatus
from indiclass.domain.errors import InputError
from indiclass.domain.models import (
    Classification,
    Correction,
    FinalReviewResult,
    Indicator,
    StageResult,
    coerce_field,
)

REVIEW_FACTOR = {ReviewStatus.PASSED: 1.0, ReviewStatus.CORRECTED: 0.9, ReviewStatus.FAILED: 0.5}

FIELD_SOURCE: dict[str, tuple[str, str]] = {
    "family": ("family", "family"),
    "indicator_type": ("type", "indicator_type"),
    "temporal_aggregation": ("type", "temporal_aggregation"),
    "heat_map_orientation": ("type", "heat_map_orientation"),
    "time_basis": ("time", "time_basis"),
    "reporting_frequency": ("time", "reporting_frequency"),
    "scale": ("normalization", "scale"),
    "scale_multiplier": ("normalization", "scale_multiplier"),
    "is_currency_denominated": ("normalization", "is_currency_denominated"),
    "detected_currency": ("normalization", "detected_currency"),
    "parsed_unit_type": ("normalization", "parsed_unit_type"),
    "is_cumulative": ("cumulative", "is_cumulative"),
    "cumulative_pattern_type": ("cumulative", "pattern"),
}
"""Each classification field: (the stage key whose result decides it, the result's field)."""

SCORED_FIELDS: tuple[str, ...] = (
    "family",
    "indicator_type",
    "time_basis",
    "is_currency_denominated",
    "detected_currency",
    "scale",
    "heat_map_orientation",
    "is_cumulative",
)
"""The fields a classification is judged on; each gets its own confidence."""

_OVERALL_FROM = ("normalization", "time", "family", "type")


@dataclass(frozen=True)
class Assembly:
    """What the complete step needs besides the stage results."""

    provider: str
    model: str
    summarised: Sequence[str]
    """Stage keys whose confidence and reasoning the classification carries."""
    review_threshold: float = 0.75
    fallback_stages: tuple[str, ...] = ()


def assemble(
    indicator: Indicator, results: Mapping[str, StageResult], how: Assembly
) -> Classification:
    """The classification from every stage's result (InputError naming a missing stage)."""
    missing = [k for k in (*_OVERALL_FROM, "cumulative", "final_review") if k not in results]
    if missing:
        raise InputError(f"cannot complete: no result for {', '.join(missing)}")
    final = results["final_review"]
    assert isinstance(final, FinalReviewResult)
    draft = _draft(indicator, results, how)
    status = final.status
    if final.corrections and status is not ReviewStatus.FAILED:
        corrected = _apply(draft, final.corrections, final.confidence)
        if corrected is not None:
            try:
                return _finish(corrected, ReviewStatus.CORRECTED, results, how)
            except ValidationError:  # the corrections break an invariant: not applied
                pass
        status = ReviewStatus.FAILED
    return _finish(draft, status, results, how)


def overall_confidence(results: Mapping[str, StageResult], status: ReviewStatus) -> float:
    """Half the weakest deciding stage, half their mean, scaled by the review."""
    parts = [results[k].confidence for k in _OVERALL_FROM]
    base = 0.5 * min(parts) + 0.5 * sum(parts) / len(parts)
    return round(base * REVIEW_FACTOR[status], 4)


def field_confidences(results: Mapping[str, StageResult]) -> dict[str, float]:
    """Each scored field's confidence: the deciding stage's own estimate for that field, else
    the stage's confidence."""
    out = {}
    for name in SCORED_FIELDS:
        key, attr = FIELD_SOURCE[name]
        result = results[key]
        own = result.field_confidence
        out[name] = own.get(attr, own.get(name, result.confidence))
    return out


def _draft(
    indicator: Indicator, results: Mapping[str, StageResult], how: Assembly
) -> dict[str, Any]:
    draft: dict[str, Any] = {"indicator_id": indicator.indicator_id, "name": indicator.name}
    for name, (key, attr) in FIELD_SOURCE.items():
        draft[name] = getattr(results[key], attr)
    draft["field_confidence"] = field_confidences(results)
    draft["stage_confidence"] = {k: results[k].confidence for k in how.summarised}
    draft["stage_reasoning"] = {k: results[k].reasoning for k in how.summarised}
    return draft


def _apply(
    draft: dict[str, Any], corrections: list[Correction], confidence: float
) -> dict[str, Any] | None:
    updated = dict(draft)
    field_conf = dict(draft["field_confidence"])
    try:
        for c in corrections:
            updated[c.field] = coerce_field(c.field, c.value)
            if c.field in field_conf:
                field_conf[c.field] = confidence
    except ValueError:
        return None
    if updated["is_currency_denominated"] is False:
        updated["detected_currency"] = None
    return {**updated, "field_confidence": field_conf}


def _finish(
    draft: dict[str, Any],
    status: ReviewStatus,
    results: Mapping[str, StageResult],
    how: Assembly,
) -> Classification:
    low = any(c < how.review_threshold for c in draft["field_confidence"].values())
    return Classification(
        **draft,
        provider=how.provider,
        model=how.model,
        review_status=status,
        overall_confidence=overall_confidence(results, status),
        needs_review=low or status is ReviewStatus.FAILED,
        fallback_stages=how.fallback_stages,
    )
