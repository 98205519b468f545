"""One language's lexicon: rows of (pattern, outcome), as data.

Patterns are matched on folded, lower-cased text (``rules._text.clean``); they may be written
with accents or in traditional Chinese, which fold to the same text. CJK scripts have no word
boundaries: their patterns never use ``\\b``.
"""

from __future__ import annotations

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

    def size(self) -> int:
        """Rows in every table of this lexicon."""
        return sum(len(getattr(self, f.name)) for f in fields(self) if f.name != "language")

    def sizes(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "language"}
