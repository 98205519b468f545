"""How a run looks on screen: the seed's exact lines, or one progress bar for the whole run.

``--log-format seed`` prints what the seed's ``run-random.ts`` / ``run-all.ts`` print, line for
line (``📋 Group 1/5: Starting 4 concurrent batches...``). ``compact`` (the default) shows one
Rich bar for the whole run (done/total, rate, ETA, failures, tokens and $), printing lines only
for what needs attention (a rejected batch); ``quiet`` prints nothing until the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from indiclass.cli.runner import RunTotals
from indiclass.domain.store import RunBatch

LogFormat = Literal["compact", "seed", "quiet"]


class SeedDisplay:
    """The seed's log lines, exactly."""

    def __init__(self, console: Console, batch_size: int) -> None:
        self.console = console
        self.batch_size = batch_size
        self.total_batches = 0

    def _line(self, text: str) -> None:
        self.console.print(text, highlight=False, soft_wrap=True)

    def group_started(self, group: int, groups: int, batches: Sequence[RunBatch]) -> None:
        self._line(f"📋 Group {group}/{groups}: Starting {len(batches)} concurrent batches...")
        for b in batches:
            start = b.batch_no * self.batch_size + 1
            self._line(
                f"   📦 Batch {b.batch_no + 1}/{self.total_batches}: Submitting indicators "
                f"{start}-{start + len(b.indicator_ids) - 1}..."
            )

    def batch_accepted(self, number: int, trace_id: str) -> None:
        self._line(f"      ✅ Batch {number} accepted (trace: {trace_id})")

    def batch_rejected(self, number: int, error: str) -> None:
        self._line(f"      ❌ Batch {number} failed: {error}")

    def group_submitted(self, group: int, queued: int) -> None:
        self._line(f"   ✅ Group {group} batches submitted! ({queued} indicators queued)")

    def waiting(self, total: int) -> None:
        self._line(f"   ⏳ Waiting for {total} indicators to complete...")

    def progress(self, finished: int, total: int, elapsed_s: float, run: RunTotals) -> None:
        pct = round(100 * finished / total) if total else 100
        self._line(f"   Progress: {finished}/{total} ({pct}%) - {int(elapsed_s)}s elapsed")

    def group_completed(self, group: int, finished: int) -> None:
        if finished:
            self._line(f"   ✅ Group {group} completed! ({finished} indicators done)")
        else:
            self._line(f"   ❌ Group {group}: no batch was accepted; stopping.")

    def close(self) -> None:
        pass


class CompactDisplay:
    """One progress bar for the whole run; lines only for what needs attention."""

    def __init__(self, console: Console, total: int, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        if not quiet and console.is_terminal:
            self.bar = Progress(
                TextColumn("[bold]classifying"),
                BarColumn(bar_width=None),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[extra]}"),
                console=console,
                transient=False,
                expand=True,
            )
            self.task = self.bar.add_task("run", total=total, rate="", extra="")
            self.bar.start()
        self._last_line = -1.0

    def group_started(self, group: int, groups: int, batches: Sequence[RunBatch]) -> None:
        pass

    def batch_accepted(self, number: int, trace_id: str) -> None:
        pass

    def batch_rejected(self, number: int, error: str) -> None:
        self.console.print(f"❌ batch {number} refused: {error}", highlight=False, soft_wrap=True)

    def group_submitted(self, group: int, queued: int) -> None:
        pass

    def waiting(self, total: int) -> None:
        pass

    def progress(self, finished: int, total: int, elapsed_s: float, run: RunTotals) -> None:
        import time

        done = run.done_before
        elapsed = time.monotonic() - run.started
        rate = f"{done / elapsed:.1f}/s" if elapsed > 0 and done else ""
        extra = _extra(run)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, rate=rate, extra=extra)
        elif not self.quiet and elapsed - self._last_line >= 10:  # a log, not a terminal
            self._last_line = elapsed
            self.console.print(
                f"progress: {done}/{run.total} {rate} {extra}".rstrip(), highlight=False
            )

    def group_completed(self, group: int, finished: int) -> None:
        pass

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _extra(run: RunTotals) -> str:
    parts = []
    if run.failed:
        parts.append(f"{run.failed} failed")
    if run.fallback:
        parts.append(f"{run.fallback} fell back")
    tokens = run.usage.input_tokens + run.usage.output_tokens
    if tokens:
        parts.append(f"{_short(tokens)} tok")
    if run.usage.cost_usd:
        parts.append(f"${run.usage.cost_usd:.4f}")
    return " · ".join(parts)


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 1_000:
        return f"{n / 1e3:.1f}k"
    return str(n)


def make_display(
    console: Console, fmt: LogFormat, *, total: int, batch_size: int, total_batches: int
) -> SeedDisplay | CompactDisplay:
    if fmt == "seed":
        display = SeedDisplay(console, batch_size)
        display.total_batches = total_batches
        return display
    return CompactDisplay(console, total, quiet=fmt == "quiet")
