"""The CLI on the embedded engine, as a user runs it, in a fresh directory.

Commands that start the engine run as subprocesses (DBOS is one per process); the store-only
commands (seed, query, stats, errors, export, reset) run in-process through Typer's runner.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from e2e_support import run_cli, seed_sql
from typer.testing import CliRunner

from indiclass.cli import app

pytestmark = pytest.mark.timeout(300)


def _ok(workdir: Path, *args: str) -> str:
    done = run_cli(workdir, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _local(workdir: Path, *args: str) -> str:
    env = {"CLASSIFY_DB_LOCAL_DEV": str(workdir / "data" / "results.db"), "COLUMNS": "200"}
    done = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


def test_seed_run_query_stats_export_reset(tmp_path: Path) -> None:
    db = tmp_path / "data" / "results.db"
    assert "🌱 Seeded 288 indicators from the bundled catalogue" in _local(tmp_path, "seed")
    out = _ok(
        tmp_path,
        "run",
        "random",
        "-7",
        "rules",
        "--batch-size",
        "3",
        "--concurrent-batches",
        "2",
        "--log-format",
        "seed",
    )
    lines = out.splitlines()
    assert lines[0] == "📋 Group 1/2: Starting 2 concurrent batches..."
    assert "   📦 Batch 3/3: Submitting indicators 7-7..." in lines
    assert "   ✅ Group 2 completed! (1 indicators done)" in lines
    assert seed_sql(db, "SELECT COUNT(*) FROM classifications;") == [("7",)]
    assert (
        len(seed_sql(db, "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC LIMIT 10;"))
        == 3
    )
    out = _ok(tmp_path, "run", "all", "5", "--log-format", "seed")  # the first 5 unclassified
    assert "   ✅ Group 1 completed! (5 indicators done)" in out.splitlines()
    rows = [
        json.loads(line)
        for line in _local(tmp_path, "query", "--json", "--limit", "100").splitlines()
    ]
    assert len(rows) == 12 and all(r["family"] and r["indicator_type"] for r in rows)
    assert "classifications: 12" in _local(tmp_path, "stats")
    assert "0 failed indicator(s)" in _local(tmp_path, "errors")
    _local(tmp_path, "export", "--format", "csv", "--out", "out.csv")
    with (tmp_path / "out.csv").open() as fh:
        exported = list(csv.DictReader(fh))
    assert len(exported) == 12 and {r["indicator_id"] for r in exported} == {
        r["indicator_id"] for r in rows
    }
    _local(tmp_path, "export", "--format", "parquet", "--out", "out.parquet")
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "out.parquet").num_rows == 12
    jsonl = _local(tmp_path, "export", "--format", "jsonl").splitlines()
    assert len(jsonl) == 12
    target = _ok(tmp_path, "run", "target", rows[0]["indicator_id"], "--log-format", "seed")
    assert "(1 indicators done)" in target
    assert "🧹 Reset" in _local(tmp_path, "reset", "--yes")
    assert seed_sql(db, "SELECT COUNT(*) FROM classifications;") == [("0",)]


def test_demo_runs_offline_and_prints_the_seed_lines(tmp_path: Path) -> None:
    out = _ok(tmp_path, "demo")
    assert "🌱 Seeded 288 indicators" in out
    assert "📋 Group 1/1: Starting 4 concurrent batches..." in out
    assert "   ✅ Group 1 completed! (20 indicators done)" in out
    assert "OPENAI_API_KEY=sk-... indiclass run random -20 openai" in out
    assert "LM_STUDIO_URL=http://127.0.0.1:1234/v1 indiclass run random -20 local" in out
    db = tmp_path / "data" / "results.db"
    assert seed_sql(db, "SELECT COUNT(*) FROM classifications;") == [("20",)]


def test_bad_input_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "run", "random", "-5", "gpt")
    assert done.returncode == 2 and "unknown LLM provider 'gpt'" in done.stderr
    assert "Traceback" not in done.stderr
    bad = run_cli(tmp_path, "stats", INDICLASS_CONCURRENCY="abc")
    assert bad.returncode == 3 and bad.stderr.count("\n") == 1
    assert "INDICLASS_CONCURRENCY" in bad.stderr and "Traceback" not in bad.stderr


def test_seed_from_files(tmp_path: Path) -> None:
    db = tmp_path / "data" / "results.db"
    (tmp_path / "a.jsonl").write_text(
        '{"id": "F1", "name": "GDP", "units": "USD Billion", "periodicity": "Annual"}\n'
        '{"indicator_id": "F2", "name": "CPI", "units": "Index 2015=100"}\n'
    )
    (tmp_path / "b.csv").write_text(
        "indicator_id,name,units,periodicity\nF3,Exports,EUR Million,Monthly\n"
    )
    assert "Seeded 2 indicators from a.jsonl" in _local(tmp_path, "seed", "a.jsonl")
    assert "Seeded 1 indicators from b.csv" in _local(tmp_path, "seed", "b.csv")
    ids = {r[0] for r in seed_sql(db, "SELECT indicator_id FROM source_indicators;")}
    assert ids == {"F1", "F2", "F3"}
    (tmp_path / "bad.jsonl").write_text('{"id": "X"}\n')
    bad = run_cli(tmp_path, "seed", "bad.jsonl")
    assert bad.returncode == 2 and "name" in bad.stderr and "Traceback" not in bad.stderr


def test_failures_are_listed_and_retried(tmp_path: Path) -> None:
    """An unreachable LLM fails the stage; `errors` names it; `run retry-failed` finishes it."""
    from e2e_support import free_port, running_fake_llm

    db = tmp_path / "data" / "results.db"
    port = free_port()
    dead = f"http://127.0.0.1:{port}/v1"  # the LLM server is down ...
    env = {"LM_STUDIO_URL": dead, "LLM_MAX_RETRIES": "0", "LLM_CACHE": "false"}
    _local(tmp_path, "seed")
    out = run_cli(tmp_path, "run", "random", "-2", "local", **env)
    assert out.returncode == 3, out.stdout + out.stderr  # the provider was unreachable
    assert "0 classified, 2 failed" in out.stdout and "cannot reach" in out.stdout
    assert len((out.stdout + out.stderr).splitlines()) <= 20 and "Traceback" not in out.stderr
    errors = _local(tmp_path, "errors")
    assert "2 failed indicator(s)" in errors and "time" in errors
    assert seed_sql(db, "SELECT COUNT(*) FROM classifications;") == [("0",)]
    with running_fake_llm(tmp_path, port=port):  # ... and back: the batch keeps its URL
        retried = run_cli(tmp_path, "run", "retry-failed", **env)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert "Retrying failed indicators of 1 batch(es)" in retried.stdout
    assert ": 2 done, 0 failed" in retried.stdout
    assert seed_sql(db, "SELECT COUNT(*) FROM classifications;") == [("2",)]
    assert seed_sql(db, "SELECT COUNT(*) FROM batch_items WHERE status = 'failed';") == [("0",)]
    # one indicator's whole trace, and the latest exchanges (failed ones included)
    (indicator,) = seed_sql(db, "SELECT indicator_id FROM classifications LIMIT 1;")[0]
    shown = _local(tmp_path, "show", indicator)
    assert indicator in shown and "Stages" in shown and "family" in shown
    assert "LLM calls: 5" in shown  # the failed ask, then the four LLM stages after the retry
    exchanges = _local(tmp_path, "show", indicator, "--prompts")
    assert "system" in exchanges and "reply" in exchanges and '"confidence"' in exchanges
    trace = json.loads(_local(tmp_path, "show", indicator, "--json"))
    assert trace["classification"]["indicator_id"] == indicator and len(trace["stages"]) == 7
    logs = _local(tmp_path, "logs", "-n", "50", "--errors")
    assert "cannot reach" in logs or "error" in logs  # the calls made while it was down
    lines = _local(tmp_path, "logs", "--json", "-n", "3").splitlines()
    assert len(lines) == 3 and all(json.loads(line)["stage"] for line in lines)
    missing = CliRunner().invoke(
        app, ["show", "no-such-id"], env={"CLASSIFY_DB_LOCAL_DEV": str(db)}
    )
    assert missing.exit_code == 2 and "no classification" in missing.output


def test_kill_minus_9_then_run_resume_finishes_the_batches(tmp_path: Path) -> None:
    """The runner dies mid-group; `run resume` completes every batch, nothing duplicated."""
    import signal
    import subprocess
    import time

    from e2e_support import INDICLASS, cli_env, running_fake_llm

    db = tmp_path / "data" / "results.db"
    _local(tmp_path, "seed")
    with running_fake_llm(tmp_path, latency_ms=400) as url:
        env = cli_env(tmp_path, LM_STUDIO_URL=url, LLM_CACHE="false")
        proc = subprocess.Popen(
            [*INDICLASS, "run", "random", "-10", "local", "--log-format", "seed"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("   ⏳ Waiting for 10 indicators"):
                break
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = seed_sql(db, "SELECT COUNT(*) FROM classifications;")[0][0]
        assert int(done) < 10, "the run finished before the kill; raise the fake latency"
        resumed = run_cli(tmp_path, "run", "resume", LM_STUDIO_URL=url, LLM_CACHE="false")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "🔁 Resuming 1 run(s)" in resumed.stdout
    assert seed_sql(db, "SELECT COUNT(*) FROM classifications;") == [("10",)]
    assert seed_sql(db, "SELECT COUNT(*) FROM batch_items WHERE status = 'completed';") == [("10",)]
    stats = seed_sql(db, "SELECT total_indicators, successful_indicators FROM pipeline_stats;")
    assert sorted(stats) == [("5", "5"), ("5", "5")]


def test_eval_scores_a_run_against_peoples_overrides(tmp_path: Path) -> None:
    """`eval --labels-from overrides`: the corrections are the labels, of the pipeline run again
    or of a past run's answers (its history)."""
    db = tmp_path / "data" / "results.db"
    _local(tmp_path, "seed")
    _ok(tmp_path, "run", "all", "3", "rules", "--log-format", "quiet")
    rows = seed_sql(db, "SELECT indicator_id, family FROM classifications ORDER BY indicator_id;")
    (first, family), (second, _) = rows[0], rows[1]
    fix = ["family=price-value", "indicator_type=price"]
    if family == "price-value":
        fix = ["family=change-movement", "indicator_type=rate"]
    _local(tmp_path, "override", first, *fix, "--reason", "test", "--who", "t")
    _local(tmp_path, "override", second, "heat_map_orientation=neutral", "--reason", "t")
    report = json.loads(_local(tmp_path, "eval", "--labels-from", "overrides", "--json"))
    assert report["scored"] == 2
    assert report["accuracy"]["family"] == 0.0  # the rules still say what was corrected
    (run_id,) = seed_sql(db, "SELECT run_id FROM runs;")[0]
    past = json.loads(
        _local(tmp_path, "eval", "--labels-from", "overrides", "--run", run_id, "--json")
    )
    assert past["scored"] == 2 and past["accuracy"]["family"] == 0.0
    bad = CliRunner().invoke(
        app, ["eval", "--labels-from", "people"], env={"CLASSIFY_DB_LOCAL_DEV": str(db)}
    )
    assert bad.exit_code == 2 and "overrides" in bad.output
