"""Builds the corpus files from the collectors' raw rows (eval/corpus/raw/*.jsonl).

    python eval/corpus/build.py

Writes ``indicators.jsonl`` (every row, in the shape of ``../shared/eval/indicators.jsonl`` plus
``publisher`` and ``language``), ``split.json`` (publisher -> tuning | validation, decided before
any rule was written from the corpus) and ``labels/tasks_<part>.jsonl`` (the rows chosen for
labelling: a seeded, per-publisher sample; the tuning part in two halves, one labeller each). Deterministic: the same raw files give the same output.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
VALIDATION = ("kostat", "statjp", "ine_pt", "istat", "bcch", "statssa")
"""Publishers held out for validation: Korean, Japanese, Portuguese, Italian, Spanish and
English names from six agencies and central banks the rules are never tuned on."""
PER_PUBLISHER = {"tuning": 16, "validation": 40}
LARGER = {"nbs": 40, "bok": 32, "bde": 30, "bcb": 30, "esri": 26, "destatis": 24, "bdf": 24,
          "scb": 24, "boj": 20, "sarb": 20, "bea": 20, "cbs": 20}
"""Tuning publishers with many rows and non-Latin or non-English names get a larger sample."""
SEED = 20261202


def main() -> None:
    rows = []
    for path in sorted((HERE / "raw").glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda r: (r["publisher"], r["id"]))
    with (HERE / "indicators.jsonl").open("w", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    publishers = sorted({r["publisher"] for r in rows})
    split = {p: ("validation" if p in VALIDATION else "tuning") for p in publishers}
    (HERE / "split.json").write_text(json.dumps(split, indent=1) + "\n", "utf-8")
    rng = random.Random(SEED)
    for part in ("tuning", "validation"):
        chosen = []
        for p in publishers:
            if split[p] != part:
                continue
            mine = [r for r in rows if r["publisher"] == p]
            n = LARGER.get(p, PER_PUBLISHER[part]) if part == "tuning" else PER_PUBLISHER[part]
            chosen += rng.sample(mine, min(len(mine), n))
        halves = [chosen] if part == "validation" else [chosen[::2], chosen[1::2]]
        for n, half in enumerate(halves, start=1):
            name = part if len(halves) == 1 else f"{part}_{n}"
            with (HERE / "labels" / f"tasks_{name}.jsonl").open("w", encoding="utf-8") as out:
                for r in half:
                    task = {k: v for k, v in r.items() if k != "provenance"}
                    out.write(json.dumps(task, ensure_ascii=False) + "\n")
            print(name, len(half))


if __name__ == "__main__":
    main()
