"""Reading indicator files as data teams have them; bad rows name the row, the column and the value.

Every file is written by the test into tmp_path (docs/usage.md describes the formats).
"""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path

import pytest

from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator
from indiclass.loaders import (
    FIELD_ALIASES,
    column_map,
    duplicate_ids,
    iter_records,
    load_indicators,
    load_records,
    read_indicators,
)

ROWS = [
    {
        "id": "fred:UNRATE",
        "name": "Civilian Unemployment Rate",
        "units": "Percent",
        "periodicity": "Monthly",
        "sample_values": [{"date": "2018-06-01", "value": 4.0}],
    },
    {
        "indicator_id": "x2",
        "name": "Trade Balance",
        "units": "B",
        "dataset": "economic calendar, market currency GBP",
    },
]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_bytes(content.encode("utf-8"))  # no newline translation: "\r\n" stays
    return p


def _fields(inds: list[Indicator]) -> list[tuple[str, str, str | None, str | None]]:
    return [(i.indicator_id, i.name, i.units, i.periodicity) for i in inds]


def test_jsonl_and_json_array(tmp_path: Path) -> None:
    jl = _write(tmp_path, "a.jsonl", "\n".join(json.dumps(r) for r in ROWS) + "\n\n")
    ja = _write(tmp_path, "a.json", json.dumps(ROWS))
    for path in (jl, ja):
        inds = load_indicators(path)
        assert [i.indicator_id for i in inds] == ["fred:UNRATE", "x2"]
        assert inds[0].sample_values[0].value == 4.0


def test_csv_with_json_sample_values_and_id_column(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "a.csv",
        "id,name,units,periodicity,sample_values,currency_code\n"
        'a1,GDP,USD Billion,Quarterly,"[{""date"": ""2024-01"", ""value"": 1.5}]",\n'
        "a2,CPI,%,,,\n",
    )
    inds = load_indicators(p)
    assert inds[0].indicator_id == "a1" and inds[0].sample_values[0].value == 1.5
    assert inds[1].periodicity is None and inds[1].currency_code is None


# ---------------------------------------------------------------- delimited text, any dialect

EXPECTED = [("a1", "GDP", "USD Billion", "Quarterly"), ("a2", "CPI", "%", None)]
COMMA = "id,name,units,periodicity\na1,GDP,USD Billion,Quarterly\na2,CPI,%,\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("comma.csv", COMMA),
        ("semicolon.csv", COMMA.replace(",", ";")),
        ("tab.tsv", COMMA.replace(",", "\t")),
        ("tab.txt", COMMA.replace(",", "\t")),
        ("pipe.txt", COMMA.replace(",", "|")),
        ("comma.txt", COMMA),
        ("crlf.csv", COMMA.replace("\n", "\r\n")),
        ("bom.csv", "\ufeff" + COMMA.replace(",", ";")),
        ("excel-sep-line.csv", "sep=;\n" + COMMA.replace(",", ";")),
        ("utf16.csv", codecs.BOM_UTF16_LE + COMMA.replace(",", "\t").encode("utf-16-le")),
        ("utf16be.tsv", codecs.BOM_UTF16_BE + COMMA.replace(",", "\t").encode("utf-16-be")),
        (
            "headers.csv",
            " ID ; Series Name ;UNIT OF MEASURE; Freq \r\na1;GDP;USD Billion;Quarterly\r\n"
            "a2;CPI;%;\r\n",
        ),
        ("blank-lines.csv", "\n" + COMMA.replace("\na2", "\n\n,,,\na2") + "\n\n"),
        ("trailing-delimiter.csv", COMMA.replace("\n", ",\n")),
        (
            "pandas-index.csv",
            ",id,name,units,periodicity\n0,a1,GDP,USD Billion,Quarterly\n1,a2,CPI,%,\n",
        ),
        (
            "pandas-reread.csv",
            "Unnamed: 0,id,name,units,periodicity\n0,a1,GDP,USD Billion,Quarterly\n1,a2,CPI,%,\n",
        ),
        (
            "quoted-delimiters.csv",
            'id;name;units;periodicity\na1;"GDP";"USD Billion";Quarterly\na2;CPI;%;\n',
        ),
    ],
)
def test_delimited_text_in_every_dialect_reads_alike(
    tmp_path: Path, name: str, content: str | bytes
) -> None:
    assert _fields(load_indicators(_write(tmp_path, name, content))) == EXPECTED


