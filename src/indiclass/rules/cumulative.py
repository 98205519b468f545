"""Cumulative / YTD detection: from the name (YTD, year-to-date, cumulative, fiscal YTD) and from
the sample values (running totals that reset at the same month in at least two different years,
growing in magnitude in between).

Dates are calendar dates (no time-zone shifts); pseudo-dates such as ``last10YearsAvg`` are
skipped. FRED "Annual, Fiscal Year" totals and rolling 12-month sums are not cumulative.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from indiclass.domain.enums import CumulativePattern, ReportingFrequency
from indiclass.domain.models import CumulativeResult, Indicator, TimeResult
from indiclass.rules._text import build, clean, per_indicator
from indiclass.rules.calibration import stage_confidence
from indiclass.rules.concept import concept_of
from indiclass.rules.frequency import periodicity_of
from indiclass.rules.kinds import UnitKind
from indiclass.rules.lang import markers
from indiclass.rules.script import fold

YTD_WORDS = re.compile(
    r"\bytd\b|year[- ]to[- ]date|\bcumulative\b|\bcumulated\b|fiscal ytd"
    r"|since (the )?(start|beginning) of the (fiscal |calendar )?year|" + fold(markers("ytd"))
)
RUNNING_WORDS = re.compile(r"running total|since inception")
NOT_CUMULATIVE = re.compile(
    r"12[- ]month (sum|total)|rolling|moving (sum|total)|trailing|last (12|twelve) months"
    r"|\bnot cumulative\b|non-cumulative|" + fold(markers("rolling"))
)
ANNUAL_PERIODICITY = re.compile(r"annual|yearly|fiscal year|decennial", re.IGNORECASE)

KNOWN_YTD: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = tuple(
    (re.compile(subject), re.compile(country), note)
    for subject, country, note in (
        (
            r"fixed asset investment|\bfai\b|固定资产投资",
            r"\bchin|\bcny\b|固定资产投资",
            "China reports fixed-asset investment on year-to-date totals",
        ),
        (
            r"fiscal deficit|budget deficit|fiscal balance",
            r"\bindia|\binr\b",
            "India reports the fiscal deficit fiscal-year-to-date",
        ),
        (
            r"(state|government) budget (balance|deficit)",
            r"\bfren|\bfrance\b",
            "France reports the state budget balance calendar-year-to-date",
        ),
    )
)
"""(subject, country, why): publishers' known year-to-date reporting conventions."""

MIN_POINTS = 8
MIN_RESETS = 2
RESET_RATIO = 0.45
"""A reset: the year's first value is at most this fraction of the previous year's last."""
MIN_GROWING = 0.65
"""Share of steps inside a year where the magnitude does not shrink."""
MIN_YEAR_GROWTH = 2.5
"""A complete year between two resets must end at least this many times its first value."""
AMOUNT_KINDS = frozenset(
    {UnitKind.CURRENCY, UnitKind.COUNT, UnitKind.PHYSICAL, UnitKind.SCALE_ONLY, UnitKind.UNKNOWN}
)


@dataclass(frozen=True, slots=True)
class Evidence:
    is_cumulative: bool
    pattern: CumulativePattern
    years: int
    confidence: float
    reason: str
    key: str = "series"
    """Evidence kind (for the confidence table): rolling, known, words, annual, not-amount,
    few-points, series-yes, series-no."""


def detect_cumulative(ind: Indicator, time: TimeResult) -> CumulativeResult:
    from indiclass.rules.evidence import calibrated, cumulative_keys

    ev = cumulative_evidence(ind)
    c = concept_of(ind)
    fields = {"is_cumulative": calibrated("is_cumulative", c, cumulative_keys(c, ev))}
    return build(
        CumulativeResult,
        is_cumulative=ev.is_cumulative,
        pattern=ev.pattern,
        evidence_years=ev.years,
        confidence=stage_confidence(fields, ev.confidence),
        field_confidence=fields,
        reasoning=ev.reason,
    )


