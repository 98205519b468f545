"""Lexicons of other languages, one module per language, merged beside the English tables.

Each module declares one :class:`~indiclass.rules.lang.base.Lexicon`. The rules' tables
(``rules.unit_lexicon``, ``rules.subjects``, ``rules.timing``, ``rules.cumulative``,
``rules.concept``) take their rows from here, so adding a language is adding a module to
``LEXICONS``. ``sizes()`` reports the rows per language and table.
"""

from __future__ import annotations

from indiclass.domain.enums import ReportingFrequency
from indiclass.rules.kinds import UnitKind
from indiclass.rules.lang import de, es, fr, it, ja, ko, nl, no, pt, sv, zh
from indiclass.rules.lang.base import Lexicon

LEXICONS: tuple[Lexicon, ...] = tuple(
    m.LEXICON for m in (zh, ja, ko, es, pt, fr, de, it, sv, nl, no)
)
"""Every non-English lexicon, in the order their rows are tried."""


def alternation(patterns: list[str] | tuple[str, ...]) -> str:
    """One regex matching any of ``patterns`` (each kept as a group)."""
    return "|".join(f"(?:{p})" for p in patterns)


def markers(attr: str) -> str:
    """The alternation of one marker table (``ytd``, ``rolling``, ``change``, ``no_unit``) over
    every language."""
    return alternation([p for lex in LEXICONS for p in getattr(lex, attr)])


def kind_rows(kind: UnitKind) -> list[str]:
    """One pattern per language for ``kind`` (its rows joined)."""
    out = []
    for lex in LEXICONS:
        pats = [p for p, k in lex.kinds if k is kind]
        if pats:
            out.append(alternation(pats))
    return out


def scale_rows() -> list[tuple[str, float]]:
    """Every language's scale words (languages in ``LEXICONS`` order)."""
    return [row for lex in LEXICONS for row in lex.scales]


def currency_rows() -> list[tuple[str, str]]:
    """Every language's currency words."""
    return [row for lex in LEXICONS for row in lex.currencies]


def country_rows() -> list[tuple[str, str]]:
    """Every language's country, area and agency names."""
    return [row for lex in LEXICONS for row in lex.countries]


def frequency_rows() -> list[tuple[str, ReportingFrequency]]:
    """Every language's periodicity words."""
    return [row for lex in LEXICONS for row in lex.frequencies]


def sizes() -> dict[str, dict[str, int]]:
    """Rows per language and table."""
    return {lex.language: lex.sizes() for lex in LEXICONS}


__all__ = [
    "LEXICONS",
    "Lexicon",
    "alternation",
    "country_rows",
    "currency_rows",
    "frequency_rows",
    "kind_rows",
    "markers",
    "scale_rows",
    "sizes",
]
