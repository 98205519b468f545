"""Cumulative / YTD detection from sample values. PLACEHOLDER: to be replaced."""

from __future__ import annotations

from indiclass.domain.enums import CumulativePattern
from indiclass.domain.models import CumulativeResult, Indicator, TimeResult


def detect_cumulative(ind: Indicator, time: TimeResult) -> CumulativeResult:
    return CumulativeResult(is_cumulative=False, pattern=CumulativePattern.UNKNOWN, confidence=0.2)
