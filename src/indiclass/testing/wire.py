"""Both wire formats for the fake server: requests read into one shape (:class:`Exchange`),
replies and errors written back in the format of the API that asked."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from indiclass.providers._wire import compact_json
from indiclass.testing.answers import detect_stage

_SCHEMA_IN_PROMPT = re.compile(r"JSON schema of the reply: (\{.*\})\s*$", re.S)


@dataclass
class Exchange:
    api: str
    model: str
    system: str
    messages: list[str]
    schema: dict[str, Any] | None
    schema_name: str | None
    tool_name: str | None
    body: dict[str, Any] = field(repr=False)
    system_parts: list[str] | None = None
    """The system prompt as the request's blocks (Anthropic); None: one part, :attr:`system`."""
    breakpoints: tuple[int, ...] = ()
    """Indexes into :meth:`prompt_parts` of the parts that end at a ``cache_control`` mark."""
    stage: str | None = None

    def __post_init__(self) -> None:
        self.stage = detect_stage(self.schema_name, self.system)

    @property
    def user(self) -> str:
        return self.messages[0] if self.messages else ""

    @property
    def schema_text(self) -> str:
        """The schema as it counts toward prompt tokens (empty when it is in the prompt)."""
        native = (
            self.body.get("response_format")
            or self.body.get("tools")
            or self.body.get("output_config")
        )
        return compact_json(self.schema) if native and self.schema else ""

    def prompt_parts(self) -> list[str]:
        """Prompt in provider order: tools/schema, system (each block), then each message."""
        system = [self.system] if self.system_parts is None else self.system_parts
        return [self.schema_text, *system, *self.messages]


def parse_openai(body: dict[str, Any]) -> Exchange:
    msgs = body.get("messages", [])
    system = "\n".join(_text(m.get("content")) for m in msgs if m.get("role") == "system")
    others = [_text(m.get("content")) for m in msgs if m.get("role") != "system"]
    schema, name, tool = None, None, None
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema, name = fmt["json_schema"].get("schema"), fmt["json_schema"].get("name")
    elif fmt.get("type") == "json_object":
        schema = fmt.get("schema")
    if body.get("tools"):
        fn = body["tools"][0].get("function", {})
        schema, name, tool = fn.get("parameters"), fn.get("name"), fn.get("name")
    schema = schema or _schema_from_prompt(system)
    return Exchange("openai", str(body.get("model", "")), system, others, schema, name, tool, body)


def parse_anthropic(body: dict[str, Any]) -> Exchange:
    raw_system = body.get("system") or ""
    blocks = raw_system if isinstance(raw_system, list) else [{"text": raw_system}]
    system_parts = [str(b.get("text", "")) for b in blocks]
    raw_messages = body.get("messages", [])
    messages = [_text(m.get("content")) for m in raw_messages]
    schema, name, tool = None, None, None
    if body.get("tools"):
        t = body["tools"][0]
        schema, name, tool = t.get("input_schema"), t.get("name"), t.get("name")
    fmt = (body.get("output_config") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
    marked = [
        any(_marked(t) for t in body.get("tools") or []),
        *(_marked(b) for b in blocks),
        *(_marked(m) for m in raw_messages),
    ]
    if body.get("cache_control"):  # automatic caching: up to the last block
        marked[-1] = True
    return Exchange(
        "anthropic",
        str(body.get("model", "")),
        "".join(system_parts),
        messages,
        schema,
        name,
        tool,
        body,
        system_parts=system_parts,
        breakpoints=tuple(i for i, mark in enumerate(marked) if mark),
    )


def _marked(item: Any) -> bool:
    """A tool, system block or message carrying a ``cache_control`` mark (on any content block)."""
    if not isinstance(item, dict):
        return False
    content = item.get("content")
    blocks = content if isinstance(content, list) else []
    return "cache_control" in item or any(
        isinstance(b, dict) and "cache_control" in b for b in blocks
    )


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def _schema_from_prompt(system: str) -> dict[str, Any] | None:
    match = _SCHEMA_IN_PROMPT.search(system)
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Tokens:
    """Usage of one reply as the server reports it."""

    prompt: int
    """Every prompt token (for Anthropic: uncached input + cache reads + cache writes)."""
    completion: int
    cached: int = 0
    """OpenAI ``cached_tokens``; Anthropic ``cache_read_input_tokens``."""
    written: int = 0
    """Anthropic ``cache_creation_input_tokens`` (OpenAI has no such field)."""


def reply_body(ex: Exchange, content: str, truncated: bool, tokens: Tokens) -> dict[str, Any]:
    """A chat.completion or a message carrying ``content`` (a tool call when one is forced)."""
    builder = _anthropic_body if ex.api == "anthropic" else _openai_body
    return builder(ex, content, truncated, tokens)


def error_body(api: str, status: int, message: str) -> dict[str, Any]:
    """The error object of each API for an HTTP error ``status``."""
    kind = _ERROR_TYPES.get(status, "api_error")
    error = {"message": message, "type": kind}
    return {"type": "error", "error": error} if api == "anthropic" else {"error": error}


_ERROR_TYPES = {
    400: "invalid_request_error",
    404: "not_found_error",
    405: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
}


def _openai_body(ex: Exchange, content: str, truncated: bool, t: Tokens) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if ex.tool_name:
        call = {"name": ex.tool_name, "arguments": content}
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_fake", "type": "function", "function": call}],
        }
    finish = "length" if truncated else ("tool_calls" if ex.tool_name else "stop")
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": ex.model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": t.prompt,
            "completion_tokens": t.completion,
            "total_tokens": t.prompt + t.completion,
            "prompt_tokens_details": {"cached_tokens": t.cached},
        },
    }


def _anthropic_body(ex: Exchange, content: str, truncated: bool, t: Tokens) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": content}
    tool_input = _object_or_none(content) if ex.tool_name and not truncated else None
    if tool_input is not None:  # broken JSON cannot be a tool input: it is sent as text
        block = {"type": "tool_use", "id": "toolu_fake", "name": ex.tool_name, "input": tool_input}
    stop = "tool_use" if block["type"] == "tool_use" else "end_turn"
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": ex.model,
        "content": [block],
        "stop_reason": "max_tokens" if truncated else stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": t.prompt - t.cached - t.written,
            "output_tokens": t.completion,
            "cache_read_input_tokens": t.cached,
            "cache_creation_input_tokens": t.written,
        },
    }


def _object_or_none(content: str) -> dict[str, Any] | None:
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
