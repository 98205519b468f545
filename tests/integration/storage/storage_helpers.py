"""Helpers for the storage tests: indicators, fake LLM call records, and an engine-like writer."""

from __future__ import annotations

from collections.abc import Callable

from indiclass.domain.enums import StageName
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.domain.ports import CallRecord
from indiclass.domain.usage import Usage
from indiclass.pipeline import STATE_FIELD, ClassificationRun, classify
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


def fake_call(
    stage: StageName, trace_id: str, indicator_id: str, n: int = 0, cost: float | None = 0.001
) -> CallRecord:
    return CallRecord(
        stage=str(stage),
        provider="fake",
        model="fake-1",
        system="sys",
        user=f"user {indicator_id} {n}",
        response='{"ok": true}',
        usage=Usage(
            requests=1, input_tokens=100, output_tokens=20, cached_tokens=10, cost_usd=cost
        ),
        duration_ms=12.5,
        tags={"trace_id": trace_id, "indicator_id": indicator_id},
    )


Simulate = Callable[..., ClassificationRun]


def simulate_indicator(
    store: SqlStore,
    trace_id: str,
    indicator: Indicator,
    *,
    llm_calls: int = 1,
    cost: float | None = 0.001,
) -> ClassificationRun:
    """What the engine does for one indicator: log, save every stage, log calls, complete."""
    run = classify(indicator)
    for stage_name, record in run.state.records.items():
        stage = StageName(stage_name)
        store.log_stage(trace_id, indicator.indicator_id, stage, "started")
        result = getattr(run.state, STATE_FIELD[stage])
        store.save_stage_result(trace_id, indicator.indicator_id, stage, result, record, Usage())
        store.log_stage(trace_id, indicator.indicator_id, stage, "completed", duration_ms=1.5)
    for n in range(llm_calls):
        store.record_llm_call(
            fake_call(StageName.FAMILY, trace_id, indicator.indicator_id, n, cost)
        )
    store.save_classification(trace_id, run.classification)
    return run
