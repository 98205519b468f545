"""The runner's log lines and grouping, against a scripted backend (no engine)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from rich.console import Console

from indiclass.cli.display import SeedDisplay
from indiclass.cli.run_cmd import parse_run_args
from indiclass.cli.runner import BatchProgress, drive
from indiclass.domain.errors import InputError
from indiclass.domain.store import RunBatch


class ScriptedBackend:
    """Each batch finishes after ``polls`` progress reads; batch number ``reject`` is refused."""

    def __init__(self, polls: int = 2, reject: int | None = None, fail_ids: Sequence[str] = ()):
        self.polls, self.reject, self.fail_ids = polls, reject, set(fail_ids)
        self.batches: dict[str, RunBatch] = {}
        self.reads: dict[str, int] = {}

    def submit(self, batch: RunBatch) -> str:
        if batch.batch_no + 1 == self.reject:
            raise RuntimeError("POST /classify/batch -> 401: unauthorized")
        self.batches[batch.trace_id], self.reads[batch.trace_id] = batch, 0
        return batch.trace_id

    def progress(self, trace_id: str) -> BatchProgress:
        self.reads[trace_id] += 1
        items = self.batches[trace_id].indicator_ids
        done = self.reads[trace_id] > self.polls
        failed = sum(i in self.fail_ids for i in items) if done else 0
        status = ("degraded" if failed else "completed") if done else "running"
        return BatchProgress(len(items) if done else 0, len(items), done, failed, status)

    def wait_change(self, timeout: float) -> None:
        pass


def _plan(n: int, size: int = 5) -> list[RunBatch]:
    ids = [f"I{k}" for k in range(1, n + 1)]
    return [
        RunBatch(b, f"t{ids[at]}", tuple(ids[at : at + size]))
        for b, at in enumerate(range(0, n, size))
    ]


def _lines(batches: list[RunBatch], backend: ScriptedBackend, concurrent: int = 4, size: int = 5):
    console = Console(file=io.StringIO(), width=200, color_system=None)
    display = SeedDisplay(console, size)
    display.total_batches = len(batches)
    outcome = drive(batches, backend, display, concurrent=concurrent)
    return console.file.getvalue().splitlines(), outcome  # type: ignore[attr-defined]


def test_seed_log_lines_for_20_indicators() -> None:
    lines, outcome = _lines(_plan(20), ScriptedBackend())
    assert lines[:10] == [
        "📋 Group 1/1: Starting 4 concurrent batches...",
        "   📦 Batch 1/4: Submitting indicators 1-5...",
        "   📦 Batch 2/4: Submitting indicators 6-10...",
        "   📦 Batch 3/4: Submitting indicators 11-15...",
        "   📦 Batch 4/4: Submitting indicators 16-20...",
        "      ✅ Batch 1 accepted (trace: tI1)",
        "      ✅ Batch 2 accepted (trace: tI6)",
        "      ✅ Batch 3 accepted (trace: tI11)",
        "      ✅ Batch 4 accepted (trace: tI16)",
        "   ✅ Group 1 batches submitted! (20 indicators queued)",
    ]
    assert lines[10] == "   ⏳ Waiting for 20 indicators to complete..."
    assert lines[11].startswith("   Progress: 0/20 (0%) - ")
    assert lines[-2].startswith("   Progress: 20/20 (100%) - ")
    assert lines[-2].endswith("s elapsed")
    assert lines[-1] == "   ✅ Group 1 completed! (20 indicators done)"
    assert outcome.submitted == 20 and outcome.finished == 20 and len(outcome.trace_ids) == 4
    assert outcome.clean


def test_groups_of_concurrent_batches() -> None:
    lines, _ = _lines(_plan(23), ScriptedBackend(polls=0), concurrent=2)
    groups = [line for line in lines if line.startswith("📋")]
    assert groups == [
        "📋 Group 1/3: Starting 2 concurrent batches...",
        "📋 Group 2/3: Starting 2 concurrent batches...",
        "📋 Group 3/3: Starting 1 concurrent batches...",
    ]
    assert "   📦 Batch 5/5: Submitting indicators 21-23..." in lines
    assert "   ✅ Group 3 completed! (3 indicators done)" in lines


def test_a_refused_batch_is_reported_and_the_rest_run() -> None:
    lines, outcome = _lines(_plan(10), ScriptedBackend(polls=0, reject=2, fail_ids=["I2"]))
    assert "      ❌ Batch 2 failed: POST /classify/batch -> 401: unauthorized" in lines
    assert "   ✅ Group 1 batches submitted! (5 indicators queued)" in lines
    assert outcome.rejected == 5 and outcome.finished == 5 and outcome.failed == 1
    assert not outcome.clean


def test_a_run_stops_when_a_whole_group_is_refused() -> None:
    class Refusing(ScriptedBackend):
        def submit(self, batch: RunBatch) -> str:
            raise RuntimeError("the openai provider needs OPENAI_API_KEY")

    lines, outcome = _lines(_plan(30), Refusing())
    assert lines[-1] == "   ❌ Group 1: no batch was accepted; stopping."
    assert not any(line.startswith("📋 Group 2") for line in lines)
    assert outcome.rejected == 30 and outcome.submitted == 0


@pytest.mark.parametrize(
    ("args", "default", "expected"),
    [
        (["-20", "openai"], 20, (20, "openai")),
        (["-100"], 20, (100, None)),
        ([], 20, (20, None)),
        (["40", "local"], None, (40, "local")),
        (["Anthropic"], None, (None, "anthropic")),
    ],
)
def test_seed_positional_syntax(
    args: list[str], default: int | None, expected: tuple[int | None, str]
) -> None:
    assert parse_run_args(args, default_count=default) == expected


def test_unknown_argument_names_the_known_providers() -> None:
    from indiclass.domain.errors import ConfigError

    with pytest.raises(ConfigError, match="did you mean 'local'"):
        parse_run_args(["-5", "locl"], default_count=20)
    with pytest.raises(InputError, match="--frobnicate"):
        parse_run_args(["--frobnicate"], default_count=20)
