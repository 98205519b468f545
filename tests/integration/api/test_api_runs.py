"""``api/routes_runs.py`` on a real SQLite store: runs, a diff between two batches (each its
own run), provenance, and the one error shape for unknown runs and indicators."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from indiclass.api import create_app
from indiclass.api.routes_runs import router as runs_router
from indiclass.api.schemas import ERROR_RESPONSES
from indiclass.domain.enums import HeatMapOrientation
from indiclass.domain.models import parse_indicator
from indiclass.domain.store import BatchSpec, MemberDone
from indiclass.pipeline import classify
from indiclass.settings import Settings
from indiclass.storage import SqlStore, open_store
from indiclass.testing.batches import RULES_CONFIG

ITEMS = [
    parse_indicator({"id": f"i-{n}", "name": name, "units": "%"})
    for n, name in enumerate(["Inflation Rate", "Unemployment Rate"])
]


def _batch(store: SqlStore, trace: str, *, flip: str | None = None) -> None:
    store.upsert_source_indicators(ITEMS)
    ids = tuple(i.indicator_id for i in ITEMS)
    store.create_batch(
        BatchSpec(
            trace_id=trace, indicator_ids=ids, run_config=RULES_CONFIG, created_at=datetime.now(UTC)
        )
    )
    ops = []
    for ind in ITEMS:
        run = classify(ind)
        c = run.classification
        if ind.indicator_id == flip:
            other = next(o for o in HeatMapOrientation if o != c.heat_map_orientation)
            c = c.model_copy(update={"heat_map_orientation": other})
        ops.append(MemberDone(trace, ind.indicator_id, c, run.outcomes, time.time(), 1.0))
    store.apply(ops)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(tmp_path / "results.db")
    yield opened
    opened.close()


@pytest.fixture
def client(store: SqlStore) -> Iterator[TestClient]:
    app = create_app(Settings(), engine=SimpleNamespace(store=store))  # type: ignore[arg-type]
    app.include_router(runs_router, responses=ERROR_RESPONSES)  # the line app.py gets
    with TestClient(app) as c:
        yield c


def test_runs_diff_and_provenance(store: SqlStore, client: TestClient) -> None:
    _batch(store, "batch-a")
    _batch(store, "batch-b", flip="i-1")
    runs = client.get("/runs").json()
    assert [(r["run_id"], r["kind"], r["classified"]) for r in runs["runs"]] == [
        ("batch-b", "batch", 2),
        ("batch-a", "batch", 2),
    ]
    diff = client.get("/runs/batch-a/diff/batch-b").json()
    assert (diff["compared"], diff["changed"], diff["unchanged"]) == (2, 1, 1)
    [one] = diff["indicators"]
    assert one["indicator_id"] == "i-1" and one["fields"] == ["heat_map_orientation"]
    assert one["changes"][0]["stage"] == "type"
    assert one["a"]["heat_map_orientation"] != one["b"]["heat_map_orientation"]
    assert client.get("/runs/batch-a/diff/batch-b?offset=1").json()["indicators"] == []
    found = client.get("/provenance/i-1").json()
    assert found["current"]["trace_id"] == "batch-b" and found["current"]["run_id"] == "batch-b"
    assert found["current"]["rules_version"].startswith("rules-")
    assert set(found["stages"]) >= {"normalize", "type"}
    assert [h["run_key"] for h in found["history"]] == ["batch-a", "batch-b"]


def test_unknown_runs_and_indicators_are_404_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/runs/nope/diff/other")
    assert r.status_code == 404 and r.json()["error"]["code"] == "run_not_found"
    r = client.get("/provenance/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "classification_not_found"
