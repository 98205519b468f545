"""Issue 10's engine figures, each side by side with its baseline in one command.

    python benchmarks/engine_scale.py large [-n 50000]    # a rules batch: tenths, RSS, bytes
    python benchmarks/engine_scale.py rules [-n 5000]     # rules via the engine, SQLite vs PG
    python benchmarks/engine_scale.py workers [-n 120]    # PG, L=2 s, C=20/worker: 1 vs 3
    python benchmarks/engine_scale.py runner [-n 500]     # run all N rules: groups vs 1 batch
    python benchmarks/engine_scale.py startup             # classify ... --json, median of 10

Everything runs in temporary directories (and temporary PostgreSQL databases on
127.0.0.1:5432, dropped afterwards: ``INDICLASS_BENCH_PG``). The LLM is the project's fake
server over real HTTP. Prints the figures; docs/benchmarks.md records them with the machine load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil

from indiclass.bootstrap import build_engine
from indiclass.domain.models import Indicator
from indiclass.settings import Settings

PG = os.environ.get("INDICLASS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CLI = [sys.executable, "-c", "from indiclass.cli import main; main()"]
SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports", "USD Million", "Monthly"),
    ("Unemployment Rate", "%", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("Crude Oil Production", "Thousand Barrels per Day", "Monthly"),
    ("Government Debt to GDP", "% of GDP", "Annual"),
    ("Policy Interest Rate", "%", "Daily"),
    ("Retail Sales MoM", "%", "Monthly"),
]


def make(n: int, prefix: str) -> list[Indicator]:
    return [
        Indicator(
            indicator_id=f"{prefix}{k}",
            name=f"{SHAPES[k % len(SHAPES)][0]} {k}",
            units=SHAPES[k % len(SHAPES)][1],
            periodicity=SHAPES[k % len(SHAPES)][2],
        )
        for k in range(n)
    ]


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(here)


@contextlib.contextmanager
def pg_databases() -> Iterator[dict[str, str]]:
    import psycopg

    names = [f"indiclass_bench_{tag}_{uuid.uuid4().hex[:8]}" for tag in ("results", "dbos")]
    base = PG.rsplit("/", 1)[0]
    with psycopg.connect(PG, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            "DATABASE_URL": f"{base}/{names[0]}",
            "INDICLASS_SYSTEM_DATABASE_URL": f"{base}/{names[1]}",
        }
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def environ(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# ---------------------------------------------------------------- one large batch


def large(n: int) -> None:
    with workdir() as tmp:
        engine = build_engine(Settings())
        me = psutil.Process()
        samples: list[tuple[float, int, float]] = []
        stop = threading.Event()
        try:
            started = time.perf_counter()
            trace = engine.submit(make(n, "L"), provider="rules")
            submitted = time.perf_counter() - started

            def sample() -> None:
                while not stop.wait(0.25):
                    s = engine.store.batch_stats(trace)
                    done = 0 if s is None else s.successful_indicators + s.failed_indicators
                    samples.append((time.perf_counter() - started, done, me.memory_info().rss))

            sampler = threading.Thread(target=sample)
            sampler.start()
            engine.wait(trace, timeout=7200)
            elapsed = time.perf_counter() - started
            stop.set()
            sampler.join()
        finally:
            engine.shutdown()
        db = next(tmp.glob("data/*.db"))
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.stat().st_size
        system = sum(p.stat().st_size for p in tmp.glob("data/*dbos.sqlite*"))
    first = _rate(samples, 0, n // 10)
    last = _rate(samples, n * 9 // 10, n)
    peak = max(s[2] for s in samples) / 2**20
    print(f"large: {n} indicators (rules) in {elapsed:.1f} s = {n / elapsed:.0f}/s")
    print(f"  submit (store the batch, dispatch): {submitted:.1f} s")
    print(f"  first 10%: {first:.0f}/s   last 10%: {last:.0f}/s   ratio {last / first:.2f}")
    print(f"  peak RSS {peak:.0f} MB")
    print(
        f"  results DB {size / 2**20:.1f} MB = {size / n:.0f} bytes/indicator; "
        f"DBOS system DB {system / 2**20:.1f} MB = {system / n:.0f} bytes/indicator"
    )
    _table_sizes(db, n)


def _rate(samples: list[tuple[float, int, float]], lo: int, hi: int) -> float:
    inside = [(t, d) for t, d, _ in samples if lo <= d <= hi]
    if len(inside) < 2 or inside[-1][1] == inside[0][1]:
        return float("nan")
    (t0, d0), (t1, d1) = inside[0], inside[-1]
    return (d1 - d0) / (t1 - t0)


def _table_sizes(db: Path, n: int) -> None:
    try:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"
            ).fetchall()
    except sqlite3.OperationalError:
        return  # sqlite3 built without dbstat
    print("  largest tables and indexes, bytes/indicator:")
    for name, size in rows:
        print(f"    {name:48} {size / n:7.0f}")


# ---------------------------------------------------------------- SQLite vs PostgreSQL


def rules(n: int, repeats: int) -> None:
    print(f"rules through the engine, one process, {n} indicators, {repeats} repeats")
    found: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    for r in range(repeats):
        for backend in ("sqlite", "postgresql"):
            found[backend].append(_one_rules(n, backend, f"r{r}"))
            print(f"  {backend:10} {found[backend][-1]:7.0f}/s")
    sq, pg = statistics.median(found["sqlite"]), statistics.median(found["postgresql"])
    print(f"  median: SQLite {sq:.0f}/s, PostgreSQL {pg:.0f}/s, PG/SQLite {pg / sq:.2f}")
    ratios = [p / s for p, s in zip(found["postgresql"], found["sqlite"], strict=True)]
    print(f"  PG/SQLite per repeat: {', '.join(f'{x:.2f}' for x in ratios)}")


def _one_rules(n: int, backend: str, tag: str) -> float:
    with workdir():
        cm = pg_databases() if backend == "postgresql" else contextlib.nullcontext({})
        with cm as urls, environ(**urls):
            engine = build_engine(Settings())
            try:
                items = make(n, f"{tag}-")
                started = time.perf_counter()
                trace = engine.submit(items, provider="rules")
                engine.wait(trace, timeout=3600)
                return n / (time.perf_counter() - started)
            finally:
                engine.shutdown()


# ---------------------------------------------------------------- 1 -> 3 workers


def workers(n: int, latency_ms: int, concurrency: int, counts: list[int]) -> None:
    from indiclass.testing.fake_llm import running_fake_llm

    print(
        f"PostgreSQL workers, llm strategy, {n} indicators, L={latency_ms} ms, "
        f"C={concurrency}/worker, chunks of 20"
    )
    rates = {}
    with running_fake_llm(latency_ms=latency_ms) as fake:
        for count in counts:
            rates[count] = _with_workers(n, count, concurrency, fake.openai_url)
            print(f"  {count} worker(s): {rates[count]:.2f} indicators/s")
    base = rates[counts[0]]
    for count in counts[1:]:
        print(f"  {count} vs {counts[0]}: {rates[count] / base:.2f}x")


def _with_workers(n: int, count: int, concurrency: int, url: str) -> float:
    llm = {
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": url,
        "INDICLASS_CONCURRENCY": str(concurrency),
        "INDICLASS_CHUNK_SIZE": "20",
        "INTERNAL_EMIT_DELAY_MS": "0",
        "LLM_CACHE": "false",
    }
    with workdir(), pg_databases() as urls, environ(**urls, **llm):
        env = {**os.environ}
        procs = [
            subprocess.Popen(
                [*CLI, "worker", "--worker-id", f"bench-w{k}"], env=env, stdout=subprocess.PIPE
            )
            for k in range(count)
        ]
        engine = build_engine(
            Settings(), worker_id="bench-submitter", listen=False, dispatch="shared", kind="api"
        )
        try:
            for p in procs:
                assert p.stdout is not None and b"running" in p.stdout.readline()
            started = time.perf_counter()
            trace = engine.submit(make(n, f"w{count}-"), provider="openai", strategy="llm")
            engine.wait(trace, timeout=3600)
            return n / (time.perf_counter() - started)
        finally:
            engine.shutdown()
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=60)


# ---------------------------------------------------------------- the seed's runner


def runner(n: int, repeats: int) -> None:
    print(f"`indiclass run all {n} rules`: the seed's groups (4 batches of 5) vs one batch of {n}")
    seed, one = [], []
    for _ in range(repeats):
        seed.append(_cli_run(n, ["--batch-size", "5", "--concurrent-batches", "4"]))
        one.append(_cli_run(n, ["--batch-size", str(n), "--concurrent-batches", "1"]))
        print(f"  groups {seed[-1]:6.1f}/s   one batch {one[-1]:6.1f}/s")
    a, b = statistics.median(seed), statistics.median(one)
    print(f"  median: groups {a:.1f}/s, one batch {b:.1f}/s, ratio {a / b:.2f}")


def _cli_run(n: int, options: list[str]) -> float:
    with workdir() as tmp:
        path = tmp / "in.jsonl"
        path.write_text(
            "\n".join(
                json.dumps(i.model_dump(mode="json", exclude_none=True)) for i in make(n, "R")
            )
        )
        env = {**os.environ, "INDICLASS_LOG_FORMAT": "quiet"}
        subprocess.run([*CLI, "seed", str(path)], env=env, check=True, capture_output=True)
        # the engine's start-up (DBOS, migrations) is not the runner's cost: warm it first
        subprocess.run([*CLI, "engine-status"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [*CLI, "run", "all", str(n), "rules", *options],
            env=env,
            check=True,
            capture_output=True,
        )
        return n / (time.perf_counter() - started)


# ---------------------------------------------------------------- start-up


def startup(repeats: int) -> None:
    command = [
        str(Path(sys.executable).with_name("indiclass")),
        "classify",
        "GDP Growth Rate",
        "--units",
        "%",
        "--json",
    ]
    times = []
    with workdir():
        subprocess.run(command, check=True, capture_output=True)  # warm the OS file cache
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    mid, lo, hi = statistics.median(times), min(times), max(times)
    print(f"`indiclass classify ... --json`: median {mid:.3f} s of {repeats} ({lo:.3f}-{hi:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("large", "rules", "workers", "runner", "startup"))
    parser.add_argument("-n", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", default="1,3")
    args = parser.parse_args()
    if args.what == "large":
        large(args.n or 50_000)
    elif args.what == "rules":
        rules(args.n or 5_000, args.repeats)
    elif args.what == "workers":
        counts = [int(c) for c in args.workers.split(",")]
        workers(args.n or 120, args.latency_ms, args.concurrency, counts)
    elif args.what == "runner":
        runner(args.n or 500, args.repeats)
    else:
        startup(args.repeats if args.repeats != 3 else 10)


if __name__ == "__main__":
    main()
