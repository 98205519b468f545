"""The results-database commands (seed, query, stats, errors, export) through Typer's CliRunner.

Each test has its own SQLite file under tmp_path; classifications are made by the offline
pipeline and saved through the store, as the engine does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from rich.cells import cell_len
from typer.testing import CliRunner

from indiclass.catalogue import load_catalogue
from indiclass.cli.app import app
from indiclass.domain.enums import StageName
from indiclass.domain.store import BatchSpec
from indiclass.pipeline import classify
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


# ---------------------------------------------------------------- tables that fit the terminal

CATALOGUE = load_catalogue()[:12]
FAILED_ID = CATALOGUE[-1].indicator_id


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    """11 classified indicators and one that failed, in one batch, as the engine leaves them."""
    store.upsert_source_indicators(CATALOGUE)
    spec = BatchSpec(
        trace_id="3f2a1b4c-9d1e-4c8b-a0e2-1f2e3d4c5b6a",
        indicator_ids=tuple(i.indicator_id for i in CATALOGUE),
        provider="rules",
        model="rules",
        strategy="rules",
        created_at=datetime.now(UTC),
    )
    store.create_batch(spec)
    for ind in CATALOGUE[:-1]:
        store.save_classification(spec.trace_id, classify(ind).classification)
    reason = "ProviderUnavailable: cannot reach http://127.0.0.1:1234/v1 (connection refused)"
    store.mark_failed(spec.trace_id, FAILED_ID, StageName.TIME, reason, refresh=True)
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
