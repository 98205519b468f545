"""docs/usage.md cannot drift from the code it documents."""

from __future__ import annotations

import re
from pathlib import Path

from indiclass.cli.data_cmd import EXPORT_SUFFIXES, FORMULA_PREFIXES
from indiclass.loaders import FIELD_ALIASES, FORMATS

USAGE = Path(__file__).resolve().parents[2] / "docs" / "usage.md"


def test_the_alias_table_is_field_aliases() -> None:
    text = USAGE.read_text(encoding="utf-8")
    table = text.split("<!-- aliases:", 1)[1].split("<!-- /aliases -->", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", table, flags=re.MULTILINE)
    documented = {field: tuple(a.strip() for a in names.split(",")) for field, names in rows}
    assert documented == {
        field: tuple(a.replace("_", " ") for a in aliases)
        for field, aliases in FIELD_ALIASES.items()
    }


def test_every_file_suffix_export_suffix_and_formula_prefix_is_documented() -> None:
    text = " ".join(USAGE.read_text(encoding="utf-8").split())
    for suffix in (*FORMATS, *EXPORT_SUFFIXES):
        assert f"`{suffix}`" in text or f" {suffix}" in text, suffix
    words = {"\t": "a tab", "\r": "a carriage return"}
    for prefix in FORMULA_PREFIXES:
        assert words.get(prefix, f"`{prefix}`") in text, repr(prefix)
