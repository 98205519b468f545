"""The durable functions: a batch workflow that emits its indicators in chunks, and one workflow
per indicator whose steps each end with a stage that may ask an LLM.

    batch:{trace_id}            create the batch, then per chunk of INTERNAL_EMIT_BATCH indicators:
                                load them, enqueue their workflows, sleep INTERNAL_EMIT_DELAY_MS
    {trace_id}:{indicator_id}   stage:normalize+time → stage:cumulative+router+family → stage:type
                                → stage:boolean-review → stage:final-review (+ complete)
                                (or → failed when a stage keeps raising after its retries)

A step runs its stages, writes each one's result and ``processing_log`` rows (idempotent
upserts: a step running at a crash runs again), and returns the new pipeline state. DBOS records
that return value, so after a restart the completed steps are replayed from the record and their
LLM calls are not made again.
"""

from __future__ import annotations

import time
from typing import Any

from dbos import DBOS, StepOptions
from dbos._error import DBOSMaxStepRetriesExceeded

from indiclass.domain.enums import LLM_STAGES, StageName, Strategy
from indiclass.domain.errors import ConfigError, EngineError, InputError
from indiclass.domain.store import BatchSpec
from indiclass.engine.events import ProgressEvent
from indiclass.engine.runtime import RunOptions, Runtime, current
from indiclass.engine.system import APP_VERSION
from indiclass.pipeline import STAGE_ORDER, PipelineState, advance, finish, run_stage

INDICATOR_QUEUE = "indiclass-indicators"
BATCH_QUEUE = "indiclass-batches"
INDICATOR_WORKFLOW = "indiclass.indicator"
BATCH_WORKFLOW = "indiclass.batch"


def indicator_workflow_id(trace_id: str, indicator_id: str) -> str:
    return f"{trace_id}:{indicator_id}"


def batch_workflow_id(trace_id: str) -> str:
    return f"batch:{trace_id}"


class StepPolicy:
    """Retry settings of the durable steps (changed by the engine before launch, e.g. in tests)."""

    stage_attempts = 3
    stage_interval_s = 0.5
    outcome_attempts = 8
    outcome_interval_s = 0.5


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, StageFailed):
        return exc.retryable
    return not isinstance(exc, ConfigError | InputError)


def _stage_options(stage: str) -> StepOptions:
    return {
        "name": f"stage:{stage}",
        "retries_allowed": StepPolicy.stage_attempts > 1,
        "max_attempts": StepPolicy.stage_attempts,
        "interval_seconds": StepPolicy.stage_interval_s,
        "backoff_rate": 2.0,
        "should_retry": _retryable,
    }


def _outcome_options(name: str) -> StepOptions:
    return {
        "name": name,
        "retries_allowed": True,
        "max_attempts": StepPolicy.outcome_attempts,
        "interval_seconds": StepPolicy.outcome_interval_s,
        "backoff_rate": 2.0,
    }


# ---------------------------------------------------------------- batch


@DBOS.workflow(name=BATCH_WORKFLOW)
def batch_workflow(
    spec: dict[str, Any], options: dict[str, Any], chunk: int, delay_s: float, warm_s: float
) -> int:
    """Create the batch, then enqueue its indicators' workflows chunk by chunk."""
    DBOS.run_step(_outcome_options("create-batch"), create_batch_step, spec)
    if warm_s > 0:
        DBOS.sleep(warm_s)
    ids: list[str] = list(spec["indicator_ids"])
    for n, start in enumerate(range(0, len(ids), chunk)):
        if n and delay_s > 0:
            DBOS.sleep(delay_s)
        DBOS.run_step(
            _outcome_options("emit-chunk"),
            emit_chunk_step,
            spec["trace_id"],
            ids[start : start + chunk],
            options,
        )
    return len(ids)


def emit_chunk_step(trace_id: str, ids: list[str], options: dict[str, Any]) -> int:
    """Load a chunk's indicators and enqueue their workflows. Enqueued under deterministic ids,
    so a step that re-runs after a crash enqueues nothing twice. (Through a DBOS client: an
    enqueue outside the workflow's context costs one insert, not a child-workflow record.)"""
    rt = current()
    found = {i.indicator_id: i for i in rt.store.list_source_indicators(ids=ids)}
    for missing in (i for i in ids if i not in found):
        rt.store.mark_failed(trace_id, missing, None, "indicator not found in source_indicators")
        rt.stats.touch(trace_id)
    for ind in (found[i] for i in ids if i in found):
        rt.client.enqueue(
            {
                "workflow_name": INDICATOR_WORKFLOW,
                "queue_name": INDICATOR_QUEUE,
                "workflow_id": indicator_workflow_id(trace_id, ind.indicator_id),
                "app_version": APP_VERSION,
            },
            trace_id,
            ind.model_dump(mode="json"),
            options,
        )
    return len(found)


def create_batch_step(spec: dict[str, Any]) -> None:
    current().store.create_batch(BatchSpec.model_validate(spec))


# ---------------------------------------------------------------- one indicator


@DBOS.workflow(name=INDICATOR_WORKFLOW)
def indicator_workflow(trace_id: str, indicator: dict[str, Any], options: dict[str, Any]) -> str:
    """The stages as steps, then the classification; ``failed`` when a stage keeps failing."""
    state: dict[str, Any] = {"indicator": indicator}
    stage: str | None = STAGE_ORDER[0].value
    while stage is not None:
        names = segment(stage, options["strategy"])
        try:
            out = DBOS.run_step(
                _stage_options("+".join(names)), stages_step, trace_id, names, state, options
            )
        except Exception as exc:  # cancellation is a BaseException and passes through
            DBOS.run_step(
                _outcome_options("failed"),
                fail_step,
                trace_id,
                indicator["indicator_id"],
                failed_stage(exc, names),
                failure_reason(exc),
            )
            return "failed"
        state, stage = out["state"], out["next"]
    return "completed"


