"""indiclass: classify economic indicators into a fixed taxonomy, durably and in batches.

    import indiclass
    indiclass.classify([{"name": "CPI YoY", "units": "%"}])      # offline rules, in process
    with indiclass.open_engine() as engine: ...                  # durable batches (DBOS)

Importing the package is cheap: every export but the version loads on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS: dict[str, str] = {
    "Classification": "indiclass.domain.models",
    "ConfigError": "indiclass.domain.errors",
    "EngineError": "indiclass.domain.errors",
    "Indicator": "indiclass.domain.models",
    "IndiclassError": "indiclass.domain.errors",
    "InputError": "indiclass.domain.errors",
    "ProviderError": "indiclass.domain.errors",
    "ProviderUnavailable": "indiclass.domain.errors",
    "SampleValue": "indiclass.domain.models",
    "Settings": "indiclass.settings",
    "StorageError": "indiclass.domain.errors",
    "classify": "indiclass.library",
    "open_engine": "indiclass.bootstrap",
}

__all__ = [
    "Classification",
    "ConfigError",
    "EngineError",
    "Indicator",
    "IndiclassError",
    "InputError",
    "ProviderError",
    "ProviderUnavailable",
    "SampleValue",
    "Settings",
    "StorageError",
    "__version__",
    "classify",
    "open_engine",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'indiclass' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from indiclass.bootstrap import open_engine
    from indiclass.domain.errors import (
        ConfigError,
        EngineError,
        IndiclassError,
        InputError,
        ProviderError,
        ProviderUnavailable,
        StorageError,
    )
    from indiclass.domain.models import Classification, Indicator, SampleValue
    from indiclass.library import classify
    from indiclass.settings import Settings
