"""Shared plumbing for LLM stages: strict reply schemas, reply parsing, request building."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from indiclass.domain.errors import InvalidReply
from indiclass.domain.ports import LLMRequest

M = TypeVar("M", bound=BaseModel)

_schema_cache: dict[type[BaseModel], dict[str, Any]] = {}


RULES_ONLY_FIELDS = frozenset({"field_confidence"})
"""Result fields the rules fill and an LLM is never asked for."""


def reply_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A strict JSON schema for ``model``: refs inlined, every property required, no extras,
    without the rules-only fields."""
    if model not in _schema_cache:
        raw = model.model_json_schema()
        defs = raw.pop("$defs", {})
        for name in RULES_ONLY_FIELDS:
            raw.get("properties", {}).pop(name, None)
        _schema_cache[model] = _strict(_inline(raw, defs))
    return _schema_cache[model]


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k not in ("title", "default")}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _strict(v) for k, v in node.items()}
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def parse_reply(content: str, model: type[M]) -> M:
    """Validate a reply's JSON text into ``model``; InvalidReply says what was wrong."""
    try:
        data = json.loads(_strip_fences(content), strict=False)  # raw newlines in strings
    except json.JSONDecodeError as exc:
        raise InvalidReply(
            f"reply is not valid JSON ({exc.msg} at char {exc.pos})", raw=content
        ) from None
    if not isinstance(data, dict):
        raise InvalidReply("reply must be a JSON object", raw=content)
    data = _normalise_confidence(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidReply(_describe(exc), raw=content) from None


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _normalise_confidence(data: dict[str, Any]) -> dict[str, Any]:
    """Accept 0..100 confidences (``85`` → ``0.85``); the model stores 0..1."""
    c = data.get("confidence")
    if isinstance(c, int | float) and not isinstance(c, bool) and 1 < c <= 100:
        return {**data, "confidence": c / 100}
    return data


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def make_request(
    stage: str,
    system: str,
    user: str,
    reply_model: type[BaseModel],
    payload: BaseModel,
    *,
    max_output_tokens: int = 300,
) -> LLMRequest:
    return LLMRequest(
        stage=stage,
        system=system,
        user=user,
        schema_name=f"{str(stage).replace('-', '_')}_reply",
        json_schema=reply_schema(reply_model),
        payload=payload,
        max_output_tokens=max_output_tokens,
    )
