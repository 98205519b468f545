"""Anthropic messages API through the official SDK.

Structured output by a forced tool call (``tools``, every model) or the native JSON-schema output
format (``json_schema``, ``output_config.format``). The system prompt carries a ``cache_control``
breakpoint so Anthropic caches the static prefix (tools + system) across indicators, for 5
minutes (writes billed at 1.25x input) or 1 hour (2x; ``cache_ttl="1h"``); reads cost 0.1x.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

try:
    import anthropic
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError("the anthropic provider needs the SDK: pip install 'indiclass[llm]'") from exc

from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.domain.usage import Usage
from indiclass.providers._wire import LoopBound, translate_error, wire_schema
from indiclass.providers.pricing import CacheTTL

AnthropicMode = Literal["tools", "json_schema"]


@dataclass(frozen=True)
class AnthropicConfig:
    model: str
    api_key: str | None = None
    base_url: str | None = None
    structured: AnthropicMode = "tools"
    timeout_s: float = 60.0
    prompt_cache: bool = True
    cache_ttl: CacheTTL = "5m"
    """How long Anthropic keeps the cached prefix after its last use; "1h" doubles the write
    price (the price table must be told the same TTL)."""
    name: str = "anthropic"


class AnthropicProvider:
    """Answers an LLMRequest with one message (SDK retries off: ``Retrying`` owns them)."""

    def __init__(self, config: AnthropicConfig, *, http_client: Any = None) -> None:
        self.config = config
        self.name = config.name
        self.model = config.model
        self._http_client = http_client
        self._clients = LoopBound(self._new_client)

    def _new_client(self) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(
            api_key=self.config.api_key or "not-needed",
            base_url=self.config.base_url,
            max_retries=0,
            timeout=self.config.timeout_s,
            http_client=self._http_client,
        )

    @property
    def url(self) -> str:
        return (self.config.base_url or "https://api.anthropic.com").rstrip("/")

    async def complete(self, request: LLMRequest) -> LLMReply:
        started = time.perf_counter()
        try:
            message = await self._clients.get().messages.create(**self.params(request))
        except anthropic.APIError as exc:
            raise translate_error(
                exc, self.url, self.model, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"
            ) from None
        return LLMReply(
            content=_content(message),
            provider=self.name,
            model=self.model,
            usage=_usage(message.usage),
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def params(self, request: LLMRequest) -> dict[str, Any]:
        system: dict[str, Any] = {"type": "text", "text": request.system}
        if self.config.prompt_cache:
            system["cache_control"] = cache_control(self.config.cache_ttl)
        messages = [{"role": "user", "content": request.user}]
        messages += [{"role": t.role, "content": t.content} for t in request.history]
        params: dict[str, Any] = {
            "model": self.model,
            "system": [system],
            "messages": messages,
            "max_tokens": request.max_output_tokens,
        }
        schema = wire_schema(request.json_schema)
        if self.config.structured == "json_schema":
            params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        else:
            params["tools"] = [
                {
                    "name": request.schema_name,
                    "input_schema": schema,
                    "description": "Record the answer.",
                }
            ]
            params["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return params


def cache_control(ttl: CacheTTL) -> dict[str, str]:
    """The breakpoint mark: the API's default TTL is 5 minutes, so only 1 hour is spelled out."""
    return {"type": "ephemeral", "ttl": "1h"} if ttl == "1h" else {"type": "ephemeral"}


def _content(message: Any) -> str:
    for block in message.content:
        if block.type == "tool_use":
            return json.dumps(block.input)
    texts = [block.text for block in message.content if block.type == "text"]
    return "".join(texts)  # empty: the stage's validation re-asks


def _usage(usage: Any) -> Usage:
    """Anthropic reports uncached input, cache reads and cache writes apart; ours adds them up."""
    read = usage.cache_read_input_tokens or 0
    written = usage.cache_creation_input_tokens or 0
    return Usage(
        requests=1,
        input_tokens=usage.input_tokens + read + written,
        output_tokens=usage.output_tokens,
        cached_tokens=read,
        cache_write_tokens=written,
        cost_usd=None,
    )
