"""Each adapter through its real SDK against the fake server over real HTTP: success, retries,
re-asks, rules fallback, server down, per-stage override, cache hits, exact token totals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indiclass.bootstrap.providers import build_provider_set, run_config
from indiclass.domain.enums import AnswerSource, Strategy
from indiclass.domain.errors import ConfigError, ProviderUnavailable
from indiclass.domain.ports import CallRecord
from indiclass.domain.usage import Usage
from indiclass.pipeline import PipelineConfig, PipelineRun, ProviderSet, classify
from indiclass.providers.cache import ResponseCache
from indiclass.testing import FakeLLMServer, Fault, running_fake_llm
from indiclass.testing.settings import fake_llm_settings as settings_for

ADAPTERS = ["openai", "local", "anthropic"]
ASKED = {"time", "family", "type", "boolean-review"}


def providers(
    fake: FakeLLMServer,
    name: str,
    calls: list[CallRecord] | None = None,
    sleeps: list[float] | None = None,
    strategy: Strategy = Strategy.LLM,
    **extra: object,
) -> tuple[ProviderSet, PipelineConfig]:
    """The adapter's providers (wrapped as in production) and an ``llm`` pipeline config."""
    sink = calls.append if calls is not None else None

    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    settings = settings_for(fake, **extra)
    config = run_config(settings, name, strategy=strategy)
    ps = build_provider_set(settings, config, sink=sink, sleep=sleep, cache=ResponseCache())
    return ps, PipelineConfig.for_run(config, ps)


def llm_records(run: PipelineRun) -> dict[str, tuple[AnswerSource, int]]:
    return {
        k: (r.source, r.attempts)
        for k, r in run.records.items()
        if k in ASKED | {"final-review"} and r.source is not AnswerSource.SKIPPED
    }


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_success_every_llm_stage_answered_by_the_adapter(fake, adapter, gdp):
    calls: list[CallRecord] = []
    run = classify(gdp, *providers(fake, adapter, calls))
    records = run.records
    for stage in ASKED:
        assert records[stage].source is AnswerSource.LLM, stage
        assert records[stage].provider == adapter
        assert records[stage].attempts == 1
    stats = fake.stats()
    asked = set(stats["by_stage"])
    assert asked >= ASKED
    assert stats["by_api"] == {"anthropic" if adapter == "anthropic" else "openai": len(calls)}
    assert run.classification.provider == adapter
    assert all(c.error is None and c.response for c in calls)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_429_is_retried_honouring_retry_after(fake, adapter, gdp):
    fake.set_faults(Fault("429", times=2, stage="family", retry_after=0.25))
    sleeps: list[float] = []
    run = classify(gdp, *providers(fake, adapter, sleeps=sleeps))
    assert run.records["family"].source is AnswerSource.LLM
    assert sleeps == [0.25, 0.25]
    assert fake.stats()["faults"] == 2


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_503_with_retry_after_is_honoured(fake, adapter, gdp):
    fake.set_faults(Fault("500", times=1, stage="type", retry_after=0.125))
    sleeps: list[float] = []
    run = classify(gdp, *providers(fake, adapter, sleeps=sleeps))
    assert run.records["type"].source is AnswerSource.LLM
    assert sleeps == [0.125]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_500_is_retried_with_backoff(fake, adapter, gdp):
    fake.set_faults(Fault("500", times=1, stage="time", retry_after=None))
    sleeps: list[float] = []
    run = classify(gdp, *providers(fake, adapter, sleeps=sleeps))
    assert run.records["time"].source is AnswerSource.LLM
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 0.001


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("kind", ["invalid_json", "out_of_enum", "truncated"])
def test_invalid_then_valid_is_reasked(fake, adapter, kind, gdp):
    fake.set_faults(Fault(kind, times=1, stage="type"))
    calls: list[CallRecord] = []
    run = classify(gdp, *providers(fake, adapter, calls))
    assert llm_records(run)["type"] == (AnswerSource.LLM, 2)
    type_calls = [c for c in calls if c.stage == "type"]
    assert len(type_calls) == 2
    assert "That reply was invalid" in type_calls[1].user


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_always_invalid_falls_back_to_rules_and_says_so(fake, adapter, gdp):
    fake.set_faults(Fault("out_of_enum", times=-1, stage="family"))
    run = classify(gdp, *providers(fake, adapter))
    record = run.records["family"]
    assert record.source is AnswerSource.RULES_FALLBACK
    assert record.attempts == 3
    assert record.provider == adapter
    assert "invalid reply" in (record.error or "")
    assert fake.stats()["by_stage"]["family"] == 3
    assert run.classification.family == run.results["family"].family  # a valid rules answer stored


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_rate_limited_for_good_falls_back_and_logs_the_error(fake, adapter, gdp):
    fake.set_faults(Fault("429", times=-1, stage="time"))
    calls: list[CallRecord] = []
    run = classify(gdp, *providers(fake, adapter, calls, LLM_MAX_RETRIES=1))
    assert run.records["time"].source is AnswerSource.RULES_FALLBACK
    failed = [c for c in calls if c.error]
    assert len(failed) == 1 and failed[0].stage == "time"
    assert "ProviderRateLimited" in failed[0].error and failed[0].response is None
    assert fake.stats()["faults"] == 2  # first try + one retry


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_slow_reply_times_out_and_is_retried(fake, adapter, gdp):
    fake.set_faults(Fault("slow", times=1, stage="time", delay_ms=600))
    sleeps: list[float] = []
    run = classify(gdp, *providers(fake, adapter, sleeps=sleeps, LLM_TIMEOUT_S=0.2))
    assert run.records["time"].source is AnswerSource.LLM
    assert len(sleeps) == 1


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_server_down_is_one_clear_error_naming_the_url(adapter, gdp):
    with running_fake_llm() as srv:
        settings = settings_for(srv)
    config = run_config(settings, adapter, strategy="llm")
    ps = build_provider_set(settings, config)
    with pytest.raises(ProviderUnavailable) as info:
        classify(gdp, ps, PipelineConfig.for_run(config, ps))
    assert f"127.0.0.1:{srv.port}" in str(info.value)
    assert "LM_STUDIO_URL" in str(info.value) if adapter == "local" else True


