"""Start the real server (``indiclass serve``: uvicorn + embedded engine) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

INDICLASS = [sys.executable, "-c", "from indiclass.cli import main; main()"]


@dataclass
class Server:
    url: str
    db: Path
    env: dict[str, str]
    log: Path

    def client(self, api_key: str | None = None) -> httpx.Client:
        headers = {"x-api-key": api_key} if api_key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "API_KEY",
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "DATABASE_URL",
            "INDICLASS_DATABASE_URL",
            "LLM_PROVIDER",
        )
    }
    env.update(
        {
            "CLASSIFY_DB_LOCAL_DEV": str(workdir / "data" / "results.db"),
            "INTERNAL_EMIT_DELAY_MS": "0",
            "COLUMNS": "200",
            **extra,
        }
    )
    return env


@contextmanager
def running_server(workdir: Path, **extra_env: str) -> Iterator[Server]:
    port, env = free_port(), cli_env(workdir, **extra_env)
    log = workdir / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*INDICLASS, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", Path(env["CLASSIFY_DB_LOCAL_DEV"]), env, log)
    try:
        wait_healthy(server, proc)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_healthy(server: Server, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}:\n{server.log.read_text()}")
        try:
            if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after 60s:\n{server.log.read_text()}")


def run_cli(
    server_or_dir: Server | Path, *args: str, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    if isinstance(server_or_dir, Server):
        workdir, env = server_or_dir.db.parent.parent, {**server_or_dir.env, **extra_env}
    else:
        workdir, env = server_or_dir, cli_env(server_or_dir, **extra_env)
    return subprocess.run(
        [*INDICLASS, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=180
    )


def seed_sql(db: Path, query: str) -> list[tuple[Any, ...]]:
    """Run one of the seed's monitoring queries, with the sqlite3 CLI when it is installed."""
    if shutil.which("sqlite3"):
        out = subprocess.run(
            ["sqlite3", "-separator", "\t", str(db), query],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [tuple(line.split("\t")) for line in out.splitlines()]
    with sqlite3.connect(db) as conn:
        return [
            tuple("" if v is None else str(v) for v in row)
            for row in conn.execute(query).fetchall()
        ]


def seed_payload(start: int, n: int = 5, provider: str = "rules") -> dict[str, Any]:
    """What the seed's scripts post: ``{indicators: [...], llm_provider}``."""
    rows = [
        {
            "id": "E2E-GDP-YOY",
            "name": "GDP Annual Growth Rate",
            "units": "%",
            "periodicity": "Quarterly",
            "source_name": "Statistics Office",
        },
        {
            "id": "E2E-CPI",
            "name": "Consumer Price Index",
            "units": "Index 2015=100",
            "periodicity": "Monthly",
        },
        {
            "id": "E2E-TRADE",
            "name": "Balance of Trade",
            "units": "USD Billion",
            "periodicity": "Monthly",
            "currency_code": "USD",
            "scale": "billions",
        },
        {"id": "E2E-UNEMP", "name": "Unemployment Rate", "units": "%", "periodicity": "Monthly"},
        {
            "id": "E2E-OIL",
            "name": "Crude Oil Price",
            "units": "Dollars per Barrel",
            "periodicity": "Daily",
        },
    ]
    picked = [
        {**rows[k % len(rows)], "id": f"{rows[k % len(rows)]['id']}-{k}"}
        for k in range(start, start + n)
    ]
    return {"indicators": picked, "llm_provider": provider}


def wait_batch(client: httpx.Client, trace_id: str, timeout_s: float = 120) -> dict[str, Any]:
    """Poll GET /batches/{trace_id} until the engine says the batch is done."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        batch: dict[str, Any] = client.get(f"/batches/{trace_id}").json()
        if batch["done"]:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {trace_id} not done in {timeout_s}s")


@contextmanager
def running_fake_llm(workdir: Path, latency_ms: int = 0, port: int | None = None) -> Iterator[str]:
    """``indiclass fake-llm`` on ``port`` (default a free one); yields its OpenAI base URL."""
    port = port or free_port()
    proc = subprocess.Popen(
        [*INDICLASS, "fake-llm", "--port", str(port), "--latency-ms", str(latency_ms)],
        cwd=workdir,
        env=cli_env(workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
