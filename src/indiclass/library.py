"""The library in one call: ``indiclass.classify(records | DataFrame | path)``.

    import indiclass
    indiclass.classify([{"name": "CPI YoY", "units": "%"}])            # -> [Classification]
    indiclass.classify(df, provider="openai", strategy="hybrid")       # -> DataFrame
    indiclass.classify("series.csv")                                   # any file `loaders` reads

In process and not durable (for thousands, use the engine: ``indiclass.open_engine``). Offline by
default (the rules); with ``provider``, the LLM calls run concurrently on the I/O loop, up to
``INDICLASS_CONCURRENCY`` at a time. ``None`` or NaN in an optional field of a record or a
DataFrame cell means "missing"; NaN inside ``sample_values`` stays an error (``InputError``).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from indiclass.domain import aio
from indiclass.domain.models import Classification, Indicator, parse_indicator
from indiclass.domain.ports import Provider

Records = Iterable[Mapping[str, Any] | Indicator]


def classify(
    data: Records | str | Path | Any,
    *,
    provider: str | Provider | None = None,
    strategy: str | None = None,
    model: str | None = None,
    settings: Any = None,
) -> Any:
    """Classify records, a pandas DataFrame (returns a DataFrame of the classification
    fields, one row per input row) or a file (returns a list of classifications)."""
    frame = _is_frame(data)
    indicators = _indicators(data, frame)
    providers, config, concurrency = _setup(provider, strategy, model, settings)
    results = _run(indicators, providers, config, concurrency)
    if frame:
        import pandas as pd

        index = getattr(data, "index", None)
        return pd.DataFrame([c.model_dump(mode="json") for c in results], index=index)
    return results


def _indicators(data: Any, frame: bool) -> list[Indicator]:
    if isinstance(data, str | Path):
        from indiclass.loaders import load_indicators

        return load_indicators(data)
    rows = data.to_dict(orient="records") if frame else data
    out = []
    for n, row in enumerate(rows, start=1):
        if isinstance(row, Indicator):
            out.append(row)
        else:
            out.append(parse_indicator(_present(row), row=n))
    return out


def _present(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row without missing optional values (None, NaN, pandas NA)."""
    return {str(k): v for k, v in row.items() if not _missing(v)}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _is_frame(data: Any) -> bool:
    return type(data).__name__ == "DataFrame" and hasattr(data, "to_dict")


def _setup(
    provider: str | Provider | None, strategy: str | None, model: str | None, settings: Any
) -> tuple[Any, Any, int]:
    from indiclass.pipeline import PipelineConfig, ProviderSet, default_config
    from indiclass.settings import Settings

    settings = settings or Settings()
    if provider is not None and not isinstance(provider, str):
        providers = ProviderSet(provider)
        config = default_config(providers)
        if strategy:
            from dataclasses import replace

            from indiclass.domain.enums import Strategy

            config = replace(config, strategy=Strategy(strategy))
        return providers, config, settings.concurrency
    from indiclass.bootstrap.providers import build_provider_set, run_config

    run = run_config(settings, provider, model, strategy)
    providers = build_provider_set(settings, run)
    return providers, PipelineConfig.for_run(run, providers), settings.concurrency


def _run(
    indicators: list[Indicator], providers: Any, config: Any, concurrency: int
) -> list[Classification]:
    from indiclass.pipeline import aclassify
    from indiclass.pipeline import classify as classify_one

    if not any(config.asks(s) for s in config.stages):
        return [classify_one(i, providers, config).classification for i in indicators]

    async def run_all() -> list[Classification]:
        gate = asyncio.Semaphore(concurrency)

        async def one(ind: Indicator) -> Classification:
            async with gate:
                return (await aclassify(ind, providers, config)).classification

        return list(await asyncio.gather(*(one(i) for i in indicators)))

    return aio.run_sync(run_all())
