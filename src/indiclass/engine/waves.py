"""Provider batch mode: one durable workflow per batch, in waves of provider batches.

    ic/<trace>/w.<epoch>    waves: plan → submit → (sleep, poll)… → fetch, until every member
                            is done (→ fail-waves when a step keeps raising after retries)

The stages depend on each other, so a batch proceeds in waves. Each wave:

1. ``plan`` drives every pending member, re-sending the replies already stored, until it is
   done or waits on an ask; the asks of the earliest stage become the wave, recorded (parts,
   custom_ids, call keys, calls begun) before anything is sent (``engine.wave_plan``). A wave
   recorded and not fetched (a restart, a new dispatch) is taken up instead of a new one.
2. ``submit`` (each part): upload (OpenAI), then create. Each call's intent is recorded first
   (``uploading``, ``creating``), so a restart that finds it looks for what the call may have
   made (the file by name, the batch by metadata or by count) before making it again: no
   provider batch is created twice for one wave, no request is paid twice.
3. ``DBOS.sleep`` (durable) with backoff, then ``poll`` every part, until all have ended.
4. ``fetch`` (each part): results mapped back by custom_id to call keys and stored in
   ``llm_calls`` (``ok`` with the reply, or ``error`` with the reason), in one transaction
   with the part's counts; the next ``plan`` re-sends them to the pipelines, which validate
   them as in synchronous mode (an invalid reply is re-asked in a later wave).

A cancelled batch's submitted provider batches are cancelled: by the next ``poll``, or, when the
engine cancels the workflow itself, on its way out. ``INDICLASS_TEST_KILL_AT=upload|create|
poll|fetch[:n]`` makes the process SIGKILL itself right after that call (the kill -9 tests).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from dbos import DBOS, SetWorkflowID
from dbos._error import DBOSWorkflowCancelledError, DBOSWorkflowConflictIDError

from indiclass.domain import aio
from indiclass.domain.errors import ProviderError
from indiclass.domain.ports import BatchAPI, BatchLine
from indiclass.domain.store import BatchStats, CallEnded, MemberFailed
from indiclass.domain.waves import SENT, WaveOutcome, WavePart
from indiclass.engine.events import EventStatus, ProgressEvent
from indiclass.engine.ids import PREFIX
from indiclass.engine.runtime import Runtime, current
from indiclass.engine.wave_plan import plan_wave
from indiclass.engine.wave_settings import WaveSettings, wave_settings
from indiclass.engine.workflows import StepPolicy, _options, _retryable, failure_reason

log = logging.getLogger("indiclass.engine")

WAVES_WORKFLOW = "indiclass.waves"
ACTIVE = ("PENDING", "ENQUEUED")
MAX_WAVES = 1_000
"""A bound no real batch reaches (stages × (re-asks + resubmissions) is a few dozen)."""
KILL_AT = "INDICLASS_TEST_KILL_AT"


def waves_prefix(trace_id: str) -> str:
    return f"{PREFIX}{quote(trace_id, safe='')}/w."


def waves_workflow_id(trace_id: str, epoch: int) -> str:
    return f"{waves_prefix(trace_id)}{epoch}"


def is_provider_batch(stats: BatchStats) -> bool:
    return stats.run_config is not None and stats.run_config.mode == "provider-batch"


def dispatch_waves(
    stats: BatchStats, executor_id: str, chunks: Iterable[int], epoch: int | None
) -> list[str]:
    """Start (local) or enqueue (shared) the batch's waves workflow, unless one is active or
    nothing is pending; ``epoch`` None picks the next one."""
    if epoch is None and not list(chunks):
        return []
    n = epoch if epoch is not None else _next_epoch(stats.batch_id, executor_id)
    if n is None:
        return []
    where = stats.dispatch or f"local:{executor_id}"
    workflow_id = waves_workflow_id(stats.batch_id, n)
    with SetWorkflowID(workflow_id):
        if where.startswith("shared:"):
            DBOS.enqueue_workflow(where.removeprefix("shared:"), waves_workflow, stats.batch_id, n)
        else:
            DBOS.start_workflow(waves_workflow, stats.batch_id, n)
    return [workflow_id]


def _next_epoch(trace_id: str, executor_id: str, wait_s: float = 3.0) -> int | None:
    """One more than the last dispatch; None while one is active. One of this process is
    waited for a little: it may be finishing (its last plan read the members before a retry
    requeued them). Unlike a chunk's, a waves workflow may run for hours, so the wait is short;
    a batch left with pending members and no workflow is re-dispatched by ``Engine.wait``."""
    deadline = time.monotonic() + wait_s
    prefix = waves_prefix(trace_id)
    while True:
        found = DBOS.list_workflows(workflow_id_prefix=prefix, load_input=False, load_output=False)
        active = [w for w in found if w.status in ACTIVE]
        if not active:
            return max((int(w.workflow_id[len(prefix) :]) for w in found), default=-1) + 1
        if any(w.executor_id != executor_id for w in active) or time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


# ---------------------------------------------------------------- the workflow


@DBOS.workflow(name=WAVES_WORKFLOW)
def waves_workflow(trace_id: str, epoch: int) -> dict[str, Any]:
    """Waves until the batch is done, paused or cancelled; a step that keeps failing fails the
    members still pending, with the reason (their provider batches are kept for a retry)."""
    try:
        settings = WaveSettings.from_dict(
            DBOS.run_step(_options("settings", 1), lambda: wave_settings().as_dict())
        )
        return _waves(trace_id, epoch, settings)
    except (DBOSWorkflowCancelledError, DBOSWorkflowConflictIDError):
        _stopped(trace_id)
        raise
    except Exception as exc:  # cancellation is a BaseException and passes through
        reason = failure_reason(exc)
        DBOS.run_step(
            _options("fail-waves", StepPolicy.outcome_attempts), fail_step, trace_id, reason
        )
        return {"status": "failed", "reason": reason}


def _waves(trace_id: str, epoch: int, settings: WaveSettings) -> dict[str, Any]:
    for _ in range(MAX_WAVES):
        plan = _step("plan", plan_step, trace_id, epoch, settings.as_dict())
        if plan["status"] != "wave":
            return dict(plan)
        for key in plan["parts"]:
            _step("submit", submit_step, key, settings.clock_skew_s)
        if not _wait_ended(trace_id, plan["parts"], settings):
            return {"status": "cancelled"}
        for key in plan["parts"]:
            _step("fetch", fetch_step, key)
    raise RuntimeError(f"batch {trace_id}: still unfinished after {MAX_WAVES} waves")


def _step(name: str, fn: Any, *args: Any) -> Any:
    return DBOS.run_step(_options(name, StepPolicy.attempts, _retryable), fn, *args)


def _wait_ended(trace_id: str, keys: list[str], settings: WaveSettings) -> bool:
    """Sleep and poll until every part has ended (True) or the batch is cancelled (False)."""
    for delay in settings.delays():
        DBOS.sleep(delay)
        status: str = _step("poll", poll_step, trace_id, keys)
        if status != "waiting":
            return status == "ended"
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- steps


def plan_step(trace_id: str, epoch: int, settings: dict[str, Any]) -> dict[str, Any]:
    rt = current()
    stats = rt.store.batch_stats(trace_id)
    if stats is None or stats.run_config is None or stats.done:
        return {"status": "closed"}
    if stats.status == "cancelled":
        _cancel_sent(rt, trace_id)
        rt.store.cancel_pending(trace_id)
        return {"status": "cancelled"}
    if stats.status == "paused":
        return {"status": "paused"}
    unfinished = rt.store.wave_parts(trace_id, open_only=True)
    if unfinished:
        wave = unfinished[0].wave
        parts = [p for p in unfinished if p.wave == wave]
        return {"status": "wave", "wave": wave, "stage": parts[0].stage, "parts": _keys(parts)}
    return aio.run_sync(plan_wave(rt, stats, epoch, WaveSettings.from_dict(settings)))


def submit_step(key: str, skew_s: float) -> str | None:
    """Upload and create the part's provider batch, unless it exists (then: its id)."""
    rt = current()
    part = rt.store.wave_part(key)
    if part is None or part.status == "cancelled":
        return None
    if part.provider_batch_id:
        return part.provider_batch_id
    api = _api(rt, part)
    ref = part.ref(skew_s)
    if part.status == "creating" and (found := _adopt(rt, api, part, skew_s)):
        return found
    lines = [BatchLine.model_validate({"custom_id": r.custom_id, "body": _body(r.body)})
             for r in rt.store.wave_requests(key)]  # fmt: skip
    upload = part.input_file_id or _upload(rt, api, part, lines, skew_s)
    rt.store.update_wave_part(key, status="creating", submitted_at=datetime.now(UTC))
    batch_id = api.create(ref, lines, upload)
    _checkpoint("create")
    rt.store.update_wave_part(key, status="submitted", provider_batch_id=batch_id)
    _emit(rt, part, "started", batch_id)
    return batch_id


