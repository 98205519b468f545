"""The cost estimate: the run's real requests (the pipeline driven with the rules' replies),
their tokens, the provider's prompt-cache rule, the price table; and the worst case of one call.
Accuracy against the fake server is in tests/integration/test_estimate_accuracy.py."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from indiclass.cli.app import app
from indiclass.domain.models import parse_indicator
from indiclass.domain.run import ProviderSpec, RunConfig
from indiclass.estimate import estimate_call_cost, estimate_run, planned_calls, wire_parts
from indiclass.providers._wire import estimate_tokens
from indiclass.providers.pricing import PriceTable

STATIC = 9 * 128  # every stage's schema + system prompt, in whole 128-token blocks
RAW = [
    {"id": "gdp", "name": "GDP Annual Growth Rate", "units": "%", "periodicity": "Quarterly"},
    {"id": "debt", "name": "Government Debt", "units": "USD Billion", "periodicity": "Annual"},
    {"id": "odd", "name": "Widget Thing", "units": "Blips"},
]
INDICATORS = [parse_indicator(r) for r in RAW]


def run_for(provider: str = "openai", model: str = "gpt-4.1-mini", **extra) -> RunConfig:
    extra.setdefault("strategy", "llm")
    return RunConfig(provider=ProviderSpec(name=provider, model=model), **extra)


def calls(estimate) -> dict[str, int]:
    return {s.stage: s.usage.requests for s in estimate.stages}


def test_llm_sends_every_llm_stage_for_every_indicator():
    estimate = estimate_run(INDICATORS, run_for())
    assert calls(estimate)["time"] == calls(estimate)["boolean-review"] == 3
    asked = list(planned_calls(INDICATORS, run_for()))
    assert estimate.total.requests == len(asked)
    assert estimate.total.input_tokens > 3 * 4 * STATIC


def test_output_tokens_are_the_rules_replies():
    asked = list(planned_calls(INDICATORS, run_for()))
    estimate = estimate_run(INDICATORS, run_for())
    assert estimate.total.output_tokens == sum(estimate_tokens(reply) for _, reply in asked)


def test_hybrid_asks_only_where_the_rules_are_unsure():
    llm = estimate_run(INDICATORS, run_for())
    hybrid = estimate_run(INDICATORS, run_for(strategy="hybrid"))
    assert 0 < hybrid.total.requests < llm.total.requests
    confident = estimate_run(INDICATORS[:1], run_for(strategy="hybrid"))
    assert confident.total.requests == 0 and confident.total.cost_usd == 0


def test_rules_cost_nothing():
    estimate = estimate_run(INDICATORS, run_for(strategy="rules"))
    assert estimate.total.requests == 0 and estimate.cost_per_indicator == 0


def test_a_stage_served_by_the_rules_is_not_counted():
    rules = ProviderSpec(name="rules", model="indiclass-rules-1")
    estimate = estimate_run(INDICATORS, run_for(stages={"type": rules}))
    assert calls(estimate)["type"] == 0 and calls(estimate)["family"] == 3


def test_openai_reads_the_static_prefix_from_the_second_call_of_a_stage():
    stages = {s.stage: s.usage for s in estimate_run(INDICATORS, run_for()).stages}
    for name in ("time", "family", "type", "boolean-review"):
        assert stages[name].cached_tokens == 2 * STATIC, name  # the 2nd and 3rd indicator
        assert stages[name].cache_write_tokens == 0


def test_anthropic_writes_the_prefix_once_then_reads_it():
    run = run_for("anthropic", "claude-sonnet-4-5")
    for stage in estimate_run(INDICATORS, run).stages[:4]:
        assert stage.usage.cache_write_tokens > STATIC
        assert stage.usage.cached_tokens == 2 * stage.usage.cache_write_tokens


def test_no_caching_below_the_models_minimum_or_on_local_servers():
    for run in (run_for("anthropic", "claude-3-5-haiku-latest"), run_for("local", "my-model")):
        total = estimate_run(INDICATORS, run).total
        assert total.cached_tokens == total.cache_write_tokens == 0


def test_cost_per_stage_is_the_price_table_on_its_usage():
    estimate = estimate_run(INDICATORS, run_for())
    for stage in estimate.stages:
        usage = stage.usage.model_copy(update={"cost_usd": None})
        assert stage.usage.cost_usd == pytest.approx(PriceTable().cost("gpt-4.1-mini", usage))
    assert estimate.cost_per_indicator == pytest.approx(estimate.total.cost_usd / 3)


def test_provider_batch_is_half_price():
    sync = estimate_run(INDICATORS, run_for()).total
    batch = estimate_run(INDICATORS, run_for(mode="provider-batch")).total
    assert batch.input_tokens == sync.input_tokens
    assert batch.cost_usd == pytest.approx(sync.cost_usd / 2)


def test_unknown_model_costs_none_but_tokens_are_counted():
    estimate = estimate_run(INDICATORS, run_for("openai", "gpt-99"))
    assert estimate.total.cost_usd is None and estimate.cost_per_indicator is None
    assert estimate.total.input_tokens > 0


def test_per_stage_model_override_is_priced_with_its_own_model():
    big = ProviderSpec(name="openai", model="gpt-4.1")
    stages = {s.stage: s for s in estimate_run(INDICATORS, run_for(stages={"type": big})).stages}
    assert stages["type"].provider == "openai/gpt-4.1"
    assert stages["type"].usage.cost_usd > 4 * stages["family"].usage.cost_usd


def test_worst_case_of_one_call_is_full_price_input_and_every_output_token():
    request, _ = next(iter(planned_calls(INDICATORS[:1], run_for())))
    openai = ProviderSpec(name="openai", model="gpt-4.1-mini")
    worst = estimate_call_cost(request, openai, PriceTable())
    tokens = _prompt_tokens(request)
    assert worst == pytest.approx((tokens * 0.40 + request.max_output_tokens * 1.60) / 1e6)
    assert estimate_call_cost(request, openai, PriceTable(), mode="provider-batch") == (
        pytest.approx(worst / 2)
    )
    assert estimate_call_cost(request, ProviderSpec(name="local", model="m"), PriceTable()) is None


def test_worst_case_on_anthropic_includes_the_cache_write():
    request, _ = next(iter(planned_calls(INDICATORS[:1], run_for())))
    sonnet = ProviderSpec(name="anthropic", model="claude-sonnet-4-5")
    worst = estimate_call_cost(request, sonnet, PriceTable())
    one_hour = estimate_call_cost(request, sonnet, PriceTable(cache_ttl="1h"))
    no_write = (_prompt_tokens(request) * 3.0 + request.max_output_tokens * 15.0) / 1e6
    assert no_write < worst < one_hour


def test_estimate_json_names_every_figure():
    data = estimate_run(INDICATORS, run_for()).to_dict()
    json.dumps(data)
    assert data["indicators"] == 3 and data["strategy"] == "llm"
    assert [s["stage"] for s in data["stages"]][:2] == ["time", "family"]
    assert set(data["total"]) == {
        "calls", "input_tokens", "cached_tokens", "cache_write_tokens", "output_tokens", "cost_usd"
    }  # fmt: skip


def test_cli_prints_per_stage_and_per_indicator(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RAW))
    args = ["estimate", str(path), "-p", "openai", "--model", "gpt-4.1-mini", "--strategy", "llm"]
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "boolean-review" in shown.output and "$ per indicator: $0.00" in shown.output
    as_json = CliRunner().invoke(app, [*args, "--mode", "provider-batch", "--json"])
    data = json.loads(as_json.output)
    assert data["mode"] == "provider-batch" and data["total"]["calls"] == 12
    bad = CliRunner().invoke(app, [*args, "--mode", "overnight"])
    assert bad.exit_code == 2 and "provider-batch" in bad.output


def _prompt_tokens(request) -> int:
    spec = ProviderSpec(name="openai", model="gpt-4.1-mini")
    return sum(estimate_tokens(p) for p in wire_parts(request, spec))
