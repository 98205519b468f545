"""Batch submission, listing, progress and the SSE stream, on the engine test double."""

from __future__ import annotations

import json

from api_fakes import FakeEngine, make_client, seed_payload
from fastapi.testclient import TestClient


def test_submit_returns_202_with_trace_id(client: TestClient, engine: FakeEngine) -> None:
    r = client.post("/classify/batch", json=seed_payload(5))
    assert r.status_code == 202
    body = r.json()
    assert body["count"] == 5 and body["trace_id"] and "accepted" in body["message"].lower()
    assert engine.submits == [
        {
            "trace_id": body["trace_id"],
            "provider": "rules",
            "strategy": None,
            "model": None,
            "force": False,
            "count": 5,
        }
    ]


def test_options_are_passed_to_the_engine(client: TestClient, engine: FakeEngine) -> None:
    payload = {
        **seed_payload(2),
        "llm_provider": "openai",
        "strategy": "hybrid",
        "model": "gpt-4o-mini",
        "trace_id": "my-trace.1",
    }
    r = client.post("/classify/batch", json=payload)
    assert r.status_code == 202 and r.json()["trace_id"] == "my-trace.1"
    assert engine.submits[0] | {"count": 2} == {
        "trace_id": "my-trace.1",
        "provider": "openai",
        "strategy": "hybrid",
        "model": "gpt-4o-mini",
        "force": False,
        "count": 2,
    }


def test_provider_defaults_to_settings(engine: FakeEngine) -> None:

    with make_client(engine, LLM_PROVIDER="anthropic") as c:
        payload = seed_payload(1)
        del payload["llm_provider"]
        assert c.post("/classify/batch", json=payload).status_code == 202
    assert engine.submits[0]["provider"] == "anthropic"


def test_batch_progress_and_listing(client: TestClient, engine: FakeEngine) -> None:
    trace = client.post("/classify/batch", json=seed_payload(5)).json()["trace_id"]
    first = client.get(f"/batches/{trace}").json()
    assert first["status"] == "queued" and first["progress"]["pending"] == 5
    engine.process(trace, count=2)
    mid = client.get(f"/batches/{trace}").json()
    assert mid["status"] == "running" and mid["progress"]["completed"] == 2
    assert mid["progress"]["percent"] == 40.0
    engine.process(trace, fail=["IND-5"])
    done = client.get(f"/batches/{trace}").json()
    assert done["done"] and done["status"] == "completed_with_errors"
    assert {i["indicator_id"]: i["status"] for i in done["items"]}["IND-5"] == "failed"
    assert set(done) >= {"timings", "tokens", "cost_usd", "llm_calls", "stages"}
    assert done["stages"]["normalize"] == {
        "started": 0,
        "completed": 4,
        "failed": 1,
        "avg_duration_ms": 2.0,
    }
    listing = client.get("/batches").json()
    assert [b["trace_id"] for b in listing["batches"]] == [trace]


def test_unknown_batch_is_404_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/batches/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "batch_not_found"


def test_sse_stream_delivers_progress_then_done(client: TestClient, engine: FakeEngine) -> None:
    trace = client.post("/classify/batch", json=seed_payload(3)).json()["trace_id"]
    engine.process(trace, count=1)
    events = []
    with client.stream("GET", f"/batches/{trace}/events?interval_ms=50") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                events.append([line.removeprefix("event: ")])
            elif line.startswith("data: "):
                events[-1].append(json.loads(line.removeprefix("data: ")))
                if events[-1][0] == "progress" and len(events) == 1:
                    engine.process(trace)  # finish while the client listens
    kinds = [e[0] for e in events]
    assert kinds[0] == "progress" and kinds[-1] == "done"
    assert events[0][1]["progress"]["completed"] == 1
    assert events[-1][1]["progress"]["completed"] == 3


def test_sse_for_unknown_batch_is_404(client: TestClient) -> None:
    assert client.get("/batches/missing/events").status_code == 404
