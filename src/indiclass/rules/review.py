"""Consistency review of a whole draft classification, and the final review that applies it.

Checks: the type belongs to the family; the time basis agrees with the temporal aggregation;
currency-denominated values have a type that can be money; a detected currency implies a money
amount; ``is_cumulative`` agrees with a cumulative time basis. Each issue carries the suggested
value as its enum string. The final review applies the suggestions, re-checks, and marks the
classification failed when it still does not hold together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from indiclass.domain.enums import (
    IndicatorType,
    ReviewStatus,
    TemporalAggregation,
    TimeBasis,
    type_fits_family,
)
from indiclass.domain.models import (
    BooleanReviewResult,
    Correction,
    CumulativeResult,
    FamilyResult,
    FinalReviewResult,
    Indicator,
    NormalizationResult,
    ReviewIssue,
    TimeResult,
    TypeResult,
    coerce_field,
)
from indiclass.rules._text import build
from indiclass.rules.family import family_of
from indiclass.rules.types import aggregation

T = IndicatorType
A = TemporalAggregation

AGGREGATIONS_FOR: dict[TimeBasis, frozenset[TemporalAggregation]] = {
    TimeBasis.POINT_IN_TIME: frozenset({A.POINT_IN_TIME, A.NOT_APPLICABLE}),
    TimeBasis.PER_PERIOD: frozenset(
        {A.PERIOD_RATE, A.PERIOD_TOTAL, A.PERIOD_AVERAGE, A.NOT_APPLICABLE}
    ),
    TimeBasis.CUMULATIVE: frozenset({A.PERIOD_CUMULATIVE}),
}
MONEY_TYPES = frozenset(
    {
        T.STOCK,
        T.FLOW,
        T.BALANCE,
        T.CAPACITY,
        T.VOLUME,
        T.PRICE,
        T.THRESHOLD,
        T.RATIO,
        T.GAP,
        T.OTHER,
    }
)
"""Types a currency-denominated value can have (ratio: money per person)."""
MAX_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Draft:
    """The reviewable fields of a classification, typed."""

    name: str
    family: object
    indicator_type: IndicatorType
    temporal_aggregation: TemporalAggregation
    time_basis: TimeBasis
    is_cumulative: bool
    is_currency_denominated: bool
    detected_currency: str | None


def draft_of(
    ind: Indicator,
    norm: NormalizationResult,
    time: TimeResult,
    cumulative: CumulativeResult,
    family: FamilyResult,
    type_: TypeResult,
) -> Draft:
    return Draft(
        ind.name,
        family.family,
        type_.indicator_type,
        type_.temporal_aggregation,
        time.time_basis,
        cumulative.is_cumulative,
        norm.is_currency_denominated,
        norm.detected_currency,
    )


def check(d: Draft) -> list[ReviewIssue]:
    """Every inconsistency in ``d``, each with a suggested value."""
    issues = []
    if not type_fits_family(d.indicator_type, d.family):  # type: ignore[arg-type]
        issues.append(
            _issue(
                "family",
                f"type {d.indicator_type.value} is not in family {d.family}",
                family_of(d.indicator_type).value,
            )
        )
    if d.is_cumulative and d.time_basis is not TimeBasis.CUMULATIVE:
        issues.append(
            _issue(
                "time_basis",
                "cumulative values need a cumulative time basis",
                TimeBasis.CUMULATIVE.value,
            )
        )
    elif d.time_basis is TimeBasis.CUMULATIVE and not d.is_cumulative:
        issues.append(_issue("is_cumulative", "cumulative time basis but not cumulative", "true"))
    basis = TimeBasis.CUMULATIVE if d.is_cumulative else d.time_basis
    if d.temporal_aggregation not in AGGREGATIONS_FOR[basis]:
        issues.append(
            _issue(
                "temporal_aggregation",
                f"{d.temporal_aggregation.value} does not fit time basis {basis.value}",
                aggregation(d.indicator_type, basis, d.name).value,
            )
        )
    issues.extend(_currency_issues(d))
    return issues


def _currency_issues(d: Draft) -> list[ReviewIssue]:
    if d.is_currency_denominated and d.indicator_type not in MONEY_TYPES:
        return [
            _issue(
                "is_currency_denominated",
                f"a {d.indicator_type.value} is not a money amount",
                "false",
            )
        ]
    if not d.is_currency_denominated and d.detected_currency:
        return [_issue("detected_currency", "a currency is set on a non-money value", "null")]
    return []


def _issue(field: str, problem: str, suggested: str) -> ReviewIssue:
    return build(ReviewIssue, field=field, problem=problem, suggested=suggested)


def review_classification(
    ind: Indicator,
    norm: NormalizationResult,
    time: TimeResult,
    cumulative: CumulativeResult,
    family: FamilyResult,
    type_: TypeResult,
) -> BooleanReviewResult:
    issues = check(draft_of(ind, norm, time, cumulative, family, type_))
    if not issues:
        return build(
            BooleanReviewResult,
            passed=True,
            issues=[],
            confidence=0.9,
            reasoning="type fits family; time basis, aggregation, currency and cumulative agree",
        )
    summary = "; ".join(f"{i.field}: {i.problem}" for i in issues)
    return build(
        BooleanReviewResult,
        passed=False,
        issues=issues[:12],
        confidence=0.85,
        reasoning=summary[:2000],
    )


def final_review(
    ind: Indicator,
    norm: NormalizationResult,
    time: TimeResult,
    cumulative: CumulativeResult,
    family: FamilyResult,
    type_: TypeResult,
    boolean: BooleanReviewResult,
) -> FinalReviewResult:
    """Apply the suggested values; re-check; corrected when consistent, else failed."""
    draft = draft_of(ind, norm, time, cumulative, family, type_)
    applied: dict[str, str] = {}
    issues = list(boolean.issues)
    for _ in range(MAX_ROUNDS):
        todo = [i for i in issues if i.suggested is not None]
        if not todo:
            break
        for issue in todo:
            draft = _apply(draft, issue.field, issue.suggested or "")
            applied[issue.field] = issue.suggested or ""
        issues = check(draft)
    if issues or not applied:
        left = "; ".join(f"{i.field}: {i.problem}" for i in issues) or "nothing to apply"
        return build(
            FinalReviewResult,
            status=ReviewStatus.FAILED,
            corrections=[],
            confidence=0.3,
            reasoning=f"unresolved: {left}",
        )
    corrections = [build(Correction, field=f, value=v) for f, v in applied.items()]
    why = ", ".join(f"{f}={v}" for f, v in applied.items())
    return build(
        FinalReviewResult,
        status=ReviewStatus.CORRECTED,
        corrections=corrections,
        confidence=0.7,
        reasoning=f"applied {why}"[:2000],
    )


def _apply(d: Draft, field: str, value: str) -> Draft:
    if not hasattr(d, field):
        return d
    return replace(d, **{field: coerce_field(field, value)})
