"""Provider registry: a name → how to resolve it at submit and how to build it on a worker.

The built-ins are registered through ``register`` exactly as an extension would register its own
(or through the ``indiclass.providers`` entry-point group, whose object is a
:class:`ProviderEntry`, or a bare factory ``(settings, spec) -> Provider``). Names are open
strings: a plugin is selectable by ``LLM_PROVIDER``, the API and ``run`` like a built-in one.
An unknown name raises :class:`UnknownProviderError` with the known names and the closest match.

Two halves, because a batch carries its configuration to whichever worker runs it:

- ``resolve(settings, model)`` runs where the batch is submitted and returns a
  :class:`~indiclass.domain.run.ProviderSpec` (name, model, base URL, options; never secrets);
- ``build(settings, spec)`` runs on the worker, adding the worker's own secrets (API keys), and
  raises ``ConfigError`` when this worker cannot serve the spec (no key).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from indiclass.domain.errors import ConfigError
from indiclass.domain.ports import Provider
from indiclass.domain.redact import redact
from indiclass.domain.run import ProviderSpec
from indiclass.settings import Settings

Resolve = Callable[[Settings, "str | None"], ProviderSpec]
Build = Callable[[Settings, ProviderSpec], Provider]


@dataclass(frozen=True)
class ProviderEntry:
    name: str
    build: Build
    resolve: Resolve | None = None
    """None: the spec is just the name and the given model (or ``default_model``)."""
    default_model: str = "default"
    description: str = ""

    def spec(self, settings: Settings, model: str | None) -> ProviderSpec:
        if self.resolve is not None:
            return self.resolve(settings, model)
        return ProviderSpec(name=self.name, model=model or self.default_model)


_ENTRIES: dict[str, ProviderEntry] = {}


class UnknownProviderError(ConfigError):
    def __init__(self, name: str) -> None:
        known = sorted(_ENTRIES)
        close = difflib.get_close_matches(name.lower(), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        super().__init__(f"unknown LLM provider {name!r}{hint}; known: {', '.join(known)}")
        self.name = name


def register(
    name: str,
    build: Build | ProviderEntry,
    *,
    resolve: Resolve | None = None,
    default_model: str = "default",
    description: str = "",
) -> None:
    entry = (
        build
        if isinstance(build, ProviderEntry)
        else ProviderEntry(name, build, resolve, default_model, description)
    )
    _ENTRIES[name.lower()] = entry


def names() -> list[str]:
    _load_entry_points()
    return sorted(_ENTRIES)


def entry(name: str) -> ProviderEntry:
    _load_entry_points()
    found = _ENTRIES.get(name.strip().lower())
    if found is None:
        raise UnknownProviderError(name)
    return found


def check(name: str) -> str:
    """The registered name for ``name`` (case-insensitive), else UnknownProviderError."""
    return entry(name).name


def resolve(settings: Settings, name: str, model: str | None = None) -> ProviderSpec:
    return entry(name).spec(settings, model)


def build(settings: Settings, spec: ProviderSpec) -> Provider:
    return entry(spec.name).build(settings, spec)


def create(name: str, settings: Settings, model: str | None = None) -> Provider:
    """Resolve and build in one go (this process both submits and serves)."""
    return build(settings, resolve(settings, name, model))


def serveable(settings: Settings, spec: ProviderSpec) -> str | None:
    """None when this process can build ``spec``; else the reason it cannot."""
    try:
        build(settings, spec)
    except (ConfigError, ImportError) as exc:
        return str(exc)
    return None


_loaded = False


def _load_entry_points() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for ep in entry_points(group="indiclass.providers"):
        if ep.name.lower() not in _ENTRIES:
            register(ep.name, ep.load())


# ---------------------------------------------------------------- built-ins


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return get() if get else None


def stored_url(url: str | None) -> str | None:
    """A base URL as a batch may carry it: never with credentials in it."""
    if url is None:
        return None
    return url if redact(url) == url else None


def _openai_spec(settings: Settings, model: str | None) -> ProviderSpec:
    return ProviderSpec(
        name="openai",
        model=model or settings.openai_model,
        base_url=stored_url(settings.openai_base_url),
    )


def _openai(settings: Settings, spec: ProviderSpec) -> Provider:
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
            model=spec.model,
            api_key=key,
            base_url=spec.base_url or settings.openai_base_url,
            timeout_s=settings.llm_timeout_s,
        )
    )


def _local_spec(settings: Settings, model: str | None) -> ProviderSpec:
    return ProviderSpec(
        name="local",
        model=model or settings.lm_studio_model,
        base_url=stored_url(settings.lm_studio_url),
        options={
            "structured": settings.local_structured_output,
            "max_tokens_field": settings.local_max_tokens_field,
        },
    )


def _local(settings: Settings, spec: ProviderSpec) -> Provider:
    from indiclass.providers.openai import OpenAIProvider, preset

    options: dict[str, Any] = dict(spec.options)
    return OpenAIProvider(
        preset(
            "lmstudio",
            model=spec.model,
            api_key=_secret(settings.openai_api_key),
            base_url=spec.base_url or settings.lm_studio_url,
            structured=options.get("structured", settings.local_structured_output),
            max_tokens_field=options.get("max_tokens_field", settings.local_max_tokens_field),
            timeout_s=settings.llm_timeout_s,
            key_variable="OPENAI_API_KEY",
            url_variable="LM_STUDIO_URL",
        )
    )


def _anthropic_spec(settings: Settings, model: str | None) -> ProviderSpec:
    return ProviderSpec(
        name="anthropic",
        model=model or settings.anthropic_model,
        base_url=stored_url(settings.anthropic_base_url),
        options={"structured": settings.anthropic_structured_output},
    )


def _anthropic(settings: Settings, spec: ProviderSpec) -> Provider:
    from indiclass.providers.anthropic import AnthropicConfig, AnthropicProvider

    key = _secret(settings.anthropic_api_key)
    if not key:
        raise ConfigError("the anthropic provider needs ANTHROPIC_API_KEY")
    structured: Any = spec.options.get("structured", settings.anthropic_structured_output)
    return AnthropicProvider(
        AnthropicConfig(
            model=spec.model,
            api_key=key,
            base_url=spec.base_url or settings.anthropic_base_url,
            timeout_s=settings.llm_timeout_s,
            structured=structured,
        )
    )


def _rules_spec(settings: Settings, model: str | None) -> ProviderSpec:
    from indiclass.rules import RULES_MODEL

    return ProviderSpec(name="rules", model=RULES_MODEL)


def _rules(settings: Settings, spec: ProviderSpec) -> Provider:
    from indiclass.providers.rules import RulesProvider

    return RulesProvider()


def _function(settings: Settings, spec: ProviderSpec) -> Provider:
    from indiclass.providers.function import FunctionProvider

    return FunctionProvider(name="function", model=spec.model)


for _name, _build, _resolve, _about in (
    ("openai", _openai, _openai_spec, "OpenAI chat completions (OPENAI_*)"),
    ("local", _local, _local_spec, "an OpenAI-compatible local server (LM_STUDIO_*, LOCAL_*)"),
    ("anthropic", _anthropic, _anthropic_spec, "Anthropic messages (ANTHROPIC_*)"),
    ("rules", _rules, _rules_spec, "the offline rules (no key, no network)"),
):
    register(_name, _build, resolve=_resolve, description=_about)
register(
    "function",
    _function,
    default_model="function-rules",
    description="in-process: answers like the rules through the provider path (tests, demos)",
)
