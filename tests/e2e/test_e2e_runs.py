"""Runs keep their word, as a user sees them: real ``indiclass`` subprocesses, the real server,
the fake LLM over real HTTP (issue 11).

- a CLI run next to a live ``serve`` in the same directory runs with the CLI's configuration;
- ``run all`` killed at a random moment, then ``run resume``: every indicator once;
- Ctrl-C: one line, exit 130, resume finishes the run;
- an LLM that refuses every call: non-zero exit, a short output that names the reason;
- a full disk (a small tmpfs): the run ends with the reason, space freed then resume recovers;
- ``--max-cost``: exit 4 (paused), ``run resume --max-cost`` finishes and exits 0.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_support import (
    INDICLASS,
    cli_env,
    free_port,
    run_cli,
    running_fake_llm,
    running_server,
    seed_sql,
)

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]


def _openai_env(url: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": url,
        "LLM_MAX_RETRIES": "1",
        "LLM_RETRY_BASE_S": "0",
    }


def _seed(workdir: Path) -> None:
    done = run_cli(workdir, "seed")
    assert done.returncode == 0, done.stderr


def _counts(db: Path) -> tuple[int, int]:
    """(classified indicators, distinct classified indicators)."""
    rows = seed_sql(db, "SELECT COUNT(*), COUNT(DISTINCT indicator_id) FROM classifications;")
    return int(rows[0][0]), int(rows[0][1])


def _spawn(workdir: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*INDICLASS, *args],
        cwd=workdir,
        env=cli_env(workdir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_cli_run_next_to_a_live_server_runs_with_the_clis_configuration(
    tmp_path: Path,
) -> None:
    _seed(tmp_path)
    with running_fake_llm(tmp_path) as url, running_server(tmp_path) as server:
        # the server has no OpenAI key and serves rules; the CLI asks for openai
        done = run_cli(server, "run", "random", "-10", "openai", **_openai_env(url))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "also uses this database" in done.stdout  # the CLI names the other executor
        rows = seed_sql(server.db, "SELECT provider, COUNT(*) FROM classifications GROUP BY 1;")
    assert rows == [("openai", "10")]
    assert "needs OPENAI_API_KEY" not in done.stdout + done.stderr


def test_run_all_killed_at_a_random_moment_then_resume_classifies_each_once(
    tmp_path: Path,
) -> None:
    _seed(tmp_path)
    db = tmp_path / "data" / "results.db"
    with running_fake_llm(tmp_path, latency_ms=300) as url:
        env = _openai_env(url)
        proc = _spawn(tmp_path, "run", "all", "100", "openai", "--log-format", "quiet", **env)
        _wait_first_result(db, proc)
        time.sleep(random.uniform(0.0, 4.0))  # somewhere inside the run
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        before, _ = _counts(db)
        assert before < 100, "the run ended before the kill: raise the latency"
        done = run_cli(tmp_path, "run", "resume", "--log-format", "quiet", **env)
        assert done.returncode == 0, done.stdout + done.stderr
    total, distinct = _counts(db)
    assert (total, distinct) == (100, 100)
    members = seed_sql(db, "SELECT COUNT(*), COUNT(DISTINCT indicator_id) FROM batch_items;")
    assert members == [("100", "100")]  # unsubmitted groups were not forgotten nor repeated
    # each exchange logged once: one answered call per indicator and LLM stage; those cut by
    # the kill are rows of their own ('interrupted'), none is left 'pending'
    ok = seed_sql(
        db,
        "SELECT COUNT(*), COUNT(DISTINCT indicator_id || '/' || stage) FROM llm_calls"
        " WHERE status = 'ok';",
    )
    assert ok[0][0] == ok[0][1] and int(ok[0][0]) >= 300
    assert seed_sql(db, "SELECT COUNT(*) FROM llm_calls WHERE status = 'pending';") == [("0",)]


def test_ctrl_c_prints_one_line_exits_130_and_resume_finishes(tmp_path: Path) -> None:
    _seed(tmp_path)
    db = tmp_path / "data" / "results.db"
    with running_fake_llm(tmp_path, latency_ms=300) as url:
        env = _openai_env(url)
        proc = _spawn(tmp_path, "run", "all", "60", "openai", "--log-format", "quiet", **env)
        _wait_first_result(db, proc)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, out + err
        assert "Traceback" not in out + err
        lines = [line for line in (out + err).splitlines() if line.strip()]
        assert len(lines) <= 3, lines
        assert "indiclass run resume" in out
        done = run_cli(tmp_path, "run", "resume", "--log-format", "quiet", **env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert _counts(db) == (60, 60)


@pytest.mark.parametrize("refusal", ["500", "closed-port"])
def test_an_llm_that_refuses_every_call_exits_non_zero_with_a_short_reason(
    tmp_path: Path, refusal: str
) -> None:
    _seed(tmp_path)
    if refusal == "closed-port":
        url = f"http://127.0.0.1:{free_port()}/v1"
        done = run_cli(tmp_path, "run", "random", "-5", "openai", **_openai_env(url))
        assert done.returncode == 3, done.stdout + done.stderr  # provider unreachable
        assert "cannot reach" in (done.stdout + done.stderr).lower()
    else:
        port = free_port()
        fake = subprocess.Popen(
            [*INDICLASS, "fake-llm", "--port", str(port), "--fault", "500:-1"],
            cwd=tmp_path,
            env=cli_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_port(port)
            url = f"http://me:s3cret@127.0.0.1:{port}/v1"  # a credential in the URL
            done = run_cli(tmp_path, "run", "random", "-5", "openai", **_openai_env(url))
        finally:
            fake.terminate()
            fake.wait(timeout=10)
        assert done.returncode == 1, done.stdout + done.stderr  # degraded: the rules answered
        assert "500" in done.stdout and "degraded" in done.stdout
        stored = seed_sql(tmp_path / "data" / "results.db", "SELECT error FROM llm_calls;")
        assert stored and not any("s3cret" in row[0] for row in stored)
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert len([line for line in output.splitlines() if line.strip()]) <= 20, output
    assert "s3cret" not in output  # no credential from the base URL leaked


def test_a_full_disk_ends_the_run_with_the_reason_and_resume_recovers(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        env = {"CLASSIFY_DB_LOCAL_DEV": str(disk / "results.db")}  # and the DBOS database
        assert run_cli(tmp_path, "seed", **env).returncode == 0
        assert run_cli(tmp_path, "engine-status", **env).returncode == 0  # creates DBOS's tables
        used = shutil.disk_usage(disk).used
        # room for a few batches of the 40, not for all of them: the disk fills mid-run
        subprocess.run(
            ["mount", "-o", f"remount,size={used + 400 * 1024}", str(disk)],
            check=True,
            capture_output=True,
        )
        with running_fake_llm(tmp_path) as url:
            full = {**env, **_openai_env(url)}
            done = run_cli(tmp_path, "run", "all", "200", "openai", "--log-format", "quiet", **full)
            output = done.stdout + done.stderr
            assert done.returncode != 0, output
            assert "Traceback" not in output and len(output.splitlines()) <= 25, output
            assert "full" in output.lower()
            subprocess.run(
                ["mount", "-o", "remount,size=64m", str(disk)], check=True, capture_output=True
            )
            done = run_cli(tmp_path, "run", "resume", "--log-format", "quiet", **full)
            assert done.returncode in (0, 1), done.stdout + done.stderr
            assert "Resuming 1 run(s)" in done.stdout, done.stdout
            retry = run_cli(tmp_path, "run", "retry-failed", **full)
            assert retry.returncode == 0, retry.stdout + retry.stderr
        total, distinct = _counts(disk / "results.db")
        assert (total, distinct) == (200, 200)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_budget_pauses_with_exit_4_and_resume_with_a_bigger_one_finishes(
    tmp_path: Path,
) -> None:
    _seed(tmp_path)
    db = tmp_path / "data" / "results.db"
    with running_fake_llm(tmp_path) as url:
        env = _openai_env(url)
        done = run_cli(tmp_path, "run", "all", "20", "openai", "--max-cost", "0.0005", **env)
        assert done.returncode == 4, done.stdout + done.stderr
        assert "paused" in done.stdout and "--max-cost" in done.stdout
        paid = seed_sql(db, "SELECT COUNT(*) FROM llm_calls;")[0][0]
        done = run_cli(tmp_path, "run", "resume", "--max-cost", "10", **env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert _counts(db) == (20, 20)
    asked = seed_sql(db, "SELECT COUNT(*), COUNT(DISTINCT request_hash) FROM llm_calls;")[0]
    assert int(asked[0]) >= int(paid)  # the replies paid before the pause were not asked again
    assert asked[0] == asked[1]


def _wait_first_result(db: Path, proc: subprocess.Popen[str]) -> None:
    """Until the run has classified something (it is past start-up and inside its groups)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if db.exists() and _counts(db)[0] > 0:
            return
        time.sleep(0.1)
    raise AssertionError("the run classified nothing in 120 s")


def _wait_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