def _upload(
    rt: Runtime, api: BatchAPI, part: WavePart, lines: list[BatchLine], skew_s: float
) -> str | None:
    ref = part.ref(skew_s)
    found = api.find_upload(ref) if part.status == "uploading" else None
    if found is None:
        rt.store.update_wave_part(part.key, status="uploading")
        found = api.upload(ref, lines)
        _checkpoint("upload")
    if found is not None:
        rt.store.update_wave_part(part.key, status="uploaded", input_file_id=found)
    return found


def _adopt(rt: Runtime, api: BatchAPI, part: WavePart, skew_s: float) -> str | None:
    """A create that may have reached the provider before a crash: the batch it made, if any
    (a second one made for the same wave is cancelled)."""
    found = api.find(part.ref(skew_s), rt.store.provider_batch_ids())
    if not found:
        return None
    for duplicate in found[1:]:
        log.warning("provider batch %s duplicates %s (wave %s): cancelled", duplicate, found[0],
                    part.key)  # fmt: skip
        api.cancel(duplicate)
    rt.store.update_wave_part(part.key, status="submitted", provider_batch_id=found[0])
    _emit(rt, part, "started", found[0])
    return found[0]


def poll_step(trace_id: str, keys: list[str]) -> str:
    """``ended`` when every part has ended, ``waiting``, or ``cancelled`` (its provider
    batches then cancelled)."""
    rt = current()
    stats = rt.store.batch_stats(trace_id)
    if stats is None or stats.status == "cancelled":
        _cancel_sent(rt, trace_id)
        return "cancelled"
    ended = True
    for key in keys:
        part = rt.store.wave_part(key)
        if part is None or part.status != "submitted" or not part.provider_batch_id:
            continue
        state = _api(rt, part).poll(part.provider_batch_id)
        changes: dict[str, Any] = {"provider_status": state.status, "polls": part.polls + 1}
        if state.ended:
            changes.update(status="ended", ended_at=datetime.now(UTC), error=state.error)
        rt.store.update_wave_part(key, **changes)
        ended = ended and state.ended
    _checkpoint("poll")
    return "ended" if ended else "waiting"


