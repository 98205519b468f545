"""The seed's runner: a run's batches in groups of concurrent batches, each its own trace_id.

A run is recorded before its first group (``runs`` / ``run_items``: its batches, their trace_ids
and members, its configuration), so ``run resume`` finishes every group, submitted or not.
``drive`` submits ``concurrent`` batches at a time through a backend (the embedded engine or a
server's HTTP API), waits for them (pushed by the in-process engine, polled over HTTP), and
reports to a :class:`Display` (the seed's exact lines, or one progress bar).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from indiclass.domain.errors import StorageError
from indiclass.domain.store import RunBatch
from indiclass.domain.usage import Usage


@dataclass(frozen=True)
class BatchProgress:
    finished: int
    """Members completed, failed or cancelled."""
    total: int
    done: bool
    failed: int = 0
    status: str = "running"
    usage: Usage = field(default_factory=Usage)
    fallback: int = 0


class Backend(Protocol):
    """Where batches go: ``EmbeddedBackend`` (in-process engine) or ``HttpBackend`` (--api)."""

    def submit(self, batch: RunBatch) -> str: ...
    def progress(self, trace_id: str) -> BatchProgress: ...
    def wait_change(self, timeout: float) -> None:
        """Return when something may have changed (at most ``timeout`` seconds)."""


class Display(Protocol):
    def group_started(self, group: int, groups: int, batches: Sequence[RunBatch]) -> None: ...
    def batch_accepted(self, number: int, trace_id: str) -> None: ...
    def batch_rejected(self, number: int, error: str) -> None: ...
    def group_submitted(self, group: int, queued: int) -> None: ...
    def waiting(self, total: int) -> None: ...
    def progress(self, finished: int, total: int, elapsed_s: float, run: RunTotals) -> None: ...
    def group_completed(self, group: int, finished: int) -> None: ...
    def close(self) -> None: ...


@dataclass
class RunTotals:
    """Where the whole run stands (for the progress bar and the summary)."""

    total: int
    done_before: int = 0
    """Members finished in earlier groups."""
    failed: int = 0
    fallback: int = 0
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.monotonic)


@dataclass
class RunOutcome:
    trace_ids: list[str] = field(default_factory=list)
    submitted: int = 0
    finished: int = 0
    failed: int = 0
    rejected: int = 0
    statuses: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    """Failure reasons (filled by the summary)."""

    @property
    def paused(self) -> bool:
        return "paused" in self.statuses.values()

    @property
    def unreachable(self) -> bool:
        """Nothing succeeded and every failure says the provider (or its configuration) could
        not be used: exit 3, not 1."""
        return (
            bool(self.failed)
            and self.failed == self.finished
            and bool(self.reasons)
            and all(r.startswith(("ProviderUnavailable", "ConfigError")) for r in self.reasons)
        )

    @property
    def clean(self) -> bool:
        return not (self.failed or self.rejected) and all(
            s == "completed" for s in self.statuses.values()
        )


def groups_of(batches: Sequence[RunBatch], concurrent: int) -> list[list[RunBatch]]:
    return [list(batches[n : n + concurrent]) for n in range(0, len(batches), concurrent)]


def drive(
    batches: Sequence[RunBatch],
    backend: Backend,
    display: Display,
    *,
    concurrent: int = 4,
    done_before: int = 0,
) -> RunOutcome:
    """Submit and wait, group by group; returns what was submitted and how it ended."""
    groups = groups_of(batches, concurrent)
    totals = RunTotals(total=sum(len(b.indicator_ids) for b in batches), done_before=done_before)
    outcome = RunOutcome()
    for g, group in enumerate(groups, start=1):
        display.group_started(g, len(groups), group)
        traces = _submit_group(group, backend, display)
        accepted = [t for t in traces if t]
        queued = sum(len(b.indicator_ids) for b, t in zip(group, traces, strict=True) if t)
        outcome.trace_ids += accepted
        outcome.submitted += queued
        outcome.rejected += sum(len(b.indicator_ids) for b in group) - queued
        if not accepted:
            outcome.rejected += sum(len(b.indicator_ids) for grp in groups[g:] for b in grp)
            display.group_completed(g, 0)
            break
        display.group_submitted(g, queued)
        states = _wait_group(accepted, backend, display, totals)
        _record(outcome, accepted, states, totals)
        display.group_completed(g, sum(s.finished for s in states))
        if outcome.paused:
            break
    return outcome


def _submit_group(group: list[RunBatch], backend: Backend, display: Display) -> list[str | None]:
    with ThreadPoolExecutor(max_workers=max(1, len(group))) as pool:
        futures = [pool.submit(backend.submit, batch) for batch in group]
    traces: list[str | None] = []
    for future in futures:
        error = future.exception()
        if isinstance(error, StorageError):
            raise error  # the database cannot take anything: the run ends here, with why
    for batch, future in zip(group, futures, strict=True):
        try:
            trace = future.result()
        except Exception as exc:
            display.batch_rejected(batch.batch_no + 1, str(exc).splitlines()[0][:300])
            traces.append(None)
            continue
        display.batch_accepted(batch.batch_no + 1, trace)
        traces.append(trace)
    return traces


def _wait_group(
    traces: list[str], backend: Backend, display: Display, totals: RunTotals
) -> list[BatchProgress]:
    started = time.monotonic()
    states = [backend.progress(t) for t in traces]
    total = sum(s.total for s in states)
    display.waiting(total)
    last = -1
    while True:
        finished = sum(s.finished for s in states)
        if finished != last:
            last = finished
            display.progress(finished, total, time.monotonic() - started, _now(totals, states))
        if all(s.done or s.status == "paused" for s in states):
            return states
        backend.wait_change(0.5)
        states = [backend.progress(t) for t in traces]


def _now(totals: RunTotals, states: list[BatchProgress]) -> RunTotals:
    usage = totals.usage
    for s in states:
        usage = usage + s.usage
    return RunTotals(
        total=totals.total,
        done_before=totals.done_before + sum(s.finished for s in states),
        failed=totals.failed + sum(s.failed for s in states),
        fallback=totals.fallback + sum(s.fallback for s in states),
        usage=usage,
        started=totals.started,
    )


def _record(
    outcome: RunOutcome, traces: list[str], states: list[BatchProgress], totals: RunTotals
) -> None:
    for trace, state in zip(traces, states, strict=True):
        outcome.statuses[trace] = state.status
        outcome.finished += state.finished
        outcome.failed += state.failed
        totals.done_before += state.finished
        totals.failed += state.failed
        totals.fallback += state.fallback
        totals.usage = totals.usage + state.usage
