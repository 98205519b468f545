"""Fit the rules' confidence table on the tuning corpus, and measure it leave-one-publisher-out.

    python benchmarks/calibration.py fit   [--holdout-weight K]   # writes the table
    python benchmarks/calibration.py lopo  [--json]
    python benchmarks/calibration.py crossfit [--json]   # the table with unseen publishers

The rules were written by reading these rows, so their in-sample answers flatter them. To
score each publisher as a publisher the rules never saw, its rows are classified with the
subject vocabulary only it needs removed: every alternative of a subject pattern that decides a
subject only for that publisher's rows (over the 2,000 tuning indicators and the dev set) is
taken out of the lexicon while its rows are classified ("ablated"). Only the English lexicon
and those of languages two or more tuning publishers write (es, pt, sv, ja) are ablated: where
one publisher is a language's only source (zh, ko, de, fr, nl, no), its words cannot be told
apart from the language's general vocabulary, which any lexicon of it would hold. Unit, scale
and currency words are general vocabulary and stay.

``fit`` records, for each labelled row classified that way, each scored field's evidence chain
(``rules.evidence``) and whether the answer was right (label or ``alt``), and writes the counts
to ``src/indiclass/rules/data/calibration.json``.

The validation publishers' labelled rows (``--holdout-labels``) were never read while the
rules were written, so their answers are what the rules do on a publisher they never saw: they
are scored as they are (no ablation) and, with ``--holdout-weight K``, counted K times in the
table (the tuning rows flatter the rules even ablated). ``crossfit`` measures that choice
honestly: for each validation publisher, a table fitted on the tuning rows and the *other*
validation publishers scores its rows, for K = 0 (tuning only), 1, 2 and 3.

``lopo`` reports per field: the accuracy of the rules as they are (in-sample) and ablated
(leave-one-publisher-out), and, for the ablated answers, the calibration of a table refit once
per publisher on the other publishers' rows: expected calibration error (10 bins), the share of
answers at >= 0.8 and how many of those are wrong; then per threshold the share of family misses
below it and the share of indicators hybrid would send to the LLM (any LLM stage below it, or a
review that did not pass).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indiclass.domain.models import Indicator, parse_indicator
from indiclass.evaluation import FIELD_MAP, calibration_summary, is_right
from indiclass.pipeline import classify
from indiclass.rules import _text, subjects
from indiclass.rules.calibration import (
    PRIOR_STRENGTH,
    STAGE_FIELDS,
    TABLE_PATH,
    Record,
    Table,
    fit,
)
from indiclass.rules.concept import concept_of, subject_row
from indiclass.rules.evidence import NO_EVIDENCE_CAP, evidence_of, no_evidence
from indiclass.rules.units import short_description

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "eval" / "corpus"
SHARED = Path(os.environ.get("INDICLASS_SHARED_EVAL") or ROOT.parent / "shared" / "eval")
DEV = SHARED / "indicators.jsonl"
SPLIT = CORPUS / "split.json"
"""Publisher → tuning | validation (only tuning publishers decide which words are specific)."""
"""The dev set's indicators count as more publishers when deciding which words are specific."""
LABEL_FIELD = {cf: lf for lf, cf in FIELD_MAP.items()}
HOLDOUT_WEIGHT = 2
"""How many times a validation row counts in the fitted table (see ``crossfit``)."""
THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
LLM_STAGES = ("time", "family", "type")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def publisher_of(raw: dict[str, Any]) -> str:
    return str(raw.get("publisher") or str(raw["id"]).split(":", 1)[0])


# ---------------------------------------------------------------- ablation of subject words

Alternative = tuple[str, str]
"""(a subject row's pattern, one of its top-level alternatives)"""


def decisive_alternative(ind: Indicator) -> Alternative | None:
    """The subject-pattern alternative that names this indicator's subject (None: no subject)."""
    c = concept_of(ind)
    if c.subject is None:
        return None
    texts = {"name": ind.name, "category": ind.category_group, "topic": ind.topic}
    text = texts.get(c.subject_source) or short_description(ind)
    row = subject_row(text, c.language, fits=lambda s: s is c.subject)
    if row is None:
        return None
    lowered = _text.clean(text)
    for alt in _text.top_level_alternatives(row.source):
        if re.search(alt, lowered):
            return row.source, alt
    return None


def support(raw_rows: list[dict[str, Any]]) -> dict[Alternative, set[str]]:
    """For every deciding alternative of an ablatable table, the publishers whose rows it
    decides."""
    writers: dict[str, set[str]] = defaultdict(set)
    for raw in raw_rows:
        writers[str(raw.get("language") or "en")].add(publisher_of(raw))
    ablatable = {subjects.ENGLISH} | {
        t for lang, t in subjects.BY_LANGUAGE.items() if len(writers.get(lang, ())) >= 2
    }
    sources = {row.source for table in ablatable for row in table}
    out: dict[Alternative, set[str]] = defaultdict(set)
    for raw in raw_rows:
        alt = decisive_alternative(parse_indicator(raw))
        if alt is not None and alt[0] in sources:
            out[alt].add(publisher_of(raw))
    return out


