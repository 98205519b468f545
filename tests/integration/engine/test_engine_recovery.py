"""kill -9 in the middle of a batch: after a restart (or an operator's recover for a worker that
never returns) every indicator is classified exactly once, no reply received before the kill is
asked again, and every exchange the server saw is logged exactly once (those in flight at the
kill as ``interrupted``). Calls are counted at the fake LLM server (real HTTP, real OpenAI SDK)
and in ``llm_calls``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from engine_helpers import indicators, workflow_statuses

from indiclass.bootstrap import build_engine, results_database, system_database_url
from indiclass.domain.store import ResultStore
from indiclass.settings import Settings
from indiclass.storage import open_store
from indiclass.testing.fake_llm import FakeLLMServer, running_fake_llm

HERE = Path(__file__).parent
RUNNER = HERE / "engine_runner.py"
INDICLASS = Path(sys.executable).with_name("indiclass")
CONCURRENCY = 4


def _env(db_env: dict[str, str], server: FakeLLMServer, concurrency: int) -> dict[str, str]:
    return {
        **os.environ,
        **db_env,
        "LLM_PROVIDER": "local",
        "LM_STUDIO_URL": server.openai_url,
        "LM_STUDIO_MODEL": "fake-model",
        "LLM_CACHE": "false",
        "INDICLASS_CONCURRENCY": str(concurrency),
        "INTERNAL_EMIT_BATCH": "4",
        "INTERNAL_EMIT_DELAY_MS": "0",
        "INDICLASS_CHUNK_SIZE": "4",
        "PYTHONPATH": str(HERE),
    }


def _settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in (
        "CLASSIFY_DB_LOCAL_DEV",
        "DATABASE_URL",
        "INDICLASS_SYSTEM_DATABASE_URL",
        "LLM_PROVIDER",
        "LM_STUDIO_URL",
        "LM_STUDIO_MODEL",
        "LLM_CACHE",
        "INDICLASS_CONCURRENCY",
        "INTERNAL_EMIT_BATCH",
        "INTERNAL_EMIT_DELAY_MS",
        "INDICLASS_CHUNK_SIZE",
    ):
        if key in env:
            monkeypatch.setenv(key, env[key])
    return Settings()


@contextmanager
def _store(settings: Settings) -> Iterator[ResultStore]:
    store = open_store(results_database(settings))
    try:
        yield store
    finally:
        store.close()


def _until(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _classified(store: ResultStore, trace_id: str) -> int:
    return sum(1 for _, status in store.batch_items(trace_id) if status == "completed")


def _calls(store: ResultStore, n: int, status: str | None = "ok") -> Counter[tuple[str, str]]:
    """(indicator, stage) → llm_calls rows (of one status, or all)."""
    calls: Counter[tuple[str, str]] = Counter()
    for k in range(n):
        for row in store.llm_calls_for(f"k-{k}"):
            if status is None or row["status"] == status:
                calls[(row["indicator_id"], row["stage"])] += 1
    return calls


def _assert_exactly_once(
    store: ResultStore,
    trace_id: str,
    n: int,
    system_url: str,
    answered_at_kill: Counter[tuple[str, str]],
    server_calls: int,
    in_flight: int,
) -> None:
    stats = store.batch_stats(trace_id)
    assert stats is not None
    counts = (stats.total_indicators, stats.successful_indicators, stats.failed_indicators)
    assert counts == (n, n, 0) and stats.status == "completed"
    assert stats.batch_end_time is not None
    assert len(store.query_classifications(trace_id=trace_id, limit=1000)) == n
    deadline = time.monotonic() + 30  # the batch closes as its members are written; a
    while time.monotonic() < deadline:  # workflow records SUCCESS just after
        statuses = workflow_statuses(system_url)
        if statuses and {s for _, s in statuses} == {"SUCCESS"}:
            break
        time.sleep(0.2)
    assert statuses and {s for _, s in statuses} == {"SUCCESS"}
    assert sum(answered_at_kill.values()), "the kill came before any LLM reply"
    answered = _calls(store, n)
    assert set(answered.values()) == {1}  # each (indicator, stage) answered exactly once
    assert all(answered[pair] == 1 for pair in answered_at_kill)  # never asked again
    every = sum(_calls(store, n, None).values())
    interrupted = sum(_calls(store, n, "interrupted").values())
    assert interrupted <= in_flight  # only calls in flight at the kill were lost
    assert every - interrupted <= server_calls <= every  # every exchange logged, once
    assert stats.llm_calls == every


def test_kill_9_mid_batch_then_restart_classifies_each_exactly_once(
    db_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    n, trace_id = 16, f"kill-{uuid.uuid4().hex[:8]}"
    with running_fake_llm(latency_ms=60) as server:
        env = _env(db_env, server, CONCURRENCY)
        settings = _settings(env, monkeypatch)
        system_url = system_database_url(settings)
        proc = subprocess.Popen(
            [sys.executable, str(RUNNER), "run", trace_id, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        with _store(settings) as store:
            try:
                _until(
                    lambda: (
                        store.batch_stats(trace_id) is not None
                        and _classified(store, trace_id) >= 3
                    ),
                    what="first classifications",
                )
            finally:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
            classified_at_kill = _classified(store, trace_id)
            assert classified_at_kill < n, "the batch finished before the kill"
            answered_at_kill = _calls(store, n)
            again = subprocess.run(
                [sys.executable, str(RUNNER), "resume", trace_id, str(n)],
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert again.returncode == 0, again.stderr[-3000:]
            assert json.loads(again.stdout.strip().splitlines()[-1]) == {"ok": n, "failed": 0}
            _assert_exactly_once(
                store,
                trace_id,
                n,
                system_url,
                answered_at_kill,
                server.stats()["calls"],
                CONCURRENCY,
            )


@pytest.mark.postgres
def test_three_workers_one_killed_and_recovered_by_the_operator(
    pg_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    n, concurrency = 24, 6
    with running_fake_llm(latency_ms=80) as server:
        env = _env(pg_env, server, concurrency)
        settings = _settings(env, monkeypatch)
        system_url = system_database_url(settings)
        submitter = build_engine(
            settings, worker_id="submitter", listen=False, dispatch="shared", kind="api"
        )
        workers: dict[str, subprocess.Popen[str]] = {}
        try:
            for wid in ("w1", "w2", "w3"):
                workers[wid] = subprocess.Popen(
                    [str(INDICLASS), "worker", "--worker-id", wid],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            for wid, proc in workers.items():
                assert proc.stdout is not None
                assert "running" in proc.stdout.readline(), f"worker {wid} did not start"
            trace_id = submitter.submit(indicators("k", n), provider="local", strategy="llm")
            store = submitter.store
            busy: list[str] = []  # whichever worker took chunks (one may take none)

            def some_worker_busy() -> bool:
                busy[:] = [w for w in workers if _pending_of(submitter, w)]
                return _classified(store, trace_id) >= 2 and bool(busy)

            _until(some_worker_busy, what="a worker busy mid-batch")
            victim = busy[0]
            os.kill(workers[victim].pid, signal.SIGKILL)
            workers[victim].wait()
            assert _classified(store, trace_id) < n, "the batch finished before the kill"
            answered_at_kill = _calls(store, n)
            time.sleep(0.5)
            stuck = _pending_of(submitter, victim)
            assert stuck, "the dead worker left nothing in flight"
            recover = subprocess.run(
                [str(INDICLASS), "recover", "--worker-id", victim],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert recover.returncode == 0, recover.stderr[-3000:]
            assert f"re-queued {len(stuck)} workflow" in recover.stdout
            submitter.wait(trace_id, timeout=120)
            _assert_exactly_once(
                store,
                trace_id,
                n,
                system_url,
                answered_at_kill,
                server.stats()["calls"],
                concurrency * 3,
            )
        finally:
            for proc in workers.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in workers.values():
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            submitter.shutdown()


def _pending_of(engine: object, executor_id: str) -> list[str]:
    from dbos import DBOS

    found = DBOS.list_workflows(
        executor_id=executor_id,
        status="PENDING",
        load_input=False,
        load_output=False,
        name="indiclass.chunk",
    )
    return [w.workflow_id for w in found]
