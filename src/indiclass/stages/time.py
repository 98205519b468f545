"""Time inference: reporting frequency and time basis (LLM stage)."""

from __future__ import annotations

from indiclass.domain.enums import StageName
from indiclass.domain.models import Indicator, NormalizationResult, TimeResult
from indiclass.domain.ports import LLMRequest
from indiclass.rules import infer_time
from indiclass.stages import prompts
from indiclass.stages._common import make_request, parse_reply
from indiclass.stages.base import StageInput, llm_stage


class TimeInput(StageInput):
    indicator: Indicator
    normalization: NormalizationResult


def rule(inp: TimeInput) -> TimeResult:
    return infer_time(inp.indicator, inp.normalization)


def build_request(inp: TimeInput) -> LLMRequest:
    user = prompts.join_lines(
        [prompts.describe_indicator(inp.indicator), prompts.describe_parsed(inp.normalization)]
    )
    return make_request(StageName.TIME, prompts.TIME_SYSTEM, user, TimeResult, inp)


def decide(inp: TimeInput, content: str) -> TimeResult:
    return parse_reply(content, TimeResult)


STAGE = llm_stage(
    StageName.TIME,
    "time",
    TimeInput,
    TimeResult,
    rule,
    build_request,
    decide,
    table="time_inference_results",
    prompt=prompts.TIME_SYSTEM,
)
