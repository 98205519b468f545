"""One wave's plan (the work of the waves workflow's ``plan`` step): drive every pending member
until it is done or waits on an LLM ask, then record the next provider batch.

Members are driven exactly as the synchronous chunk runner drives them (``engine.chunk``; this
module only changes how an ask is answered): each ask is answered by a reply already stored
under its call key (a wave's results, re-sent: that is what makes a re-run after a crash cheap
and exact), and otherwise the member waits. Finished members are written as in synchronous
mode. Of the asks waited on, those of the earliest stage make the next wave; its intent (one
part per ``max_requests`` requests: the row, each request's custom_id, call key and body, and
the calls begun) is recorded before anything is sent. A request whose provider-batch tries have
all failed (errored, expired) is asked synchronously, or fails its member, by the settings.
With a budget, the wave's estimated cost (input plus the most output, at the batch price) is
checked first: over it, the batch pauses and nothing is recorded.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from indiclass.domain.errors import ConfigError, StageFailed
from indiclass.domain.models import Indicator
from indiclass.domain.ports import BatchAPI, BatchCapable, Provider
from indiclass.domain.run import RunConfig
from indiclass.domain.store import BatchStats, CallBegun, MemberFailed, StageMark
from indiclass.domain.waves import WavePart, WaveRequest, custom_id, wave_key
from indiclass.engine.chunk import Chunk, Halt, _begun, call_key
from indiclass.engine.events import ProgressEvent
from indiclass.engine.runtime import Runtime
from indiclass.engine.wave_settings import WaveSettings
from indiclass.pipeline import Answer, Ask, PipelineConfig, ProviderSet
from indiclass.stages import StageSet


@dataclass(frozen=True)
class Waiting:
    """A member's pipeline waits on ``ask`` (its reply is not stored yet)."""

    position: int
    order: int
    """The stage's place in the pipeline."""
    indicator_id: str
    ask: Ask
    key: str
    provider: Provider


class Blocked(Halt):
    """The member stops here until the wave with its ask has been fetched."""

    def __init__(self) -> None:
        super().__init__("waiting")


@dataclass
class WaveChunk(Chunk):
    """A chunk runner whose asks are answered by stored replies only; the others wait."""

    failures: Mapping[str, list[str]] = field(default_factory=dict)
    """Call key → why each of its provider-batch tries (in this dispatch) failed."""
    settings: WaveSettings = field(default_factory=WaveSettings)
    positions: Mapping[str, int] = field(default_factory=dict)
    waiting: list[Waiting] = field(default_factory=list)

    async def member(self, indicator: Indicator) -> str:
        async with self.rt.slots:  # nothing is sent now: no emission pacing
            return await self._classify(indicator)

    async def answer(self, indicator_id: str, ask: Ask) -> Answer:
        provider = self.providers.for_stage(ask.stage)
        key = call_key(self.trace_id, indicator_id, ask, provider)
        replayed = self.replay.pop(key, None)
        if replayed is not None:
            return Answer(reply=replayed)
        failed = self.failures.get(key, [])
        if len(failed) >= self.settings.tries:
            return await self._give_up(indicator_id, ask, failed)
        self._check_open()
        if ask.attempt == 1:
            self.rt.writer.post(StageMark(self.trace_id, indicator_id, ask.stage))
        order = _order(self.rt.stages)[ask.stage]
        position = self.positions.get(indicator_id, 0)
        self.waiting.append(Waiting(position, order, indicator_id, ask, key, provider))
        raise Blocked()

    async def _give_up(self, indicator_id: str, ask: Ask, failed: list[str]) -> Answer:
        if self.settings.give_up == "sync":
            return await super().answer(indicator_id, ask)  # the synchronous path, logged
        raise StageFailed(ask.stage, f"provider batch: {failed[-1]} ({len(failed)} tries)")


@cache
def _order(stages: StageSet) -> dict[str, int]:
    """Stage name → its place in the pipeline (the earliest waited on goes first)."""
    return {str(s.name): k for k, s in enumerate(stages)}


# ---------------------------------------------------------------- the plan step


async def plan_wave(
    rt: Runtime, stats: BatchStats, epoch: int, settings: WaveSettings
) -> dict[str, Any]:
    """Drive, then record the next wave; returns what the workflow does next."""
    config = stats.run_config
    assert config is not None
    trace_id = stats.batch_id
    try:
        providers = _batch_providers(rt, config)
    except (ConfigError, ImportError) as exc:
        await _fail_all(
            rt,
            trace_id,
            f"worker {rt.executor_id} cannot serve {config.provider.label}"
            f" in provider-batch mode: {exc}",
        )
        return {"status": "done"}
    failures = await asyncio.to_thread(rt.store.wave_failures, trace_id, epoch)
    waiting = await _drive(rt, trace_id, config, providers, failures, settings)
    await rt.writer.flush()
    if not waiting:
        return {"status": "done"}
    return await _record(rt, stats, epoch, settings, waiting)


def _batch_providers(rt: Runtime, config: RunConfig) -> ProviderSet:
    providers = rt.providers(config)
    for p in (providers.default, *providers.overrides.values()):
        if p.name != "rules" and not isinstance(p, BatchCapable):
            raise ConfigError(f"provider {p.name}/{p.model} has no batch client")
    return providers


