"""What every SDK adapter shares: the schema as sent on the wire, prompt instructions for
servers without native structured output, token estimates, and SDK-error translation helpers."""

from __future__ import annotations

import json
import math
from typing import Any

from indiclass.domain.ports import LLMRequest

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
