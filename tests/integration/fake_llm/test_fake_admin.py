"""``indiclass fake-llm`` with batch and caching options, as a separate process, and the admin
routes that change batch settings and reset state."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import anthropic
import httpx
import pytest
from batch_helpers import message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cli_server():
    port = free_port()
    cmd = [sys.executable, "-c", "from indiclass.cli import main; main()", "fake-llm"]
    options = ["--port", str(port), "--batch-expire-rate", "0.5", "--cache-min-tokens", "per-model"]
    proc = subprocess.Popen([*cmd, *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/_admin/stats", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_command_serves_batches_with_its_settings(cli_server):
    assert httpx.get(f"{cli_server}/_admin/batches").json()["settings"]["expire_rate"] == 0.5
    claude = anthropic.Anthropic(base_url=cli_server, api_key="k", max_retries=0)
    requests = [{"custom_id": f"q{k}", "params": message()} for k in range(4)]
    batch = claude.messages.batches.create(requests=requests)
    assert claude.messages.batches.retrieve(batch.id).request_counts.expired == 2


def test_admin_routes_change_batch_settings_and_reset_keeps_batches_if_asked(cli_server):
    changed = httpx.post(f"{cli_server}/_admin/batches", json={"expire_rate": 0, "shuffle": True})
    assert changed.json()["settings"] == {
        "delay_s": 0.0,
        "error_rate": 0.0,
        "expire_rate": 0,
        "shuffle": True,
        "seed": 0,
    }
    assert httpx.post(f"{cli_server}/_admin/batches", json={"error_rate": 2}).status_code == 400
    assert httpx.post(f"{cli_server}/_admin/batches", json={"nope": 1}).status_code == 400
    claude = anthropic.Anthropic(base_url=cli_server, api_key="k", max_retries=0)
    batch = claude.messages.batches.create(requests=[{"custom_id": "a", "params": message()}])
    httpx.post(f"{cli_server}/_admin/reset", json={"forget_batches": False})
    assert claude.messages.batches.retrieve(batch.id).request_counts.succeeded == 1
    assert httpx.get(f"{cli_server}/_admin/stats").json()["batches"]["created"] == {}
    httpx.post(f"{cli_server}/_admin/reset", json={})
    with pytest.raises(anthropic.NotFoundError):
        claude.messages.batches.retrieve(batch.id)


@pytest.mark.parametrize("option", [["--batch-error-rate", "2"], ["--cache-min-tokens", "lots"]])
def test_bad_options_are_refused(option):
    cmd = [sys.executable, "-c", "from indiclass.cli import main; main()", "fake-llm", *option]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Invalid value" in done.stderr
