"""(c)/(d) One submission of 10,000 indicators: resident memory over the life of the batch.

    python benchmarks/engine_memory.py [-n 10000]                 # (c) SQLite, embedded engine
    python benchmarks/engine_memory.py --workers 3 [-n 10000]     # (d) PostgreSQL, 3 workers

(c) runs the engine in this process and samples this process's RSS. (d) creates two fresh
PostgreSQL databases on 127.0.0.1:5432 (results, DBOS system; dropped afterwards), starts N
``indiclass worker`` processes and submits from this process (``listen=False``), sampling every
worker's RSS. Rules provider (zero latency), default INTERNAL_EMIT_BATCH / INTERNAL_EMIT_DELAY_MS.
Prints RSS at each tenth of the batch, the peak, and the growth from the first to the last tenth.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
from engine_throughput import make

from indiclass.bootstrap import build_engine
from indiclass.engine import Engine
from indiclass.settings import Settings

PG = os.environ.get("INDICLASS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
MB = 1024 * 1024


def sample(
    engine: Engine,
    trace_id: str,
    procs: list[psutil.Process],
    n: int,
    stop: threading.Event,
    out: list[tuple[float, int, list[float]]],
) -> None:
    started = time.perf_counter()
    while not stop.wait(0.5):
        stats = engine.store.batch_stats(trace_id)
        done = 0 if stats is None else stats.successful_indicators + stats.failed_indicators
        out.append((time.perf_counter() - started, done, [p.memory_info().rss / MB for p in procs]))


def report(
    samples: list[tuple[float, int, list[float]]], n: int, elapsed: float, label: str
) -> None:
    print(f"{label}: {n} indicators in {elapsed:.1f} s ({n / elapsed:.1f}/s)")
    print("  done%   t(s)   RSS MB per process")
    shown = -1
    for t, done, rss in samples:
        decile = done * 10 // n
        if decile > shown:
            shown = decile
            print(f"  {done * 100 // n:>4}%  {t:6.1f}   " + "  ".join(f"{r:6.1f}" for r in rss))
    peaks = [max(s[2][k] for s in samples) for k in range(len(samples[0][2]))]
    first = [s[2] for s in samples if s[1] <= n // 10] or [samples[0][2]]
    last = [s[2] for s in samples if s[1] >= n * 9 // 10] or [samples[-1][2]]
    growth = [max(b[k] for b in last) - max(a[k] for a in first) for k in range(len(peaks))]
    print("  peak RSS MB      " + "  ".join(f"{p:6.1f}" for p in peaks))
    print("  growth 10%→90%+  " + "  ".join(f"{g:+6.1f}" for g in growth))


def run(engine: Engine, n: int, procs: list[psutil.Process], label: str) -> None:
    stop, samples = threading.Event(), []
    started = time.perf_counter()
    trace_id = engine.submit(make(n, "m"), provider="rules")
    sampler = threading.Thread(target=sample, args=(engine, trace_id, procs, n, stop, samples))
    sampler.start()
    engine.wait(trace_id, timeout=7200)
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    report(samples, n, elapsed, label)


def embedded(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        engine = build_engine(Settings())
        try:
            run(engine, n, [psutil.Process()], "SQLite embedded")
        finally:
            engine.shutdown()


def workers(n: int, count: int) -> None:
    import psycopg

    names = [f"indiclass_bench_{tag}_{uuid.uuid4().hex[:8]}" for tag in ("results", "dbos")]
    base = PG.rsplit("/", 1)[0]
    with psycopg.connect(PG, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{names[0]}",
        "INDICLASS_SYSTEM_DATABASE_URL": f"{base}/{names[1]}",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "INDICLASS_SYSTEM_DATABASE_URL")})
    cli = str(Path(sys.executable).with_name("indiclass"))
    engine = build_engine(Settings(), worker_id="bench-submitter", listen=False)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for k in range(count):
            procs.append(
                subprocess.Popen(
                    [cli, "worker", "--worker-id", f"bench-w{k}"], env=env, stdout=subprocess.PIPE
                )
            )
        for p in procs:
            assert p.stdout is not None and b"running" in p.stdout.readline()
        run(engine, n, [psutil.Process(p.pid) for p in procs], f"PostgreSQL, {count} workers")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        engine.shutdown()
        with psycopg.connect(PG, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    if args.workers:
        workers(args.n, args.workers)
    else:
        embedded(args.n)


if __name__ == "__main__":
    main()