@pytest.mark.parametrize(
    ("adapter", "variable"), [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")]
)
def test_missing_key_names_the_variable(fake, adapter, variable):
    with pytest.raises(ConfigError, match=variable):
        settings = settings_for(fake, **{variable: None})
        build_provider_set(settings, run_config(settings, adapter))


def test_per_stage_provider_and_model_overrides(fake, gdp):
    ps = providers(
        fake,
        "openai",
        LLM_PROVIDER_BOOLEAN_REVIEW="anthropic",
        LLM_MODEL_TYPE="gpt-4.1-mini",
        LLM_PROVIDER_TIME="local",
    )
    run = classify(gdp, *ps)
    records = run.records
    assert records["boolean-review"].provider == "anthropic"
    assert records["time"].provider == "local"
    assert (records["type"].provider, records["type"].model) == ("openai", "gpt-4.1-mini")
    assert (records["family"].provider, records["family"].model) == ("openai", "gpt-4o-mini")
    stats = fake.stats()
    assert stats["by_api"] == {"openai": 3, "anthropic": 1}
    assert stats["by_model"] == {
        "local-test-model": 1,
        "gpt-4o-mini": 1,
        "gpt-4.1-mini": 1,
        "claude-3-5-haiku-latest": 1,
    }


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_identical_request_is_served_from_the_cache(fake, adapter, gdp):
    ps = providers(fake, adapter)
    first = classify(gdp, *ps)
    calls_after_first = fake.stats()["answered"]
    second = classify(gdp, *ps)
    assert fake.stats()["answered"] == calls_after_first
    assert second.usage.input_tokens == 0
    assert second.usage.cost_usd == 0.0
    assert second.classification == first.classification


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_usage_totals_equal_what_the_server_reported(fake, adapter, gdp, debt):
    fake.set_faults(Fault("invalid_json", times=1, stage="family"), Fault("429", times=1))
    calls: list[CallRecord] = []
    ps = providers(fake, adapter, calls, LLM_CACHE=False)
    total = Usage()
    for ind in (gdp, debt, gdp):  # the repeat hits the provider's prefix cache
        total = total + classify(ind, *ps).usage
    stats = fake.stats()
    assert total.requests == stats["answered"] == len([c for c in calls if not c.error])
    assert total.input_tokens == stats["prompt_tokens"]
    assert total.output_tokens == stats["completion_tokens"]
    assert total.cached_tokens == stats["cached_tokens"] > 0
    assert sum(c.usage.input_tokens for c in calls) == stats["prompt_tokens"]


def test_cost_uses_the_price_table_and_unknown_price_is_none(fake, gdp, tmp_path):
    run = classify(gdp, *providers(fake, "openai", LLM_CACHE=False))
    u = run.usage
    expected = (
        (u.input_tokens - u.cached_tokens) * 0.15 + u.cached_tokens * 0.075 + u.output_tokens * 0.60
    ) / 1e6
    assert u.cost_usd == pytest.approx(expected)
    local = classify(gdp, *providers(fake, "local", LLM_CACHE=False))
    assert local.usage.input_tokens > 0 and local.usage.cost_usd is None
    prices = tmp_path / "prices.json"
    prices.write_text('{"local-test-model": {"input": 1.0, "output": 2.0}}')
    priced = classify(gdp, *providers(fake, "local", LLM_CACHE=False, LLM_PRICES_FILE=str(prices)))
    pu = priced.usage
    assert pu.cost_usd == pytest.approx((pu.input_tokens * 1.0 + pu.output_tokens * 2.0) / 1e6)


@pytest.mark.parametrize(
    ("adapter", "mode"),
    [
        ("openai", "tools"),
        ("local", "json_schema"),
        ("local", "prompted"),
        ("anthropic", "json_schema"),
    ],
)
def test_other_structured_output_modes(fake, adapter, mode, gdp):
    extra = {
        "anthropic": {"ANTHROPIC_STRUCTURED_OUTPUT": mode},
        "local": {"LOCAL_STRUCTURED_OUTPUT": mode},
    }.get(adapter, {})
    ps, config = providers(fake, adapter, **extra)
    if adapter == "openai":
        from indiclass.providers.openai import OpenAIProvider, preset

        ps = ProviderSet(
            OpenAIProvider(
                preset("openai", base_url=fake.openai_url, api_key="k", structured="tools")
            )
        )
    run = classify(gdp, ps, config)
    assert all(run.records[s].source is AnswerSource.LLM for s in ASKED)
    assert run.records["type"].attempts == 1


def test_local_server_sends_its_max_tokens_field(fake, gdp):
    classify(gdp, *providers(fake, "local", LOCAL_MAX_TOKENS_FIELD="max_completion_tokens"))
    bodies = fake.fake.requests
    assert bodies and all("max_completion_tokens" in b and "max_tokens" not in b for b in bodies)
    assert all(b["response_format"]["type"] == "json_object" for b in bodies)


@pytest.mark.parametrize("threshold", [0.0, 0.75, 1.0])
def test_hybrid_asks_only_where_the_rules_are_unsure(fake, threshold, gdp, debt):
    ps, config = providers(fake, "openai", strategy=Strategy.HYBRID)
    config = replace(config, min_confidence=threshold)
    asked = 0
    for ind in (gdp, debt):
        run = classify(ind, ps, config)
        for name, record in run.records.items():
            if record.source is AnswerSource.LLM:
                asked += 1
            elif record.source is AnswerSource.RULES and name in ASKED:
                result = run.results[name.replace("-", "_")]
                assert result.confidence >= threshold
    assert fake.stats()["answered"] == asked
    if threshold == 0.0:
        assert asked == 0 or set(fake.stats()["by_stage"]) == {"final-review"}
    if threshold == 1.0:
        assert asked > 0  # the rules are never certain of everything


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_failed_review_sends_the_final_review_to_the_llm(fake, adapter, gdp):
    flagged = (
        '{"confidence": 0.8, "reasoning": "type looks wrong", "passed": false, "issues": '
        '[{"field": "heat_map_orientation", "problem": "growth is good", '
        '"suggested": "higher-is-positive"}]}'
    )
    fake.set_faults(Fault("reply", stage="boolean-review", content=flagged))
    calls: list[CallRecord] = []
    run = classify(gdp, *providers(fake, adapter, calls))
    assert not run.results["boolean_review"].passed
    assert run.records["final-review"].source is AnswerSource.LLM
    assert fake.stats()["by_stage"]["final-review"] == 1
    final = next(c for c in calls if c.stage == "final-review")
    assert "heat_map_orientation: growth is good" in final.user