def fetch_step(key: str) -> int:
    """Store the part's results under their call keys; returns how many succeeded."""
    rt = current()
    part = rt.store.wave_part(key)
    if part is None or part.status != "ended":
        return 0
    api = _api(rt, part)
    results = api.results(part.provider_batch_id) if part.provider_batch_id else []
    _checkpoint("fetch")
    by_id = {r.custom_id: r for r in results}
    elapsed = _elapsed_ms(part)
    outcomes, ended = [], []
    for request in rt.store.wave_requests(key):
        result = by_id.get(request.custom_id)
        kind = result.kind if result else "missing"
        error = None if kind == "succeeded" else _why(part, kind, result.error if result else None)
        reply = result.reply if result else None
        ended.append(CallEnded(request.call_key, part.trace_id, reply, error, elapsed))
        outcomes.append(WaveOutcome(request.custom_id, kind, error))
    rt.store.finish_wave_part(key, outcomes, ended)
    succeeded = sum(1 for o in outcomes if o.outcome == "succeeded")
    _emit(rt, part, "completed", part.provider_batch_id, f"{succeeded} succeeded")
    return succeeded


def fail_step(trace_id: str, reason: str) -> int:
    """The batch's pending members failed, with the reason (the batch can close)."""
    rt = current()
    ids: list[str] = []
    for chunk in rt.store.pending_chunks(trace_id):
        ids += [m.indicator_id for m in rt.store.chunk_members(trace_id, chunk)]
        ids += rt.store.missing_members(trace_id, chunk)
    applied = rt.store.apply([MemberFailed(trace_id, i, None, reason) for i in ids])
    for stats in applied.closed:
        rt.closed(stats)
    return len(ids)


