"""Builds the providers of a run from the settings: the adapter per stage, wrapped in
logging, caching, retries, rate limits and pricing (see ``indiclass.providers.wrappers``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from indiclass.domain.enums import LLM_STAGES, StageName
from indiclass.domain.ports import CallSink, Provider
from indiclass.pipeline import ProviderSet
from indiclass.providers import registry
from indiclass.providers.cache import ResponseCache, shared_cache
from indiclass.providers.pricing import PriceTable
from indiclass.providers.wrappers import Cached, Logged, Priced, RateLimited, Retrying
from indiclass.settings import Settings


def build_provider_set(
    settings: Settings,
    provider: str | None = None,
    model: str | None = None,
    *,
    sink: CallSink | None = None,
    cache: ResponseCache | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ProviderSet:
    """The default provider (``provider`` or ``LLM_PROVIDER``) plus per-stage overrides from
    ``LLM_PROVIDER_<STAGE>`` / ``LLM_MODEL_<STAGE>``, all wrapped.

    A missing key raises ConfigError naming the variable; an unknown name lists the known ones.
    The response cache is the process-wide one for ``LLM_CACHE_FILE`` (shared by every set built
    in this process) unless ``cache`` is given; ``LLM_CACHE=false`` turns it off.
    """
    default_name = str(provider or settings.llm_provider)
    if not settings.llm_cache:
        cache = None
    elif cache is None:
        cache = shared_cache(settings.llm_cache_file)
    prices = PriceTable.load(settings.llm_prices_file)

    def build(name: str, stage_model: str | None) -> Provider:
        bare = registry.create(name, settings, stage_model)
        return wrap(bare, settings, prices=prices, cache=cache, sink=sink, sleep=sleep)

    default = build(default_name, model)
    overrides: dict[StageName, Provider] = {}
    for stage in LLM_STAGES:
        name, stage_model = settings.stage_provider(stage), settings.stage_model(stage)
        if name is None and stage_model is None:
            continue
        name_str = str(name or default_name)
        if stage_model is None and name_str == default_name:
            stage_model = model
        overrides[stage] = build(name_str, stage_model)
    return ProviderSet(default, overrides)


def wrap(
    adapter: Provider,
    settings: Settings,
    *,
    prices: PriceTable,
    cache: ResponseCache | None = None,
    sink: CallSink | None = None,
    sleep: Callable[[float], None] = time.sleep,
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