def test_sniffing_is_not_fooled_by_commas_inside_cells(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "eu.csv",
        'id;name;units;sample_values\nb1;GDP, current prices;EUR Million;[{"date": "2024-01",'
        ' "value": 1.5}, {"date": "2024-02", "value": 2}]\n',
    )
    (ind,) = load_indicators(p)
    assert ind.name == "GDP, current prices" and [s.value for s in ind.sample_values] == [1.5, 2]


# ---------------------------------------------------------------- header aliases


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("ID", "indicator_id"),
        ("code", "indicator_id"),
        ("Series ID", "indicator_id"),
        ("series_code", "indicator_id"),
        ("Indicator Code", "indicator_id"),
        ("Title", "name"),
        ("Series Name", "name"),
        ("INDICATOR", "name"),
        ("Indicator Name", "name"),
        ("label", "name"),
        ("Unit", "units"),
        ("Units", "units"),
        ("Unit of Measure", "units"),
        ("Frequency", "periodicity"),
        ("freq", "periodicity"),
        ("Periodicity", "periodicity"),
        ("Source", "source_name"),
        ("source_name", "source_name"),
        ("Category", "category_group"),
        ("Currency", "currency_code"),
        ("Description", "description"),
        ("Notes", "description"),
        ("URL", "source_url"),
        ("Topic", "topic"),
    ],
)
def test_header_aliases(tmp_path: Path, header: str, field: str) -> None:
    value = {"currency_code": "EUR", "source_url": "https://example.org/x"}.get(field, "v 1")
    other = "units" if field == "name" else "name"
    p = _write(tmp_path, "a.csv", f"{other}, {header} \nx,{value}\n")
    (ind,) = load_indicators(p)
    assert getattr(ind, field) == value


def test_every_alias_in_the_table_is_read_and_the_table_covers_every_input_field(
    tmp_path: Path,
) -> None:
    assert set(FIELD_ALIASES) == set(Indicator.model_fields)
    for field, aliases in FIELD_ALIASES.items():
        assert aliases[0] == field  # the field's own name first: it wins over its aliases
        for alias in aliases:
            assert column_map(["x_other", alias.replace("_", " ").upper()]) == {
                alias.replace("_", " ").upper(): field
            }


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        # `series` is the id when another column gives the name (FRED: series, title)
        ("series,title,units\nUNRATE,Unemployment Rate,%\n", ("UNRATE", "Unemployment Rate")),
        # ... and the name when no other column does (Series, Units)
        ("Series,Units\nUnemployment Rate,%\n", (None, "Unemployment Rate")),
        # ... and ignored when both an id and a name column are there
        ("id,name,series\nu1,Unemployment Rate,LNS14000000\n", ("u1", "Unemployment Rate")),
    ],
)
def test_the_series_column(tmp_path: Path, csv_text: str, expected: tuple[str | None, str]) -> None:
    (ind,) = load_indicators(_write(tmp_path, "s.csv", csv_text))
    want_id, want_name = expected
    assert ind.name == want_name
    assert ind.indicator_id == want_id if want_id else ind.indicator_id.startswith("unemployment")


def test_two_columns_for_one_field_the_best_alias_wins_with_a_note(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "Code,Name,ID,Frequency,Country\nc1,GDP,i1,Annual,FR\n")
    loaded = read_indicators(p)
    assert [i.indicator_id for _, i in loaded.numbered] == ["i1"]
    assert any("'Code'" in n and "'ID'" in n for n in loaded.notes)
    assert any("Country" in n and "ignored" in n for n in loaded.notes)


def test_json_keys_take_the_same_aliases(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.jsonl", '{"Code": "c1", "Title": "GDP", "Frequency": "Annual"}\n')
    assert _fields(load_indicators(p)) == [("c1", "GDP", None, "Annual")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("n.jsonl", '{"id": 123, "name": "GDP", "units": 100}\n'),
        ("n.json", '[{"indicator_id": 123.0, "name": "GDP", "units": "100"}]'),
        ("n.csv", "id,name,units\n123,GDP,100\n"),
    ],
)
def test_numeric_ids_become_strings(tmp_path: Path, name: str, content: str) -> None:
    (ind,) = load_indicators(_write(tmp_path, name, content))
    assert (ind.indicator_id, ind.units) == ("123", "100")


def test_the_api_body_shape_is_a_json_file(tmp_path: Path) -> None:
    body = {"indicators": ROWS, "provider": "rules", "strategy": "rules"}
    p = _write(tmp_path, "body.json", json.dumps(body))
    assert [i.indicator_id for i in load_indicators(p)] == ["fred:UNRATE", "x2"]


