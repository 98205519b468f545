"""Helpers for the storage tests: indicators, batch specs, and the writes the engine makes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from indiclass.domain.enums import Strategy
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.domain.ports import LLMReply
from indiclass.domain.run import ProviderSpec, RunConfig
from indiclass.domain.store import BatchSpec, CallBegun, CallEnded, MemberDone, MemberFailed
from indiclass.domain.usage import Usage
from indiclass.pipeline import PipelineRun, classify
from indiclass.storage import SqlStore


def make_indicator(n: int, **extra: object) -> Indicator:
    units = ["USD Billion", "%", "Persons", "Index Points", "EUR Million"][n % 5]
    return parse_indicator(
        {
            "indicator_id": f"ind-{n:04d}",
            "name": f"Indicator {n} exports",
            "units": units,
            "periodicity": "Quarterly",
            "description": f"test indicator {n}",
            "sample_values": [
                {"date": "2023-03-31", "value": n},
                {"date": "2023-06-30", "value": n + 1},
            ],
            **extra,
        }
    )


def config(provider: str = "rules", model: str = "indiclass-rules-1") -> RunConfig:
    strategy = Strategy.RULES if provider == "rules" else Strategy.LLM
    return RunConfig(provider=ProviderSpec(name=provider, model=model), strategy=strategy)


def spec(
    trace_id: str, ids: list[str], provider: str = "rules", *, chunk_size: int = 100
) -> BatchSpec:
    return BatchSpec(
        trace_id=trace_id,
        indicator_ids=tuple(ids),
        run_config=config(provider),
        created_at=datetime.now(UTC),
        chunk_size=chunk_size,
    )


def call_ops(
    trace_id: str, indicator_id: str, n: int = 0, cost: float | None = 0.001, key: str | None = None
) -> tuple[CallBegun, CallEnded]:
    key = key or f"{trace_id}/{indicator_id}/family/{n}"
    begun = CallBegun(
        call_key=key,
        trace_id=trace_id,
        indicator_id=indicator_id,
        stage="family",
        attempt=n + 1,
        provider="fake",
        model="fake-1",
        system="sys",
        user=f"user {indicator_id} {n}",
        request_hash="h",
        estimated_input_tokens=90,
        estimated_cost_usd=0.0005,
    )
    usage = Usage(requests=1, input_tokens=100, output_tokens=20, cached_tokens=10, cost_usd=cost)
    reply = LLMReply(content='{"ok": true}', provider="fake", model="fake-1", usage=usage)
    return begun, CallEnded(key, trace_id, reply, None, 12.5)


def done_op(trace_id: str, indicator: Indicator) -> tuple[MemberDone, PipelineRun]:
    started = time.time()
    run = classify(indicator)
    elapsed = (time.time() - started) * 1000 + 1.0
    return (
        MemberDone(
            trace_id, indicator.indicator_id, run.classification, run.outcomes, started, elapsed
        ),
        run,
    )


Simulate = Callable[..., PipelineRun]


def simulate_indicator(
    store: SqlStore,
    trace_id: str,
    indicator: Indicator,
    *,
    llm_calls: int = 1,
    cost: float | None = 0.001,
) -> PipelineRun:
    """What the engine writes for one indicator: its calls begun and ended, then its results
    (in a one-member batch ``trace_id`` when there is no such batch yet)."""
    if store.batch_stats(trace_id) is None:
        store.upsert_source_indicators([indicator])
        store.create_batch(spec(trace_id, [indicator.indicator_id]))
    for n in range(llm_calls):
        begun, ended = call_ops(trace_id, indicator.indicator_id, n, cost)
        store.apply([begun])
        store.apply([ended])
    done, run = done_op(trace_id, indicator)
    store.apply([done])
    return run


def fail(store: SqlStore, trace_id: str, indicator_id: str, stage: str, reason: str) -> None:
    store.apply([MemberFailed(trace_id, indicator_id, stage, reason)])
