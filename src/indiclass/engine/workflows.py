"""The durable functions: one workflow per chunk of a batch, one step doing its work.

    ic/<trace>/c<chunk>.<epoch>     classify: every pending member of the chunk, concurrently
                                    (→ fail-chunk when the step keeps raising after retries)

Durability costs a few system-database writes per chunk, not per indicator per stage: the step
is re-runnable because every LLM reply is committed to ``llm_calls`` under its call key before
the step returns, and a re-run re-sends those replies instead of asking again (see
``engine.chunk``). ``epoch`` counts dispatches of the same chunk (resume after a pause,
retry-failed): a finished workflow is never re-run under its own id.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS, StepOptions
from dbos._error import DBOSMaxStepRetriesExceeded

from indiclass.domain import aio
from indiclass.domain.errors import ConfigError, InputError
from indiclass.domain.store import MemberFailed
from indiclass.engine.chunk import run_chunk
from indiclass.engine.runtime import current, stopping

CHUNK_WORKFLOW = "indiclass.chunk"
SHARED_QUEUE = "indiclass-chunks"
"""Queue of batches any worker may take (``shared:`` dispatch); one per provider name:
``indiclass-chunks:openai`` ... so a worker listens only where it can serve."""


def shared_queue(provider: str) -> str:
    return f"{SHARED_QUEUE}:{provider}"


class StepPolicy:
    """Retry settings of the durable steps (changed by the engine before launch, e.g. in tests)."""

    attempts = 3
    interval_s = 0.5
    outcome_attempts = 5


def _retryable(exc: BaseException) -> bool:
    return not isinstance(exc, ConfigError | InputError)


def _options(name: str, attempts: int, should_retry: Any = None) -> StepOptions:
    options: StepOptions = {
        "name": name,
        "retries_allowed": attempts > 1,
        "max_attempts": attempts,
        "interval_seconds": StepPolicy.interval_s,
        "backoff_rate": 2.0,
    }
    if should_retry is not None:
        options["should_retry"] = should_retry
    return options


@DBOS.workflow(name=CHUNK_WORKFLOW)
def chunk_workflow(trace_id: str, chunk: int) -> dict[str, Any]:
    """Classify the chunk; when its step keeps failing, fail its pending members with why."""
    try:
        return DBOS.run_step(
            _options("classify", StepPolicy.attempts, _retryable),
            classify_step,
            trace_id,
            chunk,
        )
    except Exception as exc:  # cancellation is a BaseException and passes through
        if stopping():
            raise  # cut short by shutdown: the members stay pending for `run resume`
        reason = failure_reason(exc)
        try:
            DBOS.run_step(
                _options("fail-chunk", StepPolicy.outcome_attempts),
                fail_step,
                trace_id,
                chunk,
                reason,
            )
        except Exception as again:  # not even the failure can be stored: say so, stay open
            current().broken(trace_id, failure_reason(again))
            raise
        return {"failed": -1, "reason": reason}


def classify_step(trace_id: str, chunk: int) -> dict[str, int]:
    rt = current()
    return aio.run_sync(run_chunk(rt, trace_id, chunk))


def fail_step(trace_id: str, chunk: int, reason: str) -> int:
    """The chunk's pending members failed, with the reason (the batch can close)."""
    rt = current()
    members = rt.store.chunk_members(trace_id, chunk)
    missing = rt.store.missing_members(trace_id, chunk)
    ids = [m.indicator_id for m in members] + missing
    applied = rt.store.apply([MemberFailed(trace_id, i, None, reason) for i in ids])
    for stats in applied.closed:
        rt.closed(stats)
    return len(ids)


def _last_error(exc: BaseException) -> BaseException:
    if isinstance(exc, DBOSMaxStepRetriesExceeded) and exc.errors:
        return exc.errors[-1]
    return exc


def failure_reason(exc: BaseException) -> str:
    """Why a step failed, as ``Type: message``, with the attempts made."""
    from indiclass.domain.redact import redact

    last = _last_error(exc)
    text = f"{type(last).__name__}: {redact(str(last))}"
    if isinstance(exc, DBOSMaxStepRetriesExceeded):
        text += f" (after {len(exc.errors)} attempts)"
    return text[:2000]
