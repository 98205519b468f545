"""How the engine cuts an indicator into durable steps, and how it names a failure."""

from __future__ import annotations

import pickle

from dbos._error import DBOSMaxStepRetriesExceeded

from indiclass.engine.workflows import StageFailed, failed_stage, failure_reason, segment


def test_every_llm_stage_ends_its_step_and_rule_stages_ride_along() -> None:
    steps, stage = [], "normalize"
    order = [
        "normalize",
        "time",
        "cumulative",
        "router",
        "family",
        "type",
        "boolean-review",
        "final-review",
    ]
    while True:
        names = segment(stage, "llm")
        steps.append(names)
        done = order.index(names[-1]) + 1
        if done == len(order):
            break
        stage = order[done]
    assert steps == [
        ["normalize", "time"],
        ["cumulative", "router", "family"],
        ["type"],
        ["boolean-review"],
        ["final-review"],
    ]
    assert segment("cumulative", "hybrid") == ["cumulative", "router", "family"]


def test_rules_strategy_is_one_step() -> None:
    assert segment("normalize", "rules")[-1] == "final-review"
    assert len(segment("normalize", "rules")) == 8


def test_failure_names_the_stage_the_reason_and_the_attempts() -> None:
    err = StageFailed("family", "RuntimeError: boom")
    assert pickle.loads(pickle.dumps(err)).stage == "family"  # DBOS records step errors
    exhausted = DBOSMaxStepRetriesExceeded("stage:cumulative+router+family", 3, [err, err, err])
    assert failed_stage(exhausted, ["cumulative", "router", "family"]) == "family"
    assert failure_reason(exhausted) == "RuntimeError: boom (after 3 attempts)"
    assert failed_stage(ValueError("x"), ["type"]) == "type"
    assert failure_reason(ValueError("x")) == "ValueError: x"
