"""Provider registry: a name → a factory building the bare adapter from the settings.

The built-ins are registered through ``register`` exactly as an extension would register its own
(or through the ``indiclass.providers`` entry-point group). An unknown name raises
:class:`UnknownProviderError` with the known names and the closest match.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib.metadata import entry_points

from indiclass.domain.errors import ConfigError
from indiclass.domain.ports import Provider
from indiclass.settings import Settings

ProviderFactory = Callable[[Settings, "str | None"], Provider]
"""(settings, model override or None) → a bare provider (no wrappers)."""

_FACTORIES: dict[str, ProviderFactory] = {}


class UnknownProviderError(ConfigError):
    def __init__(self, name: str) -> None:
        known = sorted(_FACTORIES)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        super().__init__(f"unknown LLM provider {name!r}{hint}; known: {', '.join(known)}")
        self.name = name


def register(name: str, factory: ProviderFactory) -> None:
    _FACTORIES[name] = factory


def names() -> list[str]:
    _load_entry_points()
    return sorted(_FACTORIES)


def create(name: str, settings: Settings, model: str | None = None) -> Provider:
    _load_entry_points()
    factory = _FACTORIES.get(name)
    if factory is None:
        raise UnknownProviderError(name)
    return factory(settings, model)


_loaded = False


def _load_entry_points() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for ep in entry_points(group="indiclass.providers"):
        if ep.name not in _FACTORIES:
            register(ep.name, ep.load())


# ---------------------------------------------------------------- built-ins


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return get() if get else None


def _openai(settings: Settings, model: str | None) -> Provider:
    from indiclass.providers.openai import OpenAIProvider, preset

    key = _secret(settings.openai_api_key)
    if not key:
        raise ConfigError(
            "the openai provider needs OPENAI_API_KEY (or use --provider local "
            "with LM_STUDIO_URL for an OpenAI-compatible local server)"
        )
    return OpenAIProvider(
        preset(
            "openai",
            model=model or settings.openai_model,
            api_key=key,
            base_url=settings.openai_base_url,
            timeout_s=settings.llm_timeout_s,
        )
    )


def _local(settings: Settings, model: str | None) -> Provider:
    from indiclass.providers.openai import OpenAIProvider, preset

    return OpenAIProvider(
        preset(
            "lmstudio",
            model=model or settings.lm_studio_model,
            base_url=settings.lm_studio_url,
            structured=settings.local_structured_output,
            max_tokens_field=settings.local_max_tokens_field,
            timeout_s=settings.llm_timeout_s,
            key_variable="OPENAI_API_KEY",
            url_variable="LM_STUDIO_URL",
        )
    )


def _anthropic(settings: Settings, model: str | None) -> Provider:
    from indiclass.providers.anthropic import AnthropicConfig, AnthropicProvider

    key = _secret(settings.anthropic_api_key)
    if not key:
        raise ConfigError("the anthropic provider needs ANTHROPIC_API_KEY")
    return AnthropicProvider(
        AnthropicConfig(
            model=model or settings.anthropic_model,
            api_key=key,
            base_url=settings.anthropic_base_url,
            timeout_s=settings.llm_timeout_s,
            structured=settings.anthropic_structured_output,
        )
    )


def _rules(settings: Settings, model: str | None) -> Provider:
    from indiclass.providers.rules import RulesProvider

    return RulesProvider()


for _name, _factory in (
    ("openai", _openai),
    ("local", _local),
    ("anthropic", _anthropic),
    ("rules", _rules),
):
    register(_name, _factory)
