"""(b) Throughput against LLM latency: the fake LLM server (real HTTP, real OpenAI SDK) answering
after a fixed latency, ``llm`` strategy, queue concurrency C, SQLite embedded.

    python benchmarks/engine_llm_latency.py [-n 300] [--latency-ms 500] [--concurrency 20]

The bound is C / (LLM calls per indicator x latency): with every slot busy, an indicator takes
its calls one after another. Prints the measured throughput, the bound and their ratio. A
one-indicator batch first warms the running engine (queues discovered, provider built), so the
figure is that of a running service, not of a cold start.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from engine_throughput import make

from indiclass.bootstrap import open_engine
from indiclass.settings import Settings


@contextmanager
def fake_llm_process(latency_ms: int) -> Iterator[str]:
    """``indiclass fake-llm`` in its own process (a real LLM is not in our process either);
    yields its base URL. Stats come from ``GET /_admin/stats``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cli = str(Path(sys.executable).with_name("indiclass"))
    proc = subprocess.Popen(
        [cli, "fake-llm", "--port", str(port), "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/_admin/stats", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fake_llm_process(args.latency_ms) as url:
        os.chdir(tmp)
        settings = Settings(
            INDICLASS_CONCURRENCY=args.concurrency,
            LLM_CACHE=False,
            LLM_PROVIDER="local",
            LM_STUDIO_URL=f"{url}/v1",
            LM_STUDIO_MODEL="fake-model",
            INTERNAL_EMIT_BATCH=args.concurrency,
            INTERNAL_EMIT_DELAY_MS=0,
        )
        with open_engine(settings) as engine:
            engine.wait(engine.submit(make(1, "warm"), provider="local", strategy="llm"))
            warm_calls = httpx.get(f"{url}/_admin/stats").json()["calls"]
            started = time.perf_counter()
            trace_id = engine.submit(make(args.n, "l"), provider="local", strategy="llm")
            stats = engine.wait(trace_id, timeout=3600)
            elapsed = time.perf_counter() - started
        calls = httpx.get(f"{url}/_admin/stats").json()["calls"] - warm_calls
    per_indicator = calls / args.n
    bound = args.concurrency / (per_indicator * args.latency_ms / 1000)
    rate = args.n / elapsed
    print(
        f"indicators        {args.n} (llm strategy, fake LLM {args.latency_ms} ms, concurrency "
        f"{args.concurrency}, SQLite embedded)"
    )
    print(
        f"batch closed      {elapsed:.2f} s  ok={stats.successful_indicators} "
        f"failed={stats.failed_indicators}"
    )
    print(f"LLM calls         {calls} ({per_indicator:.2f} per indicator)")
    print(f"throughput        {rate:.2f} indicators/s")
    print(
        f"bound             {bound:.2f} indicators/s = {args.concurrency} / "
        f"({per_indicator:.2f} x {args.latency_ms / 1000:.3f} s)"
    )
    print(f"ratio             {rate / bound:.1%}")


if __name__ == "__main__":
    main()
