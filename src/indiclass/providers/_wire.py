"""What every SDK adapter shares: the schema as sent on the wire, prompt instructions for
servers without native structured output, token estimates, and SDK-error translation helpers."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from indiclass.domain.errors import (
    ProviderError,
    ProviderRateLimited,
    ProviderTransient,
    ProviderUnavailable,
)
from indiclass.domain.ports import LLMRequest
from indiclass.domain.redact import redact

C = TypeVar("C")


class LoopBound(Generic[C]):
    """One SDK client per running event loop (an async client's connection pool belongs to the
    loop that opened it)."""

    def __init__(self, factory: Callable[[], C]) -> None:
        self._factory = factory
        self._clients: dict[int, C] = {}

    def get(self) -> C:
        key = id(asyncio.get_running_loop())
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._factory()
        return client


_DROP = frozenset({"description", "maxLength", "maxItems", "minimum", "maximum", "title"})


def wire_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The reply schema without limits and descriptions: fewer prompt tokens, accepted by every
    strict mode. The stage still validates the reply against the full pydantic model."""
    return _slim(schema)  # type: ignore[no-any-return]


def _slim(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _slim(v) for k, v in node.items() if k not in _DROP}
    if isinstance(node, list):
        return [_slim(v) for v in node]
    return node


def compact_json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def schema_instruction(request: LLMRequest) -> str:
    """Appended to the system prompt when the server cannot take the schema natively."""
    return f"\nJSON schema of the reply: {compact_json(wire_schema(request.json_schema))}"


def estimate_tokens(text: str) -> int:
    """Rough token count: one token per four characters (OpenAI's rule of thumb)."""
    return math.ceil(len(text) / 4) if text else 0


def estimate_request_tokens(request: LLMRequest) -> int:
    """Prompt plus the most the reply may use: what a tokens-per-minute budget must reserve."""
    prompt = request.system + request.user + "".join(t.content for t in request.history)
    schema = compact_json(wire_schema(request.json_schema))
    return estimate_tokens(prompt) + estimate_tokens(schema) + request.max_output_tokens


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (numeric form) headers, if present."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) / scale)
            except ValueError:
                continue
    return None


def translate_error(exc: Any, url: str, model: str, key_var: str, url_var: str) -> ProviderError:
    """The SDK's exception as one of ours (the one boundary where foreign errors are mapped);
    URLs are redacted, so a key written into a base URL is never stored or served."""
    url = redact(url)
    status = getattr(exc, "status_code", None)
    response = getattr(exc, "response", None)
    if status == 429:
        after = retry_after_seconds(getattr(response, "headers", None))
        return ProviderRateLimited(f"{url}: rate limited (429)", retry_after=after)
    if type(exc).__name__ == "APITimeoutError":
        return ProviderTransient(f"{url}: request timed out")
    if status is None:
        reason = redact(str(exc))
        return ProviderUnavailable(
            f"cannot reach the LLM server at {url} (set {url_var}): {reason}"
        )
    if status in (401, 403):
        return ProviderUnavailable(f"{url} refused the API key ({status}); check {key_var}")
    if status == 404:
        return ProviderUnavailable(f"{url}: model {model!r} or endpoint not found (404)")
    if status >= 500 or status in (408, 409):
        transient = ProviderTransient(f"{url}: server error {status}")
        transient.retry_after = retry_after_seconds(getattr(response, "headers", None))  # type: ignore[attr-defined]
        return transient
    return ProviderError(f"{url}: request rejected ({status}): {_message(exc)}")


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
    return str(exc)[:300]
