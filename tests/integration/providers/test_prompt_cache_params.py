"""Cache parameters through the real SDKs against the fake server with the providers' per-model
cache minimums: OpenAI's ``prompt_cache_key`` per stage, Anthropic's ``cache_control``
breakpoint and TTL, and the cache-first prompts reaching the 1,024-token minimum."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indiclass.bootstrap.providers import build_provider_set, run_config
from indiclass.domain import aio
from indiclass.domain.ports import CallRecord, LLMRequest
from indiclass.domain.run import ProviderSpec, RunConfig
from indiclass.estimate import planned_calls
from indiclass.pipeline import PipelineConfig, classify
from indiclass.providers.anthropic import AnthropicConfig, AnthropicProvider
from indiclass.providers.pricing import PriceTable
from indiclass.testing import FakeLLMServer, running_fake_llm
from indiclass.testing.settings import fake_llm_settings

STATIC_BLOCKS = 9 * 128
"""Every stage's schema + system prompt is 1,152-1,279 tokens: nine whole 128-token blocks."""
ASKED = ("time", "family", "type", "boolean-review")


@pytest.fixture(scope="module")
def per_model() -> Iterator[FakeLLMServer]:
    with running_fake_llm(cache_min_tokens="per-model") as server:
        yield server


@pytest.fixture
def fake(per_model: FakeLLMServer) -> FakeLLMServer:
    per_model.reset()
    return per_model


def run_llm(fake: FakeLLMServer, provider: str, model: str, indicators) -> list[CallRecord]:
    calls: list[CallRecord] = []
    settings = fake_llm_settings(fake, LLM_CACHE=False)
    run = run_config(settings, provider, model, "llm")
    providers = build_provider_set(settings, run, sink=calls.append)
    for indicator in indicators:
        classify(indicator, providers, PipelineConfig.for_run(run, providers))
    return calls


def stage_requests(indicator, provider: str = "openai") -> dict[str, LLMRequest]:
    run = RunConfig(provider=ProviderSpec(name=provider, model="m"), strategy="llm")
    return {str(r.stage): r for r, _ in planned_calls([indicator], run)}


def test_openai_sends_one_prompt_cache_key_per_stage(fake, gdp):
    run_llm(fake, "openai", "gpt-4.1-mini", [gdp])
    keys = {b["prompt_cache_key"] for b in fake.fake.requests}
    assert keys == {f"indiclass-{stage}" for stage in ASKED}


def test_local_servers_get_no_prompt_cache_key(fake, gdp):
    run_llm(fake, "local", None, [gdp])
    assert fake.fake.requests and all("prompt_cache_key" not in b for b in fake.fake.requests)


def test_from_the_second_indicator_on_every_static_prefix_is_read_from_the_cache(fake, gdp, debt):
    calls = run_llm(fake, "openai", "gpt-4.1-mini", [gdp, debt])
    first, second = calls[:4], calls[4:]
    assert [c.usage.cached_tokens for c in first] == [0, 0, 0, 0]
    assert [c.usage.cached_tokens for c in second] == [STATIC_BLOCKS] * 4
    price = PriceTable().price("gpt-4.1-mini")
    assert price is not None
    fresh = second[0].usage.input_tokens - STATIC_BLOCKS
    expected = (fresh * 0.40 + STATIC_BLOCKS * 0.10 + second[0].usage.output_tokens * 1.60) / 1e6
    assert second[0].usage.cost_usd == pytest.approx(expected)


def test_anthropic_writes_the_prefix_once_then_reads_it_and_bills_the_write(fake, gdp, debt):
    calls = run_llm(fake, "anthropic", "claude-sonnet-4-5", [gdp, debt])
    first, second = calls[0].usage, calls[4].usage
    assert first.cache_write_tokens > STATIC_BLOCKS and first.cached_tokens == 0
    assert second.cached_tokens == first.cache_write_tokens and second.cache_write_tokens == 0
    fresh = first.input_tokens - first.cache_write_tokens
    written = first.cache_write_tokens * 3.75  # 1.25 x $3.00 input
    assert first.cost_usd == pytest.approx((fresh * 3.0 + written + first.output_tokens * 15) / 1e6)
    marks = [b["system"][0]["cache_control"] for b in fake.fake.requests]
    assert marks == [{"type": "ephemeral"}] * 8


def test_anthropic_one_hour_ttl_is_sent_on_the_breakpoint(fake, gdp):
    adapter = AnthropicProvider(
        AnthropicConfig(model="claude-sonnet-4-5", base_url=fake.url, cache_ttl="1h")
    )
    reply = aio.run_sync(adapter.complete(stage_requests(gdp, "anthropic")["family"]))
    assert fake.fake.requests[0]["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert reply.usage.cache_write_tokens > STATIC_BLOCKS


def test_haiku_minimum_of_2048_tokens_is_not_reached(fake, gdp, debt):
    """Claude 3.5 Haiku caches nothing below 2,048 tokens: the prompts are sized for 1,024."""
    calls = run_llm(fake, "anthropic", "claude-3-5-haiku-latest", [gdp, debt])
    assert all(c.usage.cached_tokens == c.usage.cache_write_tokens == 0 for c in calls)
