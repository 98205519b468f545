"""Load on the fake LLM server: N concurrent AsyncOpenAI calls against ``indiclass fake-llm``.

    python benchmarks/fake_llm_load.py [--concurrency 200 500] [--latency-ms 0 2000]
                                       [--requests 2000] [--repeat 3]

Starts ``indiclass fake-llm`` in its own process (a free port) for every (concurrency, latency)
cell, then sends ``--requests`` chat completions (a family-stage request of one of 20
indicators, json_schema mode) through one ``AsyncOpenAI`` client with ``--concurrency`` calls in
flight, each on its own connection (pool size = concurrency), SDK retries off. Prints per run:
requests per second, failures (any exception: a refused or reset connection, a timeout),
latency p50/p99, peak open connections seen by the server, and the server process's CPU
milliseconds per request (user + system, from psutil). Traffic goes to 127.0.0.1 only. To measure
another version of the server, put its ``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import openai
import psutil

from indiclass.domain.models import parse_indicator
from indiclass.pipeline import classify
from indiclass.providers._wire import wire_schema
from indiclass.stages import family, prompts

CLI = [sys.executable, "-c", "from indiclass.cli import main; main()"]
NAMES = ["GDP Growth Rate", "Balance of Trade", "Consumer Price Index", "Housing Starts"]
UNITS = ["%", "USD Billion", "Index 2015=100", "Thousand", "EUR Million"]


@dataclass
class Run:
    seconds: float
    latencies: list[float]
    failures: int
    user_s: float
    system_s: float
    peak_connections: int

    def line(self) -> str:
        n = len(self.latencies)
        ms = sorted(x * 1000 for x in self.latencies) or [float("nan")]
        return (
            f"{n / self.seconds:8.1f} req/s  failures {self.failures:4d}  "
            f"p50 {statistics.median(ms):7.1f} ms  p99 {ms[int(len(ms) * 0.99) - 1]:7.1f} ms  "
            f"peak conns {self.peak_connections:4d}  "
            f"server CPU {self.per_request(self.user_s + self.system_s):5.3f} ms/req "
            f"(user {self.per_request(self.user_s):5.3f}, "
            f"system {self.per_request(self.system_s):5.3f})"
        )

    def per_request(self, seconds: float) -> float:
        return seconds * 1000 / max(1, len(self.latencies) + self.failures)


def requests() -> list[dict]:
    """20 distinct family-stage requests (their rules answers are memoised after the warm-up)."""
    out = []
    for k in range(20):
        ind = parse_indicator(
            {"name": NAMES[k % 4], "units": UNITS[k % 5], "periodicity": "Monthly"}
        )
        state = classify(ind).state
        fields = {f: getattr(state, f) for f in family.FamilyInput.model_fields}
        req = family.build_request(family.FamilyInput(**fields))
        schema = {"name": req.schema_name, "schema": wire_schema(req.json_schema), "strict": True}
        out.append(
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": prompts.FAMILY_SYSTEM},
                    {"role": "user", "content": req.user},
                ],
                "response_format": {"type": "json_schema", "json_schema": schema},
            }
        )
    return out


@contextmanager
def fake_llm(latency_ms: int) -> Iterator[tuple[str, psutil.Process]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [*CLI, "fake-llm", "--port", str(port), "--latency-ms", str(latency_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/_admin/stats", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url, psutil.Process(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def drive(url: str, server: psutil.Process, concurrency: int, total: int) -> Run:
    bodies = requests()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = openai.AsyncOpenAI(
        base_url=f"{url}/v1",
        api_key="k",
        max_retries=0,
        timeout=60,
        http_client=openai.DefaultAsyncHttpxClient(limits=limits),  # type: ignore[arg-type]
    )
    latencies: list[float] = []
    failures = 0
    gate = asyncio.Semaphore(concurrency)
    peak = [0]

    async def one(k: int) -> None:
        nonlocal failures
        async with gate:
            started = time.perf_counter()
            try:
                await client.chat.completions.create(**bodies[k % len(bodies)])
                latencies.append(time.perf_counter() - started)
            except openai.APIError:
                failures += 1

    async def watch() -> None:
        while True:
            peak[0] = max(peak[0], established(server))
            await asyncio.sleep(0.2)

    await asyncio.gather(*(one(k) for k in range(len(bodies))))  # warm the answers' memo
    latencies.clear()
    cpu = server.cpu_times()
    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    await asyncio.gather(*(one(k) for k in range(total)))
    seconds = time.perf_counter() - started
    watcher.cancel()
    after = server.cpu_times()
    await client.close()
    user, system = after.user - cpu.user, after.system - cpu.system
    return Run(seconds, latencies, failures, user, system, peak[0])


def established(server: psutil.Process) -> int:
    try:
        return sum(1 for c in server.net_connections("tcp") if c.status == "ESTABLISHED")
    except psutil.Error:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[200, 500])
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 2000])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for latency in args.latency_ms:
        for concurrency in args.concurrency:
            for k in range(args.repeat):
                with fake_llm(latency) as (url, server):
                    run = asyncio.run(drive(url, server, concurrency, args.requests))
                print(
                    f"latency {latency:5d} ms  concurrency {concurrency:4d}  #{k + 1}  {run.line()}"
                )
                sys.stdout.flush()


if __name__ == "__main__":
    main()
