"""Calendar reading of sample-value dates.

No time-zone shifts, pseudo-dates recognised, absurd dates refused.
"""

from __future__ import annotations

import re
from datetime import date

MIN_YEAR, MAX_YEAR = 1000, 2200

_ISO = re.compile(
    r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_QUARTER = re.compile(r"^(\d{4})[- ]?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})M(\d{1,2})$", re.IGNORECASE)
_PSEUDO = re.compile(r"^[A-Za-z][A-Za-z0-9_ .-]{0,39}$")


class BadDate(ValueError):
    """The text looks like a date but is not a real calendar date in a sensible range."""


def parse_period(text: str) -> date | None:
    """The calendar date a sample value refers to, or ``None`` for a pseudo-date label.

    ``2024``, ``2024-03``, ``2024-03-31``, ``2024-03-31T23:00:00-05:00`` (the written calendar day,
    never shifted by the offset), ``2024Q1``, ``2024M03``. Labels such as ``last10YearsAvg`` are
    pseudo-dates (``None``). Anything else that starts like a date but is impossible raises BadDate.
    """
    text = text.strip()
    for pattern, build in ((_ISO, _from_iso), (_QUARTER, _from_quarter), (_MONTH, _from_month)):
        match = pattern.match(text)
        if match:
            return _checked(build(match), text)
    if _PSEUDO.match(text):
        return None
    raise BadDate(f"not a date: {text[:40]!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")


def _from_iso(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)


def _from_quarter(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m.group(1)), 3 * int(m.group(2)) - 2, 1


def _from_month(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m.group(1)), int(m.group(2)), 1


def _checked(ymd: tuple[int, int, int], text: str) -> date:
    year, month, day = ymd
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadDate(f"year {year} out of range {MIN_YEAR}..{MAX_YEAR} in {text[:40]!r}")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadDate(f"impossible date {text[:40]!r}: {exc}") from None
