"""Scoring: right = label or an alt value; confusions counted with example ids."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.evaluation import (
    TARGETS,
    asks_llm,
    calibration_summary,
    ece,
    group_of,
    is_right,
    reliability,
    reliability_plot,
    score,
    wilson,
)
from indiclass.pipeline import classify


def test_alt_values_count_as_right() -> None:
    label = {
        "id": "a",
        "scale": "raw-units",
        "alt": {"scale": ["thousands"]},
        "currency": None,
        "is_currency": False,
    }
    assert is_right(label, "scale", "thousands") and is_right(label, "scale", "raw-units")
    assert not is_right(label, "scale", "millions")
    assert is_right(label, "currency", None) and is_right(label, "is_currency", False)
    assert not is_right(label, "is_currency", True)


def test_score_counts_confusions_and_missing() -> None:
    c = classify(
        parse_indicator({"id": "u", "name": "Civilian Unemployment Rate", "units": "Percent"})
    ).classification
    labels = [
        {
            "id": "u",
            "family": "numeric-measurement",
            "indicator_type": "ratio",
            "heat_map_orientation": "neutral",
            "alt": {"heat_map_orientation": ["lower-is-positive"]},
        },
        {"id": "missing", "family": "temporal"},
    ]
    report = score({"u": c}, labels)
    acc = report.accuracy()
    assert report.scored == 1 and report.missing == ["missing"]
    assert acc["family"] == 1.0 and acc["indicator_type"] == 0.0
    assert acc["heat_map_orientation"] == 1.0
    top = report.top_confusions()
    assert top[0] == {
        "field": "indicator_type",
        "expected": "ratio",
        "predicted": "percentage",
        "count": 1,
        "examples": ["u"],
    }
    assert set(report.to_dict()["accuracy"]) == set(TARGETS)


# ---------------------------------------------------------------- intervals and calibration


def test_wilson_interval_brackets_the_rate() -> None:
    lo, hi = wilson(90, 100)
    assert lo < 0.9 < hi and lo == pytest.approx(0.8256, abs=1e-3)
    assert hi == pytest.approx(0.9448, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0) and wilson(10, 10)[1] == 1.0


def test_reliability_bins_and_ece() -> None:
    answers = [(0.95, True)] * 9 + [(0.95, False)] + [(0.55, True)] * 5 + [(0.55, False)] * 5
    bins = reliability(answers)
    assert len(bins) == 10
    assert bins[9]["n"] == 10 and bins[9]["accuracy"] == 0.9
    assert bins[5]["n"] == 10 and bins[5]["accuracy"] == 0.5
    # |0.9 - 0.95| and |0.5 - 0.55|, both bins half the answers
    assert ece(answers) == pytest.approx(0.05, abs=1e-6)
    assert ece([]) == 0.0


def test_calibration_numbers_share_and_wrong_at_high_confidence() -> None:
    answers = {"family": [(0.9, True)] * 6 + [(0.85, False)] * 2 + [(0.4, False)] * 2}
    cal = calibration_summary(answers)
    fam = cal["fields"]["family"]
    assert fam["share_high"] == 0.8 and fam["wrong_high"] == 0.25
    assert fam["accuracy"] == 0.6 and cal["overall"]["n"] == 10
    assert math.isclose(fam["mean_confidence"], (6 * 0.9 + 2 * 0.85 + 2 * 0.4) / 10, abs_tol=1e-4)


def _label(i: str, family: str) -> dict:
    return {"id": i, "family": family}


def test_groups_by_publisher_and_language_else_id_prefix() -> None:
    assert group_of({"publisher": "nbs", "language": "zh"}, "nbs:A1") == {
        "publisher": "nbs",
        "language": "zh",
    }
    assert group_of(None, "fred:GDP") == {"prefix": "fred"}
    assert group_of({}, "plain") == {"prefix": "-"}
    rows = {
        "a": {"name": "Civilian Unemployment Rate", "units": "Percent"},
        "b": {"name": "Xyzzy plugh"},
    }
    preds = {i: classify(parse_indicator({"id": i, **r})).classification for i, r in rows.items()}
    raw = {"a": {"publisher": "p1", "language": "en"}, "b": {"publisher": "p2", "language": "en"}}
    report = score(
        preds,
        [_label("a", "numeric-measurement"), _label("b", "temporal")],
        raw,
        min_confidence=0.75,
    )
    groups = report.group_accuracy()
    assert groups["publisher"]["p1"]["family"] == 1.0 and groups["publisher"]["p2"]["family"] == 0.0
    assert groups["language"]["en"]["n"] == 2
    # the unknown indicator's family miss is below the threshold; hybrid asks for it
    assert report.family_misses_below() == 1.0
    assert report.llm_share == 0.5
    assert asks_llm(preds["b"], 0.75) and not asks_llm(preds["a"], 0.5)
    data = report.to_dict()
    for key in ("accuracy_ci95", "groups", "calibration", "llm_share_at_min_confidence"):
        assert key in data
    assert data["calibration"]["fields"]["family"]["bins"][0]["low"] == 0.0


def test_reliability_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    c = classify(parse_indicator({"id": "u", "name": "Unemployment Rate", "units": "%"}))
    report = score({"u": c.classification}, [_label("u", "numeric-measurement")])
    out = tmp_path / "r.png"
    reliability_plot(report, str(out))
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_a_missing_plot_extra_gives_a_one_line_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    report = score({}, [])
    with pytest.raises(ImportError, match=r"pip install 'indiclass\[plot\]'"):
        reliability_plot(report, "x.png")
