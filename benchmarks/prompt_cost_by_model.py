"""Old and cache-first prompts, estimated per model: where reaching the cache minimum pays.

    python benchmarks/prompt_cost_by_model.py [--limit N] [--strategy llm]

``indiclass.estimate`` (nothing sent; within 0.2% of the fake server's measurement, see
``estimate_accuracy.py``) over the dev indicators, for each priced model, with the old prompts
(``benchmarks/old_prompts.py``) and the current ones: dollars per indicator, cached share, and
new / old. The prompts are sized for the 1,024-token minimum; models with a larger one (Claude
Haiku 3.5: 2,048; Haiku 4.5, Opus 4.5: 4,096) cache nothing and pay the longer prompt in full.
"""

from __future__ import annotations

import argparse
import sys

from llm_cost import EVAL, load
from old_prompts import old_stages

from indiclass.domain.run import ProviderSpec, RunConfig
from indiclass.estimate import estimate_run
from indiclass.providers.pricing import PriceTable
from indiclass.stages import DEFAULT_STAGES

MODELS = (
    ("openai", "gpt-4.1-nano"),
    ("openai", "gpt-4.1-mini"),
    ("openai", "gpt-4.1"),
    ("openai", "gpt-4o-mini"),
    ("openai", "gpt-4o"),
    ("openai", "o4-mini"),
    ("anthropic", "claude-3-5-haiku-latest"),
    ("anthropic", "claude-haiku-4-5"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-opus-4-1"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--strategy", default="llm", choices=["llm", "hybrid"])
    args = parser.parse_args()
    if not EVAL.exists():
        print(f"skipped: {EVAL} is absent")
        return 0
    indicators, prices, old = load(args.limit), PriceTable(), old_stages()
    print(f"{len(indicators)} indicators, strategy {args.strategy}, $ per indicator (sync)")
    print(f"{'model':26s}{'minimum':>9s}{'old':>12s}{'new':>12s}{'new/old':>9s}{'cached':>8s}")
    for provider, model in MODELS:
        run = RunConfig(provider=ProviderSpec(name=provider, model=model), strategy=args.strategy)
        before = estimate_run(indicators, run, old, prices)
        after = estimate_run(indicators, run, DEFAULT_STAGES, prices)
        b, a = before.cost_per_indicator or 0.0, after.cost_per_indicator or 0.0
        cached = after.total.cached_tokens / max(1, after.total.input_tokens)
        minimum = prices.cache_minimum(model)
        print(f"{model:26s}{minimum:>9,}{b:>12.7f}{a:>12.7f}{a / b:>9.2f}{cached:>8.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