@pytest.mark.parametrize(
    "cell",
    [
        '"[{""date"": ""2020-01-01"", ""value"": 1.5}, {""date"": ""2020-02-01"", ""value"": -2}]"',
        "\"[{'date': '2020-01-01', 'value': 1.5}, {'date': '2020-02-01', 'value': -2}]\"",
        "\"({'date': '2020-01-01', 'value': 1.5}, {'date': '2020-02-01', 'value': -2.0})\"",
    ],
)
def test_sample_values_as_json_or_python_repr(tmp_path: Path, cell: str) -> None:
    p = _write(tmp_path, "a.csv", f",id,name,sample_values\n0,a,GDP,{cell}\n")
    (ind,) = load_indicators(p)
    assert [(s.date, s.value) for s in ind.sample_values] == [
        ("2020-01-01", 1.5),
        ("2020-02-01", -2.0),
    ]


# ---------------------------------------------------------------- encodings


def _file(name: str, encoding: str) -> bytes:
    return f"id;name\r\ne1;{name}\r\n".encode(encoding)


@pytest.mark.parametrize(
    ("content", "name", "note"),
    [
        (_file("Índice de precios – €", "cp1252"), "Índice de precios – €", "cp1252"),
        (b"id;name\r\ne1;Caf\xe9 \x81 index\r\n", "Café \x81 index", "latin-1"),
        (_file("Índice", "utf-8"), "Índice", None),
        (codecs.BOM_UTF8 + _file("Índice", "utf-8"), "Índice", None),
        (_file("Índice", "utf-16"), "Índice", None),  # Python writes the BOM
        (_file("Índice", "utf-32"), "Índice", None),
    ],
)
def test_encodings(tmp_path: Path, content: bytes, name: str, note: str | None) -> None:
    loaded = read_indicators(_write(tmp_path, "e.csv", content))
    assert loaded.numbered[0][1].name == name
    if note:
        (text,) = loaded.notes
        assert "not UTF-8" in text and note in text and "line 2" in text
    else:
        assert loaded.notes == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,name\ne1,GDP\n".encode("utf-16-le"), "UTF-16 or UTF-32 without a byte-order mark"),
        (codecs.BOM_UTF16_LE + b"i\x00d\x00\x00\xd8", "not valid UTF-16"),
        (codecs.BOM_UTF8 + b"id,name\ne1,Caf\xe9\n", "not valid UTF-8"),
    ],
)
def test_undecodable_files_name_the_encoding(tmp_path: Path, content: bytes, message: str) -> None:
    p = _write(tmp_path, "e.csv", content)
    with pytest.raises(InputError, match=message):
        load_indicators(p)


# ---------------------------------------------------------------- duplicates


def test_duplicate_ids_are_found_with_their_rows(tmp_path: Path) -> None:
    p = _write(tmp_path, "d.csv", "id,name\na,GDP\nb,CPI\na,GDP (revised)\nc,PPI\nb,CPI 2\n")
    loaded = read_indicators(p)
    assert duplicate_ids(loaded.numbered) == {"a": [1, 3], "b": [2, 5]}
    assert loaded.duplicates() == {"a": [1, 3], "b": [2, 5]}
    with pytest.raises(InputError) as info:
        load_indicators(p)
    assert "2 duplicate ids" in str(info.value)
    assert "'a' (rows 1, 3)" in str(info.value) and "'b' (rows 2, 5)" in str(info.value)
    kept = load_indicators(p, keep_last=True)  # the last row wins, in first-seen order
    assert [(i.indicator_id, i.name) for i in kept] == [
        ("a", "GDP (revised)"),
        ("b", "CPI 2"),
        ("c", "PPI"),
    ]
    assert duplicate_ids([]) == {}


# ---------------------------------------------------------------- errors: row, column, found


