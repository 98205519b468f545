"""Merges the two independent labelling passes (``labels/pass_A_*``, ``labels/pass_B_*``):
agreement per field, the rows to adjudicate, and the final ``labels/<part>.jsonl``.

    python eval/corpus/merge_labels.py agreement     # prints agreement, writes disagreements_*.jsonl
    python eval/corpus/merge_labels.py final         # + adjudicated_*.jsonl -> labels/<part>.jsonl

A field agrees when both passes gave the same main value; it agrees leniently when each pass's
main value is accepted by the other (main or ``alt``). Agreed rows keep that value, with the
union of both passes' ``alt``; disagreeing rows take the adjudicator's label.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent / "labels"
FIELDS = (
    "family",
    "indicator_type",
    "time_basis",
    "is_currency",
    "currency",
    "scale",
    "is_cumulative",
    "heat_map_orientation",
)
PARTS = {"tuning": ("tuning_1", "tuning_2"), "validation": ("validation",)}


def _load(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in (json.loads(x) for x in path.read_text("utf-8").splitlines() if x)}


def _accepted(label: dict, field: str) -> list:
    return [label.get(field), *(label.get("alt") or {}).get(field, [])]


def _pair(part: str) -> tuple[dict[str, dict], dict[str, dict]]:
    a: dict[str, dict] = {}
    b: dict[str, dict] = {}
    for name in PARTS[part]:
        a.update(_load(HERE / f"pass_A_{name}.jsonl"))
        b.update(_load(HERE / f"pass_B_{name}.jsonl"))
    return a, b


def agreement() -> dict:
    report = {}
    for part in PARTS:
        a, b = _pair(part)
        ids = sorted(set(a) & set(b))
        strict = {f: sum(a[i][f] == b[i][f] for i in ids) / len(ids) for f in FIELDS}
        lenient = {
            f: sum(a[i][f] in _accepted(b[i], f) and b[i][f] in _accepted(a[i], f) for i in ids)
            / len(ids)
            for f in FIELDS
        }
        whole = sum(all(a[i][f] == b[i][f] for f in FIELDS) for i in ids) / len(ids)
        todo = [i for i in ids if any(a[i][f] != b[i][f] for f in FIELDS)]
        with (HERE / f"disagreements_{part}.jsonl").open("w", encoding="utf-8") as out:
            for i in todo:
                fields = [f for f in FIELDS if a[i][f] != b[i][f]]
                out.write(json.dumps({"id": i, "fields": fields, "A": a[i], "B": b[i]},
                                     ensure_ascii=False) + "\n")
        report[part] = {"rows": len(ids), "strict": strict, "lenient": lenient,
                        "all_fields_equal": whole, "to_adjudicate": len(todo)}
    return report


def final() -> None:
    for part in PARTS:
        a, b = _pair(part)
        decided = _load(HERE / f"adjudicated_{part}.jsonl")
        with (HERE / f"{part}.jsonl").open("w", encoding="utf-8") as out:
            for i in sorted(a):
                row = decided.get(i) or _agreed(a[i], b[i])
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _agreed(a: dict, b: dict) -> dict:
    alt: dict[str, list] = {}
    for f in FIELDS:
        extra = [v for v in _accepted(a, f)[1:] + _accepted(b, f)[1:] if v != a[f]]
        if extra:
            alt[f] = list(dict.fromkeys(json.dumps(v) for v in extra))
            alt[f] = [json.loads(v) for v in alt[f]]
    row = {"id": a["id"], **{f: a[f] for f in FIELDS}, "basis": a.get("basis", "")}
    if alt:
        row.update(ambiguous=True, alt=alt)
    return row


if __name__ == "__main__":
    if sys.argv[1:] == ["final"]:
        final()
    else:
        print(json.dumps(agreement(), indent=1))
