"""Family assignment (LLM stage): one of the seven families."""

from __future__ import annotations

from indiclass.domain.enums import StageName
from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    RouteResult,
    TimeResult,
)
from indiclass.domain.ports import LLMRequest
from indiclass.rules import assign_family
from indiclass.stages import prompts
from indiclass.stages._common import make_request, parse_reply
from indiclass.stages.base import StageInput, llm_stage


class FamilyInput(StageInput):
    indicator: Indicator
    normalization: NormalizationResult
    time: TimeResult
    cumulative: CumulativeResult
    route: RouteResult


def rule(inp: FamilyInput) -> FamilyResult:
    return assign_family(inp.indicator, inp.normalization, inp.time, inp.cumulative, inp.route)


def build_request(inp: FamilyInput) -> LLMRequest:
    user = prompts.join_lines(
        [
            prompts.describe_indicator(inp.indicator),
            prompts.describe_parsed(inp.normalization),
            prompts.describe_draft(time=inp.time, cumulative=inp.cumulative),
        ]
    )
    return make_request(StageName.FAMILY, prompts.FAMILY_SYSTEM, user, FamilyResult, inp)


def decide(inp: FamilyInput, content: str) -> FamilyResult:
    return parse_reply(content, FamilyResult)


STAGE = llm_stage(
    StageName.FAMILY,
    "family",
    FamilyInput,
    FamilyResult,
    rule,
    build_request,
    decide,
    table="family_assignment_results",
    prompt=prompts.FAMILY_SYSTEM,
)
