"""The browser tests' world: a real ``indiclass serve`` on 127.0.0.1 (uvicorn, embedded
engine, console at /), the project's fake LLM server behind ``LLM_PROVIDER=local``, and
Debian's Chromium (``/usr/bin/chromium``) driven by Playwright. Never a downloaded browser."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INDICLASS = [sys.executable, "-c", "from indiclass.cli import main; main()"]
SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports of Goods", "USD Million", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("Unemployment Rate", "%", "Monthly"),
    ("10-Year Government Bond Yield", "%", "Daily"),
    ("Crude Oil Production", "Thousand Barrels per Day", "Monthly"),
    ("Retail Sales MoM", "%", "Monthly"),
    ("Consumer Confidence", "Points", "Monthly"),
]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found: apt-get install -y chromium (Debian's package)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed: pip install -e '.[browser]'"
    return None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)


@dataclass
class Console:
    url: str
    db: Path
    env: dict[str, str]
    log: Path
    api_key: str | None = None
    requests: list[str] = field(default_factory=list)

    def client(self) -> httpx.Client:
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """The seed's way to look: sqlite3 on the results file."""
        with sqlite3.connect(self.db) as conn:
            return conn.execute(query, params).fetchall()

    def watch(self, page: Any) -> Any:
        """Record every request the page makes (checked: none leaves 127.0.0.1)."""
        page.on("request", lambda request: self.requests.append(request.url))
        return page

    def foreign_requests(self) -> list[str]:
        local = ("http://127.0.0.1:", "data:", "about:", "blob:http://127.0.0.1:")
        return [u for u in self.requests if not u.startswith(local)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def indicator_rows(prefix: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{k}",
            "name": SHAPES[k % len(SHAPES)][0],
            "units": SHAPES[k % len(SHAPES)][1],
            "periodicity": SHAPES[k % len(SHAPES)][2],
            "sample_values": [
                {"date": f"2024-{m:02d}-01", "value": round(100 + k + 3 * m + (m % 4) * 2.5, 2)}
                for m in range(1, 13)
            ],
        }
        for k in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@contextmanager
def running_console(workdir: Path, llm_url: str | None, **extra: str) -> Iterator[Console]:
    """``indiclass serve`` on a free port of 127.0.0.1 with its own results database."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("API_KEY", "DATABASE_URL")}
    env.update(
        CLASSIFY_DB_LOCAL_DEV=str(workdir / "data" / "results.db"),
        LLM_CACHE="false",
        INTERNAL_EMIT_DELAY_MS="0",
        OPENAI_API_KEY="",
        ANTHROPIC_API_KEY="",
    )
    if llm_url:
        env.update(
            LLM_PROVIDER="local",
            LM_STUDIO_URL=llm_url,
            LM_STUDIO_MODEL="fake-local",
            LOCAL_STRUCTURED_OUTPUT="json_object",
            LLM_RETRY_BASE_S="0.01",
        )
    env.update(extra)
    log = workdir / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*INDICLASS, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    console = Console(
        f"http://127.0.0.1:{port}",
        Path(env["CLASSIFY_DB_LOCAL_DEV"]),
        env,
        log,
        extra.get("API_KEY"),
    )
    try:
        _wait_healthy(console, proc)
        yield console
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(console: Console, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}:\n{console.log.read_text()}")
        try:
            if httpx.get(f"{console.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after 60 s:\n{console.log.read_text()}")
