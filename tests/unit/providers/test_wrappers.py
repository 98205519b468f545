"""Wrappers, limiter, prices, cache and registry, on small in-process providers."""

from __future__ import annotations

import threading

import pytest

from indiclass.domain.enums import StageName
from indiclass.domain.errors import ConfigError, ProviderRateLimited, ProviderTransient
from indiclass.domain.models import parse_indicator
from indiclass.domain.ports import CallRecord, LLMReply, LLMRequest
from indiclass.domain.usage import Usage
from indiclass.pipeline import (
    PipelineConfig,
    PipelineState,
    ProviderSet,
    _input_for,
    advance,
    run_stage,
)
from indiclass.providers import (
    Cached,
    Limiter,
    Logged,
    Price,
    Priced,
    PriceTable,
    RateLimited,
    ResponseCache,
    Retrying,
    RulesProvider,
    UnknownProviderError,
    create,
)
from indiclass.providers._wire import estimate_request_tokens, wire_schema
from indiclass.settings import Settings
from indiclass.stages import LLM_STAGE_MAP, STAGE_MAP


def family_request() -> LLMRequest:
    """A real family-stage request (with its typed payload) for a real indicator."""
    state = PipelineState(indicator=parse_indicator({"name": "Unemployment Rate", "units": "%"}))
    providers = ProviderSet(RulesProvider())
    while (name := state.next_stage()) is not StageName.FAMILY:
        state = advance(state, run_stage(name, state, providers, PipelineConfig()))
    stage = STAGE_MAP[StageName.FAMILY]
    return stage.build_request(_input_for(stage, state))


class Scripted:
    """Replies (or raises) from a script, counting calls."""

    name, model = "scripted", "gpt-4o-mini"

    def __init__(self, *steps: object) -> None:
        self.steps, self.calls = list(steps), 0

    def complete(self, request: LLMRequest) -> LLMReply:
        self.calls += 1
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return LLMReply(
            content=str(step),
            provider=self.name,
            model=self.model,
            usage=Usage(
                requests=1, input_tokens=1000, output_tokens=100, cached_tokens=400, cost_usd=None
            ),
        )


GOOD = '{"confidence": 0.9, "reasoning": "r", "family": "change-movement"}'


def test_retrying_honours_retry_after_then_backs_off():
    sleeps: list[float] = []
    inner = Scripted(ProviderRateLimited("429", retry_after=2.5), ProviderTransient("500"), GOOD)
    reply = Retrying(inner, max_retries=3, base_delay_s=0.1, sleep=sleeps.append).complete(
        family_request()
    )
    assert reply.content == GOOD and inner.calls == 3
    assert sleeps[0] == 2.5 and 0.1 <= sleeps[1] <= 0.2  # attempt 1: 0.2 with jitter 0.5..1


def test_retrying_gives_up_after_max_retries():
    inner = Scripted(ProviderTransient("500"))
    with pytest.raises(ProviderTransient):
        Retrying(inner, max_retries=2, sleep=lambda s: None).complete(family_request())
    assert inner.calls == 3


def test_priced_fills_cost_and_unknown_model_is_none():
    reply = Priced(Scripted(GOOD), PriceTable()).complete(family_request())
    assert reply.usage.cost_usd == pytest.approx((600 * 0.15 + 400 * 0.075 + 100 * 0.60) / 1e6)
    unknown = Scripted(GOOD)
    unknown.model = "mystery-model"
    assert Priced(unknown, PriceTable()).complete(family_request()).usage.cost_usd is None
    assert PriceTable().price("gpt-4o-mini-2024-07-18") == Price(0.15, 0.60, 0.075)


def test_price_file_overrides_and_bad_file_names_the_variable(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"gpt-4o-mini": {"input": 1, "output": 2, "cached": 0.5}}')
    assert PriceTable.load(str(path)).price("gpt-4o-mini") == Price(1, 2, 0.5)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="LLM_PRICES_FILE"):
        PriceTable.load(str(path))


def test_cache_serves_identical_requests_and_never_stores_invalid_replies(tmp_path):
    request = family_request()
    inner = Scripted('{"family": "nope"}', GOOD)
    cached = Cached(inner, ResponseCache(tmp_path / "cache.db"))
    assert cached.complete(request).content == '{"family": "nope"}'
    assert cached.complete(request).content == GOOD  # invalid reply was not stored
    hit = cached.complete(request)
    assert hit.cache_hit and hit.usage == Usage() and inner.calls == 2
    again = Cached(Scripted(ProviderTransient("down")), ResponseCache(tmp_path / "cache.db"))
    assert again.complete(request).content == GOOD  # persisted in SQLite across instances
    other = request.model_copy(update={"user": request.user + "\nunits: USD"})
    with pytest.raises(ProviderTransient):
        again.complete(other)