async def _drive(
    rt: Runtime,
    trace_id: str,
    config: RunConfig,
    providers: ProviderSet,
    failures: Mapping[str, list[str]],
    settings: WaveSettings,
) -> list[Waiting]:
    """Every pending member, chunk by chunk; returns the asks of the earliest stage waited on."""
    pipeline = PipelineConfig.for_run(config, providers, rt.stages, examples=rt.examples)
    earliest: list[Waiting] = []
    position = 0
    for chunk in await asyncio.to_thread(rt.store.pending_chunks, trace_id):
        members = await asyncio.to_thread(rt.store.chunk_members, trace_id, chunk)
        for ind in await asyncio.to_thread(rt.store.missing_members, trace_id, chunk):
            rt.writer.post(MemberFailed(trace_id, ind, None, "indicator not found"))
        ids = [m.indicator_id for m in members]
        positions = {ind: position + k for k, ind in enumerate(ids)}
        position += len(ids)
        replay = await asyncio.to_thread(rt.store.replies, trace_id, ids)
        runner = WaveChunk(
            rt, trace_id, config, providers, pipeline, replay, failures=failures,
            settings=settings, positions=positions,
        )  # fmt: skip
        await asyncio.gather(*(runner.member(m) for m in members))
        earliest = _earliest(earliest + runner.waiting)
    return earliest


def _earliest(waiting: list[Waiting]) -> list[Waiting]:
    if not waiting:
        return []
    first = min(w.order for w in waiting)
    return sorted((w for w in waiting if w.order == first), key=lambda w: w.position)


async def _fail_all(rt: Runtime, trace_id: str, reason: str) -> None:
    for chunk in await asyncio.to_thread(rt.store.pending_chunks, trace_id):
        for m in await asyncio.to_thread(rt.store.chunk_members, trace_id, chunk):
            rt.writer.post(MemberFailed(trace_id, m.indicator_id, None, reason[:2000]))
        for ind in await asyncio.to_thread(rt.store.missing_members, trace_id, chunk):
            rt.writer.post(MemberFailed(trace_id, ind, None, reason[:2000]))
    await rt.writer.flush()


# ---------------------------------------------------------------- the intent


async def _record(
    rt: Runtime,
    stats: BatchStats,
    epoch: int,
    settings: WaveSettings,
    waiting: list[Waiting],
) -> dict[str, Any]:
    trace_id, stage = stats.batch_id, waiting[0].ask.stage
    api: BatchAPI = waiting[0].provider.batch  # type: ignore[attr-defined]
    wave = await asyncio.to_thread(rt.store.next_wave, trace_id)
    size = settings.max_requests
    parts = [
        _part(trace_id, epoch, wave, n, api, waiting[at : at + size])
        for n, at in enumerate(range(0, len(waiting), size))
    ]
    paused = await _over_budget(rt, stats, stage, [p[0] for p in parts])
    if paused:
        return {"status": "paused", "reason": paused}
    for part, requests, begun in parts:
        await asyncio.to_thread(rt.store.record_wave_part, part, requests, begun)
    keys = [p[0].key for p in parts]
    return {"status": "wave", "wave": wave, "stage": stage, "parts": keys}


def _part(
    trace_id: str, epoch: int, wave: int, n: int, api: BatchAPI, items: Sequence[Waiting]
) -> tuple[WavePart, list[WaveRequest], list[CallBegun]]:
    key = wave_key(trace_id, wave, n)
    requests, begun, estimates = [], [], []
    for k, w in enumerate(items):
        body = json.dumps(api.body(w.ask.request), separators=(",", ":"), ensure_ascii=False)
        requests.append(WaveRequest(key, custom_id(key, k), w.key, trace_id, w.indicator_id, body))
        estimate = api.estimate_cost(w.ask.request)
        estimates.append(estimate)
        call = _begun(w.key, trace_id, w.indicator_id, w.ask, w.provider)
        begun.append(replace(call, estimated_cost_usd=estimate))
    part = WavePart(
        key=key,
        trace_id=trace_id,
        epoch=epoch,
        wave=wave,
        part=n,
        stage=items[0].ask.stage,
        provider=api.name,
        model=api.model,
        status="planned",
        requests=len(items),
        first_custom_id=requests[0].custom_id,
        estimated_cost_usd=None if None in estimates else sum(e or 0.0 for e in estimates),
        created_at=datetime.now(UTC),
    )
    return part, requests, begun


async def _over_budget(
    rt: Runtime, stats: BatchStats, stage: str, parts: Sequence[WavePart]
) -> str | None:
    """The reason to pause when the wave could take the batch over its budget, else None."""
    config = stats.run_config
    limit = config.max_cost_usd if config else None
    estimates = [p.estimated_cost_usd for p in parts]
    if limit is None or None in estimates:
        return None
    estimate = sum(e or 0.0 for e in estimates)
    fresh = await asyncio.to_thread(rt.store.batch_stats, stats.batch_id)
    spent = (fresh.usage.cost_usd if fresh else None) or 0.0
    if spent + estimate <= limit:
        return None
    requests = sum(p.requests for p in parts)
    reason = (
        f"paused by the budget: ${spent:.4f} spent, the {stage} wave ({requests} requests) "
        f"could cost ${estimate:.4f} at the batch price, max_cost ${limit:.4f}"
    )
    paused = await asyncio.to_thread(rt.store.set_batch_status, stats.batch_id, "paused", reason)
    rt.forget_status(stats.batch_id)
    rt.emit(ProgressEvent("batch", "paused", stats.batch_id, stats=paused, error=reason))
    return reason