@pytest.mark.parametrize(
    ("name", "text", "row", "field"),
    [
        (
            "bad.jsonl",
            '{"name": "ok"}\n{"name": "x", "sample_values": [{"date": "2020-01-01", '
            '"value": NaN}]}\n',
            2,
            "sample_values.0.value",
        ),
        ("bad.jsonl", '{"name": "ok"}\n{"units": "%"}\n', 2, "name"),
        ("bad.json", '[{"name": "ok"}, {"name": "x", "scale": "zillions"}]', 2, "scale"),
        ("bad.csv", 'name,sample_values\nok,\nx,[{"date": "2020-13-01", "value": 1}]\n', 2, None),
        (
            "bad.csv",
            'name,sample_values\nok,\nx,"[{""date"": ""2020-02-30"", ""value"": 1}]"\n',
            2,
            "sample_values.0.date",
        ),
        ("bad.jsonl", '{"name": "ok"}\nnot json\n', 2, None),
        (
            "bad.csv",
            "name,sample_values\nok,\nx,\"[{'date': '2020-01-01', 'value': nan}]\"\n",
            2,
            "sample_values.0.value",
        ),
    ],
)
def test_bad_rows_name_row_and_field(
    tmp_path: Path, name: str, text: str, row: int, field: str | None
) -> None:
    p = _write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_indicators(p)
    assert info.value.row == row
    assert f"row {row}" in str(info.value)
    if field:
        assert info.value.field == field and field in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title,Currency\nGDP,XYZ\n", ["row 1 currency_code", "column 'Currency'", "'XYZ'"]),
        ("name,Scale\nGDP,zillions\n", ["row 1 scale", "column 'Scale'", "'zillions'"]),
        ("Title,units\nGDP,%\n,%\n", ["row 2 name", "empty", "column 'Title'"]),
        (
            'name,Values\nGDP,"[{""date"": ""2020-02-30"", ""value"": 1}]"\n',
            ["row 1 sample_values.0.date", "column 'Values'", "'2020-02-30'"],
        ),
        (
            "name,sample_values\nGDP,[1; 2]\n",
            ["row 1 sample_values", "'[1; 2]'", "not JSON or a Python-style list"],
        ),
        ("name,units\nGDP,%,extra\n", ["row 1", "3 cells", "2 columns", "'extra'"]),
        (
            "heading,Units,Freq\nGDP,%,A\n",
            ["no name column", "'heading', 'Units', 'Freq'", "title", "series name", "label"],
        ),
        ("name,Name,name\nGDP,CPI,PPI\n", ["columns 1 and 3", "'name'", "rename one"]),
        ("", ["no header row"]),
    ],
)
def test_failures_name_the_row_the_column_and_what_was_found(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    with pytest.raises(InputError) as info:
        load_indicators(_write(tmp_path, "bad.csv", text))
    for part in expected:
        assert part in str(info.value)


def test_a_json_record_without_a_name_lists_its_keys(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"row 1 name: .*found keys: 'code', 'units'"):
        load_indicators(_write(tmp_path, "a.jsonl", '{"code": "c", "units": "%"}\n'))


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.xml", "x")
    with pytest.raises(InputError, match="unsupported"):
        load_indicators(tmp_path / "a.xml")
    _write(tmp_path, "a.xls", "x")
    with pytest.raises(InputError, match=r"\.xls.*save it as \.xlsx"):
        load_indicators(tmp_path / "a.xls")
    with pytest.raises(InputError, match="not found"):
        load_indicators(tmp_path / "nope.jsonl")


def test_records_are_read_raw(tmp_path: Path) -> None:
    p = _write(tmp_path, "l.jsonl", '{"id": "a", "family": "temporal", "alt": {"family": []}}\n')
    assert load_records(p)[0] == {"id": "a", "family": "temporal", "alt": {"family": []}}
    c = _write(tmp_path, "l.csv", ",ID , family\n0,a,temporal\n1,b,\n")
    assert list(iter_records(c)) == [(1, {"ID": "a", "family": "temporal"}), (2, {"ID": "b"})]


# ---------------------------------------------------------------- Excel (the `excel` extra)


def test_xlsx_first_sheet_with_numeric_ids(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Series ID", "Title", "Units", "Frequency", "Sample Values"])
    sheet.append([123, "GDP", "USD Billion", "Quarterly", '[{"date": "2024-01", "value": 1.5}]'])
    sheet.append([None, None, None, None, None])
    sheet.append([7.0, "CPI", "%", None, None])
    book.create_sheet("other").append(["ignored"])
    book.save(tmp_path / "a.xlsx")
    inds = load_indicators(tmp_path / "a.xlsx")
    assert _fields(inds) == [("123", "GDP", "USD Billion", "Quarterly"), ("7", "CPI", "%", None)]
    assert inds[0].sample_values[0].value == 1.5


def test_xlsx_without_the_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "a.xlsx", b"PK")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # what `import openpyxl` sees without it
    with pytest.raises(InputError) as info:
        load_indicators(tmp_path / "a.xlsx")
    assert "pip install 'indiclass[excel]'" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_broken_xlsx_is_an_input_error(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    _write(tmp_path, "a.xlsx", b"not a zip file")
    with pytest.raises(InputError, match=r"a\.xlsx: not a readable \.xlsx"):
        load_indicators(tmp_path / "a.xlsx")
