"""Scoring: right = label or an alt value; confusions counted with example ids."""

from __future__ import annotations

from indiclass.domain.models import parse_indicator
from indiclass.evaluation import TARGETS, is_right, score
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
