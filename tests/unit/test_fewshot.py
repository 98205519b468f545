"""Corrections teach: few-shot examples from people's overrides of similar indicators, after a
byte-identical prefix (issue 13)."""

from __future__ import annotations

from indiclass.domain.enums import Strategy
from indiclass.domain.models import Indicator
from indiclass.domain.ports import LLMRequest
from indiclass.pipeline import PipelineConfig, classify
from indiclass.providers.function import FunctionProvider, rules_answer
from indiclass.stages.fewshot import HEADER, Examples, tokens

CORRECTED = {
    "nz-milk": Indicator(indicator_id="nz-milk", name="Whole Milk Powder Price", units="USD/t"),
    "nz-butter": Indicator(indicator_id="nz-butter", name="Butter Price Index", units="Index"),
    "jp-steel": Indicator(indicator_id="jp-steel", name="Crude Steel Output", units="Tonnes"),
}
RECORDS = [
    {"indicator_id": "nz-milk", "field": "family", "value": "price-value"},
    {"indicator_id": "nz-milk", "field": "indicator_type", "value": "price"},
    {"indicator_id": "nz-butter", "field": "heat_map_orientation", "value": "neutral"},
    {"indicator_id": "jp-steel", "field": "family", "value": "physical-fundamental"},
    {"indicator_id": "jp-steel", "field": "needs_review", "value": False},  # not an answer
]
QUERY = Indicator(indicator_id="q", name="Skim Milk Powder Price", units="USD/t")


def _requests(examples: Examples | None) -> dict[str, LLMRequest]:
    seen: dict[str, LLMRequest] = {}

    def answer(request: LLMRequest) -> object:
        seen[str(request.stage)] = request
        return rules_answer(request)

    config = PipelineConfig(strategy=Strategy.LLM, examples=examples)
    classify(QUERY, FunctionProvider(answer), config)
    return seen


def test_tokens_fold_width_and_case_and_split_cjk() -> None:
    assert tokens("ＧＤＰ Growth") == {"gdp", "growth"}
    assert tokens("消费者物价") == set("消费者物价")


def test_the_most_similar_correction_of_the_stages_fields_is_offered() -> None:
    examples = Examples.from_overrides(RECORDS, CORRECTED, k=1)
    family = examples.for_stage(QUERY, "family")
    assert family is not None and family.startswith(HEADER)
    assert "Whole Milk Powder Price | USD/t: family=price-value" in family
    assert "Steel" not in family  # k=1: only the most similar
    kinds = examples.for_stage(QUERY, "type")
    assert kinds is not None and "indicator_type=price" in kinds and "family=" not in kinds
    assert examples.for_stage(QUERY, "time") is None  # nobody corrected a time field
    own = Indicator(indicator_id="nz-milk", name="Whole Milk Powder Price", units="USD/t")
    assert "Whole Milk" not in (examples.for_stage(own, "family") or "")  # never its own


def test_the_prompt_gains_the_example_after_a_byte_identical_prefix() -> None:
    plain = _requests(None)
    taught = _requests(Examples.from_overrides(RECORDS, CORRECTED, k=2))
    assert plain.keys() == taught.keys()
    for stage, request in taught.items():
        before = plain[stage]
        assert request.system == before.system  # the cacheable prefix is untouched
        assert request.user.startswith(before.user)
    assert taught["family"].user != plain["family"].user
    assert "family=price-value" in taught["family"].user.removeprefix(plain["family"].user)
    assert taught["time"].user == plain["time"].user  # nothing relevant: no examples
