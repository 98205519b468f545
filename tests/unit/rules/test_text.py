"""The literal-anchor pre-filter must never change which lexicon row matches."""

from __future__ import annotations

import pytest

from indiclass.rules import subjects, timing, unit_lexicon
from indiclass.rules._text import anchors, clean, compile_table, first_match, parentheticals

TABLES = [
    subjects.SUBJECTS,
    unit_lexicon.EARLY_KINDS,
    unit_lexicon.LATE_KINDS,
    unit_lexicon.SCALE_WORDS,
    unit_lexicon.CURRENCY_WORDS,
    unit_lexicon.COUNTRY_CURRENCY,
    timing.PERIODICITY,
    timing.NAME_FREQUENCY,
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"percent(age)? change|% change|pct\.? ?chg", ("percent", "% change", "pct")),
        (r"(?<!current )\bprices?\b|\bcost of\b", ("price", "cost of")),
        (r"months'? supply|\bdays?\b", ("supply", "day")),
        (r"\bbase (year )?\d{4}\b", ("base",)),
        (r"^(in )?(hundreds?|k)$", None),
        (r"\bm[0-4]\b|\bmzm\b", ("m", "mzm")),
    ],
)
def test_anchors_are_mandatory_literals(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert anchors(pattern) == expected


def test_prefilter_agrees_with_the_regex_on_real_texts(eval_rows: dict[str, dict]) -> None:
    texts = set()
    for row in eval_rows.values():
        for field in ("name", "units", "description", "periodicity", "source_name"):
            if row.get(field):
                texts.add(clean(row[field])[:300])
        texts.add(clean(parentheticals(row["name"])))
    for table in TABLES:
        for row in table:
            for text in texts:
                assert bool(row.pattern.search(text)) == bool(row.search(text)), (row.source, text)


def test_first_match_is_ordered_and_memoised() -> None:
    table = compile_table([(r"\bgdp\b", "a", 1.0), (r"gdp growth", "b", 1.0)])
    assert first_match(table, "gdp growth").outcome == "a"  # type: ignore[union-attr]
    assert first_match(table, "gdp growth") is first_match(table, "gdp growth")
    assert first_match(table, "cpi") is None
