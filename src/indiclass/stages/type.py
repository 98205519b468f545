"""Type classification (LLM stage): type within the family, temporal aggregation, orientation."""

from __future__ import annotations

from indiclass.domain.enums import StageName, type_fits_family
from indiclass.domain.errors import InvalidReply
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
)
from indiclass.domain.ports import LLMRequest
from indiclass.rules import classify_type
from indiclass.stages import prompts
from indiclass.stages._common import make_request, parse_reply
from indiclass.stages.base import StageInput, llm_stage


class TypeInput(StageInput):
    indicator: Indicator
    normalization: NormalizationResult
    time: TimeResult
    cumulative: CumulativeResult
    family: FamilyResult


def rule(inp: TypeInput) -> TypeResult:
    return classify_type(inp.indicator, inp.normalization, inp.time, inp.cumulative, inp.family)


def build_request(inp: TypeInput) -> LLMRequest:
    user = prompts.join_lines(
        [
            prompts.describe_indicator(inp.indicator),
            prompts.describe_parsed(inp.normalization),
            prompts.describe_draft(time=inp.time, cumulative=inp.cumulative, family=inp.family),
        ]
    )
    return make_request(StageName.TYPE, prompts.TYPE_SYSTEM, user, TypeResult, inp)


def decide(inp: TypeInput, content: str) -> TypeResult:
    result = parse_reply(content, TypeResult)
    if not type_fits_family(result.indicator_type, inp.family.family):
        raise InvalidReply(
            f"indicator_type {result.indicator_type} is not in family {inp.family.family}",
            raw=content,
        )
    return result


STAGE = llm_stage(
    StageName.TYPE,
    "type",
    TypeInput,
    TypeResult,
    rule,
    build_request,
    decide,
    table="type_classification_results",
    prompt=prompts.TYPE_SYSTEM,
)
