"""Webhooks (issue #16): a real HTTP receiver on 127.0.0.1 gets exactly one signed call per
batch — completed or cancelled, after a 500 retried with backoff, and when the worker is killed
-9 between the batch's completion and the call (in a subprocess, then restarted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from engine_helpers import ScriptedProvider, indicators

from indiclass.engine import Engine
from indiclass.engine.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify

HERE = Path(__file__).parent
SECRET = "test-secret"


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 recording every POST; answers ``statuses`` in turn, then
    204."""

    statuses: list[int] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def wait(self, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.calls) < n:
            assert time.monotonic() < deadline, f"{len(self.calls)} of {n} calls arrived"
            time.sleep(0.02)

    def bodies(self) -> list[dict]:
        return [json.loads(c["body"]) for c in self.calls]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture
def hooks_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"INDICLASS_WEBHOOK_SECRET": SECRET, "INDICLASS_WEBHOOK_BACKOFF_S": "0.05"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def _signed(call: dict) -> bool:
    return verify(call["body"], SECRET, call["headers"].get(SIGNATURE_HEADER))


def _delivered(engine: Engine, trace_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        rows = engine.store.webhook_deliveries(trace_id)  # type: ignore[attr-defined]
        if rows and rows[0]["status"] != "pending":
            [row] = rows
            return row
        assert time.monotonic() < deadline, f"delivery still pending: {rows}"
        time.sleep(0.02)


def test_a_closed_batch_posts_one_signed_summary(
    start_engine: Callable[..., Engine], receiver: Receiver, hooks_env: dict[str, str]
) -> None:
    engine = start_engine()
    config = engine.resolve("rules").model_copy(update={"callback_url": receiver.url})
    trace_id = engine.submit(indicators("c", 4), config=config)
    stats = engine.wait(trace_id, timeout=60)
    receiver.wait(1)
    row = _delivered(engine, trace_id)
    time.sleep(0.3)  # nothing more arrives
    [call] = receiver.calls
    assert _signed(call)
    assert call["headers"][DELIVERY_HEADER] == row["delivery_id"]
    assert call["headers"][EVENT_HEADER] == "batch.closed"
    body = json.loads(call["body"])
    assert (body["batch_id"], body["status"], body["successful_indicators"]) == (
        trace_id,
        "completed",
        4,
    )
    assert body["avg_confidence"] == stats.avg_confidence
    assert (row["status"], row["attempts"], row["http_status"]) == ("delivered", 1, 204)


def test_a_cancelled_batch_posts_once_and_a_batch_without_callback_never(
    start_engine: Callable[..., Engine], receiver: Receiver, hooks_env: dict[str, str]
) -> None:
    slow = ScriptedProvider(delay_s=0.2)
    engine = start_engine(factory=slow.factory, chunk_size=2, concurrency=2)
    config = engine.resolve("scripted", strategy="llm")
    hooked = config.model_copy(update={"callback_url": receiver.url})
    trace_id = engine.submit(indicators("x", 8), config=hooked)
    plain = engine.submit(indicators("p", 2), provider="rules")
    time.sleep(0.3)
    engine.cancel(trace_id)
    engine.wait(plain, timeout=60)
    receiver.wait(1)
    _delivered(engine, trace_id)
    time.sleep(1.0)  # the chunks that see the cancel close the batch again: no second call
    [body] = receiver.bodies()
    assert (body["batch_id"], body["status"]) == (trace_id, "cancelled")
    assert engine.store.webhook_deliveries(plain) == []  # type: ignore[attr-defined]


def test_a_failing_receiver_is_retried_with_backoff_then_delivered(
    start_engine: Callable[..., Engine], receiver: Receiver, hooks_env: dict[str, str]
) -> None:
    receiver.statuses = [500, 503]
    engine = start_engine()
    config = engine.resolve("rules").model_copy(update={"callback_url": receiver.url})
    trace_id = engine.submit(indicators("r", 1), config=config)
    receiver.wait(3)
    row = _delivered(engine, trace_id)
    assert (row["status"], row["attempts"], row["http_status"]) == ("delivered", 3, 204)
    delivery = {c["headers"][DELIVERY_HEADER] for c in receiver.calls}
    assert delivery == {row["delivery_id"]} and all(_signed(c) for c in receiver.calls)
    assert len({c["body"] for c in receiver.calls}) == 1  # every retry sends the same bytes


def test_a_receiver_that_keeps_failing_is_given_up_with_the_reason(
    start_engine: Callable[..., Engine],
    receiver: Receiver,
    hooks_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INDICLASS_WEBHOOK_ATTEMPTS", "2")
    receiver.statuses = [500, 500, 500]
    engine = start_engine()
    config = engine.resolve("rules").model_copy(update={"callback_url": receiver.url})
    trace_id = engine.submit(indicators("g", 1), config=config)
    row = _delivered(engine, trace_id)
    assert (row["status"], row["attempts"], row["http_status"]) == ("failed", 2, 500)
    assert "HTTP 500" in row["error"] and "after 2 attempts" in row["error"]
    refused = Receiver(statuses=[404]).start()  # a 4xx is an answer: not retried
    try:
        config = config.model_copy(update={"callback_url": refused.url})
        trace_id = engine.submit(indicators("g4", 1), config=config)
        row = _delivered(engine, trace_id)
        assert (row["status"], row["attempts"], len(refused.calls)) == ("failed", 1, 1)
    finally:
        refused.stop()


def test_a_host_not_allowed_is_never_called(
    start_engine: Callable[..., Engine], hooks_env: dict[str, str]
) -> None:
    engine = start_engine()
    url = "http://192.0.2.1:9/hook"  # TEST-NET-1: not loopback, not allowed
    config = engine.resolve("rules").model_copy(update={"callback_url": url})
    trace_id = engine.submit(indicators("n", 1), config=config)
    row = _delivered(engine, trace_id)
    assert row["status"] == "failed" and "neither loopback" in row["error"]
    assert row["attempts"] == 0


@pytest.mark.parametrize("kill", ["kill-before-start", "kill-in-step"])
def test_killed_between_completion_and_the_call_delivers_exactly_once_after_restart(
    kill: str,
    db_env: dict[str, str],
    receiver: Receiver,
    hooks_env: dict[str, str],
    tmp_path: Path,
) -> None:
    env = {**os.environ, **db_env, **hooks_env, "PYTHONPATH": str(HERE), "LLM_CACHE": "false"}
    runner = [sys.executable, str(HERE / "webhook_runner.py")]
    trace_id = f"hook-{kill}"
    first = subprocess.run(
        [*runner, kill, trace_id, receiver.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == -9, first.stderr[-2000:]
    assert receiver.calls == []  # killed before any request left
    again = subprocess.run(
        [*runner, "restart", trace_id, receiver.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    [row] = json.loads(again.stdout.strip().splitlines()[-1])
    assert row["status"] == "delivered"
    time.sleep(0.5)
    [call] = receiver.calls
    assert _signed(call) and call["headers"][DELIVERY_HEADER] == row["delivery_id"]
    body = json.loads(call["body"])
    assert (body["batch_id"], body["status"], body["successful_indicators"]) == (
        trace_id,
        "completed",
        3,
    )
