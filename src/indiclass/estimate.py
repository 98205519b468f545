"""What a run would cost, before anything is sent.

    estimate_run(indicators, run, stages=DEFAULT_STAGES, prices=None) -> Estimate
    estimate_call_cost(request, provider_spec, prices) -> float | None

:func:`estimate_run` builds the requests the run would send, without sending them: it drives
:func:`indiclass.pipeline.steps` for every indicator under the run's strategy and answers each
``Ask`` with the rules' own reply, so ``hybrid``'s LLM share is the one the rules give on this
very input, and the final review is asked exactly where the review would flag. Per call:

- input tokens: ceil(characters / 4) of each prompt part as the provider receives it (the reply
  schema in the native structured modes, the system prompt plus the quoted schema in
  ``json_object`` / ``prompted``, the user prompt, re-ask turns): the fake server's estimate.
  Real tokenizers differ (OpenAI's o200k counts about 9% fewer tokens for these prompts).
- output tokens: the size of the rules' reply to the same request (a stage's typical reply).
- cached tokens, by the provider's rule and the model's minimum (the price table): OpenAI caches
  the static prefix (schema + system prompt, identical for every indicator of a stage) in whole
  128-token blocks from the stage's second call on, when it reaches the minimum; Anthropic
  writes the prefix up to the ``cache_control`` breakpoint (after the system prompt) on the
  first call and reads it afterwards; other providers (local servers): none. Chance overlaps of
  two user prompts, which OpenAI would also serve from its cache, are not counted, and the
  cache starts cold: the estimate errs towards paying more.
- dollars from the price table, provider-batch mode at the batch price (half); None when the
  model has no price (unknown is not free).

Re-asks and the response cache (identical requests cost nothing) are not predicted.
:func:`estimate_call_cost` is the worst case of one call about to be sent (no cache read, the
breakpoint prefix written, every ``max_output_tokens`` used): what a budget must reserve.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from indiclass.domain.models import Indicator
from indiclass.domain.ports import LLMRequest
from indiclass.domain.run import ProviderSpec, RunConfig, RunMode
from indiclass.domain.usage import Usage
from indiclass.pipeline import Answer, PipelineConfig, steps
from indiclass.providers._wire import (
    compact_json,
    estimate_tokens,
    schema_instruction,
    wire_schema,
)
from indiclass.providers.pricing import PriceTable
from indiclass.rules import RULES_MODEL
from indiclass.stages import DEFAULT_STAGES, StageSet, rules_reply

OPENAI_CACHE_BLOCK = 128
"""OpenAI caches, and reports, prompt prefixes in whole blocks of this many tokens."""
STATIC_PARTS = 2
"""The prompt parts identical for every indicator of a stage: the reply schema, the system."""

TOKENS_NOTE = (
    "tokens: ceil(characters / 4) per prompt part, as the fake server counts them; real "
    "tokenizers differ (OpenAI's o200k counts about 9% fewer for these prompts)"
)


@dataclass(frozen=True)
class StageEstimate:
    """One stage's calls, summed; ``provider`` is ``name/model``."""

    stage: str
    provider: str
    usage: Usage

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "provider": self.provider, **usage_dict(self.usage)}


@dataclass(frozen=True)
class Estimate:
    """What a run over ``indicators`` indicators would send and cost, per LLM stage."""

    indicators: int
    run: RunConfig
    stages: tuple[StageEstimate, ...]

    @property
    def total(self) -> Usage:
        return sum((s.usage for s in self.stages), Usage())

    @property
    def cost_per_indicator(self) -> float | None:
        cost = self.total.cost_usd
        return None if cost is None or not self.indicators else cost / self.indicators

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicators": self.indicators,
            "provider": self.run.provider.name,
            "model": self.run.provider.model,
            "strategy": self.run.strategy.value,
            "mode": self.run.mode,
            "stages": [s.to_dict() for s in self.stages],
            "total": usage_dict(self.total),
            "cost_per_indicator_usd": self.cost_per_indicator,
            "note": TOKENS_NOTE,
        }


def usage_dict(usage: Usage) -> dict[str, Any]:
    return {
        "calls": usage.requests,
        "input_tokens": usage.input_tokens,
        "cached_tokens": usage.cached_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "output_tokens": usage.output_tokens,
        "cost_usd": usage.cost_usd,
    }


def estimate_run(
    indicators: Sequence[Indicator],
    run: RunConfig,
    stages: StageSet = DEFAULT_STAGES,
    prices: PriceTable | None = None,
) -> Estimate:
    """The estimate of ``run`` over ``indicators`` (nothing is sent; see the module doc)."""
    prices = prices or PriceTable()
    cache = PrefixCache()
    batch = run.mode == "provider-batch"
    totals = {str(s.name): Usage() for s in stages.llm}
    for request, reply in planned_calls(indicators, run, stages):
        spec = run.spec_for(request.stage)
        usage = cache.usage(request, reply, spec, prices)
        cost = prices.cost(spec.model, usage, batch=batch)
        totals[str(request.stage)] += usage.model_copy(update={"cost_usd": cost})
    per_stage = tuple(
        StageEstimate(name, run.spec_for(name).label, usage) for name, usage in totals.items()
    )
    return Estimate(len(indicators), run, per_stage)


