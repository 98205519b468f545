"""Boolean review (LLM stage): is the whole draft classification consistent?

Checks type within family, time basis vs temporal aggregation, currency vs type, cumulative vs
time basis; when not, lists the issues with suggested values.
"""

from __future__ import annotations

from indiclass.domain.enums import StageName
from indiclass.domain.errors import InvalidReply
from indiclass.domain.models import (
    BooleanReviewResult,
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
    coerce_field,
)
from indiclass.domain.ports import LLMRequest
from indiclass.rules import review_classification
from indiclass.stages import prompts
from indiclass.stages._common import make_request, parse_reply
from indiclass.stages.base import StageInput, llm_stage


class ReviewInput(StageInput):
    indicator: Indicator
    normalization: NormalizationResult
    time: TimeResult
    cumulative: CumulativeResult
    family: FamilyResult
    type: TypeResult


def rule(inp: ReviewInput) -> BooleanReviewResult:
    return review_classification(
        inp.indicator, inp.normalization, inp.time, inp.cumulative, inp.family, inp.type
    )


def review_prompt(inp: ReviewInput) -> str:
    return prompts.join_lines(
        [
            prompts.describe_indicator(inp.indicator),
            prompts.describe_parsed(inp.normalization),
            prompts.describe_draft(inp.time, inp.cumulative, inp.family, inp.type),
        ]
    )


def build_request(inp: ReviewInput) -> LLMRequest:
    return make_request(
        StageName.BOOLEAN_REVIEW,
        prompts.BOOLEAN_REVIEW_SYSTEM,
        review_prompt(inp),
        BooleanReviewResult,
        inp,
    )


def decide(inp: ReviewInput, content: str) -> BooleanReviewResult:
    result = parse_reply(content, BooleanReviewResult)
    for issue in result.issues:
        if issue.suggested is not None:
            try:
                coerce_field(issue.field, issue.suggested)
            except ValueError as exc:
                raise InvalidReply(f"issues: {exc}", raw=content) from None
    if result.passed and result.issues:
        raise InvalidReply("passed is true but issues are listed", raw=content)
    return result


STAGE = llm_stage(
    StageName.BOOLEAN_REVIEW,
    "boolean_review",
    ReviewInput,
    BooleanReviewResult,
    rule,
    build_request,
    decide,
    table="boolean_review_results",
    prompt=prompts.BOOLEAN_REVIEW_SYSTEM,
)
