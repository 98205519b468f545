"""The seed's workflow against the real server: uvicorn + embedded engine on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from e2e_support import Server, run_cli, running_server, seed_payload, seed_sql, wait_batch
from typer.testing import CliRunner

from indiclass.cli import app

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("e2e-server"), INDICLASS_MAX_BATCH_SIZE="10") as s:
        yield s


def test_four_concurrent_batches_of_five(server: Server) -> None:
    with server.client() as client, ThreadPoolExecutor(4) as pool:
        replies = list(
            pool.map(
                lambda k: client.post("/classify/batch", json=seed_payload(100 + 5 * k)), range(4)
            )
        )
        assert [r.status_code for r in replies] == [202] * 4
        traces = [r.json()["trace_id"] for r in replies]
        assert len(set(traces)) == 4 and all(r.json()["count"] == 5 for r in replies)
        batches = [wait_batch(client, t) for t in traces]
    assert all(b["status"] == "completed" and b["progress"]["completed"] == 5 for b in batches)
    assert all(b["stages"]["normalize"]["completed"] == 5 for b in batches)
    # The seed's own monitoring queries (BATCHING.md "Monitoring").
    recent = seed_sql(
        server.db, "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC LIMIT 10;"
    )
    assert {row[1] for row in recent} >= set(traces)
    for trace in traces:
        (row,) = seed_sql(server.db, f"SELECT * FROM pipeline_stats WHERE batch_id = '{trace}';")
        assert row[1] == trace and row[4:7] == ("5", "5", "0")  # total, successful, failed
    ids = {i["id"] for k in range(4) for i in seed_payload(100 + 5 * k)["indicators"]}
    found = seed_sql(server.db, "SELECT indicator_id FROM classifications;")
    assert ids <= {r[0] for r in found}
    (count,) = seed_sql(server.db, "SELECT COUNT(*) FROM classifications;")
    assert int(count[0]) >= 20
    with server.client() as client:
        detail = client.get("/classifications/E2E-TRADE-102").json()
    assert detail["classification"]["indicator_id"] == "E2E-TRADE-102"
    assert {"normalize", "family", "type"} <= set(detail["stages"])


def test_cli_run_against_the_server(server: Server) -> None:
    seeded = run_cli(server, "seed")
    assert seeded.returncode == 0, seeded.stderr
    done = run_cli(
        server, "run", "random", "-12", "rules", "--api", server.url, "--log-format", "seed"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "📋 Group 1/1: Starting 3 concurrent batches..." in lines
    assert "   📦 Batch 1/3: Submitting indicators 1-5..." in lines
    assert "   📦 Batch 3/3: Submitting indicators 11-12..." in lines
    assert "   ✅ Group 1 batches submitted! (12 indicators queued)" in lines
    assert "   ⏳ Waiting for 12 indicators to complete..." in lines
    assert "   ✅ Group 1 completed! (12 indicators done)" in lines
    assert any(line.startswith("   Progress: 12/12 (100%) - ") for line in lines)
    traces = [line.split("(trace: ")[1].rstrip(")") for line in lines if "accepted (trace:" in line]
    assert len(traces) == 3
    with server.client() as client:
        for trace in traces:
            assert client.get(f"/batches/{trace}").json()["status"] == "completed"


def test_sse_stream_delivers_progress(server: Server) -> None:
    with server.client() as client:
        trace = client.post("/classify/batch", json=seed_payload(300, n=5)).json()["trace_id"]
        events: list[tuple[str, dict]] = []
        with client.stream("GET", f"/batches/{trace}/events?interval_ms=100") as r:
            kind = ""
            for line in r.iter_lines():
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.append((kind, json.loads(line.removeprefix("data: "))))
    assert events[0][0] == "progress" and events[-1][0] == "done"
    assert events[-1][1]["progress"]["completed"] == 5
    counts = [e[1]["progress"]["completed"] for e in events if e[0] == "progress"]
    assert counts == sorted(counts)


def test_malformed_bodies_store_nothing(server: Server) -> None:
    tables = (
        "source_indicators",
        "pipeline_stats",
        "batch_items",
        "classifications",
        "processing_log",
    )
    before = {t: seed_sql(server.db, f"SELECT COUNT(*) FROM {t};") for t in tables}
    good = seed_payload(900, n=2)
    dupes = seed_payload(900, n=3)
    dupes["indicators"][2]["id"] = dupes["indicators"][0]["id"]
    missing_name = seed_payload(900, n=2)
    del missing_name["indicators"][1]["name"]
    bodies = [
        {"indicators": [{"id": "BAD-1", "name": ["not", "text"]}], "llm_provider": "rules"},
        missing_name,
        seed_payload(900, n=11),
        dupes,
        {**good, "llm_provider": "nope"},
        {"indicators": 5},
        {**good, "indicators": [*good["indicators"], "text"]},
    ]
    with server.client() as client:
        for body in bodies:
            r = client.post("/classify/batch", json=body)
            assert r.status_code == 422, r.text
            assert set(r.json()["error"]) == {"code", "message", "details"}
        r = client.post("/classify/batch", json=seed_payload(900, n=11))
        assert r.json()["error"]["details"] == {"count": 11, "limit": 10}
    after = {t: seed_sql(server.db, f"SELECT COUNT(*) FROM {t};") for t in tables}
    assert after == before
    assert not seed_sql(
        server.db,
        "SELECT * FROM source_indicators WHERE indicator_id "
        "LIKE 'E2E-%-90_' OR indicator_id LIKE 'E2E-%-91_' "
        "OR indicator_id = 'BAD-1';",
    )


def test_api_key_enforced(tmp_path: Path) -> None:
    with running_server(tmp_path, API_KEY="e2e-key") as server:
        assert httpx.get(server.url + "/health").status_code == 200
        for path in ("/batches", "/metrics", "/classifications"):
            assert httpx.get(server.url + path).status_code == 401
        r = httpx.post(
            server.url + "/classify/batch",
            json=seed_payload(0, n=1),
            headers={"x-api-key": "wrong"},
        )
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        runner, env = CliRunner(), {"CLASSIFY_DB_LOCAL_DEV": str(server.db)}
        assert runner.invoke(app, ["seed"], env=env).exit_code == 0
        seed_lines = ["--log-format", "seed"]
        refused = runner.invoke(
            app,
            ["run", "random", "-5", "--api", server.url, *seed_lines],
            env={**env, "API_KEY": "bad"},
        )
        assert "❌ Batch 1 failed" in refused.stdout and "401" in refused.stdout
        assert refused.exit_code == 1
        ok = runner.invoke(
            app,
            ["run", "random", "-5", "--api", server.url, *seed_lines],
            env={**env, "API_KEY": "e2e-key"},
        )
        assert ok.exit_code == 0, ok.output
        assert "✅ Group 1 completed! (5 indicators done)" in ok.stdout
        metrics = httpx.get(server.url + "/metrics", headers={"x-api-key": "e2e-key"})
        assert 'indiclass_indicators{status="completed"} 5' in metrics.text.splitlines()
