"""The runner's log lines and grouping, against a scripted backend (no engine, no clock)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from indiclass.cli.run_cmd import parse_run_args
from indiclass.cli.runner import BatchProgress, run_groups
from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator


class ScriptedBackend:
    """Each batch finishes after ``polls`` progress reads; batch ``reject`` is refused."""

    def __init__(self, polls: int = 2, reject: int | None = None, fail_ids: Sequence[str] = ()):
        self.polls, self.reject, self.fail_ids = polls, reject, set(fail_ids)
        self.batches: dict[str, list[Indicator]] = {}
        self.reads: dict[str, int] = {}
        self.providers: list[str] = []

    def submit(self, indicators: Sequence[Indicator], provider: str) -> str:
        if indicators[0].indicator_id == f"I{self.reject}":
            raise RuntimeError("POST /classify/batch -> 401: unauthorized")
        trace = f"t{indicators[0].indicator_id}"
        self.batches[trace], self.reads[trace] = list(indicators), 0
        self.providers.append(provider)
        return trace

    def progress(self, trace_id: str) -> BatchProgress:
        self.reads[trace_id] += 1
        items = self.batches[trace_id]
        done = self.reads[trace_id] > self.polls
        failed = sum(i.indicator_id in self.fail_ids for i in items) if done else 0
        return BatchProgress(len(items) if done else 0, len(items), done, failed)


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.bars: list[tuple[int, int]] = []

    def line(self, text: str) -> None:
        self.lines.append(text)

    def progress(self, finished: int, total: int) -> None:
        self.bars.append((finished, total))


def _indicators(n: int) -> list[Indicator]:
    return [Indicator(indicator_id=f"I{k}", name=f"Indicator {k}") for k in range(1, n + 1)]


def test_seed_log_lines_for_20_indicators() -> None:
    out, ticks = Lines(), iter(range(0, 1000, 5))
    outcome = run_groups(
        _indicators(20),
        ScriptedBackend(),
        "openai",
        reporter=out,
        poll_s=0,
        clock=lambda: float(next(ticks)),
    )
    assert out.lines[:10] == [
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
    assert out.lines[10] == "   ⏳ Waiting for 20 indicators to complete..."
    assert out.lines[11].startswith("   Progress: 0/20 (0%) - ")
    assert out.lines[-2].startswith("   Progress: 20/20 (100%) - ")
    assert out.lines[-2].endswith("s elapsed")
    assert out.lines[-1] == "   ✅ Group 1 completed! (20 indicators done)"
    assert outcome.submitted == 20 and outcome.finished == 20 and len(outcome.trace_ids) == 4
    assert out.bars[-1] == (20, 20)


def test_groups_of_concurrent_batches() -> None:
    out = Lines()
    backend = ScriptedBackend(polls=0)
    run_groups(
        _indicators(23), backend, "rules", reporter=out, batch_size=5, concurrent=2, poll_s=0
    )
    groups = [line for line in out.lines if line.startswith("📋")]
    assert groups == [
        "📋 Group 1/3: Starting 2 concurrent batches...",
        "📋 Group 2/3: Starting 2 concurrent batches...",
        "📋 Group 3/3: Starting 1 concurrent batches...",
    ]
    assert "   📦 Batch 5/5: Submitting indicators 21-23..." in out.lines
    assert "   ✅ Group 3 completed! (3 indicators done)" in out.lines
    assert backend.providers == ["rules"] * 5


def test_a_refused_batch_is_reported_and_the_rest_run() -> None:
    out = Lines()
    outcome = run_groups(
        _indicators(10),
        ScriptedBackend(polls=0, reject=6, fail_ids=["I2"]),
        "rules",
        reporter=out,
        poll_s=0,
    )
    assert "      ❌ Batch 2 failed: POST /classify/batch -> 401: unauthorized" in out.lines
    assert "   ✅ Group 1 batches submitted! (5 indicators queued)" in out.lines
    assert outcome.rejected == 5 and outcome.finished == 5 and outcome.failed == 1


def test_a_run_stops_when_a_whole_group_is_refused() -> None:
    class Refusing(ScriptedBackend):
        def submit(self, indicators: Sequence[Indicator], provider: str) -> str:
            raise RuntimeError("the openai provider needs OPENAI_API_KEY")

    out = Lines()
    outcome = run_groups(_indicators(30), Refusing(), "openai", reporter=out, poll_s=0)
    assert out.lines[-1] == "   ❌ Group 1: no batch was accepted; stopping."
    assert not any(line.startswith("📋 Group 2") for line in out.lines)
    assert outcome.rejected == 30 and outcome.submitted == 0


@pytest.mark.parametrize(
    ("args", "default", "expected"),
    [
        (["-20", "openai"], 20, (20, "openai")),
        (["-100"], 20, (100, "rules")),
        ([], 20, (20, "rules")),
        (["40", "local"], None, (40, "local")),
        (["anthropic"], None, (None, "anthropic")),
    ],
)
def test_seed_positional_syntax(
    args: list[str], default: int | None, expected: tuple[int | None, str]
) -> None:
    assert parse_run_args(args, default_count=default) == expected


def test_unknown_argument_is_an_input_error() -> None:
    with pytest.raises(InputError, match="gpt"):
        parse_run_args(["-5", "gpt"], default_count=20)
