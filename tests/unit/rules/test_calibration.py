"""The confidence table: fit, hierarchical smoothing, the fitted package data, and how the
stages use it (each scored field has its own confidence; a stage's is the least of them)."""

from __future__ import annotations

import json

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.pipeline import classify
from indiclass.rules.calibration import (
    CEILING,
    FLOOR,
    SCORED_FIELDS,
    STAGE_FIELDS,
    TABLE_PATH,
    UNINFORMED,
    Record,
    Table,
    fit,
    load,
)
from indiclass.rules.evidence import NO_EVIDENCE_CAP, evidence_of


def _records(key: str, right: int, wrong: int, field: str = "family") -> list[Record]:
    chain = (f"{key}|specific", key)
    return [Record(field, chain, True)] * right + [Record(field, chain, False)] * wrong


def test_fit_counts_every_key_of_a_chain() -> None:
    table = fit(_records("a", 3, 1) + _records("b", 0, 2))
    counts = table.fields["family"]
    assert counts[""] == (3, 6)
    assert counts["a"] == (3, 4) and counts["a|specific"] == (3, 4) and counts["b"] == (0, 2)


def test_estimate_smooths_from_uninformed_down_the_chain() -> None:
    table = fit(_records("a", 40, 0) + _records("b", 1, 0), prior_strength=8)
    many = table.estimate("family", ("a|specific", "a"))
    few = table.estimate("family", ("b|specific", "b"))
    unseen = table.estimate("family", ("c|specific", "c"))
    assert many > 0.9 > few > unseen
    assert unseen == UNINFORMED  # a kind of evidence never seen is not credited with anything
    assert table.estimate("family", ("a|never", "a")) == pytest.approx(
        (40 + 8 * 0.5) / 48, abs=1e-3
    )  # an unseen specific key is its parent


def test_estimates_stay_inside_the_floor_and_ceiling() -> None:
    table = fit(_records("a", 1000, 0) + _records("b", 0, 1000))
    assert table.estimate("family", ("a",)) == CEILING
    assert table.estimate("family", ("b",)) == FLOOR


def test_a_table_round_trips_through_json() -> None:
    table = fit(_records("a", 2, 1), meta={"rows": 3})
    again = Table.from_json(json.loads(json.dumps(table.to_json())))
    assert again.fields == table.fields and again.meta == {"rows": 3}
    assert again.estimate("family", ("a",)) == table.estimate("family", ("a",))


def test_the_fitted_table_is_package_data_for_every_scored_field() -> None:
    table = load(TABLE_PATH)
    assert set(SCORED_FIELDS) <= set(table.fields)
    assert table.meta["rows"] >= 400 and table.meta["publishers"] >= 20
    assert "benchmarks/calibration.py" in table.meta["command"]


def test_every_scored_field_gets_its_own_confidence_and_stages_take_the_least() -> None:
    run = classify(
        parse_indicator({"name": "Gross domestic product", "units": "Billions of Dollars"})
    )
    fc = run.classification.field_confidence
    assert set(fc) == set(SCORED_FIELDS)
    for stage, fields in STAGE_FIELDS.items():
        result = run.results[stage]
        assert result.confidence == min(result.field_confidence[f] for f in fields)
    assert all(0 < v <= 1 for v in fc.values())


def test_confidence_is_sharp_where_the_evidence_is_and_low_where_nothing_matched() -> None:
    known = classify(
        parse_indicator({"name": "Civilian Unemployment Rate", "units": "Percent"})
    ).classification.field_confidence
    unknown = classify(parse_indicator({"name": "Xyzzy plugh"})).classification.field_confidence
    assert known["family"] >= 0.9 and known["scale"] >= 0.9
    assert max(unknown.values()) <= NO_EVIDENCE_CAP


def test_evidence_chains_name_the_unit_source_subject_and_language() -> None:
    keys = evidence_of(parse_indicator({"name": "年末总人口(万人)"}))
    assert keys["family"][0].startswith("parens:count>count|population|cjk")
    assert keys["scale"][0] == "word>thousands|parens:count|cjk"
    assert set(keys) == set(SCORED_FIELDS)
