"""Reading indicator files: JSONL, JSON array, CSV; bad rows name the row and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indiclass.domain.errors import InputError
from indiclass.loaders import load_indicators, load_records

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


def test_jsonl_and_json_array(tmp_path: Path) -> None:
    jl = tmp_path / "a.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n\n")
    ja = tmp_path / "a.json"
    ja.write_text(json.dumps(ROWS))
    for path in (jl, ja):
        inds = load_indicators(path)
        assert [i.indicator_id for i in inds] == ["fred:UNRATE", "x2"]
        assert inds[0].sample_values[0].value == 4.0


def test_csv_with_json_sample_values_and_id_column(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text(
        "id,name,units,periodicity,sample_values,currency_code\n"
        'a1,GDP,USD Billion,Quarterly,"[{""date"": ""2024-01"", ""value"": 1.5}]",\n'
        "a2,CPI,%,,,\n"
    )
    inds = load_indicators(p)
    assert inds[0].indicator_id == "a1" and inds[0].sample_values[0].value == 1.5
    assert inds[1].periodicity is None and inds[1].currency_code is None


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
    ],
)
def test_bad_rows_name_row_and_field(
    tmp_path: Path, name: str, text: str, row: int, field: str | None
) -> None:
    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(InputError) as info:
        load_indicators(p)
    assert info.value.row == row
    assert f"row {row}" in str(info.value)
    if field:
        assert info.value.field == field and field in str(info.value)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match="unsupported"):
        load_indicators(tmp_path / "a.txt")
    with pytest.raises(InputError, match="not found"):
        load_indicators(tmp_path / "nope.jsonl")
    (tmp_path / "h.csv").write_text("title,units\nx,%\n")
    with pytest.raises(InputError, match="name"):
        load_indicators(tmp_path / "h.csv")


def test_records_are_read_raw(tmp_path: Path) -> None:
    p = tmp_path / "l.jsonl"
    p.write_text('{"id": "a", "family": "temporal", "alt": {"family": ["qualitative"]}}\n')
    assert load_records(p)[0]["alt"] == {"family": ["qualitative"]}
