"""Reading requests of both wire formats into one shape the fake server answers."""

from __future__ import annotations

import json
import re
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
    cache_control: bool = False
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
        """Prompt in provider order: tools/schema, system, then each message."""
        return [self.schema_text, self.system, *self.messages]

    @property
    def prefix_parts(self) -> int:
        return 2


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
    system = "".join(b.get("text", "") for b in blocks)
    cache = any("cache_control" in b for b in blocks)
    messages = [_text(m.get("content")) for m in body.get("messages", [])]
    schema, name, tool = None, None, None
    if body.get("tools"):
        t = body["tools"][0]
        schema, name, tool = t.get("input_schema"), t.get("name"), t.get("name")
    fmt = (body.get("output_config") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
    return Exchange(
        "anthropic",
        str(body.get("model", "")),
        system,
        messages,
        schema,
        name,
        tool,
        body,
        cache_control=cache,
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
