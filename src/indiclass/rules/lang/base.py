"""One language's lexicon: rows of (pattern, outcome), as data.

Patterns are matched on folded, lower-cased text (``rules._text.clean``); they may be written
with accents or in traditional Chinese, which fold to the same text. CJK scripts have no word
boundaries: their patterns never use ``\\b``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from indiclass.domain.enums import ReportingFrequency
from indiclass.rules.kinds import UnitKind

F = ReportingFrequency


@dataclass(frozen=True)
class Lexicon:
    language: str
    """ISO 639-1 code."""
    subjects: tuple[tuple[str, str], ...] = ()
    """Name pattern → the key of an English subject (``rules.subjects``); first match wins."""
    kinds: tuple[tuple[str, UnitKind], ...] = ()
    """Unit-text pattern → unit kind (percent, change, index, count, physical, duration, ...)."""
    scales: tuple[tuple[str, float], ...] = ()
    """Scale word → exact multiplier (亿 1e8, Mio. 1e6); the scale step is the largest step
    not above it. Longer words first (十亿 before 亿)."""
    currencies: tuple[tuple[str, str], ...] = ()
    """Currency word → ISO 4217 code or a marker of ``rules.kinds`` (specific words first)."""
    countries: tuple[tuple[str, str], ...] = ()
    """Country, area or agency name → its currency (resolves LCU, dollar, peso and 元)."""
    frequencies: tuple[tuple[str, F], ...] = ()
    """Periodicity word → reporting frequency."""
    ytd: tuple[str, ...] = ()
    """Year-to-date / cumulative markers (累计, acumulado, seit Jahresbeginn)."""
    rolling: tuple[str, ...] = ()
    """Rolling-sum and within-period markers that are not year-to-date (12 meses, glissants)."""
    change: tuple[str, ...] = ()
    """Words that make a percent a change rate (同比, interanual, Veränderung)."""
    no_unit: tuple[str, ...] = ()
    """Unit placeholders that mean "no unit" (SinUni, Sem unidade)."""
    valuation: tuple[str, ...] = ()
    """Valuation phrases dropped before the subject is read ("precios corrientes", "löpande
    priser"): they say how an amount is priced, not that it is a price."""
    per_capita: tuple[str, ...] = ()
    """Per-person phrases ("per invånare", "人均", "por habitante"): a money amount per person
    is a ratio."""

    cjk: bool = False
    """Written in a CJK script: Latin acronyms in its patterns ("gdp", "bsi") get ASCII
    boundaries, since ``\\b`` does not separate Latin from Hangul or Han."""

    def __post_init__(self) -> None:
        if self.cjk:
            for name in ("subjects", "kinds", "currencies", "countries"):
                rows = tuple((guard_latin(p), o) for p, o in getattr(self, name))
                object.__setattr__(self, name, rows)

    def size(self) -> int:
        """Rows in every table of this lexicon."""
        return sum(self.sizes().values())

    def sizes(self) -> dict[str, int]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: len(v) for name, v in values.items() if isinstance(v, tuple)}


_TOP_ALTERNATIVE = re.compile(r"\|(?![^()]*\))")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9$\-]*")


def guard_latin(pattern: str) -> str:
    """Top-level alternatives that are plain Latin words get ASCII boundaries (CJK patterns:
    "gni" must not match inside "anlaggningsverksamhet")."""
    parts = _TOP_ALTERNATIVE.split(pattern)
    return "|".join(f"(?<![a-z]){p}(?![a-z])" if _LATIN_WORD.fullmatch(p) else p for p in parts)
