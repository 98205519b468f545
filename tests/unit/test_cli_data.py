"""The results-database commands (seed, query, stats, errors, export) through Typer's CliRunner.

Each test has its own SQLite file under tmp_path; classifications are made by the offline
pipeline and saved through the store, as the engine does.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from rich.cells import cell_len
from typer.testing import CliRunner

from indiclass.catalogue import load_catalogue
from indiclass.cli.app import app
from indiclass.cli.data_cmd import spreadsheet_text
from indiclass.domain.models import parse_indicator
from indiclass.storage import SqlStore, open_store
from indiclass.testing.batches import stored_batch


def _db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "results.db"


def _cli(tmp_path: Path, *args: str, columns: int = 200) -> Result:
    env = {"CLASSIFY_DB_LOCAL_DEV": str(_db(tmp_path)), "COLUMNS": str(columns)}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    _db(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    s = open_store(_db(tmp_path))
    try:
        yield s
    finally:
        s.close()


def _source_names(store: SqlStore) -> dict[str, str]:
    return {i.indicator_id: i.name for i in store.list_source_indicators()}


# ---------------------------------------------------------------- seed

DUPLICATES = "id,name\na,GDP\nb,CPI\na,GDP (revised)\n"


def test_seed_refuses_duplicate_ids_and_lists_them(tmp_path: Path, store: SqlStore) -> None:
    (tmp_path / "d.csv").write_text(DUPLICATES)
    done = _cli(tmp_path, "seed", "d.csv")
    assert done.exit_code == 2
    assert "1 duplicate id: 'a' (rows 1, 3)" in done.stderr and "--replace" in done.stderr
    assert "Seeded" not in done.stdout and _source_names(store) == {}


def test_seed_replace_keeps_the_last_row_and_says_how_many(tmp_path: Path, store: SqlStore) -> None:
    (tmp_path / "d.csv").write_text(DUPLICATES)
    done = _cli(tmp_path, "seed", "d.csv", "--replace")
    assert done.exit_code == 0, done.output
    assert "🌱 Seeded 2 indicators (1 duplicate id replaced) from d.csv into" in done.stdout
    assert _source_names(store) == {"a": "GDP (revised)", "b": "CPI"}


def test_seed_says_what_it_stored_and_how_it_read_the_file(tmp_path: Path, store: SqlStore) -> None:
    (tmp_path / "w.csv").write_bytes(
        "Code;Title;Unit\r\nc1;Índice;%\r\nc2;PIB;EUR\r\n".encode("cp1252")
    )
    done = _cli(tmp_path, "seed", "w.csv")
    assert done.exit_code == 0, done.output
    assert "🌱 Seeded 2 indicators from w.csv into" in done.stdout
    assert "note: w.csv: not UTF-8" in done.stderr and "cp1252" in done.stderr
    assert _source_names(store) == {"c1": "Índice", "c2": "PIB"}


# ---------------------------------------------------------------- tables that fit the terminal

CATALOGUE = load_catalogue()[:12]
FAILED_ID = CATALOGUE[-1].indicator_id


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    """11 classified indicators and one that failed, in one batch, as the engine leaves them."""
    reason = "ProviderUnavailable: cannot reach http://127.0.0.1:1234/v1 (connection refused)"
    stored_batch(
        store,
        CATALOGUE,
        trace_id="3f2a1b4c-9d1e-4c8b-a0e2-1f2e3d4c5b6a",
        failures={FAILED_ID: ("time", reason)},
    )
    return store


def _lines_fit(text: str, width: int) -> bool:
    return bool(text.strip()) and all(cell_len(line) <= width for line in text.splitlines())


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("command", ["query", "stats", "errors"])
def test_tables_fit_the_terminal(
    tmp_path: Path, filled: SqlStore, command: str, width: int
) -> None:
    done = _cli(tmp_path, command, columns=width)
    assert done.exit_code == 0, done.output
    assert _lines_fit(done.stdout, width), done.stdout
    if command == "query":
        for row in filled.query_classifications(limit=100):
            assert row["indicator_id"] in done.stdout and row["family"] in done.stdout
    if command == "errors":
        assert FAILED_ID in done.stdout and "time" in done.stdout


def test_wide_tables_show_every_column(tmp_path: Path, filled: SqlStore) -> None:
    narrow = _cli(tmp_path, "query", columns=80).stdout
    wide = _cli(tmp_path, "query", "--wide", columns=80).stdout
    assert "heat map" not in narrow and "heat map" in wide and "cumulative" in wide
    assert max(cell_len(line) for line in wide.splitlines()) > 80
    assert "cost $" in _cli(tmp_path, "stats", "--wide", columns=80).stdout


# ---------------------------------------------------------------- query


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--family", "price-valu"], "unknown family 'price-valu' (did you mean 'price-value'?)"),
        (["--family", "zzz"], "unknown family 'zzz'; one of: physical-fundamental, "),
        (["--type", "stok"], "unknown type 'stok' (did you mean 'stock'?)"),
        (["--status", "pased"], "unknown review status 'pased' (did you mean 'passed'?)"),
        (["--provider", "openia"], "unknown provider 'openia' (did you mean 'openai'?)"),
        (
            ["--family", "price-value", "--type", "stock"],
            "type 'stock' is not in family 'price-value' (its family is physical-fundamental)",
        ),
    ],
)
def test_query_filters_are_checked_against_the_taxonomy(
    tmp_path: Path, filled: SqlStore, args: list[str], message: str
) -> None:
    done = _cli(tmp_path, "query", *args)
    assert done.exit_code == 2
    assert message in done.stderr and "Traceback" not in done.output


@pytest.mark.parametrize(
    "args",
    [
        ["--family", "CHANGE-MOVEMENT"],
        ["--family", " Change_Movement "],
        ["--family", "change movement", "--type", "Rate", "--status", "PASSED"],
        ["--provider", "Rules", "--family", "change-movement"],
    ],
)
def test_query_filters_are_case_insensitive(
    tmp_path: Path, filled: SqlStore, args: list[str]
) -> None:
    expected = {
        r["indicator_id"] for r in filled.query_classifications(family="change-movement", limit=100)
    }
    assert expected
    done = _cli(tmp_path, "query", "--json", *args)
    assert done.exit_code == 0, done.output
    assert {json.loads(line)["indicator_id"] for line in done.stdout.splitlines()} == expected


def test_query_title_counts_every_match(tmp_path: Path, filled: SqlStore) -> None:
    matches = len(filled.query_classifications(family="change-movement", limit=100))
    assert matches > 2
    assert "2 of 11 classifications" in _cli(tmp_path, "query", "--limit", "2").stdout
    assert "11 of 11 classifications" in _cli(tmp_path, "query").stdout
    family = _cli(tmp_path, "query", "--family", "change-movement", "--limit", "2").stdout
    assert f"2 of {matches} classifications" in family
    empty = _cli(tmp_path, "query", "--batch", "nope").stdout
    assert "0 of 0 classifications" in empty


# ---------------------------------------------------------------- export


def _exported(tmp_path: Path, *args: str) -> Result:
    done = _cli(tmp_path, "export", *args)
    assert done.exit_code == 0, done.output
    return done


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["--out", "x.csv"], "csv"),
        (["--out", "x.CSV"], "csv"),
        (["--out", "x.jsonl"], "jsonl"),
        (["--out", "x.ndjson"], "jsonl"),
        (["--out", "x.parquet"], "parquet"),
        (["--out", "x.data", "--format", "csv"], "csv"),
        (["--out", "x.csv", "--format", "jsonl"], "jsonl"),  # --format wins
    ],
)
def test_export_takes_the_format_from_the_extension(
    tmp_path: Path, filled: SqlStore, args: list[str], kind: str
) -> None:
    _exported(tmp_path, *args)
    out = tmp_path / args[1]
    if kind == "csv":
        rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    elif kind == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    assert len(rows) == 11 and rows[0]["indicator_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.txt"], "cannot tell the format from 'x.txt'"),
        (["--format", "xml"], "unknown format 'xml'"),
        (["--format", "parqet", "--out", "x.p"], "(did you mean 'parquet'?)"),
        (["--format", "parquet"], "parquet needs --out FILE"),
    ],
)
def test_export_usage_errors(
    tmp_path: Path, filled: SqlStore, args: list[str], message: str
) -> None:
    done = _cli(tmp_path, "export", *args)
    assert done.exit_code == 2 and message in done.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("x.")]


def test_export_to_stdout_is_jsonl(tmp_path: Path, filled: SqlStore) -> None:
    lines = _exported(tmp_path).stdout.splitlines()
    assert len(lines) == 11 and json.loads(lines[0])["indicator_id"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
@pytest.mark.parametrize("name", ["x.csv", "x.jsonl", "x.parquet"])
def test_export_files_have_the_modes_the_umask_gives(
    tmp_path: Path, filled: SqlStore, umask: int, mode: int, name: str
) -> None:
    (tmp_path / name).write_text("old")
    (tmp_path / name).chmod(0o600)
    before = os.umask(umask)
    try:
        _exported(tmp_path, "--out", name)
    finally:
        os.umask(before)
    assert (tmp_path / name).stat().st_mode & 0o777 == mode
    assert (tmp_path / name).read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [name]


def test_export_into_a_missing_folder_creates_it(tmp_path: Path, filled: SqlStore) -> None:
    done = _cli(tmp_path, "export", "--out", "new/x.csv")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "new" / "x.csv").read_text().startswith("indicator_id,")


def test_export_onto_an_unwritable_place_is_one_line(tmp_path: Path, filled: SqlStore) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    done = _cli(tmp_path, "export", "--out", "taken/x.csv")
    assert done.exit_code == 2 and "taken" in done.stderr and "Traceback" not in done.output


FORMULAS = ["=1+1", "+CPI", "-5% change", "@SUM(A1)"]  # names: tab and CR are stripped


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+CPI", "'+CPI"),
        ("-5% change", "'-5% change"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rCarriage", "'\rCarriage"),
        ("GDP = C + I + G", "GDP = C + I + G"),
        ("", ""),
        (-0.5, -0.5),
        (None, None),
        (True, True),
    ],
)
def test_spreadsheet_text(value: object, written: object) -> None:
    assert spreadsheet_text(value) == written


def test_export_csv_escapes_spreadsheet_formulas(tmp_path: Path, store: SqlStore) -> None:
    inds = [
        parse_indicator({"indicator_id": f"f{n}", "name": name, "units": "%"})
        for n, name in enumerate([*FORMULAS, "GDP = C + I + G"])
    ]
    stored_batch(store, inds)
    _exported(tmp_path, "--out", "x.csv")
    rows = list(csv.DictReader((tmp_path / "x.csv").open(newline="", encoding="utf-8")))
    names = [r["name"] for r in rows]
    assert names == [*("'" + f for f in FORMULAS), "GDP = C + I + G"]
    assert all(float(r["overall_confidence"]) > 0 for r in rows)  # numbers are not text
    jsonl = _exported(tmp_path, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["name"] for line in jsonl][:1] == ["=1+1"]  # only CSV is escaped
