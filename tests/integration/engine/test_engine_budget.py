"""A budget pauses a batch before a call could take its spend over it; a bigger budget resumes
it to completion; nothing fails because of the pause. Real OpenAI SDK against the fake server,
priced at gpt-4o-mini."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from engine_helpers import indicators

from indiclass.engine import Engine
from indiclass.testing import running_fake_llm


@pytest.fixture
def priced_env(db_env: dict[str, str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with running_fake_llm() as server:
        for key, value in {
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": server.openai_url,
            "OPENAI_MODEL": "gpt-4o-mini",
        }.items():
            monkeypatch.setenv(key, value)
        yield server


def test_a_budget_pauses_then_a_bigger_one_finishes(
    start_engine: Callable[..., Engine], priced_env: object, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("engine logic only")
    engine = start_engine(concurrency=4)
    full = engine.wait(engine.submit(indicators("full", 8), strategy="llm"), timeout=120)
    assert full.status == "completed" and full.usage.cost_usd
    per_batch = full.usage.cost_usd
    limit = per_batch / 2
    config = engine.resolve("openai", None, "llm", max_cost_usd=limit)
    trace = engine.submit(indicators("budget", 8), config=config)
    paused = engine.wait(trace, timeout=120)
    assert paused.status == "paused" and "budget" in (paused.reason or "")
    assert paused.usage.cost_usd is not None and paused.usage.cost_usd <= limit
    assert paused.failed_indicators == 0 and paused.pending_indicators > 0
    engine.store.set_run_config(trace, config.model_copy(update={"max_cost_usd": per_batch * 3}))
    assert engine.resume(include_paused=True) > 0
    done = engine.wait(trace, timeout=120)
    assert (done.status, done.successful_indicators, done.failed_indicators) == ("completed", 8, 0)
    assert done.usage.cost_usd <= per_batch * 1.05  # replies paid before the pause were reused
