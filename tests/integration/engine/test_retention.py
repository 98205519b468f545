"""Retention through the engine (issue #16): with ``INDICLASS_REDACT_PROMPTS`` no prompt text
is ever stored, yet a re-run still replays the replies it received instead of asking again;
a purge after the batch closed keeps tokens and cost, and a retry of the purged batch asks
again (what purging costs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from engine_helpers import ScriptedProvider, indicators

from indiclass.engine import Engine
from indiclass.engine.retention import purge


def test_redacted_prompts_are_never_stored_and_replay_still_works(
    start_engine: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDICLASS_REDACT_PROMPTS", "true")
    scripted = ScriptedProvider(fail_stage="family", fail_ids={"z-1"})
    engine = start_engine(factory=scripted.factory)
    trace_id = engine.submit(indicators("z", 3), provider="scripted", strategy="llm")
    assert engine.wait(trace_id, timeout=120).failed_indicators == 1
    calls = [c for i in ("z-0", "z-1", "z-2") for c in engine.store.llm_calls_for(i)]
    assert calls and all(c["prompt_system"] == "" and c["prompt_user"] == "" for c in calls)
    ok = [c for c in calls if c["status"] == "ok"]
    assert ok and all(c["response"] and c["request_hash"] for c in ok)
    assert all(c["input_tokens"] > 0 for c in ok)  # counted on the real prompt

    before = dict(scripted.calls)
    scripted.heal()
    engine.retry_failed(trace_id)
    assert engine.wait(trace_id, timeout=120).successful_indicators == 3
    rerun = {k for k, n in scripted.calls.items() if n != before.get(k, 0)}
    assert ("z-1", "time") not in rerun and ("z-1", "family") in rerun  # replayed, not re-asked


def test_after_a_purge_tokens_and_cost_stay_and_a_retry_asks_again(
    start_engine: Callable[..., Engine],
) -> None:
    scripted = ScriptedProvider(fail_stage="type", fail_ids={"q-0"})
    engine = start_engine(factory=scripted.factory)
    trace_id = engine.submit(indicators("q", 2), provider="scripted", strategy="llm")
    stats = engine.wait(trace_id, timeout=120)
    tokens = stats.usage.input_tokens
    assert purge(engine.store, timedelta(days=-1)) > 0  # everything, the batch is closed
    assert all(c["response"] is None for c in engine.store.llm_calls_for("q-1"))
    assert engine.store.batch_stats(trace_id).usage.input_tokens == tokens
    before = dict(scripted.calls)
    scripted.heal()
    engine.retry_failed(trace_id)
    engine.wait(trace_id, timeout=120)
    assert scripted.calls[("q-0", "time")] == before[("q-0", "time")] + 1  # paid again
