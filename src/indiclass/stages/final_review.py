"""Final review (LLM stage): applies the corrections the boolean review asked for, or marks the
classification failed. When the boolean review passed there is nothing to decide: the pipeline
records it as skipped without asking anyone."""

from __future__ import annotations

from indiclass.domain.enums import ReviewStatus, StageName
from indiclass.domain.errors import InvalidReply
from indiclass.domain.models import BooleanReviewResult, FinalReviewResult, coerce_field
from indiclass.domain.ports import LLMRequest
from indiclass.rules import final_review
from indiclass.stages import prompts
from indiclass.stages._common import make_request, parse_reply
from indiclass.stages.base import llm_stage
from indiclass.stages.boolean_review import ReviewInput, review_prompt


class FinalReviewInput(ReviewInput):
    boolean_review: BooleanReviewResult


def rule(inp: FinalReviewInput) -> FinalReviewResult:
    return final_review(
        inp.indicator,
        inp.normalization,
        inp.time,
        inp.cumulative,
        inp.family,
        inp.type,
        inp.boolean_review,
    )


def passed_without_review(inp: FinalReviewInput) -> FinalReviewResult | None:
    """The answer when the boolean review found nothing: passed, nothing to correct (None: the
    review flagged fields, so there is something to decide)."""
    if not inp.boolean_review.passed:
        return None
    return FinalReviewResult(
        status=ReviewStatus.PASSED,
        confidence=inp.boolean_review.confidence,
        reasoning="boolean review passed; nothing to correct",
    )


def build_request(inp: FinalReviewInput) -> LLMRequest:
    issues = "; ".join(
        f"{i.field}: {i.problem}" + (f" (suggest {i.suggested})" if i.suggested else "")
        for i in inp.boolean_review.issues
    )
    user = prompts.join_lines([review_prompt(inp), f"review issues: {issues or 'none listed'}"])
    return make_request(
        StageName.FINAL_REVIEW, prompts.FINAL_REVIEW_SYSTEM, user, FinalReviewResult, inp
    )


def decide(inp: FinalReviewInput, content: str) -> FinalReviewResult:
    result = parse_reply(content, FinalReviewResult)
    for correction in result.corrections:
        try:
            coerce_field(correction.field, correction.value)
        except ValueError as exc:
            raise InvalidReply(f"corrections: {exc}", raw=content) from None
    if result.status is ReviewStatus.CORRECTED and not result.corrections:
        raise InvalidReply("status corrected needs at least one correction", raw=content)
    return result


STAGE = llm_stage(
    StageName.FINAL_REVIEW,
    "final_review",
    FinalReviewInput,
    FinalReviewResult,
    rule,
    build_request,
    decide,
    shortcut=passed_without_review,
    table="final_review_results",
    hybrid_always_asks=True,
    prompt=prompts.FINAL_REVIEW_SYSTEM,
)
