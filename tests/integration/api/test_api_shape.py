"""One error shape everywhere, the API key, health, metrics, classifications and the docs, on
the real engine and store."""

from __future__ import annotations

import re

import pytest
from api_support import World, error_shape, seed_payload, unique
from fastapi.testclient import TestClient

from indiclass.api import create_app
from indiclass.api.auth import keys_match
from indiclass.domain.errors import ConfigError
from indiclass.domain.models import Indicator
from indiclass.testing.batches import stored_batch

GUARDED = [
    ("GET", "/batches"),
    ("GET", "/batches/x"),
    ("GET", "/batches/x/events"),
    ("DELETE", "/batches/x"),
    ("GET", "/classifications"),
    ("GET", "/classifications/x"),
    ("GET", "/classifications/x/overrides"),
    ("POST", "/classifications/x/overrides"),
    ("GET", "/metrics"),
    ("POST", "/classify/batch"),
]


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
    error_shape(r.json())


def test_unexpected_errors_are_500_in_the_shape_without_details(world: World) -> None:
    app = create_app(world.settings(), engine=world.engine)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert error_shape(r.json())["code"] == "internal_error"
    assert "secret internals" not in r.text


def test_a_broken_database_is_503_in_the_shape(client: TestClient, world: World) -> None:
    db = world.engine.store.db  # type: ignore[attr-defined]
    db.write(lambda cur: cur.execute("ALTER TABLE pipeline_stats RENAME TO pipeline_stats_gone"))
    try:
        r = client.get("/batches")
        assert r.status_code == 503 and error_shape(r.json())["code"] == "unavailable"
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["database"]["ok"] is False
    finally:
        db.write(
            lambda cur: cur.execute("ALTER TABLE pipeline_stats_gone RENAME TO pipeline_stats")
        )


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_api_key_required_everywhere_but_health(world: World, method: str, path: str) -> None:
    with world.client(API_KEY="s3cret") as c:
        for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": "s3cret "}, {"x-api-key": "s"}):
            r = c.request(method, path, headers=headers)
            assert r.status_code == 401, (path, headers)
            assert error_shape(r.json())["code"] == "unauthorized"
        assert c.get("/health").status_code == 200
        ok = c.request(method, path, headers={"x-api-key": "s3cret"})
        assert ok.status_code != 401


def test_api_key_accepts_a_batch(world: World) -> None:
    with world.client(API_KEY="s3cret") as c:
        r = c.post("/classify/batch", json=seed_payload(2), headers={"x-api-key": "s3cret"})
    assert r.status_code == 202


def test_an_empty_api_key_is_refused_at_start_up(world: World) -> None:
    for blank in ("", "  "):
        with pytest.raises(ConfigError, match="API_KEY is set but empty"):
            create_app(world.settings(API_KEY=blank), engine=world.engine)


def test_key_comparison_is_constant_time_over_digests() -> None:
    """Digests of equal length are compared (hmac.compare_digest), so neither the position
    of the first difference nor the key's length shows in the time taken."""
    assert keys_match("s3cret", "s3cret")
    for wrong in ("", "s", "s3cre", "s3cret ", "S3CRET", "s3cret" * 100, "sécret"):
        assert not keys_match(wrong, "s3cret")
    assert not keys_match(None, "s3cret")


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["service"] == "indiclass"
    assert body["timestamp"].endswith("Z") and body["database"] == {"ok": True, "kind": "sqlite"}
    assert set(body["queue"]) == {"open_batches", "concurrency"}


def test_metrics_prometheus_text(client: TestClient, world: World) -> None:
    trace = client.post("/classify/batch", json=seed_payload(4)).json()["trace_id"]
    world.engine.wait(trace, timeout=60)
    r = client.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    batches = world.engine.store.list_batches(limit=10_000)
    completed = sum(b.successful_indicators for b in batches)
    assert f'indiclass_indicators{{status="completed"}} {completed}' in lines
    assert "# TYPE indiclass_llm_tokens_total counter" in lines
    assert "# TYPE indiclass_stage_failures_total counter" in lines
    assert any(line.startswith("indiclass_queue_depth ") for line in lines)


def test_classifications_filters_and_detail(client: TestClient, world: World) -> None:
    store = world.engine.store
    prefix = unique("Q")
    shapes = [
        ("GDP Growth Rate", "%"),
        ("Inflation Rate", "%"),
        ("Exports", "USD Million"),
        ("10-Year Bond Yield", "%"),
        ("Population", "Persons"),
    ]
    inds = [
        Indicator(indicator_id=f"{prefix}-{k}", name=n, units=u) for k, (n, u) in enumerate(shapes)
    ]
    t1 = stored_batch(store, inds[:3])
    t2 = stored_batch(store, inds[3:])
    assert client.get(f"/classifications?batch={t1}").json()["total"] == 3
    page = client.get(f"/classifications?batch={t2}&limit=1&offset=1").json()
    assert page["count"] == 1 and page["total"] == 2 and page["offset"] == 1
    family = store.get_classification(inds[0].indicator_id)["family"]
    rows = client.get(f"/classifications?family={family}&limit=1000").json()["classifications"]
    assert rows and all(r["family"] == family for r in rows)
    assert client.get(f"/classifications?batch={t1}&provider=openai").json()["count"] == 0
    detail = client.get(f"/classifications/{prefix}-0").json()
    assert detail["classification"]["indicator_id"] == f"{prefix}-0"
    assert set(detail) == {"indicator_id", "classification", "stages", "llm_calls", "overrides"}
    assert {"normalize", "family", "type"} <= set(detail["stages"])


def test_unknown_provider_is_422_with_a_hint(client: TestClient) -> None:
    r = client.post("/classify/batch", json={**seed_payload(1), "llm_provider": "openia"})
    assert r.status_code == 422
    error = error_shape(r.json())
    assert error["code"] == "unknown_provider" and "did you mean 'openai'" in error["message"]


def test_openapi_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/classify/batch", "/batches/{trace_id}", "/health", "/metrics"} <= set(spec["paths"])
    scheme = spec["components"]["securitySchemes"]["APIKeyHeader"]
    assert scheme["name"] == "x-api-key" and scheme["in"] == "header"
    assert "security" not in spec["paths"]["/health"]["get"]
    assert spec["paths"]["/batches"]["get"]["security"] == [{"APIKeyHeader": []}]
    declared = spec["paths"]["/classify/batch"]["post"]["responses"]["422"]
    assert declared["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_use_local_assets_only(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""", r.text)
    found = [u for pair in urls for u in pair if u]
    assert found, r.text
    assert not [u for u in found if re.match(r"^(https?:)?//", u)], found
    assert "googleapis" not in r.text and "jsdelivr" not in r.text
    for url in found:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url


def test_root_is_the_console_or_the_docs(world: World) -> None:
    with world.client() as c:
        home = c.get("/", follow_redirects=False)
    assert home.status_code == 200 and "indiclass console" in home.text
    app = create_app(world.settings(), engine=world.engine, console=False)
    with TestClient(app) as c:
        r = c.get("/", follow_redirects=False)
    assert r.status_code in (302, 307) and r.headers["location"] == "/docs"
