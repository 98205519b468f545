"""The results-database commands (seed, query, stats, errors, export) through Typer's CliRunner.

Each test has its own SQLite file under tmp_path; classifications are made by the offline
pipeline and saved through the store, as the engine does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from indiclass.cli.app import app
from indiclass.storage import SqlStore, open_store


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
