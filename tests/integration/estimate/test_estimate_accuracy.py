"""Acceptance: the estimate is within 10% of the measured cost of the same run against the fake
server (real HTTP through the official SDKs, the providers' per-model cache minimums, response
cache off), for ``llm`` and ``hybrid``, on dev indicators. A subset keeps it fast: every
indicator ``hybrid`` sends to an LLM plus as many it does not; the full figure is in
docs/benchmarks.md (``benchmarks/estimate_accuracy.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indiclass.bootstrap.providers import build_provider_set, run_config
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.domain.usage import Usage
from indiclass.estimate import estimate_run, planned_calls
from indiclass.pipeline import PipelineConfig, classify
from indiclass.testing import FakeLLMServer, running_fake_llm
from indiclass.testing.settings import fake_llm_settings

TOLERANCE = 0.10


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLMServer]:
    with running_fake_llm(cache_min_tokens="per-model") as server:
        yield server


@pytest.fixture(scope="module")
def subset(fake, eval_rows) -> list[Indicator]:
    indicators = [parse_indicator(r) for r in eval_rows.values()]
    hybrid = run_config(fake_llm_settings(fake), "openai", "gpt-4.1-mini", "hybrid")
    asked = [i for i in indicators if any(True for _ in planned_calls([i], hybrid))]
    others = [i for i in indicators if i not in asked][: len(asked)]
    return asked + others


def measured(fake: FakeLLMServer, run, indicators: list[Indicator]) -> Usage:
    fake.reset()
    settings = fake_llm_settings(fake, LLM_CACHE=False)
    providers = build_provider_set(settings, run)
    config = PipelineConfig.for_run(run, providers)
    return sum((classify(i, providers, config).usage for i in indicators), Usage())


@pytest.mark.parametrize(
    ("provider", "model", "strategy"),
    [
        ("openai", "gpt-4.1-mini", "llm"),
        ("openai", "gpt-4.1-mini", "hybrid"),
        ("anthropic", "claude-sonnet-4-5", "llm"),
        ("anthropic", "claude-sonnet-4-5", "hybrid"),
    ],
)
def test_estimate_is_within_10_percent_of_the_measured_cost(
    fake, subset, provider, model, strategy
):
    run = run_config(fake_llm_settings(fake), provider, model, strategy)
    real = measured(fake, run, subset)
    guess = estimate_run(subset, run).total
    assert real.requests > 0 and real.cost_usd
    # hybrid: a few LLM answers below min_confidence are re-asked, which no estimate can know
    assert guess.requests == pytest.approx(real.requests, rel=0.02)
    assert guess.cost_usd == pytest.approx(real.cost_usd, rel=TOLERANCE)
    assert guess.input_tokens == pytest.approx(real.input_tokens, rel=TOLERANCE)
    assert guess.cached_tokens == pytest.approx(real.cached_tokens, rel=TOLERANCE)
    assert guess.output_tokens == pytest.approx(real.output_tokens, rel=TOLERANCE)
