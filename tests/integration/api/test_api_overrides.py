"""Overrides through the API: a person's correction wins in ``classifications`` (and so in the
seed's sqlite3 queries and exports), survives a forced re-run, and deleting it restores the
pipeline's answer. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from api_support import World, error_shape, unique
from fastapi.testclient import TestClient

from indiclass.domain.models import Indicator
from indiclass.testing.batches import stored_batch


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _classified(world: World, name: str = "GDP Annual Growth Rate", units: str = "%") -> str:
    ind = Indicator(
        indicator_id=f"{unique('O')}/gdp", name=name, units=units, periodicity="Quarterly"
    )
    stored_batch(world.engine.store, [ind])
    return ind.indicator_id


def _post(client: TestClient, ident: str, fields: dict, **extra: str):
    return client.post(
        f"/classifications/{ident}/overrides",
        json={"fields": fields, "reason": "checked the source", "who": "ana", **extra},
    )


def test_an_override_wins_and_deleting_it_restores_the_pipeline(
    client: TestClient, world: World
) -> None:
    ident = _classified(world)
    before = client.get(f"/classifications/{ident}").json()["classification"]
    assert (before["family"], before["indicator_type"]) == ("change-movement", "rate")
    r = _post(client, ident, {"family": "price-value", "indicator_type": "price"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["classification"]["family"], body["classification"]["indicator_type"]) == (
        "price-value",
        "price",
    )
    records = {o["field"]: o for o in body["overrides"]}
    assert records["family"] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "indicator_id": ident,
        "field": "family",
        "value": "price-value",
        "replaced": "change-movement",
        "reason": "checked the source",
        "who": "ana",
        "created_at": "",
        "deleted_at": None,
        "deleted_by": None,
        "active": True,
    }
    listed = client.get("/classifications?family=price-value&limit=1000").json()
    assert ident in [c["indicator_id"] for c in listed["classifications"]]
    detail = client.get(f"/classifications/{ident}").json()
    assert detail["stages"]["family"]["family"] == "change-movement"  # the pipeline's answer
    assert {o["field"] for o in detail["overrides"]} == {"family", "indicator_type"}
    gone = client.delete(f"/classifications/{ident}/overrides?who=ana")
    assert gone.status_code == 200
    assert gone.json()["classification"]["family"] == "change-movement"
    assert client.get(f"/classifications/{ident}/overrides").json()["overrides"] == []
    history = client.get(f"/classifications/{ident}/overrides?history=true").json()["overrides"]
    assert len(history) == 2 and all(o["deleted_by"] == "ana" for o in history)


def test_an_override_survives_a_forced_rerun(client: TestClient, world: World) -> None:
    ident = _classified(world)
    assert _post(client, ident, {"scale": "millions", "needs_review": "false"}).status_code == 201
    source = world.engine.store.list_source_indicators(ids=[ident])
    trace = world.engine.submit(source, provider="rules", force=True, dispatch="shared")
    world.engine.wait(trace, timeout=60)
    assert world.engine.store.batch_stats(trace).successful_indicators == 1
    row = client.get(f"/classifications/{ident}").json()
    assert row["classification"]["trace_id"] == trace  # written again by the re-run ...
    assert row["classification"]["scale"] == "millions"  # ... and the correction still wins
    assert row["classification"]["needs_review"] is False
    restored = client.delete(f"/classifications/{ident}/overrides?field=scale").json()
    assert restored["classification"]["scale"] == row["stages"]["normalize"]["scale"]
    assert restored["classification"]["needs_review"] is False  # its own override stays


def test_a_new_override_supersedes_the_old_one(client: TestClient, world: World) -> None:
    ident = _classified(world)
    _post(client, ident, {"heat_map_orientation": "lower-is-positive"})
    again = _post(client, ident, {"heat_map_orientation": "neutral"}).json()
    (only,) = [o for o in again["overrides"] if o["field"] == "heat_map_orientation"]
    assert only["value"] == "neutral" and only["replaced"] == "higher-is-positive"
    client.delete(f"/classifications/{ident}/overrides?field=heat_map_orientation")
    after = client.get(f"/classifications/{ident}").json()["classification"]
    assert after["heat_map_orientation"] == "higher-is-positive"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"family": "temporal"}, "indicator_type"),  # rate is not a temporal type
        ({"indicator_type": "price"}, "indicator_type"),  # price is not change-movement
        ({"scale": "zillions"}, "scale"),
        ({"detected_currency": "XYZ"}, "detected_currency"),
        ({"is_cumulative": "maybe"}, "is_cumulative"),
        ({"name": "Other"}, "name"),
        ({"overall_confidence": 1}, "overall_confidence"),
    ],
)
def test_values_are_checked_against_the_taxonomy(
    client: TestClient, world: World, fields: dict, field: str
) -> None:
    ident = _classified(world)
    r = _post(client, ident, fields)
    assert r.status_code == 422, r.text
    error = error_shape(r.json())
    assert error["code"] == "invalid_input" and error["details"]["field"] == field
    assert client.get(f"/classifications/{ident}/overrides").json()["overrides"] == []


def test_other_fits_every_family(client: TestClient, world: World) -> None:
    ident = _classified(world)
    assert (
        _post(client, ident, {"family": "temporal", "indicator_type": "other"}).status_code == 201
    )


def test_unknown_indicator_and_bad_bodies(client: TestClient) -> None:
    r = _post(client, "nobody", {"family": "temporal"})
    assert r.status_code == 404 and error_shape(r.json())["code"] == "classification_not_found"
    assert client.delete("/classifications/nobody/overrides").status_code == 404
    for body in ({}, {"fields": {}}, {"fields": {"family": "temporal"}, "extra": 1}):
        r = client.post("/classifications/x/overrides", json=body)
        assert r.status_code == 422
        error_shape(r.json())


def test_the_console_pages_read_the_same_store(client: TestClient, world: World) -> None:
    """The console's queries on this backend: a batch, its indicator, the review queue."""
    ident = _classified(world)
    trace = world.engine.store.get_classification(ident)["trace_id"]
    _post(client, ident, {"scale": "thousands"})
    assert client.get("/").status_code == 200
    batch = client.get(f"/ui/batch?id={trace}")
    assert batch.status_code == 200 and "Stage timeline" in batch.text
    page = client.get(f"/ui/indicator?id={ident}")
    assert page.status_code == 200 and "override by ana" in page.text
    queue = client.get(f"/ui/review?batch={trace}&below=1&sort=name&desc=true")
    assert queue.status_code == 200
    assert client.get(f"/ui/batch/export?id={trace}&format=csv").text.count("thousands") == 1


def test_scoring_the_pipeline_against_the_corrections(client: TestClient, world: World) -> None:
    from indiclass.storage.overrides import score

    ident = _classified(world)
    _post(client, ident, {"family": "price-value", "indicator_type": "price", "scale": "percent"})
    mine = [r for r in world.engine.store.iter_overrides() if r["indicator_id"] == ident]
    assert score(mine) == {
        "family": {"n": 1, "right": 0, "accuracy": 0.0},
        "indicator_type": {"n": 1, "right": 0, "accuracy": 0.0},
        "scale": {"n": 1, "right": 1, "accuracy": 1.0},
    }
