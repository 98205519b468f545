"""Load: N concurrent clients each POST M batches of K indicators to one server.

    python benchmarks/api_load.py                       # 20 clients x 50 batches x 5, own server
    python benchmarks/api_load.py --url http://127.0.0.1:3000 --db ./data/x.db

Starts ``indiclass serve`` on 127.0.0.1 (a free port, a temp results DB) unless ``--url`` is given,
then reports: HTTP status counts (any 5xx is a failure), accept latency (p50/p95/p99/max of the
202), accept throughput, time until every batch is done, and the integrity check: every submitted
indicator classified exactly once, in the batch it was submitted with. Exit 1 on any failure.
Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-c", "from indiclass.cli import main; main()"]
UNITS = ["%", "USD Billion", "Index 2015=100", "Thousand", "EUR Million", "% of GDP"]
NAMES = [
    "GDP Growth Rate",
    "Balance of Trade",
    "Consumer Price Index",
    "Housing Starts",
    "Exports",
    "Government Debt to GDP",
]


def payload(client: int, batch: int, size: int) -> dict[str, Any]:
    rows = [
        {
            "id": f"L{client:02d}-{batch:03d}-{k}",
            "name": NAMES[(batch + k) % len(NAMES)],
            "units": UNITS[(client + k) % len(UNITS)],
            "periodicity": "Monthly",
        }
        for k in range(size)
    ]
    return {"indicators": rows, "llm_provider": "rules"}


def one_client(
    url: str,
    client: int,
    batches: int,
    size: int,
    key: str | None,
    out: dict[str, Any],
    lock: threading.Lock,
) -> None:
    headers = {"x-api-key": key} if key else {}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        for b in range(batches):
            started = time.perf_counter()
            try:
                r = http.post("/classify/batch", json=payload(client, b, size))
                status, body = r.status_code, (r.json() if r.status_code == 202 else r.text)
            except httpx.HTTPError as exc:
                status, body = 0, str(exc)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                out["status"][status] += 1
                out["latency_ms"].append(elapsed)
                if status == 202:
                    out["traces"][body["trace_id"]] = [
                        i["id"] for i in payload(client, b, size)["indicators"]
                    ]
                else:
                    out["errors"].append((status, str(body)[:200]))


def wait_all(url: str, traces: list[str], key: str | None, limit_s: float) -> float:
    headers = {"x-api-key": key} if key else {}
    started, open_ = time.monotonic(), set(traces)
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        while open_ and time.monotonic() - started < limit_s:
            for trace in list(open_):
                if http.get(f"/batches/{trace}").json().get("done"):
                    open_.discard(trace)
            time.sleep(0.5)
    if open_:
        raise SystemExit(f"FAIL: {len(open_)} batches not done after {limit_s}s")
    return time.monotonic() - started


def _connect(db: Path | str) -> Any:
    if isinstance(db, str) and db.startswith("postgres"):
        import psycopg

        return psycopg.connect(db)
    return sqlite3.connect(db)


def integrity(db: Path | str, expected: dict[str, list[str]]) -> list[str]:
    problems = []
    with _connect(db) as conn:
        classified = Counter(r[0] for r in conn.execute("SELECT indicator_id FROM classifications"))
        items = Counter(
            (r[0], r[1]) for r in conn.execute("SELECT trace_id, indicator_id FROM batch_items")
        )
        statuses = Counter(r[0] for r in conn.execute("SELECT status FROM batch_items"))
    wanted = [i for ids in expected.values() for i in ids]
    lost = [i for i in wanted if classified[i] == 0]
    dupes = [i for i, n in classified.items() if n > 1]
    misplaced = [(t, i) for t, ids in expected.items() for i in ids if items[(t, i)] != 1]
    if lost:
        problems.append(f"{len(lost)} indicators lost, e.g. {lost[:3]}")
    if dupes:
        problems.append(f"{len(dupes)} indicators duplicated, e.g. {dupes[:3]}")
    if misplaced:
        problems.append(f"{len(misplaced)} batch memberships wrong, e.g. {misplaced[:3]}")
    if statuses.get("completed", 0) != len(wanted):
        problems.append(f"batch_items statuses {dict(statuses)} != {len(wanted)} completed")
    return problems


@contextmanager
def own_server(workdir: Path, key: str | None, workers: int, database_url: str | None) -> Any:
    """``indiclass serve`` (with its embedded worker, or API-only plus ``workers`` processes)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CLASSIFY_DB_LOCAL_DEV": str(workdir / "results.db")}
    for var in ("API_KEY", "DATABASE_URL", "INDICLASS_DATABASE_URL"):
        env.pop(var, None)
    env.update({"API_KEY": key} if key else {})
    env.update({"DATABASE_URL": database_url} if database_url else {})
    log = (workdir / "server.log").open("w")
    serve = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)]
    procs = [
        subprocess.Popen(
            [*serve, *(["--no-worker"] if workers else [])],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    procs += [
        subprocess.Popen(
            [*CLI, "worker", "--worker-id", f"bench-{n}"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for n in range(workers)
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url)
        yield url, (database_url or workdir / "results.db")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        log.close()


def _wait_up(url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--batches", type=int, default=50, help="per client")
    ap.add_argument("--size", type=int, default=5, help="indicators per batch")
    ap.add_argument("--url", help="an already running server (default: start one)")
    ap.add_argument("--db", help="its results DB: SQLite path or PostgreSQL URL (integrity)")
    ap.add_argument("--api-key", default=os.environ.get("API_KEY"))
    ap.add_argument("--wait-limit-s", type=float, default=1800)
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="0: the server's embedded worker; N: API-only + N worker processes",
    )
    ap.add_argument("--database-url", help="PostgreSQL URL for results and DBOS (own server)")
    args = ap.parse_args()
    if args.url:
        return run(args, args.url, args.db)
    with (
        tempfile.TemporaryDirectory() as tmp,
        own_server(Path(tmp), args.api_key, args.workers, args.database_url) as (url, db),
    ):
        return run(args, url, db)


def run(args: argparse.Namespace, url: str, db: Path | str | None) -> int:
    out: dict[str, Any] = {"status": Counter(), "latency_ms": [], "traces": {}, "errors": []}
    lock = threading.Lock()
    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for c in range(args.clients):
            pool.submit(one_client, url, c, args.batches, args.size, args.api_key, out, lock)
    accept_s = time.perf_counter() - started
    lat = out["latency_ms"]
    total = args.clients * args.batches
    print(f"workers: {args.workers or 'embedded'}, database: {args.database_url or 'sqlite'}")
    print(
        f"clients={args.clients} batches/client={args.batches} size={args.size} "
        f"-> {total} batches, {total * args.size} indicators (cores: {os.cpu_count()})"
    )
    print(f"HTTP status counts: {dict(out['status'])}")
    print(
        f"accept latency ms: p50={percentile(lat, 0.5):.1f} p95={percentile(lat, 0.95):.1f} "
        f"p99={percentile(lat, 0.99):.1f} max={max(lat):.1f} mean={statistics.mean(lat):.1f}"
    )
    print(f"all {total} POSTs answered in {accept_s:.1f}s ({total / accept_s:.1f} batches/s)")
    done_s = wait_all(url, list(out["traces"]), args.api_key, args.wait_limit_s)
    print(
        f"every batch done {done_s:.1f}s after the last accept; end to end "
        f"{accept_s + done_s:.1f}s = {total * args.size / (accept_s + done_s):.1f} indicators/s"
    )
    failures = [f"{n} x HTTP {s}" for s, n in out["status"].items() if s >= 500 or s == 0]
    failures += [f"{n} x HTTP {s}" for s, n in out["status"].items() if 400 <= s < 500]
    if db is not None:
        failures += integrity(db, out["traces"])
        print(
            f"integrity: {'OK' if not failures else 'FAILED'} (no lost, no duplicated "
            f"indicator, each in its own batch)"
        )
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
