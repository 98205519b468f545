"""A stage declared in a test — a data-quality check between type and boolean-review — gets its
table, its settings, its classification fields and its place in the engine from the declaration
alone, and runs end to end (rules strategy, then an LLM answering it through a plugin provider).
Nothing outside this file is edited to add it: that is the point of ``STAGES``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from engine_helpers import indicators

from indiclass.bootstrap import build_engine
from indiclass.domain.models import Indicator, StageResult, TypeResult
from indiclass.domain.ports import LLMRequest
from indiclass.providers import registry
from indiclass.providers.function import FunctionProvider, rules_answer
from indiclass.settings import Settings
from indiclass.stages import STAGES, StageInput, StageSet, llm_stage
from indiclass.stages._common import make_request, parse_reply


class QualityInput(StageInput):
    indicator: Indicator
    type: TypeResult


class QualityResult(StageResult):
    looks_sparse: bool
    sample_count: int


def quality_rule(inp: QualityInput) -> QualityResult:
    n = len(inp.indicator.sample_values)
    return QualityResult(
        looks_sparse=n < 3, sample_count=n, confidence=0.9, reasoning=f"{n} sample values"
    )


def quality_request(inp: QualityInput) -> LLMRequest:
    user = f"name: {inp.indicator.name}\ntype: {inp.type.indicator_type}"
    return make_request("quality", "Judge the data quality.", user, QualityResult, inp)


def quality_decide(inp: QualityInput, content: str) -> QualityResult:
    return parse_reply(content, QualityResult)


QUALITY = llm_stage(
    "quality",
    "quality",
    QualityInput,
    QualityResult,
    quality_rule,
    quality_request,
    quality_decide,
    table="quality_check_results",
    prompt="Judge the data quality.",
)
WITH_QUALITY = StageSet((*STAGES[:6], QUALITY, *STAGES[6:]))


def _answer(request: LLMRequest) -> str:
    if request.stage == "quality":
        reply = {"looks_sparse": True, "sample_count": 0, "confidence": 0.7, "reasoning": "llm"}
        return json.dumps(reply)
    return str(rules_answer(request))


def test_a_declared_stage_gets_table_settings_fields_and_engine_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "data" / "results.db"
    monkeypatch.setenv("CLASSIFY_DB_LOCAL_DEV", str(db))
    monkeypatch.setenv("INTERNAL_EMIT_DELAY_MS", "0")
    monkeypatch.setenv("LLM_PROVIDER_QUALITY", "toy-llm")  # its setting, from the declaration
    monkeypatch.setenv("LLM_MODEL_QUALITY", "toy-1")
    provider = FunctionProvider(_answer, name="toy-llm", model="toy-1")
    registry.register("toy-llm", lambda settings, spec: provider)
    engine = build_engine(Settings(), stages=WITH_QUALITY)
    try:
        ruled = engine.wait(engine.submit(indicators("q", 3), provider="rules"), timeout=60)
        assert ruled.successful_indicators == 3
        row = engine.store.get_classification("q-0")
        assert row is not None and row["quality_confidence"] == 0.9
        assert row["quality_reasoning"] == "0 sample values"
        config = engine.resolve("rules", None, "llm")
        assert config.spec_for("quality").name == "toy-llm"  # LLM_PROVIDER_QUALITY
        asked = engine.wait(
            engine.submit(indicators("l", 2), config=config, force=True), timeout=60
        )
        assert asked.successful_indicators == 2
        assert provider.calls[("l-0", "quality")] == 1  # the engine ran the stage, asking it
        assert engine.store.stage_results("l-0")["quality"]["reasoning"] == "llm"
        log = engine.store.processing_log(asked.batch_id, "l-0")
        assert {(r["stage"], r["status"]) for r in log} >= {
            ("quality", "started"),
            ("quality", "completed"),
        }
    finally:
        engine.shutdown()
        registry._ENTRIES.pop("toy-llm", None)
    with sqlite3.connect(db) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(quality_check_results)")]
        assert {"looks_sparse", "sample_count", "confidence", "reasoning"} <= set(columns)
        [(sparse, count)] = conn.execute(
            "SELECT looks_sparse, sample_count FROM quality_check_results"
            " WHERE indicator_id = 'q-0'"
        ).fetchall()
        assert (sparse, count) == (1, 0)
