"""Small text helpers shared by the rules: compiled pattern tables and first-match lookup.

A lexicon is a tuple of ``(regex, outcome, confidence)`` rows; ``compile_table`` compiles the
regexes once at import and ``first_match`` returns the first row whose regex matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from indiclass.domain.models import Indicator
from indiclass.rules.script import fold

T = TypeVar("T")


class LazyPattern:
    """A regex compiled on its first search: most rows of a lexicon are skipped by their anchors
    for a given text, so a short-lived process (``indiclass classify``) compiles only the few it
    needs instead of every language's tables at import."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled.search(text)


@dataclass(frozen=True, slots=True)
class Row(Generic[T]):
    pattern: re.Pattern[str] | LazyPattern
    outcome: T
    confidence: float
    source: str
    anchors: tuple[str, ...] | None = None
    """Literal strings one of which must occur for the pattern to match (None: no pre-filter)."""

    def search(self, text: str) -> re.Match[str] | None:
        if self.anchors is not None and not any(map(text.__contains__, self.anchors)):
            return None
        return self.pattern.search(text)


def compile_table(rows: Sequence[tuple[str, T, float]]) -> tuple[Row[T], ...]:
    """Compile ``(regex, outcome, confidence)`` rows. Patterns are lower case and are matched
    against lower-cased text (see ``clean``), which is faster than case-insensitive matching;
    each row also gets literal anchors, a cheap pre-filter before the regex runs. Patterns are
    folded like the text (``rules.script.fold``), so either script form may be written."""
    folded = [(fold(p), o, c) for p, o, c in rows]
    return tuple(Row(LazyPattern(p), o, c, p, anchors(p)) for p, o, c in folded)


_SPECIAL = set("\\()[]{}?*+|.^$")


_TOKENS = re.compile(r"\\.|[()\[\]{}?*+|.^$]|[^\\()\[\]{}?*+|.^$]+", re.S)
"""An escape, one special character, or a run of plain characters (tokenised in C: ``anchors``
runs for every lexicon row at import)."""


def anchors(pattern: str) -> tuple[str, ...] | None:
    """For each top-level alternative, its longest mandatory literal run outside any group.

    A match of the pattern implies one of these substrings occurs in the text, so a row can be
    skipped without running its regex. None when some alternative has no usable literal."""
    found: list[str] = []
    depth, cur, best = 0, "", ""
    for tok in _TOKENS.findall(pattern):
        ch = tok[0]
        if ch == "\\":  # an escape ends a literal run
            best, cur = max(best, cur, key=len), ""
            continue
        if len(tok) > 1 or ch not in _SPECIAL:
            if depth == 0:
                cur += tok
            continue
        if ch == "|" and depth == 0:
            best = max(best, cur, key=len).strip()
            if not best:
                return None
            found.append(best)
            best, cur = "", ""
            continue
        if ch in "?*{" and depth == 0:
            cur = cur[:-1]  # the quantified character is optional
        best, cur = max(best, cur, key=len), ""
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    best = max(best, cur, key=len).strip()
    if not best:
        return None
    found.append(best)
    return tuple(found)


def top_level_alternatives(pattern: str) -> list[str]:
    """The pattern split at its top-level ``|`` (the calibration benchmark scores each one)."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            cur.append(pattern[i : i + 2])
            i += 2
            continue
        depth += (ch in "([" and 1) or (-1 if ch in ")]" else 0)
        if ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


_MEMO: dict[tuple[Any, ...], Any] = {}
_MEMO_MAX = 50_000
MEMO = _MEMO
"""The lexicon look-up memo (first matches, subject rows, language guesses)."""


def remember(key: tuple[Any, ...], value: Any) -> None:
    """Store a look-up result in the shared memo (cleared when it grows too big)."""
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = value


def first_match(table: Sequence[Row[T]], text: str) -> Row[T] | None:
    """The first row whose pattern occurs in ``text`` (memoised: units and names repeat a lot
    in real catalogues, e.g. "Percent" or "Billions of Dollars")."""
    key = (id(table), text)
    if key in _MEMO:
        return _MEMO[key]  # type: ignore[no-any-return]
    found = None
    for row in table:
        if row.search(text):
            found = row
            break
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = found
    return found


_PARENS = re.compile(r"\(([^()]*)\)")
_SPACES = re.compile(r"\s+")


_CLEAN: dict[str, str] = {}


def clean(text: str | None) -> str:
    """Folded (``rules.script.fold``), lower-cased text with collapsed whitespace ('' for None);
    memoised."""
    if not text:
        return ""
    hit = _CLEAN.get(text)
    if hit is None:
        if len(_CLEAN) >= _MEMO_MAX:
            _CLEAN.clear()
        hit = _CLEAN[text] = _SPACES.sub(" ", fold(text)).strip().lower()
    return hit


R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)


def per_indicator(fn: Callable[[Indicator], R]) -> Callable[[Indicator], R]:
    """Cache ``fn(ind)`` by the indicator's identity: the stages of one pipeline run all see the
    same object, so each reading is computed once per indicator."""
    cache: dict[int, tuple[Indicator, R]] = {}

    def cached(ind: Indicator) -> R:
        hit = cache.get(id(ind))
        if hit is not None and hit[0] is ind:
            return hit[1]
        value = fn(ind)
        if len(cache) >= 512:
            cache.clear()
        cache[id(ind)] = (ind, value)
        return value

    cached.__doc__ = fn.__doc__
    return cached


_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}


def build(model: type[M], **data: Any) -> M:
    """A result model from values the rules already know are valid (no re-validation; unset
    fields take their defaults). Much cheaper than validation in the per-indicator hot path."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            name: f.get_default(call_default_factory=True)
            for name, f in model.model_fields.items()
            if not f.is_required()
        }
    values = {**defaults, **data} if defaults else data
    inst = model.__new__(model)
    object.__setattr__(inst, "__dict__", values)
    object.__setattr__(inst, "__pydantic_fields_set__", set(data))
    object.__setattr__(inst, "__pydantic_extra__", None)
    object.__setattr__(inst, "__pydantic_private__", None)
    return inst


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


@per_indicator
def value_stats(ind: Indicator) -> ValueStats:
    """Summary of the sample values (cheap; used by several rules)."""
    vals = [s.value for s in ind.sample_values]
    if not vals:
        return ValueStats()
    absv = [abs(v) for v in vals]
    return ValueStats(
        n=len(vals),
        max_abs=max(absv),
        median_abs=float(median(absv)),
        any_negative=any(v < 0 for v in vals),
        all_binary=all(v in (0.0, 1.0) for v in vals),
    )
