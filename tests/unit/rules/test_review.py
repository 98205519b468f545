"""Boolean review finds inconsistent drafts; the final review corrects them or fails."""

from __future__ import annotations

from typing import Any

import pytest

from indiclass.domain.enums import (
    CumulativePattern,
    Family,
    HeatMapOrientation,
    IndicatorType,
    ParsedUnitType,
    ReportingFrequency,
    Scale,
    TemporalAggregation,
    TimeBasis,
)
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    NormalizationResult,
    TimeResult,
    TypeResult,
    parse_indicator,
)
from indiclass.pipeline import classify
from indiclass.rules import final_review, review_classification
from indiclass.stages import complete

IND = parse_indicator({"name": "Draft under review"})


def _parts(**over: Any) -> dict[str, Any]:
    v = {
        "is_cur": False,
        "cur": None,
        "basis": TimeBasis.PER_PERIOD,
        "is_cum": False,
        "family": Family.CHANGE_MOVEMENT,
        "type": IndicatorType.RATE,
        "agg": TemporalAggregation.PERIOD_RATE,
        **over,
    }
    return {
        "norm": NormalizationResult(
            parsed_unit_type=ParsedUnitType.PERCENTAGE,
            scale=Scale.PERCENT,
            is_currency_denominated=v["is_cur"],
            detected_currency=v["cur"],
            confidence=0.9,
        ),
        "time": TimeResult(
            reporting_frequency=ReportingFrequency.MONTHLY, time_basis=v["basis"], confidence=0.9
        ),
        "cum": CumulativeResult(
            is_cumulative=v["is_cum"], pattern=CumulativePattern.UNKNOWN, confidence=0.9
        ),
        "family": FamilyResult(family=v["family"], confidence=0.9),
        "type": TypeResult(
            indicator_type=v["type"],
            temporal_aggregation=v["agg"],
            heat_map_orientation=HeatMapOrientation.NEUTRAL,
            confidence=0.9,
        ),
    }


def _review(p: dict[str, Any]) -> Any:
    return review_classification(IND, p["norm"], p["time"], p["cum"], p["family"], p["type"])


def test_a_coherent_draft_passes() -> None:
    assert _review(_parts()).passed


BAD = [
    ({"family": Family.PRICE_VALUE}, "family", "change-movement"),
    ({"basis": TimeBasis.POINT_IN_TIME}, "temporal_aggregation", "point-in-time"),
    ({"agg": TemporalAggregation.POINT_IN_TIME}, "temporal_aggregation", "period-rate"),
    ({"is_cum": True, "agg": TemporalAggregation.PERIOD_CUMULATIVE}, "time_basis", "cumulative"),
    (
        {"basis": TimeBasis.CUMULATIVE, "agg": TemporalAggregation.PERIOD_CUMULATIVE},
        "is_cumulative",
        "true",
    ),
    ({"is_cur": True, "cur": "USD"}, "is_currency_denominated", "false"),
    ({"cur": "EUR"}, "detected_currency", "null"),
]


@pytest.mark.parametrize(("over", "field", "suggested"), BAD)
def test_inconsistent_drafts_are_flagged(over: dict[str, Any], field: str, suggested: str) -> None:
    r = _review(_parts(**over))
    assert not r.passed
    assert (field, suggested) in [(i.field, i.suggested) for i in r.issues]


@pytest.mark.parametrize(("over", "field", "suggested"), BAD)
def test_final_review_corrects_into_a_consistent_classification(
    over: dict[str, Any], field: str, suggested: str
) -> None:
    p = _parts(**over)
    boolean = _review(p)
    fin = final_review(IND, p["norm"], p["time"], p["cum"], p["family"], p["type"], boolean)
    assert fin.status.value == "corrected"
    assert (field, suggested) in [(c.field, c.value) for c in fin.corrections]
    results = {
        "normalization": p["norm"],
        "time": p["time"],
        "cumulative": p["cum"],
        "family": p["family"],
        "type": p["type"],
        "boolean_review": boolean,
        "final_review": fin,
    }
    out = complete.assemble(IND, results, complete.Assembly("rules", "m", tuple(results)))
    assert out.review_status.value == "corrected"
    again = _parts(
        is_cur=out.is_currency_denominated,
        cur=out.detected_currency,
        basis=out.time_basis,
        is_cum=out.is_cumulative,
        family=out.family,
        type=out.indicator_type,
        agg=out.temporal_aggregation,
    )
    assert _review(again).passed


def test_final_review_fails_when_nothing_can_be_applied() -> None:
    p = _parts(family=Family.PRICE_VALUE)
    boolean = _review(p).model_copy(
        update={"issues": [i.model_copy(update={"suggested": None}) for i in _review(p).issues]}
    )
    fin = final_review(IND, p["norm"], p["time"], p["cum"], p["family"], p["type"], boolean)
    assert fin.status.value == "failed"


def test_rules_pipeline_passes_its_own_review_on_the_dev_rows(eval_rows: dict[str, dict]) -> None:
    failed = [
        i
        for i, row in eval_rows.items()
        if classify(parse_indicator(row)).classification.review_status.value != "passed"
    ]
    assert failed == []
