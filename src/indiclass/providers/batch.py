"""What the provider batch clients share: the batch price, which providers have a batch API (a
registry, as data), and the wrapper that gives a provider its batch client.

    register_batch_api("openai", build)      # built-ins below; a plugin registers its own
    has_batch_api("anthropic")               # run_config refuses provider-batch mode without
    Batched(provider, batch_api(adapter, prices))

OpenAI Batch and Anthropic Message Batches bill every token (cached ones included) at half the
synchronous price (:data:`BATCH_SHARE`). The clients are synchronous: they run inside durable
steps, never on the I/O loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from indiclass.domain.errors import ConfigError
from indiclass.domain.ports import BatchAPI, LLMRequest, Provider
from indiclass.domain.usage import Usage
from indiclass.providers._wire import estimate_request_tokens
from indiclass.providers.pricing import PriceTable
from indiclass.providers.wrappers import Wrapper

BATCH_SHARE = 0.5
"""Share of the synchronous price a provider batch bills (OpenAI and Anthropic: 50%)."""

BatchBuild = Callable[[Any, PriceTable], BatchAPI]
"""(the provider's bare SDK adapter, prices) → its batch client."""

_BUILDERS: dict[str, BatchBuild] = {}


def register_batch_api(name: str, build: BatchBuild) -> None:
    _BUILDERS[name.lower()] = build


def has_batch_api(name: str) -> bool:
    return name.lower() in _BUILDERS


def batch_names() -> list[str]:
    return sorted(_BUILDERS)


def batch_api(adapter: Provider, prices: PriceTable) -> BatchAPI:
    """The batch client for ``adapter`` (the bare SDK adapter, not a wrapper)."""
    build = _BUILDERS.get(adapter.name.lower())
    if build is None:
        raise ConfigError(
            f"provider {adapter.name!r} has no batch API; provider-batch mode works with "
            f"{', '.join(batch_names())}"
        )
    return build(adapter, prices)


class Batched(Wrapper):
    """``inner`` unchanged (synchronous calls still go through it), plus its batch client."""

    def __init__(self, inner: Provider, batch: BatchAPI) -> None:
        super().__init__(inner)
        self.batch = batch


def batch_cost(prices: PriceTable, model: str, usage: Usage) -> float | None:
    cost = prices.cost(model, usage)
    return None if cost is None else cost * BATCH_SHARE


def estimated_cost(prices: PriceTable, model: str, request: LLMRequest) -> float | None:
    """Prompt (characters / 4) plus ``max_output_tokens``, at the batch price."""
    prompt = estimate_request_tokens(request) - request.max_output_tokens
    usage = Usage(requests=1, input_tokens=prompt, output_tokens=request.max_output_tokens)
    return batch_cost(prices, model, usage)


def _openai(adapter: Any, prices: PriceTable) -> BatchAPI:
    from indiclass.providers.batch_openai import OpenAIBatches

    return OpenAIBatches(adapter, prices)


def _anthropic(adapter: Any, prices: PriceTable) -> BatchAPI:
    from indiclass.providers.batch_anthropic import AnthropicBatches

    return AnthropicBatches(adapter, prices)


for _name, _build in (("openai", _openai), ("local", _openai), ("anthropic", _anthropic)):
    register_batch_api(_name, _build)
