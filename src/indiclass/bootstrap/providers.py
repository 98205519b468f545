"""Builds the providers of a run: the run's configuration resolved from the submitting
process's settings (:func:`run_config`), then, on whichever worker runs it, the adapter per stage
wrapped in logging, caching, fallback, retries, rate limits and pricing
(:func:`build_provider_set`; see ``indiclass.providers.wrappers``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from indiclass.domain.enums import Strategy
from indiclass.domain.errors import ConfigError
from indiclass.domain.ports import CallSink, Provider
from indiclass.domain.run import ProviderSpec, RunConfig, RunMode
from indiclass.pipeline import ProviderSet
from indiclass.providers import registry
from indiclass.providers.batch import Batched, batch_api
from indiclass.providers.cache import ResponseCache, shared_cache
from indiclass.providers.pricing import PriceTable
from indiclass.providers.wrappers import Cached, Logged, Priced, RateLimited, Retrying
from indiclass.settings import Settings
from indiclass.stages import DEFAULT_STAGES, StageSet


def run_config(
    settings: Settings,
    provider: str | None = None,
    model: str | None = None,
    strategy: str | Strategy | None = None,
    *,
    stages: StageSet = DEFAULT_STAGES,
    mode: RunMode = "sync",
    max_cost_usd: float | None = None,
    min_confidence: float | None = None,
) -> RunConfig:
    """The run's configuration as this process would run it: the default provider
    (``provider`` or ``LLM_PROVIDER``) and the per-stage ``LLM_PROVIDER_<STAGE>`` /
    ``LLM_MODEL_<STAGE>`` overrides, resolved to specs (model, base URL, options)."""
    name = registry.check(provider or settings.llm_provider)
    default = registry.resolve(settings, name, model)
    overrides = _stage_specs(settings, stages, name, model)
    chosen = Strategy(strategy) if strategy else settings.effective_strategy(name)
    config = RunConfig(
        provider=default,
        stages=overrides,
        strategy=chosen,
        min_confidence=settings.min_confidence if min_confidence is None else min_confidence,
        max_reasks=settings.max_reasks,
        mode=mode,
        max_cost_usd=max_cost_usd,
        degraded_share=settings.degraded_share,
    )
    if mode == "provider-batch":
        _check_batch_apis(config)
    return config


def _check_batch_apis(config: RunConfig) -> None:
    """Provider-batch mode needs a batch API behind every provider that may be asked."""
    from indiclass.providers.batch import batch_names, has_batch_api

    asked = [s for s in config.providers if s.name != "rules"]
    lacking = sorted({s.name for s in asked if not has_batch_api(s.name)})
    if lacking or not asked or config.strategy is Strategy.RULES:
        why = f"{', '.join(lacking)} has no batch API" if lacking else "nothing asks an LLM"
        raise ConfigError(
            f"--mode provider-batch: {why}; it runs with {', '.join(batch_names())} "
            "(local: an OpenAI-compatible server that serves /v1/batches) and strategy llm or "
            "hybrid"
        )


def _stage_specs(
    settings: Settings, stages: StageSet, default_name: str, model: str | None
) -> dict[str, ProviderSpec]:
    asking = {str(s.name) for s in stages.llm}
    unknown = sorted(set(settings.stage_overrides) - asking)
    if unknown:
        known = ", ".join(s.upper().replace("-", "_") for s in sorted(asking))
        bad = ", ".join(f"LLM_PROVIDER_/LLM_MODEL_{u.upper().replace('-', '_')}" for u in unknown)
        raise ConfigError(f"{bad}: no such LLM stage; stages that ask an LLM: {known}")
    out: dict[str, ProviderSpec] = {}
    for stage, override in settings.stage_overrides.items():
        if override.provider is None and override.model is None:
            continue
        name = registry.check(override.provider or default_name)
        stage_model = override.model
        if stage_model is None and name == default_name:
            stage_model = model
        out[stage] = registry.resolve(settings, name, stage_model)
    return out


def build_provider_set(
    settings: Settings,
    config: RunConfig,
    *,
    sink: CallSink | None = None,
    cache: ResponseCache | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> ProviderSet:
    """The run's providers as this process can serve them (its own keys). ConfigError when it
    cannot (a missing key names the variable). The response cache is the process-wide one for
    ``LLM_CACHE_FILE`` unless ``cache`` is given; ``LLM_CACHE=false`` turns it off. In
    ``provider-batch`` mode each LLM provider also carries its batch client (``.batch``)."""
    if not settings.llm_cache:
        cache = None
    elif cache is None:
        cache = shared_cache(settings.llm_cache_file)
    prices = PriceTable.load(settings.llm_prices_file)
    built: dict[str, Provider] = {}

    def provider(spec: ProviderSpec) -> Provider:
        if spec.label not in built:
            bare = registry.build(settings, spec)
            built[spec.label] = wrap(
                bare, settings, prices=prices, cache=cache, sink=sink, sleep=sleep
            )
            if config.mode == "provider-batch" and bare.name != "rules":
                built[spec.label] = Batched(built[spec.label], batch_api(bare, prices))
        return built[spec.label]

    default = provider(config.provider)
    return ProviderSet(default, {stage: provider(spec) for stage, spec in config.stages.items()})


def wrap(
    adapter: Provider,
    settings: Settings,
    *,
    prices: PriceTable,
    cache: ResponseCache | None = None,
    sink: CallSink | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Provider:
    """Logged → Cached → Retrying → RateLimited → Priced → adapter (the rules stay bare)."""
    if adapter.name == "rules":
        return adapter
    provider: Provider = Priced(adapter, prices)
    if settings.llm_rpm or settings.llm_tpm:
        provider = RateLimited(provider, rpm=settings.llm_rpm, tpm=settings.llm_tpm)
    provider = Retrying(
        provider,
        max_retries=settings.llm_max_retries,
        base_delay_s=settings.llm_retry_base_s,
        sleep=sleep,
    )
    if cache is not None:
        provider = Cached(provider, cache)
    if sink is not None:
        provider = Logged(provider, sink)
    return provider
