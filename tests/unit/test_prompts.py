"""The cache-first prompts: a static prefix per stage that reaches the 1,024-token cache minimum
with one 128-token block to spare (real tokenizers count fewer tokens than characters / 4), and
not much more; byte-identical across indicators; the user prompt in the format the fake server
reads back."""

from __future__ import annotations

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.domain.run import ProviderSpec, RunConfig
from indiclass.estimate import planned_calls, static_tokens, wire_parts
from indiclass.stages import DEFAULT_STAGES, prompts

MINIMUM = 1024
BLOCK = 128
SPECS = [
    ProviderSpec(name="openai", model="gpt-4.1-mini"),
    ProviderSpec(name="anthropic", model="claude-sonnet-4-5", options={"structured": "tools"}),
]
INDICATORS = [
    {"name": "GDP Annual Growth Rate", "units": "%", "periodicity": "Quarterly"},
    {"name": "Federal Surplus or Deficit [-]", "units": "Millions of Dollars",
     "periodicity": "Monthly", "currency_code": "USD"},
]  # fmt: skip


def requests_by_stage(raw: dict, spec: ProviderSpec, strategy: str = "llm"):
    run = RunConfig(provider=spec, strategy=strategy)
    return {str(r.stage): r for r, _ in planned_calls([parse_indicator(raw)], run)}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_static_prefix_is_one_block_above_the_minimum_and_no_more(spec):
    asked = requests_by_stage(INDICATORS[1], spec)
    assert set(asked) >= {"time", "family", "type", "boolean-review"}
    for name, request in asked.items():
        tokens = static_tokens(wire_parts(request, spec))
        assert MINIMUM + BLOCK <= tokens < MINIMUM + 2 * BLOCK, (name, tokens)


def test_final_review_prefix_too():
    stage = DEFAULT_STAGES.get("final-review")
    schema_and_system = static_tokens(
        wire_parts(_final_review_request(), ProviderSpec(name="openai", model="m"))
    )
    assert stage.prompt == prompts.FINAL_REVIEW_SYSTEM
    assert MINIMUM + BLOCK <= schema_and_system < MINIMUM + 2 * BLOCK


def test_system_prompts_are_the_same_bytes_for_every_indicator():
    spec = SPECS[0]
    first, second = (requests_by_stage(raw, spec) for raw in INDICATORS)
    for name in first:
        assert first[name].system == second[name].system == DEFAULT_STAGES.get(name).prompt
        assert first[name].user != second[name].user


def test_each_prompt_is_task_then_the_shared_reference_then_examples():
    for stage in DEFAULT_STAGES.llm:
        task, _, rest = stage.prompt.partition(prompts.REFERENCE)
        assert task and rest, stage.name
        assert "## Worked examples" in rest and rest.endswith("reasoning one short sentence.")


def test_stages_are_told_apart_by_their_first_80_characters():
    """The fake server detects the stage from the system prompt when the request carries no
    schema name (local json_object mode, Anthropic json_schema output)."""
    heads = {stage.prompt[:80] for stage in DEFAULT_STAGES.llm}
    assert len(heads) == len(DEFAULT_STAGES.llm)


def test_user_prompt_keeps_the_name_lines_first():
    request = requests_by_stage(INDICATORS[0], SPECS[0])["time"]
    assert request.user.splitlines()[:3] == [
        "name: GDP Annual Growth Rate",
        "units: %",
        "periodicity: Quarterly",
    ]
    assert "\nparsed: " in request.user


def _final_review_request():
    from indiclass.domain.models import BooleanReviewResult, ReviewIssue
    from indiclass.stages import final_review

    review = BooleanReviewResult(
        passed=False,
        confidence=0.6,
        issues=[ReviewIssue(field="family", problem="a % change", suggested="change-movement")],
    )
    base = requests_by_stage(INDICATORS[0], SPECS[0])["boolean-review"].payload
    payload = final_review.FinalReviewInput(**dict(base), boolean_review=review)
    return final_review.build_request(payload)
