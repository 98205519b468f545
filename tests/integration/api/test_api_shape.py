"""One error shape everywhere, API-key enforcement, health, metrics, classifications, docs."""

from __future__ import annotations

import pytest
from api_fakes import FakeEngine, make_client, seed_payload
from fastapi.testclient import TestClient

GUARDED = [
    ("GET", "/batches"),
    ("GET", "/batches/x"),
    ("GET", "/batches/x/events"),
    ("GET", "/classifications"),
    ("GET", "/classifications/x"),
    ("GET", "/metrics"),
    ("POST", "/classify/batch"),
]


def _shape(body: dict) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("DELETE", "/batches", 405),
        ("GET", "/batches/zzz", 404),
        ("GET", "/classifications/zzz", 404),
        ("GET", "/classifications?limit=0", 422),
        ("POST", "/classify/batch", 422),
    ],
)
def test_every_error_has_the_same_shape(
    client: TestClient, method: str, path: str, status: int
) -> None:
    r = client.request(method, path)
    assert r.status_code == status
    _shape(r.json())


def test_unexpected_errors_are_500_in_the_shape(engine: FakeEngine) -> None:
    engine.store.fail_reads = True
    with TestClient(make_client(engine).app, raise_server_exceptions=False) as c:
        r = c.get("/batches")
        assert r.status_code == 500
        _shape(r.json())
        assert "database is gone" not in r.text


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_api_key_required_everywhere_but_health(engine: FakeEngine, method: str, path: str) -> None:
    with make_client(engine, API_KEY="s3cret") as c:
        for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": "s3cret "}):
            r = c.request(method, path, headers=headers)
            assert r.status_code == 401, (path, headers)
            _shape(r.json())
        assert c.get("/health").status_code == 200
        ok = c.request(method, path, headers={"x-api-key": "s3cret"})
        assert ok.status_code != 401


def test_api_key_accepts_batch(engine: FakeEngine) -> None:
    with make_client(engine, API_KEY="s3cret") as c:
        r = c.post("/classify/batch", json=seed_payload(2), headers={"x-api-key": "s3cret"})
        assert r.status_code == 202


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["service"] == "indiclass"
    assert body["timestamp"].endswith("Z") and body["database"]["ok"] is True
    assert body["queue"] == {"open_batches": 0, "concurrency": 20}
    client.post("/classify/batch", json=seed_payload(2))
    assert client.get("/health").json()["queue"]["open_batches"] == 1


def test_health_reports_a_broken_database(engine: FakeEngine) -> None:
    engine.store.fail_reads = True
    with make_client(engine) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["database"]["ok"] is False


def test_metrics_prometheus_text(client: TestClient, engine: FakeEngine) -> None:
    trace = client.post("/classify/batch", json=seed_payload(4)).json()["trace_id"]
    engine.process(trace, count=3, fail=["IND-3"])
    r = client.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert 'indiclass_indicators{status="completed"} 2' in lines
    assert 'indiclass_indicators{status="failed"} 1' in lines
    assert 'indiclass_indicators{status="pending"} 1' in lines
    assert 'indiclass_stage_duration_ms_count{stage="normalize"} 2' in lines
    assert 'indiclass_stage_failures_total{stage="normalize"} 1' in lines
    assert "# TYPE indiclass_llm_tokens_total counter" in lines
    assert any(line.startswith("indiclass_queue_depth ") for line in lines)


def test_classifications_filters_and_detail(client: TestClient, engine: FakeEngine) -> None:
    t1 = client.post("/classify/batch", json=seed_payload(3)).json()["trace_id"]
    t2 = client.post("/classify/batch", json=seed_payload(2, start=10)).json()["trace_id"]
    engine.process(t1)
    engine.process(t2)
    rows = client.get("/classifications").json()["classifications"]
    assert len(rows) == 5
    assert len(client.get(f"/classifications?batch={t2}").json()["classifications"]) == 2
    assert len(client.get("/classifications?limit=2&offset=4").json()["classifications"]) == 1
    family = rows[0]["family"]
    filtered = client.get(f"/classifications?family={family}").json()["classifications"]
    assert filtered and all(r["family"] == family for r in filtered)
    assert client.get("/classifications?provider=openai").json()["count"] == 0
    detail = client.get("/classifications/IND-1").json()
    assert detail["classification"]["indicator_id"] == "IND-1"
    assert set(detail) == {"indicator_id", "classification", "stages", "llm_calls"}


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/classify/batch", "/batches/{trace_id}", "/health", "/metrics"} <= set(spec["paths"])
    scheme = spec["components"]["securitySchemes"]["APIKeyHeader"]
    assert scheme["name"] == "x-api-key" and scheme["in"] == "header"
    assert "security" not in spec["paths"]["/health"]["get"]
    assert spec["paths"]["/batches"]["get"]["security"] == [{"APIKeyHeader": []}]
    declared = spec["paths"]["/classify/batch"]["post"]["responses"]["422"]
    assert declared["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
