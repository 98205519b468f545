"""The console's pages cost a fixed number of SQL statements, whatever the batch's size: the
Database's cursor is wrapped to count them, on a 10-member and a 10,000-member batch. Page
times for the large batch are measured and printed (never asserted: run with ``-s``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import FAST, World, base_env
from fastapi.testclient import TestClient

from indiclass.bootstrap import build_engine, serveable_providers
from indiclass.domain.models import Indicator
from indiclass.settings import Settings
from indiclass.storage import SqliteDatabase, SqlStore
from indiclass.storage.db import Cursor
from indiclass.testing.batches import stored_batch

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
LARGE = 10_000
SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports", "USD Million", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("Unemployment Rate", "%", "Monthly"),
    ("Crude Oil Production", "Thousand Barrels per Day", "Monthly"),
]


class Counting(Cursor):
    """The store's cursor, counting the statements it runs."""

    def __init__(self, inner: Cursor, seen: list[str]) -> None:
        super().__init__(inner._raw, inner.dialect)
        self.seen = seen

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        self.seen.append(sql)
        return super().execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> None:
        self.seen.append(sql)
        super().executemany(sql, rows)


class CountingDatabase(SqliteDatabase):
    """A real SQLite database whose reads go through :class:`Counting` cursors."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.seen: list[str] = []

    def _in_read(self, fn: Callable[[Cursor], Any]) -> Any:
        return super()._in_read(lambda cur: fn(Counting(cur, self.seen)))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    env = base_env(tmp_path_factory.mktemp("scale"))
    settings = Settings(_env_file=None, **env)
    db = CountingDatabase(Path(env["CLASSIFY_DB_LOCAL_DEV"]))
    store = SqlStore(db)
    store.migrate()
    engine = build_engine(
        settings, store=store, serves=serveable_providers(settings), dispatch="shared", **FAST
    )
    try:
        yield World(env, engine)
    finally:
        engine.shutdown()
        store.close()


def _indicators(prefix: str, n: int) -> list[Indicator]:
    return [
        Indicator(
            indicator_id=f"{prefix}-{k}",
            name=f"{SHAPES[k % 5][0]} {k}",
            units=SHAPES[k % 5][1],
            periodicity=SHAPES[k % 5][2],
            sample_values=[{"date": f"2024-{m:02d}-01", "value": k + m} for m in range(1, 13)],
        )
        for k in range(n)
    ]


@pytest.fixture(scope="module")
def batches(world: World) -> dict[str, tuple[str, str]]:
    """(trace, an indicator id) of a small and a large batch, each with some failures."""
    out = {}
    for label, n in (("small", 10), ("large", LARGE)):
        inds = _indicators(label, n)
        failures = {inds[k].indicator_id: ("type", "scripted") for k in range(0, n, 7)}
        out[label] = (
            stored_batch(world.engine.store, inds, failures=failures),
            inds[1].indicator_id,
        )
    return out


def _pages(trace: str, indicator: str) -> dict[str, str]:
    return {
        "batches": "/",
        "batch": f"/ui/batch?id={trace}",
        "batch, failed members, page 2": f"/ui/batch?id={trace}&status=failed&page=2",
        "indicator": f"/ui/indicator?id={indicator}",
        "review queue": "/ui/review?below=0.99",
        "review queue, page 3": "/ui/review?below=0.99&page=3&sort=name",
    }


def _statements(client: TestClient, world: World, path: str) -> int:
    seen: list[str] = world.engine.store.db.seen  # type: ignore[attr-defined]
    before = len(seen)
    assert client.get(path).status_code == 200, path
    return len(seen) - before


def test_statements_per_page_do_not_grow_with_the_batch(
    client: TestClient, world: World, batches: dict[str, tuple[str, str]]
) -> None:
    small, large = (_pages(*batches[k]) for k in ("small", "large"))
    counts = {
        name: (_statements(client, world, small[name]), _statements(client, world, large[name]))
        for name in small
    }
    print("\nSQL statements per page (10 members, 10,000 members):")
    for name, (a, b) in counts.items():
        print(f"  {name:32} {a:3} {b:3}")
    assert all(a == b for a, b in counts.values()), counts
    assert all(b <= 20 for _, b in counts.values()), counts


def test_rows_per_page_are_bounded(client: TestClient, batches: dict[str, tuple[str, str]]) -> None:
    trace, _ = batches["large"]
    page = client.get(f"/ui/batch?id={trace}").text
    members = page.split('id="members"', 1)[1].split("</table>", 1)[0]
    assert members.count("<tr class=") == 100
    assert "page 1 of 100" in page


def test_page_times_for_a_large_batch(
    client: TestClient, batches: dict[str, tuple[str, str]]
) -> None:
    """p50 of 15 requests per page (measured, printed, not asserted)."""
    print(f"\np50 page times, {LARGE:,}-member batch (ms):")
    for name, path in _pages(*batches["large"]).items():
        times = []
        for _ in range(15):
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {name:32} p50 {statistics.median(times):7.1f}  max {max(times):7.1f}")
