"""Scale-out: an API-only server and two `indiclass worker` processes on one PostgreSQL."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from e2e_support import (
    INDICLASS,
    Server,
    cli_env,
    free_port,
    seed_payload,
    wait_batch,
    wait_healthy,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]
PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def pg_url() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    name = f"indiclass_e2e_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield f"{PG}/{name}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_api_without_worker_and_two_workers(tmp_path: Path, pg_url: str) -> None:
    env = cli_env(tmp_path, DATABASE_URL=pg_url)
    port = free_port()
    log = tmp_path / "api.log"
    procs = [
        subprocess.Popen(
            [*INDICLASS, "serve", "--no-worker", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
    ]
    for worker in ("w1", "w2"):
        procs.append(
            subprocess.Popen(
                [*INDICLASS, "worker", "--worker-id", worker],
                cwd=tmp_path,
                env=env,
                stdout=(tmp_path / f"{worker}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    server = Server(f"http://127.0.0.1:{port}", tmp_path / "unused.db", env, log)
    try:
        wait_healthy(server, procs[0])
        with server.client() as client, ThreadPoolExecutor(4) as pool:
            replies = list(
                pool.map(
                    lambda k: client.post("/classify/batch", json=seed_payload(500 + 5 * k)),
                    range(4),
                )
            )
            assert [r.status_code for r in replies] == [202] * 4
            batches = [wait_batch(client, r.json()["trace_id"]) for r in replies]
            assert all(b["status"] == "completed" for b in batches)
            health = client.get("/health").json()
            assert health["database"] == {"ok": True, "kind": "postgresql"}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    import psycopg

    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT indicator_id, COUNT(*) FROM classifications GROUP BY indicator_id"
        ).fetchall()
    assert len(rows) == 20 and all(n == 1 for _, n in rows)
