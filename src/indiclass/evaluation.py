"""Scoring classifications against labels: accuracy per field (with a 95% Wilson interval), per
group (publisher, language, or id prefix), the most frequent confusions, and how well each
field's confidence is calibrated.

A prediction is right when it equals the label or one of the values listed for that field in the
label's ``alt``. Label fields map to classification fields as in ``FIELD_MAP``.

Calibration, per field, from each classification's ``field_confidence``: the expected calibration
error over 10 equal-width bins, the share of answers at confidence >= 0.8 (``share_high``) and
the share of those that are wrong (``wrong_high``), and the reliability bins themselves. With a
``min_confidence``: the share of family misses whose confidence is below it, and the share of
indicators the ``hybrid`` strategy would send to an LLM (an LLM stage's confidence below it, or a
review that did not pass, which always asks).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indiclass.domain.models import Classification

FIELD_MAP: dict[str, str] = {
    "family": "family",
    "indicator_type": "indicator_type",
    "time_basis": "time_basis",
    "is_currency": "is_currency_denominated",
    "currency": "detected_currency",
    "scale": "scale",
    "heat_map_orientation": "heat_map_orientation",
    "is_cumulative": "is_cumulative",
}
"""Label field → Classification field."""

TARGETS: dict[str, float] = {
    "family": 0.90,
    "indicator_type": 0.80,
    "time_basis": 0.90,
    "is_currency": 0.95,
    "currency": 0.95,
    "scale": 0.90,
    "heat_map_orientation": 0.80,
    "is_cumulative": 0.97,
}
"""The accuracy each field must reach on the labelled sets (issue #2)."""

HIGH = 0.8
"""Answers at or above this confidence should be right at least 95% of the time."""
BINS = 10
LLM_STAGES: tuple[str, ...] = ("time", "family", "type", "boolean_review")
"""Stages ``hybrid`` may send to an LLM when the rules' confidence is below the threshold (the
final review asks whenever the boolean review did not pass)."""

Answer = tuple[float, bool]
"""(confidence, right)"""


@dataclass
class FieldScore:
    right: int = 0
    total: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    answers: list[Answer] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class EvalReport:
    fields: dict[str, FieldScore]
    scored: int
    missing: list[str]
    groups: dict[str, dict[str, dict[str, FieldScore]]] = field(default_factory=dict)
    """Group kind (publisher, language, prefix) → group → field → score."""
    min_confidence: float | None = None
    llm_share: float | None = None
    """Share of indicators hybrid would send to an LLM at ``min_confidence``."""

    def accuracy(self) -> dict[str, float]:
        return {name: round(s.accuracy, 4) for name, s in self.fields.items()}

    def intervals(self) -> dict[str, tuple[float, float]]:
        """95% Wilson interval of each field's accuracy."""
        return {name: wilson(s.right, s.total) for name, s in self.fields.items()}

    def calibration(self) -> dict[str, Any]:
        return calibration_summary({name: s.answers for name, s in self.fields.items()})

    def family_misses_below(self, threshold: float | None = None) -> float | None:
        """Share of family misses whose confidence is below the threshold."""
        t = self.min_confidence if threshold is None else threshold
        misses = [c for c, right in self.fields["family"].answers if not right]
        if t is None or not misses:
            return None
        return round(sum(c < t for c in misses) / len(misses), 4)

    def group_accuracy(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            kind: {
                name: {
                    "n": max((s.total for s in scores.values()), default=0),
                    **{f: round(s.accuracy, 4) for f, s in scores.items()},
                }
                for name, scores in sorted(groups.items())
            }
            for kind, groups in self.groups.items()
        }

    def top_confusions(self, n: int = 10) -> list[dict[str, Any]]:
        found = [
            (count, name, exp, got, s.examples[(exp, got)][:3])
            for name, s in self.fields.items()
            for (exp, got), count in s.confusions.items()
        ]
        found.sort(key=lambda r: (-r[0], r[1], r[2]))
        return [
            {"field": name, "expected": exp, "predicted": got, "count": count, "examples": examples}
            for count, name, exp, got, examples in found[:n]
        ]

    def to_dict(self, n: int = 10) -> dict[str, Any]:
        return {
            "scored": self.scored,
            "missing": self.missing,
            "accuracy": self.accuracy(),
            "accuracy_ci95": {k: list(v) for k, v in self.intervals().items()},
            "targets": TARGETS,
            "groups": self.group_accuracy(),
            "calibration": self.calibration(),
            "min_confidence": self.min_confidence,
            "family_misses_below_min_confidence": self.family_misses_below(),
            "llm_share_at_min_confidence": self.llm_share,
            "confusions": self.top_confusions(n),
        }


def as_text(value: Any) -> str:
    """Comparable string form (enums → value, None → "null", bools → true/false)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def is_right(label: Mapping[str, Any], label_field: str, predicted: Any) -> bool:
    accepted = [label.get(label_field), *(label.get("alt") or {}).get(label_field, [])]
    got = as_text(predicted)
    return any(as_text(a) == got for a in accepted)


def wilson(right: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``right / total`` (95% with the default ``z``)."""
    if total == 0:
        return (0.0, 1.0)
    p = right / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def reliability(answers: Sequence[Answer], bins: int = BINS) -> list[dict[str, float]]:
    """Equal-width confidence bins: mean confidence, accuracy and count of the answers in each."""
    groups: list[list[Answer]] = [[] for _ in range(bins)]
    for conf, right in answers:
        groups[min(bins - 1, int(conf * bins))].append((conf, right))
    return [
        {
            "low": i / bins,
            "high": (i + 1) / bins,
            "n": len(g),
            "confidence": round(sum(c for c, _ in g) / len(g), 4) if g else 0.0,
            "accuracy": round(sum(r for _, r in g) / len(g), 4) if g else 0.0,
        }
        for i, g in enumerate(groups)
    ]


def ece(answers: Sequence[Answer], bins: int = BINS) -> float:
    """Expected calibration error: the count-weighted mean |accuracy - confidence| per bin."""
    if not answers:
        return 0.0
    total = sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in reliability(answers, bins))
    return round(total / len(answers), 4)