# ---------------------------------------------------------------- helpers


def _api(rt: Runtime, part: WavePart) -> BatchAPI:
    stats = rt.store.batch_stats(part.trace_id)
    assert stats is not None and stats.run_config is not None
    provider = rt.providers(stats.run_config).for_stage(part.stage)
    api: BatchAPI = provider.batch  # type: ignore[attr-defined]
    return api


def _stopped(trace_id: str) -> None:
    """The workflow was stopped (cancelled, or it lost its ownership): when that is because
    the batch was cancelled, its provider batches are cancelled too, directly (the workflow's
    steps are refused now). Otherwise they are kept: a new dispatch takes them up."""
    rt = current()
    stats = rt.store.batch_stats(trace_id)
    if stats is None or stats.status == "cancelled":
        _cancel_sent(rt, trace_id)


def _cancel_sent(rt: Runtime, trace_id: str) -> None:
    """Cancel the batch's provider batches still running; mark every open part cancelled."""
    for part in rt.store.wave_parts(trace_id, open_only=True):
        if part.status in SENT and part.provider_batch_id:
            try:
                _api(rt, part).cancel(part.provider_batch_id)
            except ProviderError as exc:
                log.warning("cancelling provider batch %s failed: %s", part.provider_batch_id, exc)
        ended = [CallEnded(r.call_key, trace_id, None, "cancelled with the batch")
                 for r in rt.store.wave_requests(part.key)]  # fmt: skip
        rt.store.finish_wave_part(part.key, [], ended)
        rt.store.update_wave_part(part.key, status="cancelled")


def _why(part: WavePart, kind: str, error: str | None) -> str:
    base = f"provider batch {part.provider_batch_id or part.key}: request {kind}"
    detail = error or (part.error if kind == "missing" else None)
    return f"{base}: {detail}" if detail else base


def _elapsed_ms(part: WavePart) -> float:
    start = part.submitted_at or part.created_at
    return max(0.0, (datetime.now(UTC) - start).total_seconds() * 1000)


def _body(text: str | None) -> dict[str, Any]:
    return dict(json.loads(text or "{}"))


def _keys(parts: list[WavePart]) -> list[str]:
    return [p.key for p in parts]


def _emit(
    rt: Runtime, part: WavePart, status: EventStatus, batch_id: str | None, extra: str = ""
) -> None:
    detail = f"wave {part.wave}.{part.part} · {part.requests} requests · {batch_id}"
    rt.emit(
        ProgressEvent(
            "wave", status, part.trace_id, stage=part.stage, detail=f"{detail} {extra}".strip()
        )
    )


_passed: dict[str, int] = {}


def _checkpoint(point: str) -> None:
    """The kill -9 tests' hook: die right here when ``INDICLASS_TEST_KILL_AT`` is ``point``
    (the first time) or ``point:n`` (the n-th time this process passes it)."""
    wanted = os.environ.get(KILL_AT)
    if not wanted or wanted.partition(":")[0] != point:
        return
    _passed[point] = _passed.get(point, 0) + 1
    if _passed[point] >= int(wanted.partition(":")[2] or 1):
        os.kill(os.getpid(), signal.SIGKILL)
