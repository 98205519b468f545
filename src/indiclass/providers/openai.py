"""OpenAI chat completions, and every OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp)
through ``base_url``. A server is a configuration row (:class:`OpenAICompatible`) with capability
flags, not new code: its structured-output mode and the name of its max-tokens field.

Structured-output modes:
    json_schema   ``response_format={"type": "json_schema", ...}`` (OpenAI, LM Studio, vLLM, Ollama)
    json_object   ``response_format={"type": "json_object", "schema": ...}`` plus the schema in the
                  system prompt (llama.cpp's server constrains the grammar with it)
    tools         one forced function call whose parameters are the schema
    prompted      the schema in the system prompt only (servers with no JSON mode)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Literal

try:
    import openai
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError("the openai provider needs the SDK: pip install 'indiclass[llm]'") from exc

from indiclass.domain.errors import ProviderError
from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.domain.usage import Usage
from indiclass.providers._wire import (
    LoopBound,
    compact_json,
    schema_instruction,
    translate_error,
    wire_schema,
)

StructuredMode = Literal["json_schema", "json_object", "tools", "prompted"]
MaxTokensField = Literal["max_tokens", "max_completion_tokens"]


@dataclass(frozen=True)
class OpenAICompatible:
    """One OpenAI-wire server: where it is, which model, and what it supports."""

    name: str
    """Provider name recorded with every answer (``openai`` or ``local``)."""
    model: str
    base_url: str | None = None
    api_key: str | None = None
    structured: StructuredMode = "json_schema"
    max_tokens_field: MaxTokensField = "max_completion_tokens"
    timeout_s: float = 60.0
    key_variable: str = "OPENAI_API_KEY"
    url_variable: str = "OPENAI_BASE_URL"
    temperature: bool | None = None
    """Send ``temperature``; None: unless the model is a reasoning model (o1/o3/o4/gpt-5)."""
    prompt_cache_key: bool = False
    """Send ``prompt_cache_key`` (one per stage), which routes requests sharing a static prefix
    to the same cache; OpenAI itself, not local servers unless configured."""

    @property
    def sends_temperature(self) -> bool:
        if self.temperature is not None:
            return self.temperature
        return not self.model.startswith(REASONING_PREFIXES)


REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
"""OpenAI models that reject ``temperature``."""

SERVER_PRESETS: dict[str, OpenAICompatible] = {
    "openai": OpenAICompatible("openai", "gpt-4o-mini", prompt_cache_key=True),
    "lmstudio": OpenAICompatible(
        "local", "local-model", "http://127.0.0.1:1234/v1", max_tokens_field="max_tokens"
    ),
    "ollama": OpenAICompatible(
        "local", "llama3.2", "http://127.0.0.1:11434/v1", max_tokens_field="max_tokens"
    ),
    "vllm": OpenAICompatible(
        "local", "local-model", "http://127.0.0.1:8000/v1", max_tokens_field="max_tokens"
    ),
    "llamacpp": OpenAICompatible(
        "local",
        "local-model",
        "http://127.0.0.1:8080/v1",
        structured="json_object",
        max_tokens_field="max_tokens",
    ),
}
"""Known servers as data; ``LOCAL_STRUCTURED_OUTPUT``/``LOCAL_MAX_TOKENS_FIELD`` override a row."""


def preset(name: str, **changes: Any) -> OpenAICompatible:
    return replace(SERVER_PRESETS[name], **changes)


class OpenAIProvider:
    """Answers an LLMRequest with one chat completion on ``AsyncOpenAI`` (one client per event
    loop; the SDK's own retries are off: the ``Retrying`` wrapper owns retries)."""

    def __init__(self, config: OpenAICompatible, *, http_client: Any = None) -> None:
        self.config = config
        self.name = config.name
        self.model = config.model
        self._clients = LoopBound(self._new_client)
        self._http_client = http_client

    def _new_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=self.config.api_key or "not-needed",
            base_url=self.config.base_url,
            max_retries=0,
            timeout=self.config.timeout_s,
            http_client=self._http_client,
        )

    @property
    def url(self) -> str:
        return (self.config.base_url or "https://api.openai.com/v1").rstrip("/")

    async def complete(self, request: LLMRequest) -> LLMReply:
        started = time.perf_counter()
        try:
            response = await self._clients.get().chat.completions.create(**self.params(request))
        except openai.APIError as exc:
            raise self._translate(exc) from None
        return LLMReply(
            content=_content(response, self.config.structured),
            provider=self.name,
            model=self.model,
            usage=_usage(response.usage),
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def params(self, request: LLMRequest) -> dict[str, Any]:
        """The chat-completions arguments for ``request`` in this server's structured mode."""
        mode = self.config.structured
        system = request.system
        if mode in ("json_object", "prompted"):
            system += schema_instruction(request)
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": request.user},
        ]
        messages += [{"role": t.role, "content": t.content} for t in request.history]
        params: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            self.config.max_tokens_field: request.max_output_tokens,
        }
        if self.config.sends_temperature:
            params["temperature"] = request.temperature
        if self.config.prompt_cache_key:
            params["prompt_cache_key"] = prompt_cache_key(request)
        params.update(_structured(request, mode))
        return params

    def _translate(self, exc: openai.APIError) -> ProviderError:
        return translate_error(
            exc, self.url, self.model, self.config.key_variable, self.config.url_variable
        )


def prompt_cache_key(request: LLMRequest) -> str:
    """One key per stage: every request of a stage shares its static prefix (schema + system)."""
    return f"indiclass-{request.stage}"


def _structured(request: LLMRequest, mode: StructuredMode) -> dict[str, Any]:
    schema = wire_schema(request.json_schema)
    if mode == "json_schema":
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": schema, "strict": True},
            }
        }
    if mode == "json_object":
        return {"response_format": {"type": "json_object", "schema": schema}}
    if mode == "tools":
        tool = {"name": request.schema_name, "parameters": schema, "strict": True}
        return {
            "tools": [{"type": "function", "function": tool}],
            "tool_choice": {"type": "function", "function": {"name": request.schema_name}},
        }
    return {}


def _content(response: Any, mode: StructuredMode) -> str:
    if not response.choices:
        return ""  # the stage's validation re-asks
    message = response.choices[0].message
    if mode == "tools" and message.tool_calls:
        return str(message.tool_calls[0].function.arguments or "")
    return str(message.content or "")


def _usage(usage: Any) -> Usage:
    """Tokens as the server reported them; the price is filled in by the ``Priced`` wrapper."""
    if usage is None:
        return Usage(requests=1, cost_usd=None)
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return Usage(
        requests=1,
        input_tokens=usage.prompt_tokens or 0,
        output_tokens=usage.completion_tokens or 0,
        cached_tokens=cached,
        cost_usd=None,
    )


__all__ = [
    "SERVER_PRESETS",
    "OpenAICompatible",
    "OpenAIProvider",
    "compact_json",
    "preset",
    "translate_error",
]
