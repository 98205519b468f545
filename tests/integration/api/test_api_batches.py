"""Submitting batches, idempotency per trace_id, progress, the SSE stream and cancel, on the real
engine and store."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from api_support import World, error_shape, seed_payload, unique
from fastapi.testclient import TestClient

from indiclass.api import routes_batches
from indiclass.domain.store import BatchSpec
from indiclass.testing.batches import RULES_CONFIG, stored_batch


def _wait(world: World, trace: str) -> None:
    world.engine.wait(trace, timeout=60)


def test_submit_returns_202_and_the_batch_completes(client: TestClient, world: World) -> None:
    r = client.post("/classify/batch", json=seed_payload(5))
    assert r.status_code == 202, r.text
    body = r.json()
    assert set(body) == {"message", "count", "trace_id"}
    assert body["count"] == 5 and "accepted" in body["message"].lower()
    _wait(world, body["trace_id"])
    done = client.get(f"/batches/{body['trace_id']}").json()
    assert done["status"] == "completed" and done["progress"]["completed"] == 5
    assert done["progress"]["percent"] == 100.0 and done["done"] is True
    assert set(done) >= {"timings", "tokens", "cost_usd", "llm_calls", "stages", "items"}
    assert done["stages"]["normalize"]["completed"] == 5
    assert [i["status"] for i in done["items"]] == ["completed"] * 5


def test_options_reach_the_batch(client: TestClient, world: World) -> None:
    trace = unique("opts")
    payload = {
        **seed_payload(2),
        "llm_provider": "function",
        "strategy": "hybrid",
        "model": "function-9",
        "trace_id": trace,
    }
    r = client.post("/classify/batch", json=payload)
    assert r.status_code == 202 and r.json()["trace_id"] == trace
    _wait(world, trace)
    stats = world.engine.store.batch_stats(trace)
    assert (stats.provider, stats.model, stats.strategy) == ("function", "function-9", "hybrid")


def test_provider_defaults_to_settings(world: World) -> None:
    payload = seed_payload(1)
    del payload["llm_provider"]
    with world.client(LLM_PROVIDER="function") as c:
        r = c.post("/classify/batch", json=payload)
    assert r.status_code == 202
    assert world.engine.store.batch_stats(r.json()["trace_id"]).provider == "function"


def test_reposting_the_same_body_answers_the_original_202(client: TestClient) -> None:
    payload = {**seed_payload(3), "trace_id": unique("same")}
    first = client.post("/classify/batch", json=payload)
    again = client.post("/classify/batch", json=payload)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    other = {**seed_payload(2), "trace_id": payload["trace_id"]}
    conflict = client.post("/classify/batch", json=other)
    assert conflict.status_code == 409
    assert error_shape(conflict.json())["code"] == "trace_id_conflict"


def test_parallel_posts_of_one_trace_make_one_batch(client: TestClient, world: World) -> None:
    payload = {**seed_payload(4), "trace_id": unique("race")}
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: client.post("/classify/batch", json=payload), range(8)))
    assert [r.status_code for r in replies] == [202] * 8, [r.text for r in replies]
    assert {r.json()["trace_id"] for r in replies} == {payload["trace_id"]}
    assert {r.json()["count"] for r in replies} == {4}
    batches = world.engine.store.list_batches(limit=1000)
    assert [b.batch_id for b in batches].count(payload["trace_id"]) == 1
    _wait(world, payload["trace_id"])


def test_ndjson_upload(client: TestClient, world: World) -> None:
    rows = seed_payload(3)["indicators"]
    trace = unique("nd")
    body = "\n".join(json.dumps(r) for r in rows) + "\n"
    r = client.post(
        f"/classify/batch?llm_provider=rules&trace_id={trace}",
        content=body.encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert r.status_code == 202, r.text
    assert r.json()["count"] == 3 and r.json()["trace_id"] == trace
    _wait(world, trace)
    assert world.engine.store.batch_stats(trace).successful_indicators == 3


def test_failed_members_show_their_stage_and_reason(client: TestClient, world: World) -> None:
    from indiclass.domain.models import Indicator

    inds = [Indicator(indicator_id=unique("F"), name=n, units=u) for n, u in (("GDP", "USD"),) * 3]
    trace = stored_batch(
        world.engine.store, inds, failures={inds[1].indicator_id: ("family", "no family fits")}
    )
    view = client.get(f"/batches/{trace}").json()
    assert view["status"] == "degraded" and view["progress"]["failed"] == 1
    failed = [i for i in view["items"] if i["status"] == "failed"]
    assert failed == [
        {
            **failed[0],
            "indicator_id": inds[1].indicator_id,
            "stage": "family",
            "error": "no family fits",
        }
    ]
    listing = client.get("/batches?status=degraded").json()
    assert trace in [b["trace_id"] for b in listing["batches"]]


def test_unknown_batch_is_404_in_the_error_shape(client: TestClient) -> None:
    for path in ("/batches/nope", "/batches/nope/events"):
        r = client.get(path)
        assert r.status_code == 404
        assert error_shape(r.json())["code"] == "batch_not_found"
    assert client.delete("/batches/nope").status_code == 404


def _open_batch(world: World, n: int = 3) -> str:
    """A batch whose members wait (it was never dispatched): it stays open until cancelled."""
    from indiclass.domain.models import Indicator

    trace = unique("open")
    inds = [Indicator(indicator_id=f"{trace}-{k}", name=f"Exports {k}") for k in range(n)]
    world.engine.store.upsert_source_indicators(inds)
    world.engine.store.create_batch(
        BatchSpec(
            trace_id=trace,
            indicator_ids=tuple(i.indicator_id for i in inds),
            run_config=RULES_CONFIG,
            created_at=datetime.now(UTC),
        )
    )
    return trace


def test_delete_cancels_a_batch(client: TestClient, world: World) -> None:
    trace = _open_batch(world, 3)
    assert client.get(f"/batches/{trace}").json()["status"] == "running"
    r = client.delete(f"/batches/{trace}")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled" and r.json()["progress"]["cancelled"] == 3
    again = client.delete(f"/batches/{trace}")  # a closed batch is left as it is
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


def _events(lines) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    kind = ""
    for line in lines:
        if line.startswith(":"):
            out.append(("comment", line))
        elif line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            out.append((kind, json.loads(line.removeprefix("data: "))))
    return out


def test_sse_progress_then_done(client: TestClient, world: World) -> None:
    trace = client.post("/classify/batch", json=seed_payload(3)).json()["trace_id"]
    with client.stream("GET", f"/batches/{trace}/events?interval_ms=50") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [e for e in _events(r.iter_lines()) if e[0] != "comment"]
    assert events[0][0] == "progress" and events[-1][0] == "done"
    assert events[-1][1]["progress"]["completed"] == 3
    counts = [e[1]["progress"]["completed"] for e in events if e[0] == "progress"]
    assert counts == sorted(counts)


def test_sse_heartbeat_on_a_quiet_batch(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert routes_batches.HEARTBEAT_S <= 15.0
    monkeypatch.setattr(routes_batches, "HEARTBEAT_S", 0.1)
    trace = _open_batch(world, 2)
    seen: list[str] = []
    with client.stream("GET", f"/batches/{trace}/events?interval_ms=50") as r:
        for line in r.iter_lines():
            seen.append(line)
            if seen.count(": keepalive") == 2:
                threading.Thread(target=world.engine.cancel, args=(trace,)).start()
    events = _events(seen)
    assert events[0][0] == "progress"
    assert ("comment", ": keepalive") in events
    assert events[-1][0] == "done" and events[-1][1]["status"] == "cancelled"
