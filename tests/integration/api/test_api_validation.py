"""Malformed batch bodies: 422 in the one error shape, and nothing reaches the engine."""

from __future__ import annotations

from typing import Any

import pytest
from api_fakes import FakeEngine, make_client, seed_payload
from fastapi.testclient import TestClient


def _bad(client: TestClient, engine: FakeEngine, payload: Any) -> dict[str, Any]:
    r = client.post("/classify/batch", json=payload)
    assert r.status_code == 422, r.text
    assert engine.submits == [] and engine.store.batches == {}
    error = r.json()["error"]
    assert set(error) == {"code", "message", "details"}
    return error


@pytest.mark.parametrize(
    "payload",
    [
        {"indicators": "GDP", "llm_provider": "rules"},
        {"indicators": [{"id": "a", "name": 42}], "llm_provider": "rules"},
        {"indicators": [{"id": "a", "name": "GDP"}], "llm_provider": "gpt-5"},
        {"indicators": [{"id": "a", "name": "GDP"}], "llm_provider": "rules", "trace_id": "a b"},
        {"indicators": [{"id": "a", "name": "GDP"}], "llm_provider": "rules", "surprise": 1},
        {"indicators": [], "llm_provider": "rules"},
        {"llm_provider": "rules"},
        [1, 2, 3],
    ],
)
def test_malformed_bodies(client: TestClient, engine: FakeEngine, payload: Any) -> None:
    _bad(client, engine, payload)


def test_missing_name_names_the_row_and_field(client: TestClient, engine: FakeEngine) -> None:
    payload = seed_payload(3)
    del payload["indicators"][1]["name"]
    error = _bad(client, engine, payload)
    assert error["code"] == "invalid_indicators"
    assert error["details"] == [{"index": 1, "field": "name", "message": "Field required"}]


def test_bad_sample_value_is_rejected(client: TestClient, engine: FakeEngine) -> None:
    payload = seed_payload(1)
    payload["indicators"][0]["sample_values"] = [{"date": "2024-01-01", "value": "abc"}]
    assert _bad(client, engine, payload)["details"][0]["index"] == 0


def test_duplicate_ids_are_named(client: TestClient, engine: FakeEngine) -> None:
    payload = seed_payload(4)
    payload["indicators"][3]["id"] = "IND-1"
    payload["indicators"][2]["indicator_id"] = payload["indicators"][2].pop("id")
    error = _bad(client, engine, payload)
    assert error["code"] == "duplicate_indicator_ids"
    assert error["details"] == {"indicator_ids": ["IND-1"]} and "IND-1" in error["message"]


def test_oversize_batch(engine: FakeEngine) -> None:
    with make_client(engine, INDICLASS_MAX_BATCH_SIZE=3) as client:
        error = _bad(client, engine, seed_payload(4))
        assert error["code"] == "batch_too_large"
        assert error["details"] == {"count": 4, "limit": 3}
        assert client.post("/classify/batch", json=seed_payload(3)).status_code == 202


def test_default_limit_is_1000(client: TestClient, engine: FakeEngine) -> None:
    error = _bad(client, engine, seed_payload(1001))
    assert error["details"]["limit"] == 1000


def test_invalid_json_is_422(client: TestClient, engine: FakeEngine) -> None:
    r = client.post(
        "/classify/batch", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert engine.submits == []
