"""Throughput of the offline rules pipeline (one process): indicators/s of ``pipeline.classify``.

    python benchmarks/rules_throughput.py [INDICATORS.jsonl] [--rounds N]

Reads ../shared/eval/indicators.jsonl by default. Prints the cold first pass (lexicon look-ups
not yet memoised), then the best of N rounds for classification only (indicators parsed once
beforehand) and for parse + classify (``parse_indicator`` included).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from indiclass.domain.models import parse_indicator
from indiclass.pipeline import classify

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "indicators.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    raw = [json.loads(line) for line in args.path.read_text().splitlines() if line.strip()]
    parsed = [parse_indicator(r) for r in raw]
    cold = _rate(lambda: [classify(i) for i in parsed], len(parsed))
    best_cls = max(
        _rate(lambda: [classify(i) for i in parsed], len(parsed)) for _ in range(args.rounds)
    )
    best_all = max(
        _rate(lambda: [classify(parse_indicator(r)) for r in raw], len(raw))
        for _ in range(args.rounds)
    )
    print(
        f"indicators: {len(parsed)} (one process; best of {args.rounds} rounds after a cold pass)"
    )
    print(f"cold first pass, classify only (empty lexicon memo): {cold:,.0f} indicators/s")
    print(f"classify only (parse excluded): {best_cls:,.0f} indicators/s")
    print(f"parse + classify (parse included): {best_all:,.0f} indicators/s")


def _rate(run: object, n: int) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return n / (time.perf_counter() - start)


if __name__ == "__main__":
    main()
