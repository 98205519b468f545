"""Periodicity words (the source's field, in every lexicon's language) and frequency hints in
names, as data."""

from __future__ import annotations

from indiclass.domain.enums import ReportingFrequency
from indiclass.rules._text import clean, compile_table, first_match
from indiclass.rules.lang import frequency_rows

F = ReportingFrequency

PERIODICITY = compile_table(
    [
        (r"^\s*(daily|business day|day)", F.DAILY, 0.95),
        (r"^\s*(bi-?weekly|weekly|week|fortnight)", F.WEEKLY, 0.95),
        (r"^\s*(semi-?monthly|monthly|month)", F.MONTHLY, 0.95),
        (r"quarter", F.QUARTERLY, 0.95),
        (r"semi-?annual|half-?year|bi-?annual", F.SEMIANNUAL, 0.95),
        (r"annual|yearly|\byear\b|fiscal", F.ANNUAL, 0.95),
        (r"irregular|decennial|ad hoc|event|not applicable", F.IRREGULAR, 0.85),
        (r"one-?off|single|point", F.POINT_IN_TIME, 0.8),
        (r"^\s*[d]\s*$", F.DAILY, 0.8),
        (r"^\s*[w]\s*$", F.WEEKLY, 0.8),
        (r"^\s*[m]\s*$", F.MONTHLY, 0.8),
        (r"^\s*[q]\s*$", F.QUARTERLY, 0.8),
        (r"^\s*[ay]\s*$", F.ANNUAL, 0.8),
        (r"^p1d$", F.DAILY, 0.9),
        (r"^p(1w|7d)$", F.WEEKLY, 0.9),
        (r"^p1m$", F.MONTHLY, 0.9),
        (r"^p3m$", F.QUARTERLY, 0.9),
        (r"^p6m$", F.SEMIANNUAL, 0.9),
        (r"^p1y$|^p12m$", F.ANNUAL, 0.9),
        *[(p, f, 0.9) for p, f in frequency_rows()],
    ]
)

NAME_FREQUENCY = compile_table(
    [
        (r"\bqoq\b|quarterly", F.QUARTERLY, 0.6),
        (r"\bmom\b|monthly", F.MONTHLY, 0.6),
        (r"\bwow\b|weekly|4-week", F.WEEKLY, 0.6),
        (r"\bdaily\b", F.DAILY, 0.6),
        (r"annual %|\(annual\b|\byearly\b", F.ANNUAL, 0.6),
    ]
)


def periodicity_of(text: str | None) -> ReportingFrequency | None:
    """The frequency a periodicity field names (None when it names none)."""
    row = first_match(PERIODICITY, clean(text)) if text else None
    return row.outcome if row is not None else None
