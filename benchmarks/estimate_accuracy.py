"""The cost estimate against the measured cost of the same run, on every dev indicator.

    python benchmarks/estimate_accuracy.py [--limit N] [--runs openai:gpt-4.1-mini:llm,...]

For each run (provider:model:strategy): the dev indicators (``../shared/eval/indicators.jsonl``)
through a fresh fake server with the providers' per-model prompt caching, one after another
over real HTTP (response cache off), the measured usage and dollars summed from the replies;
then ``indiclass.estimate.estimate_run`` on the same run configuration (nothing sent). Prints
calls, input / cached / output tokens and dollars of both, and estimate / measured.
"""

from __future__ import annotations

import argparse
import sys

from llm_cost import EVAL, Measured, load, measure

from indiclass.domain.usage import Usage
from indiclass.providers.pricing import PriceTable
from indiclass.stages import DEFAULT_STAGES

RUNS = (
    "openai:gpt-4.1-mini:llm,openai:gpt-4.1-mini:hybrid,"
    "anthropic:claude-sonnet-4-5:llm,anthropic:claude-sonnet-4-5:hybrid"
)


def row(name: str, u: Usage) -> str:
    cost = "unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}"
    figures = (u.requests, u.input_tokens, u.cached_tokens, u.cache_write_tokens, u.output_tokens)
    return f"  {name:9s}" + "".join(f"{n:>12,}" for n in figures) + f"{cost:>12s}"


def ratio(m: Measured) -> str:
    if not m.usage.cost_usd or m.estimate.cost_usd is None:
        return "n/a"
    return f"{m.estimate.cost_usd / m.usage.cost_usd:.4f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--runs", default=RUNS, help="provider:model:strategy, comma-separated")
    args = parser.parse_args()
    if not EVAL.exists():
        print(f"skipped: {EVAL} is absent")
        return 0
    indicators = load(args.limit)
    print(f"{len(indicators)} indicators; tokens: the fake server's count (ceil(chars / 4))")
    header = ("calls", "input", "cached", "written", "output", "$")
    print(" " * 11 + "".join(f"{h:>12s}" for h in header))
    for spec in args.runs.split(","):
        provider, model, strategy = spec.split(":")
        options = argparse.Namespace(
            provider=provider, model=model, strategy=strategy, cache_min_tokens="per-model"
        )
        m = measure(indicators, options, DEFAULT_STAGES, PriceTable())
        print(f"{provider}/{model}, {strategy}: estimate / measured = {ratio(m)}")
        print(row("measured", m.usage))
        print(row("estimate", m.estimate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
