"""The seed's runner: groups of concurrent batches, each its own trace_id, with its log lines.

``run_groups`` submits ``concurrent`` batches of ``batch_size`` at a time through a backend (the
embedded engine or a server's HTTP API), then waits on the backend's own batch state before the
next group. What it prints is the seed's ``run-random.ts`` / ``run-all.ts`` output, line for line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from indiclass.domain.models import Indicator


@dataclass(frozen=True)
class BatchProgress:
    finished: int
    """Members completed or failed."""
    total: int
    done: bool
    failed: int = 0


class Backend(Protocol):
    """Where batches go: ``EmbeddedBackend`` (in-process engine) or ``HttpBackend`` (--api)."""

    def submit(self, indicators: Sequence[Indicator], provider: str) -> str: ...
    def progress(self, trace_id: str) -> BatchProgress: ...


class Reporter(Protocol):
    def line(self, text: str) -> None: ...
    def progress(self, finished: int, total: int) -> None: ...


@dataclass
class RunOutcome:
    trace_ids: list[str]
    submitted: int
    finished: int
    failed: int
    rejected: int


def chunks(items: Sequence[Indicator], size: int) -> list[Sequence[Indicator]]:
    return [items[n : n + size] for n in range(0, len(items), size)]


def run_groups(
    indicators: Sequence[Indicator],
    backend: Backend,
    provider: str,
    *,
    reporter: Reporter,
    batch_size: int = 5,
    concurrent: int = 4,
    poll_s: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
) -> RunOutcome:
    """Submit and wait, group by group; returns what was submitted and how it ended."""
    batches = chunks(indicators, batch_size)
    groups = [batches[n : n + concurrent] for n in range(0, len(batches), concurrent)]
    outcome = RunOutcome([], 0, 0, 0, 0)
    for g, group in enumerate(groups, start=1):
        reporter.line(f"📋 Group {g}/{len(groups)}: Starting {len(group)} concurrent batches...")
        first = (g - 1) * concurrent
        traces = _submit_group(group, first, len(batches), backend, provider, reporter, batch_size)
        accepted = [t for t in traces if t]
        if not accepted:
            outcome.rejected += sum(len(b) for b in groups_from(groups, g - 1))
            reporter.line(f"   ❌ Group {g}: no batch was accepted; stopping.")
            break
        _record_group(outcome, group, traces)
        reporter.line(
            f"   ✅ Group {g} batches submitted! ({_queued(group, traces)} indicators queued)"
        )
        finished, failed = _wait_group(accepted, backend, reporter, poll_s, clock)
        outcome.finished += finished
        outcome.failed += failed
        reporter.line(f"   ✅ Group {g} completed! ({finished} indicators done)")
    return outcome


def groups_from(groups: list[list[Sequence[Indicator]]], start: int) -> list[Sequence[Indicator]]:
    """Every batch of ``groups[start:]`` (what a stopped run never queued)."""
    return [batch for group in groups[start:] for batch in group]


def _queued(group: Sequence[Sequence[Indicator]], traces: list[str | None]) -> int:
    return sum(len(b) for b, t in zip(group, traces, strict=True) if t)


def _record_group(
    outcome: RunOutcome, group: Sequence[Sequence[Indicator]], traces: list[str | None]
) -> None:
    queued = _queued(group, traces)
    outcome.trace_ids += [t for t in traces if t]
    outcome.submitted += queued
    outcome.rejected += sum(len(b) for b in group) - queued


def _submit_group(
    group: Sequence[Sequence[Indicator]],
    first: int,
    total_batches: int,
    backend: Backend,
    provider: str,
    reporter: Reporter,
    batch_size: int,
) -> list[str | None]:
    for k, batch in enumerate(group):
        number, start = first + k + 1, (first + k) * batch_size + 1
        reporter.line(
            f"   📦 Batch {number}/{total_batches}: Submitting indicators "
            f"{start}-{start + len(batch) - 1}..."
        )
    with ThreadPoolExecutor(max_workers=max(1, len(group))) as pool:
        futures = [pool.submit(backend.submit, batch, provider) for batch in group]
    traces: list[str | None] = []
    for k, future in enumerate(futures):
        try:
            trace = future.result()
        except Exception as exc:
            reporter.line(f"      ❌ Batch {first + k + 1} failed: {exc}")
            traces.append(None)
            continue
        reporter.line(f"      ✅ Batch {first + k + 1} accepted (trace: {trace})")
        traces.append(trace)
    return traces


def _wait_group(
    traces: list[str],
    backend: Backend,
    reporter: Reporter,
    poll_s: float,
    clock: Callable[[], float],
) -> tuple[int, int]:
    started = clock()
    states = [backend.progress(t) for t in traces]
    total = sum(s.total for s in states)
    reporter.line(f"   ⏳ Waiting for {total} indicators to complete...")
    last = -1
    while True:
        finished = sum(s.finished for s in states)
        if finished != last:
            last = finished
            pct = round(100 * finished / total) if total else 100
            reporter.line(
                f"   Progress: {finished}/{total} ({pct}%) - {int(clock() - started)}s elapsed"
            )
            reporter.progress(finished, total)
        if all(s.done for s in states):
            return finished, sum(s.failed for s in states)
        time.sleep(poll_s)
        states = [backend.progress(t) for t in traces]
