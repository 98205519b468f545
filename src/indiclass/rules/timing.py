"""Reporting frequency and time basis. PLACEHOLDER: to be replaced."""

from __future__ import annotations

from indiclass.domain.enums import ReportingFrequency, TimeBasis
from indiclass.domain.models import Indicator, NormalizationResult, TimeResult


def infer_time(ind: Indicator, norm: NormalizationResult) -> TimeResult:
    return TimeResult(reporting_frequency=ReportingFrequency.MONTHLY,
                      time_basis=TimeBasis.PER_PERIOD, confidence=0.2)
