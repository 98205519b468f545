"""Wrappers around a provider (retry, price, cache, log, limit, fallback), each alone, on a
real stage request; providers are in-process ``FunctionProvider``s (no network)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from indiclass.domain.errors import (
    ConfigError,
    ProviderRateLimited,
    ProviderTransient,
    ProviderUnavailable,
)
from indiclass.domain.models import parse_indicator
from indiclass.domain.ports import CallRecord, LLMReply, LLMRequest
from indiclass.domain.usage import Usage
from indiclass.pipeline import classify
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
from indiclass.providers.function import FunctionProvider
from indiclass.providers.wrappers import Fallback
from indiclass.settings import Settings
from indiclass.stages import DEFAULT_STAGES

run = asyncio.run


def family_request() -> LLMRequest:
    """A real family-stage request (with its typed payload) for a real indicator."""
    ind = parse_indicator({"name": "Unemployment Rate", "units": "%"})
    state: dict[str, Any] = {"indicator": ind, **classify(ind).results}
    stage = DEFAULT_STAGES.get("family")
    assert stage.build_request is not None
    return stage.build_request(stage.input_model(**{k: state[k] for k in stage.inputs}))


def scripted(
    *steps: object, name: str = "scripted", model: str = "gpt-4o-mini"
) -> FunctionProvider:
    """Replies (or raises) from a script; the last step repeats."""
    queue = list(steps)

    def answer(request: LLMRequest) -> LLMReply:
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        usage = Usage(
            requests=1, input_tokens=1000, output_tokens=100, cached_tokens=400, cost_usd=None
        )
        return LLMReply(content=str(step), provider=name, model=model, usage=usage)

    return FunctionProvider(answer, name=name, model=model)


GOOD = '{"confidence": 0.9, "reasoning": "r", "family": "change-movement"}'


def test_retrying_honours_retry_after_then_backs_off():
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    inner = scripted(ProviderRateLimited("429", retry_after=2.5), ProviderTransient("500"), GOOD)
    reply = run(
        Retrying(inner, max_retries=3, base_delay_s=0.1, sleep=sleep).complete(family_request())
    )
    assert reply.content == GOOD and inner.total_calls == 3
    assert sleeps[0] == 2.5 and 0.1 <= sleeps[1] <= 0.2  # attempt 1: 0.2 with jitter 0.5..1


def test_retrying_gives_up_after_max_retries():
    inner = scripted(ProviderTransient("500"))

    async def no_sleep(seconds: float) -> None:
        pass

    with pytest.raises(ProviderTransient):
        run(Retrying(inner, max_retries=2, sleep=no_sleep).complete(family_request()))
    assert inner.total_calls == 3


def test_priced_fills_cost_and_unknown_model_is_none():
    reply = run(Priced(scripted(GOOD), PriceTable()).complete(family_request()))
    assert reply.usage.cost_usd == pytest.approx((600 * 0.15 + 400 * 0.075 + 100 * 0.60) / 1e6)
    unknown = scripted(GOOD, model="mystery-model")
    assert run(Priced(unknown, PriceTable()).complete(family_request())).usage.cost_usd is None
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
    inner = scripted('{"family": "nope"}', GOOD)
    cached = Cached(inner, ResponseCache(tmp_path / "cache.db"))
    assert run(cached.complete(request)).content == '{"family": "nope"}'
    assert run(cached.complete(request)).content == GOOD  # invalid reply was not stored
    hit = run(cached.complete(request))
    assert hit.cache_hit and hit.usage == Usage() and inner.total_calls == 2
    again = Cached(scripted(ProviderTransient("down")), ResponseCache(tmp_path / "cache.db"))
    assert run(again.complete(request)).content == GOOD  # persisted in SQLite across instances
    other = request.model_copy(update={"user": request.user + "\nunits: USD"})
    with pytest.raises(ProviderTransient):
        run(again.complete(other))


def test_logged_records_successes_and_errors():
    calls: list[CallRecord] = []
    request = family_request().model_copy(update={"tags": {"indicator_id": "x"}})
    run(Logged(scripted(GOOD), calls.append).complete(request))
    with pytest.raises(ProviderTransient):
        run(Logged(scripted(ProviderTransient("boom")), calls.append).complete(request))
    assert [c.error is None for c in calls] == [True, False]
    assert calls[0].response == GOOD and calls[0].usage.input_tokens == 1000
    assert calls[0].stage == "family" and calls[0].tags == {"indicator_id": "x"}
    assert "boom" in (calls[1].error or "") and calls[1].response is None


def test_logged_survives_a_broken_sink():
    def broken(record: CallRecord) -> None:
        raise RuntimeError("disk full")

    assert run(Logged(scripted(GOOD), broken).complete(family_request())).content == GOOD


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_limiter_requests_per_minute():
    clock = FakeClock()
    limiter = Limiter(rpm=2, clock=clock, sleep=clock.sleep)

    async def five() -> None:
        for _ in range(5):
            await limiter.acquire(10)

    run(five())
    assert limiter.waits == 2 and clock.now == pytest.approx(120.0)


def test_limiter_tokens_per_minute_trued_up_from_usage():
    clock = FakeClock()
    limiter = Limiter(tpm=1000, clock=clock, sleep=clock.sleep)
    ticket = run(limiter.acquire(900))  # estimate
    limiter.settle(ticket, 300)  # the server reported less
    run(limiter.acquire(600))
    assert limiter.waits == 0 and limiter.used() == (2, 900)
    run(limiter.acquire(600))
    assert limiter.waits == 1 and clock.now == pytest.approx(60.0)


def test_limiter_counts_every_concurrent_caller():
    limiter = Limiter(rpm=1000)

    async def many() -> None:
        await asyncio.gather(*(limiter.acquire(1) for _ in range(400)))

    run(many())
    assert limiter.used() == (400, 400)


def test_rate_limited_wrapper_reserves_the_estimate_and_settles_usage():
    clock = FakeClock()
    limiter = Limiter(tpm=100_000, clock=clock, sleep=clock.sleep)
    request = family_request()
    assert estimate_request_tokens(request) > request.max_output_tokens
    run(RateLimited(scripted(GOOD), limiter).complete(request))
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
    answer = run(RulesProvider().complete(request)).content
    assert run(RulesProvider().complete(scrambled)).content == answer
    decide = DEFAULT_STAGES.get("family").decide
    assert decide is not None
    decide(request.payload, answer)


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

    registry.register("scripted-test", lambda settings, spec: scripted(GOOD))
    try:
        assert "scripted-test" in registry.names()
        provider = create("scripted-test", Settings(_env_file=None))
        assert run(provider.complete(family_request())).content == GOOD
        assert registry.check("Scripted-Test") == "scripted-test"  # names are case-insensitive
    finally:
        registry._ENTRIES.pop("scripted-test")


def test_fallback_hands_over_on_unavailability_and_transient_errors_only():
    request = family_request()
    primary = scripted(ProviderUnavailable("down"), name="primary")
    second = scripted(ProviderTransient("busy"), name="second")
    third = scripted(GOOD, name="third")
    reply = run(Fallback(primary, second, third).complete(request))
    assert reply.content == GOOD and reply.provider == "third"
    assert (primary.total_calls, second.total_calls, third.total_calls) == (1, 1, 1)
    with pytest.raises(ProviderUnavailable, match="no provider could answer"):
        run(
            Fallback(
                scripted(ProviderUnavailable("a")), scripted(ProviderUnavailable("b"))
            ).complete(request)
        )
    from indiclass.domain.errors import ProviderError

    bad_request = scripted(ProviderError("400: bad request"))
    with pytest.raises(ProviderError, match="400"):
        run(Fallback(bad_request, third).complete(request))  # the request's fault: not retried


def test_function_provider_answers_like_the_rules_by_default_and_counts_calls():
    request = family_request().model_copy(update={"tags": {"indicator_id": "u1"}})
    provider = FunctionProvider()
    reply = run(provider.complete(request))
    assert reply.provider == "function" and reply.usage.input_tokens > 0
    assert provider.calls[("u1", "family")] == 1

    async def slow(req: LLMRequest) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"family": "temporal", "confidence": 0.5, "reasoning": "x"}

    assert '"temporal"' in run(FunctionProvider(slow).complete(request)).content