def segment(first: str, strategy: str) -> list[str]:
    """The stages one step runs: from ``first`` up to and including the next stage that may ask
    an LLM. An LLM answer is therefore always the last thing a step does, and is recorded the
    moment it is persisted; the rule stages before it are pure and cheap, so they ride along
    instead of paying a durable checkpoint each (with the rules strategy: one step in all)."""
    order = [s.value for s in STAGE_ORDER]
    names = order[order.index(first) :]
    if strategy == Strategy.RULES.value:
        return names
    for n, name in enumerate(names):
        if StageName(name) in LLM_STAGES:
            return names[: n + 1]
    return names


def stages_step(
    trace_id: str, names: list[str], state: dict[str, Any], options: dict[str, Any]
) -> dict[str, Any]:
    """Run and persist ``names`` in order, then any following stage that certainly asks no LLM
    (the final review when the boolean review passed); returns the new state and the next
    stage's name. The step that runs the last stage also completes the indicator."""
    rt, opts = current(), RunOptions.from_dict(options)
    now = PipelineState.model_validate(state)
    for name in names:
        now = _run_named(rt, trace_id, name, now, opts)
    while (nxt := now.next_stage()) is not None and _asks_nothing(nxt, now):
        now = _run_named(rt, trace_id, nxt.value, now, opts)
    if nxt is None:
        finish_indicator(rt, trace_id, now, opts)
        return {"state": None, "next": None}
    return {"state": now.model_dump(mode="json"), "next": nxt.value}


def _asks_nothing(name: StageName, state: PipelineState) -> bool:
    review = state.boolean_review
    return name is StageName.FINAL_REVIEW and review is not None and review.passed


def _run_named(
    rt: Runtime, trace_id: str, name: str, state: PipelineState, opts: RunOptions
) -> PipelineState:
    try:
        return run_one(rt, trace_id, StageName(name), state, opts)
    except Exception as exc:
        raise StageFailed(name, f"{type(exc).__name__}: {exc}", _retryable(exc)) from exc


class StageFailed(EngineError):
    """A stage raised inside a step; names the stage (picklable: DBOS records step errors)."""

    def __init__(self, stage: str, reason: str, retryable: bool = True) -> None:
        super().__init__(f"stage {stage} failed: {reason}")
        self.stage, self.reason, self.retryable = stage, reason, retryable

    def __reduce__(self) -> tuple[Any, ...]:
        return (StageFailed, (self.stage, self.reason, self.retryable))


def run_one(
    rt: Runtime, trace_id: str, name: StageName, before: PipelineState, opts: RunOptions
) -> PipelineState:
    """One stage: ``processing_log`` started, the stage, its result row, completed."""
    ind = before.indicator.indicator_id
    started = time.perf_counter()
    rt.store.log_stage(trace_id, ind, name, "started")
    outcome = run_stage(name, before, rt.providers(opts), rt.config(opts, trace_id, ind))
    rt.store.save_stage_result(trace_id, ind, name, outcome.result, outcome.record, outcome.usage)
    elapsed = (time.perf_counter() - started) * 1000
    rt.store.log_stage(trace_id, ind, name, "completed", duration_ms=elapsed)
    rt.emit(ProgressEvent("stage", "completed", trace_id, ind, name.value, duration_ms=elapsed))
    return advance(before, outcome)


def finish_indicator(rt: Runtime, trace_id: str, final: PipelineState, opts: RunOptions) -> None:
    """The complete stage: save the classification, refresh the batch's stats."""
    ind = final.indicator.indicator_id
    started = time.perf_counter()
    rt.store.log_stage(trace_id, ind, StageName.COMPLETE, "started")
    try:
        rt.store.save_classification(trace_id, finish(final, *rt.label(opts)))
    except Exception as exc:
        raise StageFailed(StageName.COMPLETE.value, f"{type(exc).__name__}: {exc}") from exc
    elapsed = (time.perf_counter() - started) * 1000
    rt.store.log_stage(trace_id, ind, StageName.COMPLETE, "completed", duration_ms=elapsed)
    rt.emit(ProgressEvent("indicator", "completed", trace_id, ind, duration_ms=elapsed))
    _after_item(trace_id)


def fail_step(trace_id: str, indicator_id: str, stage: str, reason: str) -> None:
    """Record the failure (``processing_log`` failed row, batch item failed) and move on."""
    rt = current()
    rt.store.mark_failed(trace_id, indicator_id, StageName(stage), reason)
    rt.emit(ProgressEvent("indicator", "failed", trace_id, indicator_id, stage, error=reason))
    _after_item(trace_id)


def _after_item(trace_id: str) -> None:
    current().stats.touch(trace_id)


def _last_error(exc: BaseException) -> BaseException:
    if isinstance(exc, DBOSMaxStepRetriesExceeded) and exc.errors:
        return exc.errors[-1]
    return exc


def failed_stage(exc: BaseException, names: list[str]) -> str:
    last = _last_error(exc)
    return last.stage if isinstance(last, StageFailed) else names[0]


def failure_reason(exc: BaseException) -> str:
    """Why a step failed, as ``Type: message``, with the attempts made."""
    last = _last_error(exc)
    text = last.reason if isinstance(last, StageFailed) else f"{type(last).__name__}: {last}"
    if isinstance(exc, DBOSMaxStepRetriesExceeded):
        text += f" (after {len(exc.errors)} attempts)"
    return text[:2000]