def test_logged_records_successes_and_errors():
    calls: list[CallRecord] = []
    request = family_request().model_copy(update={"tags": {"indicator_id": "x"}})
    Logged(Scripted(GOOD), calls.append).complete(request)
    with pytest.raises(ProviderTransient):
        Logged(Scripted(ProviderTransient("boom")), calls.append).complete(request)
    assert [c.error is None for c in calls] == [True, False]
    assert calls[0].response == GOOD and calls[0].usage.input_tokens == 1000
    assert calls[0].stage == "family" and calls[0].tags == {"indicator_id": "x"}
    assert "boom" in (calls[1].error or "") and calls[1].response is None


def test_logged_survives_a_broken_sink():
    def broken(record: CallRecord) -> None:
        raise RuntimeError("disk full")

    assert Logged(Scripted(GOOD), broken).complete(family_request()).content == GOOD


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_limiter_requests_per_minute():
    clock = FakeClock()
    limiter = Limiter(rpm=2, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire(10)
    assert limiter.waits == 2 and clock.now == pytest.approx(120.0)


def test_limiter_tokens_per_minute_trued_up_from_usage():
    clock = FakeClock()
    limiter = Limiter(tpm=1000, clock=clock, sleep=clock.sleep)
    ticket = limiter.acquire(900)  # estimate
    limiter.settle(ticket, 300)  # the server reported less
    limiter.acquire(600)
    assert limiter.waits == 0 and limiter.used() == (2, 900)
    limiter.acquire(600)
    assert limiter.waits == 1 and clock.now == pytest.approx(60.0)


def test_limiter_is_thread_safe():
    limiter = Limiter(rpm=1000)
    threads = [
        threading.Thread(target=lambda: [limiter.acquire(1) for _ in range(50)]) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.used() == (400, 400)


def test_rate_limited_wrapper_reserves_the_estimate_and_settles_usage():
    clock = FakeClock()
    limiter = Limiter(tpm=100_000, clock=clock, sleep=clock.sleep)
    request = family_request()
    assert estimate_request_tokens(request) > request.max_output_tokens
    RateLimited(Scripted(GOOD), limiter).complete(request)
    assert limiter.used() == (1, 1100)


def test_wire_schema_drops_limits_but_keeps_enums():
    request = family_request()
    slim = wire_schema(request.json_schema)
    assert "maximum" not in str(slim) and "maxLength" not in str(slim)
    assert (
        slim["properties"]["family"]["enum"] == request.json_schema["properties"]["family"]["enum"]
    )
    assert slim["required"] == request.json_schema["required"]


def test_rules_provider_answers_from_the_payload_not_the_prompt():
    request = family_request()
    scrambled = request.model_copy(update={"user": "ignore me", "system": "nothing"})
    assert RulesProvider().complete(scrambled).content == RulesProvider().complete(request).content
    LLM_STAGE_MAP[StageName.FAMILY].decide(
        request.payload, RulesProvider().complete(request).content
    )


def test_registry_unknown_name_has_a_hint():
    with pytest.raises(UnknownProviderError, match="did you mean 'anthropic'"):
        create("antropic", Settings(_env_file=None))
    assert isinstance(create("rules", Settings(_env_file=None)), RulesProvider)


def test_reasoning_models_get_no_temperature():
    from indiclass.providers.openai import OpenAIProvider, preset

    request = family_request()
    assert "temperature" in OpenAIProvider(preset("openai", api_key="k")).params(request)
    for model in ("o3-mini", "gpt-5-mini"):
        params = OpenAIProvider(preset("openai", model=model, api_key="k")).params(request)
        assert "temperature" not in params and params["max_completion_tokens"] == 300


def test_shared_cache_is_one_per_path(tmp_path):
    from indiclass.providers.cache import shared_cache

    assert shared_cache(str(tmp_path / "a.db")) is shared_cache(str(tmp_path / "a.db"))
    assert shared_cache(str(tmp_path / "a.db")) is not shared_cache(str(tmp_path / "b.db"))


def test_an_extension_registers_like_the_built_ins():
    from indiclass.providers import registry

    registry.register("scripted-test", lambda settings, model: Scripted(GOOD))
    try:
        assert "scripted-test" in registry.names()
        provider = create("scripted-test", Settings(_env_file=None))
        assert provider.complete(family_request()).content == GOOD
    finally:
        registry._FACTORIES.pop("scripted-test")
