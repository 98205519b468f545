"""Small text helpers shared by the rules: compiled pattern tables and first-match lookup.

A lexicon is a tuple of ``(regex, outcome, confidence)`` rows; ``compile_table`` compiles the
regexes once at import and ``first_match`` returns the first row whose regex matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any, Generic, TypeVar

from indiclass.domain.models import Indicator

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Row(Generic[T]):
    pattern: re.Pattern[str]
    outcome: T
    confidence: float
    source: str

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


def compile_table(rows: Sequence[tuple[str, T, float]]) -> tuple[Row[T], ...]:
    """Compile ``(regex, outcome, confidence)`` rows. Patterns are lower case and are matched
    against lower-cased text (see ``clean``), which is faster than case-insensitive matching."""
    return tuple(Row(re.compile(p), o, c, p) for p, o, c in rows)


_MEMO: dict[tuple[int, str], Any] = {}
_MEMO_MAX = 50_000


def first_match(table: Sequence[Row[T]], text: str) -> Row[T] | None:
    """The first row whose pattern occurs in ``text`` (memoised: units and names repeat a lot
    in real catalogues, e.g. "Percent" or "Billions of Dollars")."""
    key = (id(table), text)
    if key in _MEMO:
        return _MEMO[key]  # type: ignore[no-any-return]
    found = None
    for row in table:
        if row.pattern.search(text):
            found = row
            break
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = found
    return found


_PARENS = re.compile(r"\(([^()]*)\)")
_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Lower-cased text with collapsed whitespace ('' for None)."""
    if not text:
        return ""
    return _SPACES.sub(" ", text).strip().lower()


def parentheticals(text: str) -> str:
    """The contents of every ``( … )`` in ``text``, joined by ``; ``."""
    return "; ".join(_PARENS.findall(text))


def values_of(ind: Indicator) -> list[float]:
    """Sample values with a real calendar date (pseudo-dates skipped)."""
    return [s.value for s in ind.sample_values if s.period is not None]


@dataclass(frozen=True, slots=True)
class ValueStats:
    n: int = 0
    max_abs: float = 0.0
    median_abs: float = 0.0
    any_negative: bool = False
    all_binary: bool = False


def value_stats(ind: Indicator) -> ValueStats:
    """Summary of the sample values (cheap; used by several rules)."""
    vals = [s.value for s in ind.sample_values]
    if not vals:
        return ValueStats()
    absv = [abs(v) for v in vals]
    return ValueStats(
        n=len(vals), max_abs=max(absv), median_abs=float(median(absv)),
        any_negative=any(v < 0 for v in vals), all_binary=all(v in (0.0, 1.0) for v in vals),
    )
