"""Batches as the engine leaves them, without running the engine: for tests of the store, the
API and the CLI that need stored results (the writes are the engine's own ``store.apply``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from indiclass.domain.enums import Strategy
from indiclass.domain.models import Indicator
from indiclass.domain.run import ProviderSpec, RunConfig
from indiclass.domain.store import BatchSpec, MemberDone, MemberFailed, ResultStore
from indiclass.pipeline import classify

RULES_CONFIG = RunConfig(
    provider=ProviderSpec(name="rules", model="indiclass-rules-1"), strategy=Strategy.RULES
)


def stored_batch(
    store: ResultStore,
    indicators: Sequence[Indicator],
    *,
    trace_id: str | None = None,
    failures: Mapping[str, tuple[str, str]] | None = None,
    config: RunConfig = RULES_CONFIG,
    chunk_size: int = 100,
) -> str:
    """A batch of ``indicators`` classified by the rules and stored; ``failures`` maps an
    indicator id to (stage, reason) for members that failed instead. Returns the trace_id."""
    trace = trace_id or str(uuid.uuid4())
    failures = failures or {}
    store.upsert_source_indicators(list(indicators))
    store.create_batch(
        BatchSpec(
            trace_id=trace,
            indicator_ids=tuple(i.indicator_id for i in indicators),
            run_config=config,
            created_at=datetime.now(UTC),
            chunk_size=chunk_size,
        )
    )
    ops: list[MemberDone | MemberFailed] = []
    for ind in indicators:
        if ind.indicator_id in failures:
            stage, reason = failures[ind.indicator_id]
            ops.append(MemberFailed(trace, ind.indicator_id, stage, reason))
            continue
        started = time.time()
        run = classify(ind)
        elapsed = (time.time() - started) * 1000
        ops.append(
            MemberDone(trace, ind.indicator_id, run.classification, run.outcomes, started, elapsed)
        )
    store.apply(ops)
    return trace
