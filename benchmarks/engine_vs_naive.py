"""indiclass against a naive asyncio client, side by side, on the same fake LLM server.

    python benchmarks/engine_vs_naive.py [--configs 100:500,200:1000,100:0] [--repeats 3]

For each (concurrency C, latency L in ms): the fake server (``indiclass fake-llm``, real HTTP)
answers after L ms; then, alternating, in fresh processes:

- **naive**: what a user writes in 40 lines: ``AsyncOpenAI``, a semaphore of C, each indicator's
  four LLM stages one after another with the ``llm`` strategy's prompts and schemas (the same
  requests indiclass sends), no durability, nothing stored;
- **indiclass**: one process, SQLite, the durable engine (``llm`` strategy, C members in flight,
  every call logged before it is sent, every result stored).

Prints indicators/s of each run, the ratio indiclass/naive per pair, and its spread. With L = 0
the client's CPU is the limit, so the ratio measures the engine's overhead per indicator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).parent
SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports", "USD Million", "Monthly"),
    ("Unemployment Rate", "%", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("Crude Oil Production", "Thousand Barrels per Day", "Monthly"),
]


def indicators(n: int, prefix: str) -> list:  # type: ignore[type-arg]
    from indiclass.domain.models import Indicator

    return [
        Indicator(
            indicator_id=f"{prefix}{k}",
            name=f"{SHAPES[k % 5][0]} {prefix} {k}",
            units=SHAPES[k % 5][1],
            periodicity=SHAPES[k % 5][2],
        )
        for k in range(n)
    ]


@contextmanager
def fake_llm(latency_ms: int) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cli = str(Path(sys.executable).with_name("indiclass"))
    proc = subprocess.Popen(
        [cli, "fake-llm", "--port", str(port), "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- the two contenders


def run_naive(url: str, n: int, concurrency: int) -> float:
    """AsyncOpenAI + a semaphore; the pipeline's own requests, answered by the SDK directly."""
    import openai

    from indiclass.domain.enums import Strategy
    from indiclass.domain.ports import LLMReply
    from indiclass.pipeline import Answer, PipelineConfig, steps
    from indiclass.providers.openai import OpenAIProvider, preset

    adapter = OpenAIProvider(preset("lmstudio", base_url=url, model="fake-model"))
    config = PipelineConfig(strategy=Strategy.LLM)

    async def main() -> float:
        client = openai.AsyncOpenAI(base_url=url, api_key="k", max_retries=0, timeout=60)
        gate = asyncio.Semaphore(concurrency)

        async def one(ind: object) -> None:
            async with gate:
                gen = steps(ind, config)  # type: ignore[arg-type]
                try:
                    ask = next(gen)
                    while True:
                        reply = await client.chat.completions.create(**adapter.params(ask.request))
                        text = reply.choices[0].message.content or ""
                        ask = gen.send(Answer(LLMReply(content=text, provider="n", model="m")))
                except StopIteration:
                    pass

        await asyncio.gather(*(one(i) for i in indicators(5, "warm")))
        items = indicators(n, "naive")
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in items))
        return n / (time.perf_counter() - started)

    return asyncio.run(main())


def run_indiclass(url: str, n: int, concurrency: int, chunk: int) -> float:
    from indiclass.bootstrap import open_engine
    from indiclass.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        settings = Settings(
            _env_file=None,
            INDICLASS_CONCURRENCY=concurrency,
            INDICLASS_CHUNK_SIZE=chunk,
            LLM_CACHE=False,
            LLM_PROVIDER="local",
            LM_STUDIO_URL=url,
            LM_STUDIO_MODEL="fake-model",
            INTERNAL_EMIT_DELAY_MS=0,
        )
        with open_engine(settings) as engine:
            engine.wait(engine.submit(indicators(5, "warm"), strategy="llm"), timeout=600)
            started = time.perf_counter()
            trace = engine.submit(indicators(n, "ic"), strategy="llm")
            stats = engine.wait(trace, timeout=3600)
            rate = n / (time.perf_counter() - started)
            assert stats.successful_indicators == n, stats
        return rate


# ---------------------------------------------------------------- orchestration


def one(kind: str, url: str, n: int, concurrency: int, chunk: int) -> float:
    """One measurement in a fresh process (DBOS and the SDK start clean)."""
    cmd = [sys.executable, __file__, "--one", kind, url, str(n), str(concurrency), str(chunk)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr[-3000:]}")
    return float(json.loads(out.stdout.strip().splitlines()[-1])["rate"])


def compare(concurrency: int, latency_ms: int, n: int, repeats: int, chunk: int) -> dict:
    ratios, naive, ours = [], [], []
    with fake_llm(latency_ms) as url:
        for r in range(repeats):
            order = ("naive", "indiclass") if r % 2 == 0 else ("indiclass", "naive")
            got = {k: one(k, url, n, concurrency, chunk) for k in order}
            naive.append(got["naive"])
            ours.append(got["indiclass"])
            ratios.append(got["indiclass"] / got["naive"])
            print(
                f"  C={concurrency} L={latency_ms}ms run {r + 1}: naive {got['naive']:.1f}/s, "
                f"indiclass {got['indiclass']:.1f}/s, ratio {ratios[-1]:.2f}",
                flush=True,
            )
    bound = concurrency / (4 * latency_ms / 1000) if latency_ms else None
    return {
        "C": concurrency,
        "L_ms": latency_ms,
        "n": n,
        "bound": bound,
        "naive": statistics.median(naive),
        "indiclass": statistics.median(ours),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", default="100:500,200:1000,100:0")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("-n", type=int, default=0, help="indicators per run (default by config)")
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--one", nargs=5, metavar=("KIND", "URL", "N", "C", "CHUNK"))
    args = parser.parse_args()
    if args.one:
        kind, url, n, c, chunk = args.one
        rate = (
            run_naive(url, int(n), int(c))
            if kind == "naive"
            else run_indiclass(url, int(n), int(c), int(chunk))
        )
        print(json.dumps({"rate": rate}))
        return
    results = []
    for spec in args.configs.split(","):
        c, latency = (int(x) for x in spec.split(":"))
        n = args.n or (1500 if latency == 0 else max(400, int(20 * c / (4 * latency / 1000))))
        results.append(compare(c, latency, n, args.repeats, args.chunk))
    print()
    print("   C    L ms      n   bound/s  naive/s  indiclass/s  ratio (min..max)")
    for r in results:
        bound = f"{r['bound']:.1f}" if r["bound"] else "-"
        print(
            f"{r['C']:4d} {r['L_ms']:7d} {r['n']:6d} {bound:>9} {r['naive']:8.1f} "
            f"{r['indiclass']:12.1f}  {r['ratio_median']:.2f} "
            f"({r['ratio_min']:.2f}..{r['ratio_max']:.2f})"
        )


if __name__ == "__main__":
    main()