@per_indicator
def cumulative_evidence(ind: Indicator) -> Evidence:
    """Name words first, then the series; annual and rolling-sum series are never cumulative."""
    name = clean(f"{ind.name} {ind.long_name or ''}")
    if NOT_CUMULATIVE.search(name):
        return Evidence(
            False, CumulativePattern.PERIODIC, 0, 0.8, "rolling or 12-month total", "rolling"
        )
    known = _known_ytd(ind, name)
    if known is not None:
        return Evidence(True, CumulativePattern.YTD, 0, 0.75, known, "known")
    if YTD_WORDS.search(name) or RUNNING_WORDS.search(name):
        pattern = (
            CumulativePattern.RUNNING_TOTAL if RUNNING_WORDS.search(name) else CumulativePattern.YTD
        )
        return Evidence(True, pattern, 0, 0.85, "the name says year-to-date / cumulative", "words")
    if _annual(ind):
        return Evidence(
            False, CumulativePattern.PERIODIC, 0, 0.85, "annual values cannot be YTD", "annual"
        )
    if concept_of(ind).kind not in AMOUNT_KINDS:
        return Evidence(
            False,
            CumulativePattern.PERIODIC,
            0,
            0.8,
            "a rate, index or percent with no year-to-date wording",
            "not-amount",
        )
    return series_evidence(ind)


def _annual(ind: Indicator) -> bool:
    """Annual by the periodicity field, or by sample dates a year apart."""
    if ind.periodicity:
        freq = periodicity_of(ind.periodicity)
        return freq is ReportingFrequency.ANNUAL or bool(ANNUAL_PERIODICITY.search(ind.periodicity))
    days = sorted({d for d, _ in dated_points(ind)})
    gaps = [(b - a).days for a, b in pairwise(days)]
    return len(gaps) >= 2 and sorted(gaps)[len(gaps) // 2] >= 300


def _known_ytd(ind: Indicator, name: str) -> str | None:
    """Series their publishers report year-to-date without saying so in the name."""
    if _annual(ind):
        return None
    where = clean(f"{ind.dataset or ''} {ind.category_group or ''} {ind.description or ''}")[:300]
    for subject, country, note in KNOWN_YTD:
        if subject.search(name) and (country.search(name) or country.search(where)):
            return note
    return None


def series_evidence(ind: Indicator) -> Evidence:
    pts = dated_points(ind)
    if len(pts) < MIN_POINTS:
        return Evidence(
            False,
            CumulativePattern.UNKNOWN,
            0,
            0.55,
            "too few dated values to see year boundaries; assumed not cumulative",
            "few-points",
        )
    resets = _resets(pts)
    years = _reset_years(pts, resets)
    if years >= MIN_RESETS and _grows_between(pts, resets) and _years_grow(pts, resets):
        return Evidence(
            True,
            CumulativePattern.YTD,
            years,
            0.8,
            f"values reset at the same month in {years} years and grow in between",
            "series-yes",
        )
    return Evidence(
        False,
        CumulativePattern.PERIODIC,
        years,
        0.75,
        "no year-start resets in the values",
        "series-no",
    )


@per_indicator
def dated_points(ind: Indicator) -> list[tuple[date, float]]:
    """(calendar date, value), oldest first; pseudo-dates skipped."""
    pts: list[tuple[date, float]] = []
    for s in ind.sample_values:
        day = s.period
        if day is not None:
            pts.append((day, s.value))
    pts.sort(key=lambda p: p[0])
    return pts


def _resets(pts: list[tuple[date, float]]) -> list[int]:
    mags = [abs(v) for _, v in pts]
    signs = Counter(v > 0 for _, v in pts if v != 0)
    if len(signs) > 1 and min(signs.values()) > 0.2 * len(pts):
        return []
    return [
        i for i in range(1, len(pts)) if mags[i - 1] > 0 and mags[i] <= RESET_RATIO * mags[i - 1]
    ]


def _reset_years(pts: list[tuple[date, float]], resets: list[int]) -> int:
    """Years in which the reset happened at the most common reset month (0 if resets scatter)."""
    if len(resets) < MIN_RESETS:
        return 0
    months = Counter(pts[i][0].month for i in resets)
    month, hits = months.most_common(1)[0]
    if hits < len(resets):
        return 0
    return len({pts[i][0].year for i in resets if pts[i][0].month == month})


def _years_grow(pts: list[tuple[date, float]], resets: list[int]) -> bool:
    """Each complete year (between two resets) has ≥3 values and grows ≥ MIN_YEAR_GROWTH×."""
    spans = list(pairwise(resets))
    if not spans:
        return False
    for start, end in spans:
        first, last = abs(pts[start][1]), abs(pts[end - 1][1])
        if end - start < 3 or last < MIN_YEAR_GROWTH * max(first, 1e-12):
            return False
    return True


def _grows_between(pts: list[tuple[date, float]], resets: list[int]) -> bool:
    bounds = set(resets)
    steps = [abs(pts[i][1]) >= abs(pts[i - 1][1]) for i in range(1, len(pts)) if i not in bounds]
    return bool(steps) and sum(steps) / len(steps) >= MIN_GROWING
