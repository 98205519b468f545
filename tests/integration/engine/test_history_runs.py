"""Reproducible, comparable runs (issue #16): two runs of the same indicators through the CLI —
``rules``, then ``llm`` on an in-process provider that answers like the rules except for the
heat-map orientation of some indicators — each leave their own history rows; ``runs`` lists
them, ``diff`` names exactly the changed field with both answers and the stage, a past run is
scored from its history, and every answer says how it was made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_helpers import indicators
from typer.testing import CliRunner

from indiclass.cli.app import app
from indiclass.domain.ports import LLMRequest
from indiclass.evaluation import score
from indiclass.history import diff_runs, history_predictions, provenance
from indiclass.rules.version import RULES_VERSION
from indiclass.settings import Settings
from indiclass.storage import SqlStore, open_store

FLIP = {
    "higher-is-positive": "lower-is-positive",
    "lower-is-positive": "higher-is-positive",
    "neutral": "higher-is-positive",
}
ITEMS = indicators("h", 6)
FLIPPED = {"h-0", "h-2", "h-4"}


def _tweaked(request: LLMRequest) -> dict:
    """The rules' answer, with the orientation flipped for the FLIPPED indicators."""
    from indiclass.providers.function import rules_answer

    out = json.loads(str(rules_answer(request)))
    if str(request.stage) == "type" and request.tags.get("indicator_id") in FLIPPED:
        out["heat_map_orientation"] = FLIP[out["heat_map_orientation"]]
    return out


@pytest.fixture
def tweaked() -> None:
    from indiclass.providers import registry
    from indiclass.providers.function import FunctionProvider

    provider = FunctionProvider(_tweaked, name="tweaked", model="tweaked-1")
    registry.register("tweaked", lambda settings, spec: provider)


@pytest.fixture
def store(db_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlStore]:
    for key, value in db_env.items():
        monkeypatch.setenv(key, value)
    from indiclass.bootstrap import results_database

    opened = open_store(results_database(Settings()))
    opened.upsert_source_indicators(ITEMS)
    try:
        yield opened
    finally:
        opened.close()


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_two_runs_with_different_strategies_keep_history_and_diff_names_the_changed_field(
    store: SqlStore, tweaked: None, tmp_path: Path
) -> None:
    ids = [i.indicator_id for i in ITEMS]
    _cli("run", "target", *ids, "-p", "rules", "--log-format", "quiet")
    _cli("run", "target", *ids, "-p", "tweaked", "--strategy", "llm", "--log-format", "quiet")

    runs = _jsonl(_cli("runs", "--format", "jsonl"))
    assert [(r["strategy"], r["provider"], r["classified"]) for r in runs] == [
        ("llm", "tweaked", 6),
        ("rules", "rules", 6),
    ]
    run_b, run_a = runs[0]["run_id"], runs[1]["run_id"]
    for ind in ids:  # two history rows each; `classifications` keeps the current (B) answer
        assert [h["run_key"] for h in store.indicator_history(ind)] == [run_a, run_b]
    assert store.count("classifications") == 6
    assert {r["provider"] for r in store.query_classifications()} == {"tweaked"}

    changed = _jsonl(_cli("diff", run_a, run_b, "--format", "jsonl"))
    assert {d["indicator_id"] for d in changed} == FLIPPED
    for d in changed:
        assert d["fields"] == ["heat_map_orientation"] and d["stages"] == ["type"]
        [change] = d["changes"]
        assert change["a"] == d["a"]["heat_map_orientation"] != change["b"]
        assert change["b"] == FLIP[change["a"]] == d["b"]["heat_map_orientation"]
        assert (change["a_source"], change["b_source"]) == ("rules", "llm")
        assert change["b_model"] == "tweaked/tweaked-1"
        assert change["a_confidence"] is not None and change["b_confidence"] is not None
    csv_lines = _cli("diff", run_a, run_b, "--format", "csv").splitlines()
    assert csv_lines[0].startswith("indicator_id,field,stage,a,b,") and len(csv_lines) == 4
    assert "heat_map_orientation" in _cli("diff", run_a, run_b)  # the table

    diff = diff_runs(store, run_a, run_b)
    assert diff.unchanged == 3 and not diff.only_a and not diff.only_b


def test_a_past_run_is_scored_from_its_history(store: SqlStore, tweaked: None) -> None:
    ids = [i.indicator_id for i in ITEMS]
    _cli("run", "target", *ids, "-p", "rules", "--log-format", "quiet")
    _cli("run", "target", *ids, "-p", "tweaked", "--strategy", "llm", "--log-format", "quiet")
    run_b, run_a = (r["run_id"] for r in _jsonl(_cli("runs", "-f", "jsonl")))
    past = history_predictions(store, run_a)
    assert set(past) == set(ids)
    labels = [  # the rules run's own answers as labels: it scores 1.0, the flipped run less
        {"id": i, "heat_map_orientation": c.heat_map_orientation.value} for i, c in past.items()
    ]
    assert score(past, labels).accuracy()["heat_map_orientation"] == 1.0
    later = history_predictions(store, run_b)
    assert score(later, labels).accuracy()["heat_map_orientation"] == 0.5


def test_every_answer_records_how_it_was_made(store: SqlStore, tweaked: None) -> None:
    _cli("run", "target", "h-0", "-p", "rules", "--log-format", "quiet")
    _cli("run", "target", "h-0", "-p", "tweaked", "--strategy", "llm", "--log-format", "quiet")
    run_b, run_a = (r["run_id"] for r in _jsonl(_cli("runs", "-f", "jsonl")))
    found = provenance(store, "h-0")
    assert found is not None
    current = found["current"]
    assert (current["strategy"], current["run_id"], current["provider"]) == (
        "llm",
        run_b,
        "tweaked",
    )
    assert current["rules_version"] == RULES_VERSION and current["temperature"] == 0.0
    assert len(current["prompt_hash"]) == 16 and len(current["request_hash"]) == 16
    type_stage, norm = found["stages"]["type"], found["stages"]["normalize"]
    assert (type_stage["source"], type_stage["provider"], type_stage["model"]) == (
        "llm",
        "tweaked",
        "tweaked-1",
    )
    assert type_stage["prompt_hash"] and type_stage["request_hash"]
    assert type_stage["strategy"] == "llm" and type_stage["run_id"] == run_b
    assert norm["source"] == "rules" and norm["prompt_hash"] is None
    assert norm["rules_version"] == RULES_VERSION
    history = found["history"]
    assert [h["run_key"] for h in history] == [run_a, run_b]
    assert history[0]["prompt_hash"] is None and history[1]["prompt_hash"] == current["prompt_hash"]
    assert provenance(store, "never-classified") is None


def test_diff_of_an_unknown_run_is_a_usage_error(store: SqlStore) -> None:
    result = CliRunner().invoke(app, ["diff", "nope-a", "nope-b"])
    assert result.exit_code == 2 and "unknown run 'nope-a'" in result.output
