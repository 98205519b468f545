"""One durable step's work: every pending member of a chunk, concurrently, on the I/O loop.

Each member runs the pipeline (``pipeline.steps``) end to end; its LLM asks are answered by

1. the replies already received for this batch (``llm_calls`` rows with status ``ok``, keyed by
   call key): a step re-run after a crash re-sends them and rebuilds the same state without
   asking again;
2. else the provider, after the call's intent is committed (``CallBegun``), its reply queued for
   the same writer (``CallEnded``).

A member's results are committed before the step returns (``MemberDone`` / ``MemberFailed``).
Members in flight are bounded per process (``Runtime.slots``); a cancelled batch stops its
members at their next LLM ask; a batch over its budget pauses them (they stay ``pending``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field, replace

from indiclass.domain.errors import ConfigError, StageFailed
from indiclass.domain.models import Indicator
from indiclass.domain.ports import LLMReply, Provider
from indiclass.domain.redact import redact
from indiclass.domain.run import RunConfig
from indiclass.domain.store import (
    CallBegun,
    CallEnded,
    MemberCancelled,
    MemberDone,
    MemberFailed,
    StageMark,
)
from indiclass.engine.retention import redact_prompts
from indiclass.engine.runtime import Runtime
from indiclass.pipeline import (
    Answer,
    Ask,
    PipelineConfig,
    PipelineRun,
    ProviderSet,
    ask_provider,
    steps,
)


class Halt(Exception):
    """A member stops without an outcome: ``cancelled`` or ``paused``."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def call_key(trace_id: str, indicator_id: str, ask: Ask, provider: Provider) -> str:
    """The same ask of the same member of the same batch has the same key, in any process."""
    request = ask.request.cache_key(provider.name, provider.model)
    raw = f"{trace_id}\x1f{indicator_id}\x1f{ask.stage}\x1f{ask.attempt}\x1f{request}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass
class Chunk:
    """What every member of one chunk shares."""

    rt: Runtime
    trace_id: str
    config: RunConfig
    providers: ProviderSet
    pipeline: PipelineConfig
    replay: dict[str, LLMReply]
    outcomes: Counter[str] = field(default_factory=Counter)
    paused: bool = False
    """Set when this chunk paused its batch: its other members stop at their next ask."""

    async def answer(self, indicator_id: str, ask: Ask) -> Answer:
        provider = self.providers.for_stage(ask.stage)
        key = call_key(self.trace_id, indicator_id, ask, provider)
        replayed = self.replay.pop(key, None)
        if replayed is not None:
            return Answer(reply=replayed)
        self._check_open()
        estimate = self.rt.estimate_cost(ask.request, provider)
        await self._within_budget(estimate)
        writer = self.rt.writer
        if ask.attempt == 1:
            writer.post(StageMark(self.trace_id, indicator_id, ask.stage))
        begun = _begun(key, self.trace_id, indicator_id, ask, provider)
        await writer.write(replace(begun, estimated_cost_usd=estimate))
        warm = await self.rt.warm_up(provider, ask) if ask.attempt == 1 else None
        started = time.perf_counter()
        try:
            answer = await ask_provider(provider, ask)
        finally:
            if warm is not None:
                warm.set()
        error = None if answer.error is None else f"{type(answer.error).__name__}: {answer.error}"
        elapsed = (time.perf_counter() - started) * 1000
        writer.post(CallEnded(key, self.trace_id, answer.reply, error, elapsed))
        self.rt.budget(self.trace_id).settle(estimate, answer.reply)
        return answer

    async def _within_budget(self, estimate: float | None) -> None:
        """Pause the batch (durably: its status) before a call that could take its spend over
        ``max_cost_usd``; the member stays pending and resumes with a bigger budget."""
        limit = self.config.max_cost_usd
        budget = self.rt.budget(self.trace_id)
        if limit is None or budget.allows(estimate, limit):
            return
        reason = (
            f"paused by the budget: ${budget.spent + budget.reserved:.4f} spent or in flight, "
            f"the next call could cost ${estimate or 0:.4f}, max_cost ${limit:.4f}"
        )
        if not self.paused:
            self.paused = True
            await asyncio.to_thread(self.rt.pause, self.trace_id, reason)
        raise Halt("paused")

    def _check_open(self) -> None:
        if self.paused:
            raise Halt("paused")
        status = self.rt.batch_status(self.trace_id)
        if status == "cancelled":
            raise Halt("cancelled")
        if status == "paused":
            raise Halt("paused")

    async def member(self, indicator: Indicator) -> str:
        """One member, start to finish; returns its outcome."""
        if self.pipeline.strategy.value != "rules":
            await self.rt.paced(self.trace_id)
        async with self.rt.slots:
            return await self._classify(indicator)

    async def _classify(self, indicator: Indicator) -> str:
        ind = indicator.indicator_id
        started, t0 = time.time(), time.perf_counter()
        config = _tagged(self.pipeline, self.trace_id, ind)
        last_stage: list[str] = []
        try:
            run = await self._drive(indicator, config, last_stage)
        except Halt as halt:
            if halt.why == "cancelled":
                await self.rt.writer.write(MemberCancelled(self.trace_id, ind))
            return halt.why
        except Exception as exc:
            stage = getattr(exc, "stage", None) or (last_stage[-1] if last_stage else None)
            reason = _reason(exc)
            elapsed = (time.perf_counter() - t0) * 1000
            failed = MemberFailed(self.trace_id, ind, stage, reason, (), started, elapsed)
            await self.rt.writer.write(failed)
            return "failed"
        elapsed = (time.perf_counter() - t0) * 1000
        done = MemberDone(self.trace_id, ind, run.classification, run.outcomes, started, elapsed)
        await self.rt.writer.write(done)
        return "completed"

    async def _drive(
        self, indicator: Indicator, config: PipelineConfig, last_stage: list[str]
    ) -> PipelineRun:
        gen = steps(indicator, config)
        try:
            ask = next(gen)
            while True:
                last_stage.append(ask.stage)
                ask = gen.send(await self.answer(indicator.indicator_id, ask))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


