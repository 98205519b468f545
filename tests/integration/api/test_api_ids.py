"""Ids at the edge, on SQLite and PostgreSQL: control characters are refused with 422 before
they reach a database (PostgreSQL refuses NUL in text), and ids holding ``/`` are reachable."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from api_support import World, error_shape, seed_payload, unique
from fastapi.testclient import TestClient

BAD = ["a\x00b", "a\nb", "a\rb", "tab\there", "\x7f"]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("bad", BAD)
def test_control_characters_in_indicator_ids_are_422(
    client: TestClient, world: World, bad: str
) -> None:
    payload = seed_payload(2)
    payload["indicators"][1]["id"] = bad
    r = client.post("/classify/batch", json=payload)
    assert r.status_code == 422, r.text
    assert error_shape(r.json())["details"][0]["index"] == 1
    assert world.engine.store.count("source_indicators") == world.engine.store.count(
        "source_indicators"
    )


@pytest.mark.parametrize("bad", BAD)
def test_control_characters_in_trace_ids_are_422(client: TestClient, bad: str) -> None:
    r = client.post("/classify/batch", json={**seed_payload(1), "trace_id": bad})
    assert r.status_code == 422, r.text
    error_shape(r.json())
    r = client.post(
        f"/classify/batch?trace_id={quote(bad)}",
        content=b'{"id": "x", "name": "GDP"}\n',
        headers={"content-type": "application/x-ndjson"},
    )
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    "template",
    [
        "/batches/{}",
        "/batches/{}/events",
        "/classifications/{}",
        "/classifications/{}/overrides",
        "/classifications?batch={}",
        "/batches?status={}",
    ],
)
def test_control_characters_in_paths_and_queries_are_422(
    client: TestClient, template: str, bad: str
) -> None:
    r = client.get(template.format(quote(bad, safe="")))
    assert r.status_code == 422, (template, r.text)
    assert error_shape(r.json())["code"] in ("invalid_id", "validation_error")


def test_a_nul_in_delete_and_override_posts_is_422(client: TestClient) -> None:
    assert client.delete("/batches/a%00b").status_code == 422
    r = client.post("/classifications/a%00b/overrides", json={"fields": {"family": "temporal"}})
    assert r.status_code == 422


def test_ids_with_slashes_are_reachable(client: TestClient, world: World) -> None:
    prefix = f"org/{unique('x')}/series"
    trace = f"team/{unique('t')}/q1"
    payload = {**seed_payload(2, prefix=prefix), "trace_id": trace}
    assert client.post("/classify/batch", json=payload).status_code == 202
    world.engine.wait(trace, timeout=60)
    batch = client.get(f"/batches/{trace}")
    assert batch.status_code == 200 and batch.json()["trace_id"] == trace
    detail = client.get(f"/classifications/{prefix}-0")
    assert detail.status_code == 200
    assert detail.json()["classification"]["indicator_id"] == f"{prefix}-0"
    assert client.get(f"/classifications/{prefix}-0/overrides").json()["overrides"] == []
    with client.stream("GET", f"/batches/{trace}/events") as r:
        assert r.status_code == 200
        assert any(line == "event: done" for line in r.iter_lines())
