"""Consistency review and final review. PLACEHOLDER: to be replaced."""

from __future__ import annotations

from indiclass.domain.enums import ReviewStatus
from indiclass.domain.models import (
    BooleanReviewResult,
    CumulativeResult,
    FamilyResult,
    FinalReviewResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
)


def review_classification(ind: Indicator, norm: NormalizationResult, time: TimeResult,
                          cumulative: CumulativeResult, family: FamilyResult,
                          type_: TypeResult) -> BooleanReviewResult:
    return BooleanReviewResult(passed=True, confidence=0.5)


def final_review(ind: Indicator, norm: NormalizationResult, time: TimeResult,
                 cumulative: CumulativeResult, family: FamilyResult, type_: TypeResult,
                 boolean: BooleanReviewResult) -> FinalReviewResult:
    status = ReviewStatus.PASSED if boolean.passed else ReviewStatus.CORRECTED
    return FinalReviewResult(status=status, confidence=boolean.confidence)