async def run_chunk(rt: Runtime, trace_id: str, chunk: int) -> dict[str, int]:
    """Classify the chunk's pending members; every outcome is committed when this returns."""
    stats = await asyncio.to_thread(rt.store.batch_stats, trace_id)
    if stats is None or stats.run_config is None:
        return {}
    if stats.status == "cancelled":
        await asyncio.to_thread(rt.store.cancel_pending, trace_id)
        return {"cancelled": 1}
    if stats.status == "paused":
        return {"paused": 1}
    members = await asyncio.to_thread(rt.store.chunk_members, trace_id, chunk)
    missing = await asyncio.to_thread(rt.store.missing_members, trace_id, chunk)
    for ind in missing:
        rt.writer.post(
            MemberFailed(trace_id, ind, None, "indicator not found in source_indicators")
        )
    counts: Counter[str] = Counter(failed=len(missing))
    if members:
        rt.budget(trace_id).start(stats.usage.cost_usd)
        counts += await _run_members(rt, trace_id, stats.run_config, members)
    await rt.writer.flush()
    return dict(counts)


async def _run_members(
    rt: Runtime,
    trace_id: str,
    config: RunConfig,
    members: list[Indicator],
) -> Counter[str]:
    try:
        providers = rt.providers(config)
    except (ConfigError, ImportError) as exc:  # this worker cannot serve the batch: say so
        reason = f"worker {rt.executor_id} cannot serve {config.provider.label}: {exc}"
        for m in members:
            rt.writer.post(MemberFailed(trace_id, m.indicator_id, None, reason[:2000]))
        return Counter(failed=len(members))
    ids = [m.indicator_id for m in members]
    replay = await asyncio.to_thread(rt.store.replies, trace_id, ids)
    pipeline = PipelineConfig.for_run(config, providers, rt.stages, examples=rt.examples)
    chunk = Chunk(rt, trace_id, config, providers, pipeline, replay)
    results = await asyncio.gather(*(chunk.member(m) for m in members))
    return Counter(results)


def _begun(key: str, trace_id: str, ind: str, ask: Ask, provider: Provider) -> CallBegun:
    """The call's row before it leaves; with ``INDICLASS_REDACT_PROMPTS`` its prompt text is
    not stored (the hash and the token estimate are still of the real prompt)."""
    request = ask.request
    user = request.logged_user()
    redacted = redact_prompts()
    return CallBegun(
        call_key=key,
        trace_id=trace_id,
        indicator_id=ind,
        stage=ask.stage,
        attempt=ask.attempt,
        provider=provider.name,
        model=provider.model,
        system="" if redacted else request.system,
        user="" if redacted else user,
        request_hash=hashlib.sha256((request.system + user).encode()).hexdigest()[:32],
        estimated_input_tokens=(len(request.system) + len(user) + 3) // 4,
    )


def _tagged(config: PipelineConfig, trace_id: str, indicator_id: str) -> PipelineConfig:
    return replace(config, tags={"trace_id": trace_id, "indicator_id": indicator_id})


def _reason(exc: BaseException) -> str:
    """``Type: message`` (a StageFailed already says which stage and why)."""
    if isinstance(exc, StageFailed):
        return exc.reason[:2000]
    return f"{type(exc).__name__}: {redact(str(exc))}"[:2000]
