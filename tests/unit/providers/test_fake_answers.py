"""The fake server's answers are valid for every stage's schema and come from the rules when the
indicator can be read back from the prompt."""

from __future__ import annotations

import json

import pytest

from indiclass.stages import DEFAULT_STAGES
from indiclass.stages._common import reply_schema
from indiclass.testing import answers


@pytest.mark.parametrize("stage", [str(s.name) for s in DEFAULT_STAGES.llm])
def test_minimal_instance_validates_into_the_stage_result(stage):
    model = DEFAULT_STAGES.by_name[stage].result_model
    model.model_validate(answers.minimal_instance(reply_schema(model)))


def test_stage_detected_from_schema_name_or_system_prompt():
    assert answers.detect_stage("boolean_review_reply", "") == "boolean-review"
    assert answers.detect_stage(None, answers.SYSTEM_PROMPTS["type"]) == "type"
    assert answers.detect_stage(None, "something else") is None


def test_type_answer_stays_within_the_draft_family():
    user = (
        "name: Government Debt\nunits: USD Billion\nperiodicity: Annual\n"
        "parsed: unit_type=currency-amount scale=billions currency=USD\n"
        "draft: reporting_frequency=annual time_basis=point-in-time family=temporal"
    )
    schema = reply_schema(DEFAULT_STAGES.by_name["type"].result_model)
    reply = answers.answer("type", schema, user)
    assert reply["indicator_type"] in {"duration", "probability", "threshold", "other"}


def test_out_of_enum_breaks_exactly_one_enum_field():
    schema = reply_schema(DEFAULT_STAGES.by_name["family"].result_model)
    broken = answers.break_enum(answers.minimal_instance(schema), schema)
    assert broken["family"] == "not-a-valid-value"
    assert json.dumps(broken)