def planned_calls(
    indicators: Iterable[Indicator], run: RunConfig, stages: StageSet = DEFAULT_STAGES
) -> Iterator[tuple[LLMRequest, str]]:
    """(request, the rules' reply to it) for every call the run would make, in order."""
    config = pipeline_config(run, stages)
    for indicator in indicators:
        gen = steps(indicator, config)
        try:
            ask = next(gen)
            while True:
                reply = rules_reply(ask.request, RULES_MODEL, stages)
                yield ask.request, reply.content
                ask = gen.send(Answer(reply=reply))
        except StopIteration:
            continue


def pipeline_config(run: RunConfig, stages: StageSet = DEFAULT_STAGES) -> PipelineConfig:
    """The pipeline configuration the run's providers give (:meth:`PipelineConfig.for_run`),
    from the specs alone: a stage whose provider is ``rules`` is never asked."""
    offline = frozenset(str(s.name) for s in stages.llm if run.spec_for(s.name).name == "rules")
    return PipelineConfig(
        strategy=run.strategy,
        min_confidence=run.min_confidence,
        max_reasks=run.max_reasks,
        rules_stages=offline,
        label=(run.provider.name, run.provider.model),
        stages=stages,
    )


def estimate_call_cost(
    request: LLMRequest,
    provider_spec: ProviderSpec,
    prices: PriceTable,
    *,
    mode: RunMode = "sync",
) -> float | None:
    """The most one call may cost before it is sent: every input token at the input price (the
    Anthropic breakpoint prefix at the cache-write price when it is long enough to be
    written), ``max_output_tokens`` at the output price; None when the model has no price."""
    parts = wire_parts(request, provider_spec)
    tokens = sum(estimate_tokens(p) for p in parts)
    written = 0
    if caching_rule(provider_spec) == "breakpoint":
        prefix = static_tokens(parts)
        written = prefix if prefix >= prices.cache_minimum(provider_spec.model) else 0
    usage = Usage(
        requests=1,
        input_tokens=tokens,
        output_tokens=request.max_output_tokens,
        cache_write_tokens=written,
    )
    return prices.cost(provider_spec.model, usage, batch=mode == "provider-batch")


# ---------------------------------------------------------------- the provider's view


def wire_parts(request: LLMRequest, spec: ProviderSpec) -> list[str]:
    """The prompt as the provider receives it, in the order providers cache it: the reply
    schema (empty when only quoted in the prompt), the system prompt, the user prompt, then any
    re-ask turns. The first :data:`STATIC_PARTS` are the same for every indicator of a stage."""
    mode = spec.options.get("structured", "json_schema")
    system = request.system
    if spec.name != "anthropic" and mode in ("json_object", "prompted"):
        system += schema_instruction(request)
    native = spec.name == "anthropic" or mode != "prompted"
    schema = compact_json(wire_schema(request.json_schema)) if native else ""
    return [schema, system, request.user, *(t.content for t in request.history)]


def caching_rule(spec: ProviderSpec) -> str | None:
    """``prefix`` (OpenAI: automatic), ``breakpoint`` (Anthropic: up to ``cache_control``
    marks, which the adapter puts after the system prompt), None (no caching known)."""
    return {"openai": "prefix", "anthropic": "breakpoint"}.get(spec.name)


def static_tokens(parts: list[str]) -> int:
    return sum(estimate_tokens(p) for p in parts[:STATIC_PARTS])


class PrefixCache:
    """The static prefixes a provider has seen in this run, to tell the first call of a stage
    (nothing cached; Anthropic writes) from the later ones (the prefix is read)."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str]] = set()

    def usage(
        self, request: LLMRequest, reply: str, spec: ProviderSpec, prices: PriceTable
    ) -> Usage:
        """Tokens of one call (no cost yet), cached and written tokens by the provider's rule."""
        parts = wire_parts(request, spec)
        total = sum(estimate_tokens(p) for p in parts)
        read, written = self._cached(parts, total, spec, prices.cache_minimum(spec.model))
        return Usage(
            requests=1,
            input_tokens=total,
            output_tokens=max(1, estimate_tokens(reply)),
            cached_tokens=read,
            cache_write_tokens=written,
        )

    def _cached(
        self, parts: list[str], total: int, spec: ProviderSpec, minimum: int
    ) -> tuple[int, int]:
        rule = caching_rule(spec)
        prefix = static_tokens(parts)
        seen = self._see(spec, parts)
        if rule == "prefix":
            blocks = prefix // OPENAI_CACHE_BLOCK * OPENAI_CACHE_BLOCK
            hit = seen and total >= minimum and blocks >= minimum
            return (blocks if hit else 0), 0
        if rule == "breakpoint" and prefix >= minimum:
            return (prefix, 0) if seen else (0, prefix)
        return 0, 0

    def _see(self, spec: ProviderSpec, parts: list[str]) -> bool:
        """Whether this prefix was sent before (and remember it)."""
        key = (spec.label, parts[0], parts[1])
        seen = key in self._seen
        self._seen.add(key)
        return seen


__all__ = [
    "Estimate",
    "StageEstimate",
    "estimate_call_cost",
    "estimate_run",
    "planned_calls",
]
