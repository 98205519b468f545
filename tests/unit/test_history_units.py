"""The pure parts of issue #16's provenance and history: rules version, prompt hashes, the
provenance records, the diff of two history rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from indiclass.domain.history import classification_provenance, prompt_hash, request_hash
from indiclass.domain.models import parse_indicator
from indiclass.history import compare
from indiclass.pipeline import classify
from indiclass.providers.function import FunctionProvider
from indiclass.rules.version import RULES_VERSION, compute_rules_version
from indiclass.stages import DEFAULT_STAGES

CPI = parse_indicator({"id": "cpi", "name": "Consumer Price Index", "units": "%"})
GDP = parse_indicator({"id": "gdp", "name": "GDP", "units": "USD Billion"})


def test_rules_version_is_a_hash_of_the_rules_files_and_changes_with_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert RULES_VERSION.startswith("rules-") and len(RULES_VERSION) == 18
    assert compute_rules_version() == RULES_VERSION
    package = tmp_path / "toyrules"
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "lexicon.py").write_text("WORDS = ['a']\n")
    (package / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = compute_rules_version("toyrules")
    (package / "__pycache__" / "x.pyc").write_bytes(b"still ignored")
    assert compute_rules_version("toyrules") == before
    (package / "lexicon.py").write_text("WORDS = ['a', 'b']\n")
    assert compute_rules_version("toyrules") != before
    sys.modules.pop("toyrules", None)


def test_prompt_hash_is_the_static_part_request_hash_the_whole_request() -> None:
    stage = DEFAULT_STAGES.get("type")
    runs = [classify(i) for i in (CPI, GDP)]
    requests = [
        stage.build_request(stage.input_model.model_validate({**r.results, "indicator": i}))
        for r, i in zip(runs, (CPI, GDP), strict=True)
    ]
    assert prompt_hash(requests[0]) == prompt_hash(requests[1])
    assert request_hash(requests[0]) != request_hash(requests[1])
    warmer = requests[0].model_copy(update={"temperature": 0.7})
    assert prompt_hash(warmer) == prompt_hash(requests[0])
    assert request_hash(warmer) != request_hash(requests[0])
    tagged = requests[0].model_copy(update={"tags": {"trace_id": "t"}})
    assert request_hash(tagged) == request_hash(requests[0])  # tags are for logs only


def test_every_stage_record_carries_its_provenance() -> None:
    rules = classify(CPI)
    assert {r.rules_version for r in rules.records.values()} == {RULES_VERSION}
    assert all(r.prompt_hash is None and r.temperature is None for r in rules.records.values())
    assert classification_provenance(rules.outcomes) == {
        "rules_version": RULES_VERSION,
        "prompt_hash": None,
        "request_hash": None,
        "temperature": None,
    }
    llm = classify(CPI, FunctionProvider())
    asked = {s: r for s, r in llm.records.items() if r.source.value == "llm"}
    assert set(asked) >= {"time", "family", "type"}
    assert all(r.prompt_hash and r.request_hash and r.temperature == 0.0 for r in asked.values())
    made = classification_provenance(llm.outcomes)
    assert made["prompt_hash"] and made["temperature"] == 0.0
    again = classification_provenance(classify(GDP, FunctionProvider()).outcomes)
    assert again["prompt_hash"] == made["prompt_hash"]  # same prompts, other indicator
    assert again["request_hash"] != made["request_hash"]


def _row(c: dict, stages: dict | None = None) -> dict:
    return {"classification": c, "stages": stages or {}}


def test_compare_names_each_changed_field_with_its_stage() -> None:
    a = classify(CPI).classification.model_dump(mode="json")
    assert compare(_row(a), _row(dict(a))) is None
    flipped = "neutral" if a["heat_map_orientation"] != "neutral" else "higher-is-positive"
    b = {**a, "scale": "millions", "heat_map_orientation": flipped, "type_confidence": 0.5}
    found = compare(_row(a, {"type": {"source": "rules"}}), _row(b, {"type": {"source": "llm"}}))
    assert found is not None
    assert found.fields == ["heat_map_orientation", "scale"]
    assert [c.stage for c in found.changes] == ["type", "normalize"]
    orientation = found.changes[0]
    assert (orientation.a_source, orientation.b_source) == ("rules", "llm")
    assert orientation.a_confidence == a["field_confidence"]["heat_map_orientation"]
    corrected = {"final-review": {"corrections": ["scale"]}}
    again = compare(_row(a), _row(b, corrected))
    assert again is not None and [c.stage for c in again.changes] == ["type", "final-review"]