def _without(table: tuple[_text.Row[Any], ...], off: set[Alternative]) -> tuple[Any, ...]:
    rows = []
    for row in table:
        alts = [a for a in _text.top_level_alternatives(row.source) if (row.source, a) not in off]
        if not alts:
            continue
        pattern = "|".join(alts)
        rows.append(
            _text.Row(
                re.compile(pattern), row.outcome, row.confidence, row.source, _text.anchors(pattern)
            )
        )
    return tuple(rows)


@contextmanager
def ablated(off: set[Alternative]) -> Iterator[None]:
    """The subject lexicon without the alternatives ``off`` (restored afterwards)."""
    english, by_language = subjects.ENGLISH, subjects.BY_LANGUAGE
    subjects.ENGLISH = _without(english, off)  # type: ignore[misc]
    subjects.BY_LANGUAGE = {k: _without(t, off) for k, t in by_language.items()}  # type: ignore[misc]
    _text._MEMO.clear()
    try:
        yield
    finally:
        subjects.ENGLISH, subjects.BY_LANGUAGE = english, by_language  # type: ignore[misc]
        _text._MEMO.clear()


def scored_rows(
    indicators: Path, labels: Path, ablate: bool = True, dev: Path = DEV
) -> list[dict[str, Any]]:
    """Per labelled row: publisher, language, per-field rightness and evidence chain, and
    whether the rules' own boolean review passed — each publisher's rows classified without the
    subject words only that publisher needs (``ablate``)."""
    raw_rows = load_jsonl(indicators)
    rows = {r["id"]: r for r in raw_rows}
    labelled = load_jsonl(labels)
    if not ablate:
        return [_scored(rows[lab["id"]], lab) for lab in labelled]
    extra = load_jsonl(dev) if dev.exists() else []
    split = json.loads(SPLIT.read_text()) if SPLIT.exists() else {}
    tuning = [r for r in raw_rows if split.get(publisher_of(r), "tuning") == "tuning"]
    used = support(tuning + extra)
    out = []
    for pub in sorted({publisher_of(rows[lab["id"]]) for lab in labelled}):
        off = {alt for alt, pubs in used.items() if pubs == {pub}}
        with ablated(off):
            out += [
                _scored(rows[lab["id"]], lab)
                for lab in labelled
                if publisher_of(rows[lab["id"]]) == pub
            ]
    return out


def _scored(raw: dict[str, Any], label: dict[str, Any]) -> dict[str, Any]:
    ind = parse_indicator(raw)
    run = classify(ind)
    c = run.classification
    keys = evidence_of(ind)
    fields = {
        cf: (is_right(label, lf, getattr(c, cf)), keys[cf])
        for lf, cf in FIELD_MAP.items()
        if lf in label
    }
    return {
        "id": label["id"],
        "publisher": publisher_of(raw),
        "language": raw.get("language") or "?",
        "fields": fields,
        "review_passed": c.review_status.value == "passed",
        "no_evidence": no_evidence(concept_of(ind)),
    }


def records(rows: list[dict[str, Any]]) -> list[Record]:
    return [
        Record(name, keys, right) for row in rows for name, (right, keys) in row["fields"].items()
    ]


def score(rows: list[dict[str, Any]], table_for: Any) -> dict[str, Any]:
    """Confidences from ``table_for(row)`` → the calibration numbers of ``evaluation``."""
    answers: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    stage_rows = []
    for row in rows:
        table: Table = table_for(row)
        cap = NO_EVIDENCE_CAP if row["no_evidence"] else 1.0
        conf = {
            name: min(cap, table.estimate(name, keys)) for name, (_, keys) in row["fields"].items()
        }
        for name, (right, _) in row["fields"].items():
            answers[name].append((conf[name], right))
        stages = {
            s: min((conf[f] for f in fields if f in conf), default=1.0)
            for s, fields in STAGE_FIELDS.items()
        }
        stage_rows.append((stages, row["review_passed"], row["fields"]["family"][0], conf))
    summary = calibration_summary(answers)
    summary["by_language"] = _by_group(rows, "language")
    summary["hybrid"] = {
        f"{t:.2f}": {
            "llm_share": round(
                sum(
                    any(st[s] < t for s in LLM_STAGES) or not passed
                    for st, passed, _, _ in stage_rows
                )
                / len(stage_rows),
                4,
            ),
            "family_misses_below": _misses_below(stage_rows, t),
        }
        for t in THRESHOLDS
    }
    return summary


