"""The price table: cached reads, Anthropic cache writes by TTL, batch prices, per-model cache
minimums, unknown models, the prices file."""

from __future__ import annotations

import pytest

from indiclass.domain.usage import Usage
from indiclass.providers.pricing import DEFAULT_PRICES, Price, PriceTable
from indiclass.testing.prompt_cache import min_cache_tokens

USAGE = Usage(
    requests=1,
    input_tokens=2_000_000,
    cached_tokens=1_000_000,
    cache_write_tokens=500_000,
    output_tokens=100_000,
)
"""Of 2M input tokens: 0.5M fresh, 1M read from the cache, 0.5M written to it."""


def test_openai_bills_fresh_and_cached_input_apart_and_no_write_premium():
    cost = PriceTable().cost("gpt-4.1-mini", USAGE)
    assert cost == pytest.approx(0.5 * 0.40 + 1.0 * 0.10 + 0.5 * 0.40 + 0.1 * 1.60)


@pytest.mark.parametrize(("ttl", "write"), [("5m", 3.75), ("1h", 6.00)])
def test_anthropic_writes_cost_125_or_2x_input_by_ttl_and_reads_01x(ttl, write):
    cost = PriceTable(cache_ttl=ttl).cost("claude-sonnet-4-5-20250929", USAGE)
    assert cost == pytest.approx(0.5 * 3.00 + 1.0 * 0.30 + 0.5 * write + 0.1 * 15.00)


def test_provider_batch_halves_every_line():
    table = PriceTable()
    for model in ("gpt-4.1-mini", "claude-haiku-4-5"):
        assert table.cost(model, USAGE, batch=True) == pytest.approx(table.cost(model, USAGE) / 2)


def test_unknown_model_has_no_price_not_a_free_one():
    assert PriceTable().cost("local-model", USAGE) is None
    assert PriceTable().cost("gpt-5-unreleased", USAGE) is None


@pytest.mark.parametrize(
    "model",
    ["gpt-4.1-mini", "gpt-4.1", "gpt-4o", "gpt-4o-mini", "o4-mini", "claude-3-5-haiku-latest",
     "claude-haiku-4-5", "claude-sonnet-4-20250514", "claude-sonnet-4-5", "claude-3-7-sonnet"],
)  # fmt: skip
def test_every_listed_model_has_cached_and_batch_prices(model):
    price = PriceTable().price(model)
    assert price is not None
    assert price.cached is not None and price.cached < price.input
    assert price.batch == 0.5


@pytest.mark.parametrize(
    ("model", "minimum"),
    [("gpt-4.1-mini", 1024), ("o4-mini", 1024), ("claude-sonnet-4-5", 1024),
     ("claude-opus-4-1", 1024), ("claude-3-5-haiku-latest", 2048), ("claude-sonnet-4-6", 2048),
     ("claude-haiku-4-5-20251001", 4096), ("claude-opus-4-5", 4096), ("my-local-model", 1024)],
)  # fmt: skip
def test_cache_minimum_per_model_family(model, minimum):
    assert PriceTable().cache_minimum(model) == minimum


def test_cache_minimums_agree_with_the_fake_server():
    """The fake server keeps its own table (indiclass.testing.prompt_cache); the two must not
    drift apart, or estimates and measurements disagree."""
    table = PriceTable()
    for model in DEFAULT_PRICES:
        if model.startswith(("gpt-", "o4", "claude-")):
            assert table.cache_minimum(model) == min_cache_tokens(model), model


def test_prices_file_takes_every_field_and_the_old_shape(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(
        '{"gpt-4o-mini": {"input": 1, "output": 2, "cached": 0.5},'
        ' "my-claude": {"input": 3, "output": 15, "cached": 0.3, "cache_write": 3.75,'
        ' "cache_write_1h": 6, "min_cache_tokens": 2048, "batch": 0.4}}'
    )
    table = PriceTable.load(str(path), cache_ttl="1h")
    assert table.price("gpt-4o-mini") == Price(1, 2, 0.5)
    assert table.price("my-claude") == Price(3, 15, 0.3, 3.75, 6, 2048, 0.4)
    assert table.cache_ttl == "1h"
    assert table.price("gpt-4.1") == DEFAULT_PRICES["gpt-4.1"]
