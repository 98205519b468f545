"""(a) Durable pipeline throughput with a zero-latency provider (rules), SQLite embedded.

    python benchmarks/engine_throughput.py [-n 2000] [--concurrency 20]

Every indicator goes through the whole durable path: a DBOS workflow (enqueued by the batch
workflow's emit steps), its steps, every stage's result and processing_log rows, the
classification and the batch stats. Prints indicators/s from submit to the closed batch.
Runs in a temporary directory; nothing is left behind.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from indiclass.bootstrap import open_engine
from indiclass.domain.models import Indicator
from indiclass.settings import Settings

SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports", "USD Million", "Monthly"),
    ("Unemployment Rate", "%", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("Crude Oil Production", "Thousand Barrels per Day", "Monthly"),
]


def make(n: int, prefix: str = "b") -> list[Indicator]:
    return [
        Indicator(
            indicator_id=f"{prefix}{k}",
            name=f"{SHAPES[k % 5][0]} {k}",
            units=SHAPES[k % 5][1],
            periodicity=SHAPES[k % 5][2],
        )
        for k in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--emit-batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        settings = Settings(
            INDICLASS_CONCURRENCY=args.concurrency,
            LLM_CACHE=False,
            INTERNAL_EMIT_BATCH=args.emit_batch,
            INTERNAL_EMIT_DELAY_MS=0,
        )
        items = make(args.n)
        with open_engine(settings) as engine:
            engine.wait(engine.submit(make(1, "warm"), provider="rules"))  # a running service
            started = time.perf_counter()
            trace_id = engine.submit(items, provider="rules")
            submitted = time.perf_counter() - started
            stats = engine.wait(trace_id, timeout=3600)
            elapsed = time.perf_counter() - started
    print(
        f"indicators        {args.n} (rules provider, SQLite embedded, concurrency "
        f"{args.concurrency}, emit chunks of {args.emit_batch})"
    )
    print(f"submit returned   {submitted * 1000:.0f} ms")
    print(
        f"batch closed      {elapsed:.2f} s  ok={stats.successful_indicators} "
        f"failed={stats.failed_indicators}"
    )
    print(f"throughput        {args.n / elapsed:.1f} indicators/s")
    print(f"cpu count         {os.cpu_count()}")


if __name__ == "__main__":
    main()
