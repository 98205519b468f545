"""LLM cost per indicator, old prompts and cache-first prompts side by side, against the fake
LLM server with the providers' prompt caching.

    python benchmarks/llm_cost.py [--limit 1000] [--provider openai] [--model gpt-4.1-mini]
                                  [--strategy llm] [--cache-min-tokens per-model]

The first ``--limit`` dev indicators (``../shared/eval/indicators.jsonl``; skipped when absent)
go through the pipeline twice, each time on a fresh fake server: with the prompts frozen in
``benchmarks/old_prompts.py`` and with the current ones. Requests travel over real HTTP through
the official SDK and the project's wrappers (response cache off, so every request reaches the
server), one indicator after another. The fake server reports cached tokens as the providers
do (``--cache-min-tokens per-model``: OpenAI's longest seen prefix in 128-token blocks once the
prompt reaches 1,024 tokens; Anthropic up to the ``cache_control`` breakpoint, 1,024 / 2,048 /
4,096 by model family). Prints, per prompt set: LLM calls, prompt / cached / output tokens per
indicator, the cached share of input tokens, per-stage static prefix and cached tokens per
call, and dollars per indicator at the price table's prices, measured and estimated
(``indiclass.estimate`` on the same run, nothing sent).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from old_prompts import old_stages

from indiclass.bootstrap.providers import build_provider_set, run_config
from indiclass.cli.llm_cmd import parse_cache_minimum
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.domain.run import RunConfig
from indiclass.domain.usage import Usage
from indiclass.estimate import estimate_run
from indiclass.pipeline import PipelineConfig, classify
from indiclass.providers.pricing import PriceTable
from indiclass.stages import DEFAULT_STAGES, StageSet
from indiclass.testing import running_fake_llm
from indiclass.testing.settings import fake_llm_settings

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "indicators.jsonl"


@dataclass
class Measured:
    run: RunConfig
    usage: Usage
    by_stage: dict[str, Usage]
    estimate: Usage
    seconds: float


def load(limit: int | None) -> list[Indicator]:
    rows = [json.loads(line) for line in EVAL.read_text().splitlines() if line.strip()]
    return [parse_indicator(r) for r in rows[:limit]]


def measure(
    indicators: list[Indicator], args: argparse.Namespace, stages: StageSet, prices: PriceTable
) -> Measured:
    """One run through a fresh fake server with ``stages``' prompts, and its estimate."""
    with running_fake_llm(cache_min_tokens=args.cache_min_tokens) as server:
        settings = fake_llm_settings(server, LLM_CACHE=False)
        run = run_config(settings, args.provider, args.model, args.strategy, stages=stages)
        providers = build_provider_set(settings, run)
        config = PipelineConfig.for_run(run, providers, stages)
        by_stage: dict[str, Usage] = defaultdict(Usage)
        started = time.perf_counter()
        for indicator in indicators:
            for outcome in classify(indicator, providers, config).outcomes:
                if outcome.usage.requests:
                    by_stage[outcome.stage] += outcome.usage
        seconds = time.perf_counter() - started
    usage = sum(by_stage.values(), Usage())
    estimate = estimate_run(indicators, run, stages, prices).total
    return Measured(run, usage, dict(by_stage), estimate, seconds)


def share(u: Usage) -> float:
    return u.cached_tokens / u.input_tokens if u.input_tokens else 0.0


def dollars(cost: float | None, n: int) -> str:
    return "unknown" if cost is None else f"${cost / n:.7f}"


def report(runs: dict[str, Measured], n: int, prices: PriceTable) -> None:
    run = next(iter(runs.values())).run
    print(f"\n{n} indicators, {run.provider.label}, strategy {run.strategy.value}")
    print(f"prices (USD per 1M tokens): {prices.price(run.provider.model)}")
    rows = {
        "LLM calls per indicator": lambda m: f"{m.usage.requests / n:.3f}",
        "prompt tokens per indicator": lambda m: f"{m.usage.input_tokens / n:,.1f}",
        "cached tokens per indicator": lambda m: f"{m.usage.cached_tokens / n:,.1f}",
        "cache writes per indicator": lambda m: f"{m.usage.cache_write_tokens / n:,.1f}",
        "output tokens per indicator": lambda m: f"{m.usage.output_tokens / n:,.1f}",
        "cached share of input tokens": lambda m: f"{share(m.usage):.1%}",
        "$ per indicator, measured": lambda m: dollars(m.usage.cost_usd, n),
        "$ per indicator, estimated": lambda m: dollars(m.estimate.cost_usd, n),
        "wall time (s)": lambda m: f"{m.seconds:.1f}",
    }
    print(f"{'':32s}" + "".join(f"{name:>16s}" for name in runs))
    for label, cell in rows.items():
        print(f"{label:32s}" + "".join(f"{cell(m):>16s}" for m in runs.values()))
    print("per stage: prompt tokens / cached tokens per call")
    for stage in (str(s.name) for s in DEFAULT_STAGES.llm):
        cells = [_per_call(m.by_stage.get(stage)) for m in runs.values()]
        print(f"  {stage:30s}" + "".join(f"{c:>16s}" for c in cells))


def _per_call(u: Usage | None) -> str:
    if not u or not u.requests:
        return "-"
    return f"{u.input_tokens / u.requests:.0f} / {u.cached_tokens / u.requests:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--provider", default="openai", choices=["openai", "anthropic", "local"])
    parser.add_argument("--model", default="gpt-4.1-mini")
    parser.add_argument("--strategy", default="llm", choices=["llm", "hybrid"])
    parser.add_argument(
        "--cache-min-tokens",
        type=parse_cache_minimum,
        default="per-model",
        help="fake server: 'per-model' (the providers' minimums, default), N tokens for every "
        "model, or 'off'",
    )
    args = parser.parse_args()
    if not EVAL.exists():
        print(f"skipped: {EVAL} is absent")
        return 0
    indicators = load(args.limit)
    prices = PriceTable()
    runs = {
        "old prompts": measure(indicators, args, old_stages(), prices),
        "new prompts": measure(indicators, args, DEFAULT_STAGES, prices),
    }
    report(runs, len(indicators), prices)
    print(
        "tokens: the fake server's count, ceil(characters / 4) per prompt part; "
        f"prompt-cache minimum: {args.cache_min_tokens}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
