"""Malformed requests: 422/413 in the one error shape, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import World, error_shape, seed_payload, unique
from fastapi.testclient import TestClient

TABLES = ("source_indicators", "pipeline_stats", "batch_items", "classifications")


def _counts(world: World) -> dict[str, int]:
    return {t: world.engine.store.count(t) for t in TABLES}


def _bad(client: TestClient, world: World, payload: Any, status: int = 422) -> dict[str, Any]:
    before = _counts(world)
    r = client.post("/classify/batch", json=payload)
    assert r.status_code == status, r.text
    assert _counts(world) == before
    return error_shape(r.json())


@pytest.mark.parametrize(
    "payload",
    [
        {"indicators": "GDP", "llm_provider": "rules"},
        {"indicators": [{"id": "a", "name": 42}], "llm_provider": "rules"},
        {"indicators": [{"id": "a", "name": "GDP"}], "llm_provider": "gpt-5"},
        {"indicators": [{"id": "a", "name": "GDP"}], "llm_provider": "rules", "surprise": 1},
        {"indicators": [], "llm_provider": "rules"},
        {"llm_provider": "rules"},
        [1, 2, 3],
    ],
)
def test_malformed_bodies(client: TestClient, world: World, payload: Any) -> None:
    _bad(client, world, payload)


def test_missing_name_names_the_row_and_field(client: TestClient, world: World) -> None:
    payload = seed_payload(3)
    del payload["indicators"][1]["name"]
    error = _bad(client, world, payload)
    assert error["code"] == "invalid_indicators"
    assert error["details"] == [{"index": 1, "field": "name", "message": "Field required"}]


def test_bad_sample_value_is_rejected(client: TestClient, world: World) -> None:
    payload = seed_payload(1)
    payload["indicators"][0]["sample_values"] = [{"date": "2024-01-01", "value": "abc"}]
    assert _bad(client, world, payload)["details"][0]["index"] == 0


def test_duplicate_ids_are_named(client: TestClient, world: World) -> None:
    payload = seed_payload(4)
    dup = payload["indicators"][0]["id"]
    payload["indicators"][3]["id"] = dup
    payload["indicators"][2]["indicator_id"] = payload["indicators"][2].pop("id")
    error = _bad(client, world, payload)
    assert error["code"] == "duplicate_indicator_ids"
    assert error["details"] == {"indicator_ids": [dup]} and dup in error["message"]


def test_oversize_batch_is_422(world: World) -> None:
    with world.client(INDICLASS_MAX_BATCH_SIZE=3) as client:
        error = _bad(client, world, seed_payload(4))
        assert error["code"] == "batch_too_large"
        assert error["details"] == {"count": 4, "limit": 3}
        ok = client.post("/classify/batch", json=seed_payload(3))
        assert ok.status_code == 202
        world.engine.wait(ok.json()["trace_id"], timeout=60)


def test_invalid_json_is_422(client: TestClient, world: World) -> None:
    before = _counts(world)
    r = client.post(
        "/classify/batch", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and error_shape(r.json())["code"] == "invalid_json"
    assert _counts(world) == before


def _big_body(size: int) -> bytes:
    return b'{"indicators": [' + b" " * size + b"]}"


def test_body_over_the_limit_is_413_with_content_length(world: World) -> None:
    with world.client(INDICLASS_MAX_BODY_BYTES=2048) as client:
        before = _counts(world)
        r = client.post(
            "/classify/batch", content=_big_body(4096), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413
        error = error_shape(r.json())
        assert error["code"] == "payload_too_large" and error["details"] == {"limit_bytes": 2048}
        assert _counts(world) == before


def test_body_over_the_limit_is_413_when_chunked(world: World) -> None:
    def chunks():
        for _ in range(8):
            yield b" " * 1024

    with world.client(INDICLASS_MAX_BODY_BYTES=2048) as client:
        r = client.post(
            "/classify/batch", content=chunks(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert r.status_code == 413
        assert error_shape(r.json())["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=100000",
        "offset=-1",
        f"offset={2**63}",
        f"offset={2**64}",
        "limit=abc",
    ],
)
def test_paging_out_of_range_is_422(client: TestClient, query: str) -> None:
    for path in ("/classifications", "/batches"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 422, (path, query, r.text)
        assert error_shape(r.json())["code"] == "validation_error"


def test_batch_items_paging_out_of_range_is_422(client: TestClient, world: World) -> None:
    trace = client.post("/classify/batch", json=seed_payload(1)).json()["trace_id"]
    world.engine.wait(trace, timeout=60)
    for query in (f"items_offset={2**63}", "items_limit=-1", "items_limit=5000"):
        r = client.get(f"/batches/{trace}?{query}")
        assert r.status_code == 422, query
        error_shape(r.json())
    assert client.get(f"/batches/{trace}?items_offset=1000000").json()["items"] == []


def test_a_large_offset_in_range_is_an_empty_page(client: TestClient) -> None:
    r = client.get(f"/classifications?offset={10**12}")
    assert r.status_code == 200 and r.json()["classifications"] == []


def test_trace_id_may_hold_slashes_and_spaces(client: TestClient, world: World) -> None:
    trace = f"team a/{unique('q')}/run 1"
    payload = {**seed_payload(1), "trace_id": trace}
    assert client.post("/classify/batch", json=payload).status_code == 202
    world.engine.wait(trace, timeout=60)
    assert client.get(f"/batches/{trace}").json()["trace_id"] == trace