def calibration_numbers(answers: Sequence[Answer]) -> dict[str, Any]:
    high = [right for conf, right in answers if conf >= HIGH]
    n = len(answers)
    return {
        "n": n,
        "accuracy": round(sum(r for _, r in answers) / n, 4) if n else 0.0,
        "mean_confidence": round(sum(c for c, _ in answers) / n, 4) if n else 0.0,
        "ece": ece(answers),
        "share_high": round(len(high) / n, 4) if n else 0.0,
        "wrong_high": round(1 - sum(high) / len(high), 4) if high else 0.0,
    }


def calibration_summary(answers: Mapping[str, Sequence[Answer]]) -> dict[str, Any]:
    """Calibration numbers per field, and over every field's answers together."""
    pooled = [a for field_answers in answers.values() for a in field_answers]
    return {
        "fields": {
            name: {**calibration_numbers(a), "bins": reliability(a)} for name, a in answers.items()
        },
        "overall": calibration_numbers(pooled),
    }


def asks_llm(c: Classification, threshold: float) -> bool:
    """Whether ``hybrid`` at ``threshold`` would ask an LLM for any stage of ``c``."""
    if c.review_status.value != "passed":
        return True
    return any(c.stage_confidence.get(s, 1.0) < threshold for s in LLM_STAGES)


def group_of(row: Mapping[str, Any] | None, label_id: str) -> dict[str, str]:
    """The groups a labelled row belongs to: its publisher and language when the indicator
    carries them, else its id prefix (``fred:…`` → ``fred``)."""
    row = row or {}
    out = {k: str(row[k]) for k in ("publisher", "language") if row.get(k)}
    return out or {"prefix": label_id.split(":", 1)[0] if ":" in label_id else "-"}


def score(
    predictions: Mapping[str, Classification],
    labels: Iterable[Mapping[str, Any]],
    rows: Mapping[str, Mapping[str, Any]] | None = None,
    min_confidence: float | None = None,
) -> EvalReport:
    """Accuracy per label field over the labels that have a prediction; ``rows`` (raw input
    records by id) give the groups; ``min_confidence`` adds the hybrid numbers."""
    fields = {name: FieldScore() for name in FIELD_MAP}
    groups: dict[str, dict[str, dict[str, FieldScore]]] = defaultdict(dict)
    scored, missing, asked = 0, [], 0
    for label in labels:
        lid = str(label.get("id"))
        pred = predictions.get(lid)
        if pred is None:
            missing.append(lid)
            continue
        scored += 1
        asked += min_confidence is not None and asks_llm(pred, min_confidence)
        targets = [fields] + [
            groups[kind].setdefault(name, {n: FieldScore() for n in FIELD_MAP})
            for kind, name in group_of((rows or {}).get(lid), lid).items()
        ]
        for lf, cf in FIELD_MAP.items():
            if lf in label:
                conf = pred.field_confidence.get(cf, pred.overall_confidence)
                for target in targets:
                    _score_one(target[lf], label, lf, getattr(pred, cf), conf)
    share = round(asked / scored, 4) if scored and min_confidence is not None else None
    return EvalReport(fields, scored, missing, dict(groups), min_confidence, share)


def _score_one(
    s: FieldScore, label: Mapping[str, Any], lf: str, predicted: Any, conf: float
) -> None:
    s.total += 1
    right = is_right(label, lf, predicted)
    s.answers.append((conf, right))
    if right:
        s.right += 1
        return
    key = (as_text(label.get(lf)), as_text(predicted))
    s.confusions[key] += 1
    s.examples[key].append(str(label.get("id")))


def reliability_plot(report: EvalReport, path: str, title: str = "") -> None:
    """A reliability diagram per field (PNG); needs the ``plot`` extra (matplotlib)."""
    plt = _pyplot()
    names = list(report.fields)
    cols = 4
    fig, axes = plt.subplots(
        math.ceil(len(names) / cols), cols, figsize=(4 * cols, 8), squeeze=False
    )
    for ax, name in zip(axes.flat, names, strict=False):
        bins = [b for b in reliability(report.fields[name].answers) if b["n"]]
        ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
        ax.bar(
            [b["confidence"] for b in bins],
            [b["accuracy"] for b in bins],
            width=0.06,
            alpha=0.7,
        )
        for b in bins:
            ax.annotate(str(b["n"]), (b["confidence"], b["accuracy"]), fontsize=7, ha="center")
        numbers = calibration_numbers(report.fields[name].answers)
        ax.set_title(f"{name}\nacc {numbers['accuracy']:.2f}, ece {numbers['ece']:.3f}", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(title or "Reliability per field")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("--plot needs matplotlib: pip install 'indiclass[plot]'") from None
    return plt


__all__ = [
    "FIELD_MAP",
    "TARGETS",
    "EvalReport",
    "FieldScore",
    "as_text",
    "asks_llm",
    "calibration_summary",
    "ece",
    "is_right",
    "reliability",
    "reliability_plot",
    "score",
    "wilson",
]
