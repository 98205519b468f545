"""Cumulative / YTD detection from the sample values (rules only: needs evidence across year
boundaries, reads dates without time-zone shifts, skips pseudo-dates)."""

from __future__ import annotations

from indiclass.domain.enums import StageName
from indiclass.domain.models import CumulativeResult, Indicator, TimeResult
from indiclass.rules import detect_cumulative
from indiclass.stages.base import StageInput, rule_stage


class CumulativeInput(StageInput):
    indicator: Indicator
    time: TimeResult


def run(inp: CumulativeInput) -> CumulativeResult:
    return detect_cumulative(inp.indicator, inp.time)


STAGE = rule_stage(
    StageName.CUMULATIVE,
    "cumulative",
    CumulativeInput,
    CumulativeResult,
    run,
    table="cumulative_detection_results",
    columns={"pattern": "cumulative_pattern_type"},
)
