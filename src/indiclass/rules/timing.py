"""Reporting frequency (periodicity field, else the spacing of sample dates, else name hints) and
time basis (from the shared concept; year-to-date evidence makes it cumulative)."""

from __future__ import annotations

import re
from itertools import pairwise
from statistics import median

from indiclass.domain.enums import ReportingFrequency, TimeBasis
from indiclass.domain.models import Indicator, NormalizationResult, TimeResult
from indiclass.rules._text import build, clean, first_match
from indiclass.rules.calibration import stage_confidence
from indiclass.rules.concept import concept_of
from indiclass.rules.cumulative import cumulative_evidence, dated_points
from indiclass.rules.evidence import calibrated, time_keys
from indiclass.rules.frequency import NAME_FREQUENCY, PERIODICITY

F = ReportingFrequency

GAP_DAYS: tuple[tuple[float, ReportingFrequency], ...] = (
    (4, F.DAILY),
    (11, F.WEEKLY),
    (45, F.MONTHLY),
    (120, F.QUARTERLY),
    (250, F.SEMIANNUAL),
    (500, F.ANNUAL),
)
"""Median spacing of sample dates (upper bound, days) → frequency; wider is irregular."""

_ANNUAL_SOURCES = re.compile(r"world development indicators|world economic outlook|\bwdi\b|\bweo\b")


def time_basis_of(ind: Indicator) -> TimeBasis:
    """The concept's time basis, cumulative when the year-to-date evidence says so."""
    return (
        TimeBasis.CUMULATIVE
        if cumulative_evidence(ind).is_cumulative
        else concept_of(ind).time_basis
    )


def infer_time(ind: Indicator, norm: NormalizationResult) -> TimeResult:
    freq, fconf, fwhy = reporting_frequency(ind)
    c = concept_of(ind)
    ev = cumulative_evidence(ind)
    basis = time_basis_of(ind)
    why = ev.reason if ev.is_cumulative else c.reason
    fields = {"time_basis": calibrated("time_basis", c, time_keys(c, ev, basis.value))}
    return build(
        TimeResult,
        reporting_frequency=freq,
        time_basis=basis,
        confidence=stage_confidence(fields, 0.5),
        field_confidence={**fields, "reporting_frequency": fconf},
        reasoning=f"{fwhy}; {basis.value}: {why}"[:2000],
    )


def reporting_frequency(ind: Indicator) -> tuple[ReportingFrequency, float, str]:
    """From the periodicity field, else the spacing of the sample dates, else the name."""
    if ind.periodicity:
        row = first_match(PERIODICITY, clean(ind.periodicity))
        if row is not None:
            return row.outcome, row.confidence, f"periodicity '{ind.periodicity[:40]}'"
    from_dates = _from_dates(ind)
    if from_dates is not None:
        return from_dates
    row = first_match(NAME_FREQUENCY, clean(ind.name))
    if row is not None:
        return row.outcome, row.confidence, "frequency word in the name"
    if _ANNUAL_SOURCES.search(clean(ind.source_name)):
        return F.ANNUAL, 0.5, "no periodicity or dates; this source publishes yearly"
    return F.MONTHLY, 0.3, "no periodicity or dates; guessed monthly"


def _from_dates(ind: Indicator) -> tuple[ReportingFrequency, float, str] | None:
    days = sorted({d for d, _ in dated_points(ind)})
    if len(days) < 3:
        return None
    gaps = [(b - a).days for a, b in pairwise(days)]
    gap = median(gaps)
    for bound, freq in GAP_DAYS:
        if gap <= bound:
            return freq, 0.75, f"sample dates about {gap:.0f} days apart"
    return F.IRREGULAR, 0.6, f"sample dates about {gap:.0f} days apart"
