"""``indiclass fake-llm`` as a separate process: real port, scripted faults, admin endpoints."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from indiclass.domain.enums import AnswerSource, Strategy
from indiclass.pipeline import PipelineConfig, ProviderSet, classify
from indiclass.providers.openai import OpenAIProvider, preset
from indiclass.providers.wrappers import Retrying


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            pytest.fail(f"fake-llm exited: {proc.stderr.read() if proc.stderr else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("fake-llm did not start")


def admin(url: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url + path,
        data=data,
        method="POST" if data else "GET",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def test_fake_llm_command_serves_faults_and_stats(gdp):
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from indiclass.cli import main; main()",
        "fake-llm",
        "--port",
        str(port),
        "--fault",
        "429:1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, proc)
        url = f"http://127.0.0.1:{port}"
        admin(
            url,
            "/_admin/faults",
            {"faults": [{"kind": "out_of_enum", "times": -1, "stage": "family"}]},
        )
        sleeps: list[float] = []

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)

        provider = Retrying(
            OpenAIProvider(preset("openai", base_url=url + "/v1", api_key="k")), sleep=sleep
        )
        run = classify(gdp, ProviderSet(provider), PipelineConfig(strategy=Strategy.LLM))
        assert run.records["family"].source is AnswerSource.RULES_FALLBACK
        assert sleeps == []  # the admin call replaced the --fault script
        stats = admin(url, "/_admin/stats")
        assert stats["by_stage"]["family"] == 3 and stats["faults"] == 3
    finally:
        proc.terminate()
        proc.wait(timeout=10)
