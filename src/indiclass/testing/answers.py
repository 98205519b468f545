"""What the fake LLM answers: realistic content from the offline rules when the indicator can be
read back from the structured user prompt, else the first schema-valid value of every field."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from indiclass.domain.enums import Family, IndicatorType, types_of
from indiclass.domain.errors import IndiclassError
from indiclass.domain.models import Indicator
from indiclass.stages import DEFAULT_STAGES, prompts

SYSTEM_PROMPTS: dict[str, str] = {str(s.name): s.prompt for s in DEFAULT_STAGES.llm}
"""Each LLM stage's static prompt, from the declaration (``indiclass.stages.STAGES``)."""
_PROMPT_KEYS = {
    "name": "name",
    "long_name": "long_name",
    "units": "units",
    "periodicity": "periodicity",
    "scale": "scale",
    "currency_code": "currency_code",
    "source": "source_name",
    "category": "category_group",
    "topic": "topic",
    "dataset": "dataset",
    "aggregation": "aggregation_method",
    "description": "description",
}
_STATE_FIELD = {str(s.name): s.key for s in DEFAULT_STAGES.llm}


def detect_stage(schema_name: str | None, system: str) -> str | None:
    """The stage from the schema name (``type_reply``) or else from the system prompt."""
    if schema_name and schema_name.endswith("_reply"):
        stage = schema_name.removesuffix("_reply").replace("_", "-")
        if stage in SYSTEM_PROMPTS:
            return stage
    for stage, text in SYSTEM_PROMPTS.items():
        if system.startswith(text[:80]):
            return stage
    return None


def answer(stage: str | None, schema: dict[str, Any] | None, user: str) -> dict[str, Any]:
    """A reply object valid for ``schema`` (rules content when possible)."""
    realistic = _from_rules(stage, user) if stage else None
    if realistic is not None:
        return _fit(realistic, schema)
    minimal: dict[str, Any] = minimal_instance(schema or {"type": "object", "properties": {}})
    return minimal


def minimal_instance(schema: dict[str, Any]) -> Any:
    """The simplest value of ``schema``: first enum value, empty arrays, 0.9 for numbers."""
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return minimal_instance(schema["anyOf"][-1])
    kind = schema.get("type")
    if kind == "object":
        return {k: minimal_instance(v) for k, v in schema.get("properties", {}).items()}
    return {"array": [], "boolean": True, "number": 0.9, "integer": 1, "null": None}.get(
        str(kind), "fake answer"
    )


def break_enum(obj: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    """``obj`` with its first enum-valued field set to a value outside the enum."""
    for key, prop in (schema or {}).get("properties", {}).items():
        if "enum" in prop:
            return {**obj, key: "not-a-valid-value"}
    return {**obj, "confidence": 7.5}


def _fit(result: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    props = (schema or {}).get("properties")
    return {k: v for k, v in result.items() if props is None or k in props}


def _from_rules(stage: str, user: str) -> dict[str, Any] | None:
    head = user.split("\nparsed:", 1)[0]
    results = _rules_results(head)
    if results is None or stage not in results:
        return None
    result = dict(results[stage])
    if stage == "type":
        result = _type_within_draft_family(result, user)
    return result


@functools.lru_cache(maxsize=4096)
def _rules_results(head: str) -> dict[str, dict[str, Any]] | None:
    indicator = _indicator(head)
    if indicator is None:
        return None
    from indiclass.pipeline import classify

    results = classify(indicator).results
    return {
        stage: json.loads(results[key].model_dump_json(exclude={"field_confidence"}))
        for stage, key in _STATE_FIELD.items()
        if key in results
    }


def _indicator(head: str) -> Indicator | None:
    data: dict[str, str] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in _PROMPT_KEYS and value != prompts.NOT_GIVEN:
            data[_PROMPT_KEYS[key]] = value
    if "name" not in data:
        return None
    try:
        return Indicator.model_validate(data)
    except (ValueError, IndiclassError):
        return None


def _type_within_draft_family(result: dict[str, Any], user: str) -> dict[str, Any]:
    match = re.search(r"\bfamily=([a-z-]+)", user)
    if not match or match.group(1) not in {f.value for f in Family}:
        return result
    family = Family(match.group(1))
    allowed = {t.value for t in types_of(family)}
    if result.get("indicator_type") not in allowed:
        result["indicator_type"] = types_of(family)[0].value
    assert IndicatorType(result["indicator_type"])
    return result