def _by_group(rows: list[dict[str, Any]], kind: str) -> dict[str, dict[str, float]]:
    """Accuracy per field for each language (or publisher), and English vs the rest."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[kind]].append(row)
        groups["non-English" if row[kind] != "en" else "English"].append(row)
    return {
        name: {
            "n": len(members),
            **{
                f: round(sum(m["fields"][f][0] for m in members) / len(members), 3)
                for f in members[0]["fields"]
            },
        }
        for name, members in sorted(groups.items())
    }


def _misses_below(stage_rows: list[Any], t: float) -> float | None:
    misses = [conf["family"] for _, _, right, conf in stage_rows if not right]
    return round(sum(c < t for c in misses) / len(misses), 4) if misses else None


def lopo(rows: list[dict[str, Any]], strength: float = PRIOR_STRENGTH) -> dict[str, Any]:
    by_publisher: dict[str, Table] = {}
    for pub in {r["publisher"] for r in rows}:
        others = records([r for r in rows if r["publisher"] != pub])
        by_publisher[pub] = fit(others, strength)
    return score(rows, lambda row: by_publisher[row["publisher"]])


def crossfit(
    tuning: list[dict[str, Any]],
    holdout: list[dict[str, Any]],
    weight: int,
    strength: float = PRIOR_STRENGTH,
) -> dict[str, Any]:
    """Each holdout publisher scored by a table of the tuning rows and the other holdout
    publishers' rows counted ``weight`` times."""
    base = records(tuning)
    tables: dict[str, Table] = {}
    for pub in {r["publisher"] for r in holdout}:
        others = records([r for r in holdout if r["publisher"] != pub])
        tables[pub] = fit(base + others * weight, strength)
    return score(holdout, lambda row: tables[row["publisher"]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=("fit", "lopo", "crossfit"))
    ap.add_argument("--indicators", type=Path, default=CORPUS / "indicators.jsonl")
    ap.add_argument("--labels", type=Path, default=CORPUS / "labels" / "tuning.jsonl")
    ap.add_argument("--holdout-labels", type=Path, default=CORPUS / "labels" / "validation.jsonl")
    ap.add_argument("--holdout-weight", type=int, default=HOLDOUT_WEIGHT)
    ap.add_argument("--dev", type=Path, default=DEV, help="the dev set's indicators.jsonl")
    ap.add_argument("--out", type=Path, default=TABLE_PATH)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--prior-strength", type=float, default=PRIOR_STRENGTH)
    args = ap.parse_args()
    rows = scored_rows(args.indicators, args.labels, dev=args.dev)
    holdout = (
        scored_rows(args.indicators, args.holdout_labels, ablate=False)
        if args.holdout_labels.exists()
        else []
    )
    if args.command == "crossfit":
        found = {f"weight {k}": crossfit(rows, holdout, k) for k in (0, 1, 2, 3)}
        if args.json:
            print(json.dumps(found, indent=2))
        else:
            _print(found)
        return
    if args.command == "fit":
        weight = args.holdout_weight if holdout else 0
        meta = {
            "fitted_on": [_rel(args.labels)] + ([_rel(args.holdout_labels)] if weight else []),
            "rows": len(rows) + (len(holdout) if weight else 0),
            "holdout_weight": weight,
            "publishers": len({r["publisher"] for r in rows + (holdout if weight else [])}),
            "command": f"python benchmarks/calibration.py fit --holdout-weight {weight}",
        }
        table = fit(records(rows) + records(holdout) * weight, args.prior_strength, meta=meta)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(table.to_json(), indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {args.out} ({len(rows)} rows, {meta['publishers']} publishers)")
        return
    plain = scored_rows(args.indicators, args.labels, ablate=False)
    full = fit(records(rows), args.prior_strength)
    report = {
        "in_sample": score(plain, lambda row: full),
        "lopo": lopo(rows, args.prior_strength),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def _print(report: dict[str, Any]) -> None:
    for name, part in report.items():
        print(f"== {name}")
        for field, s in part["fields"].items():
            print(
                f"  {field:24} acc {s['accuracy']:.3f}  ece {s['ece']:.3f}  at>=0.8 "
                f"{s['share_high']:.2f} (wrong {s['wrong_high']:.3f})"
            )
        print(
            f"  all fields: at>=0.8 {part['overall']['share_high']:.2f} "
            f"(wrong {part['overall']['wrong_high']:.3f}), ece {part['overall']['ece']:.3f}"
        )
        for lang, accs in part["by_language"].items():
            if lang in ("English", "non-English"):
                print(
                    f"  {lang:12} n={accs['n']:3} family {accs['family']:.3f} type "
                    f"{accs['indicator_type']:.3f}"
                )
        for t, h in part["hybrid"].items():
            print(
                f"  min_confidence {t}: LLM for {h['llm_share']:.1%} of indicators, "
                f"family misses below {h['family_misses_below']}"
            )


if __name__ == "__main__":
    main()
