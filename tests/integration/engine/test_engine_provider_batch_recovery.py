"""kill -9 during a provider-batch run — right after the upload, the create, a poll or the
fetch of a wave — then a restart: every indicator is classified once, no provider batch is
created twice for one wave and none exists that the store does not know (counted at the fake
server), no file is uploaded twice, no request is answered (paid) twice, the requests that
errored or expired (a tenth each, every batch) are sent again and resolved, and the batch
closes. Subprocess runs through the official SDKs against the fake server over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from batch_mode import answered_once, call_rows, created, fake_env, fake_server

from indiclass.storage import open_store
from indiclass.testing import BatchSettings

HERE = Path(__file__).parent
RUNNER = HERE / "waves_runner.py"
N = 12
KILLS = [
    ("openai", "upload:2"),
    ("openai", "create:2"),
    ("openai", "poll:6"),
    ("openai", "fetch:2"),
    ("anthropic", "create:2"),
    ("anthropic", "poll:6"),
    ("anthropic", "fetch:2"),
]


def _run(mode: str, trace: str, provider: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUNNER), mode, trace, str(N), provider],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
@pytest.mark.parametrize(("provider", "point"), KILLS)
def test_kill_9_mid_wave_then_restart_classifies_each_once_and_pays_once(
    provider: str, point: str, tmp_path: Path
) -> None:
    trace = f"kill-{uuid.uuid4().hex[:8]}"
    results = tmp_path / "data" / "results.db"
    faults = BatchSettings(delay_s=0.25, shuffle=True, error_rate=0.1, expire_rate=0.1)
    with fake_server(batches=faults) as server:
        env = {
            **os.environ,
            **fake_env(server),
            "CLASSIFY_DB_LOCAL_DEV": str(results),
            "PYTHONPATH": str(HERE),
        }
        killed = _run("run", trace, provider, {**env, "INDICLASS_TEST_KILL_AT": point})
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
        store = open_store(str(results))
        try:
            at_kill = store.batch_stats(trace)
            assert at_kill is not None and at_kill.pending_indicators > 0
            again = _run("resume", trace, provider, env)
            assert again.returncode == 0, again.stderr[-3000:]
            assert json.loads(again.stdout.strip().splitlines()[-1]) == {"ok": N, "failed": 0}
            _assert_once(store, server, trace, provider)
        finally:
            store.close()


def _assert_once(store, server, trace: str, provider: str) -> None:  # type: ignore[no-untyped-def]
    stats = store.batch_stats(trace)
    assert stats.status == "completed" and stats.successful_indicators == N
    assert len(store.query_classifications(trace_id=trace, limit=100)) == N
    parts = store.wave_parts(trace)
    assert all(p.status == "fetched" for p in parts)
    firsts = [p.stage for p in parts if p.requests == N]  # each stage's first wave, once
    assert firsts == ["time", "family", "type", "boolean-review"]
    resent = [p for p in parts if p.requests < N]  # what errored or expired, sent again
    assert resent and all(p.succeeded == p.requests for p in resent)
    assert sum(p.errored + p.expired for p in parts) == 2 * len(firsts)
    counted = server.stats()["batches"]
    # every provider batch the server made is a recorded wave, and each wave has one
    assert counted["requests"] == {p.provider_batch_id: p.requests for p in parts}
    assert created(server) == len(parts)
    if provider == "openai":
        assert counted["files_uploaded"] == len(parts)
    ids = [f"k-{k}" for k in range(N)]
    rows = call_rows(store, trace, ids)
    assert {r["status"] for r in rows} == {"ok", "error"}  # none interrupted, none pending
    assert answered_once(store, trace, ids)
    ok = [r for r in rows if r["status"] == "ok"]
    assert server.stats()["answered"] == len(ok)  # each request answered (paid) once
    assert stats.llm_calls == len(rows)
