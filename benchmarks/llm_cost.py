"""LLM cost per indicator for the ``llm`` and ``hybrid`` strategies, against the fake LLM server.

    python benchmarks/llm_cost.py [--limit N] [--model gpt-4o-mini] [--provider openai]

Over ../shared/eval/indicators.jsonl (skipped when absent), through the real OpenAI SDK and the
project's wrappers (response cache OFF so every request reaches the server). Prints, per
strategy: LLM calls per indicator, prompt tokens per indicator by stage (as the fake server
reports them: ceil(characters / 4) of schema, system and each message), re-asks and rules
fallbacks, cached-token share on the first run (provider prefix caching of the static system
prompts) and on a second identical run, and dollars per indicator at the stated price table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from indiclass.bootstrap.providers import build_provider_set
from indiclass.cli.llm_cmd import parse_cache_minimum
from indiclass.domain.enums import AnswerSource, Strategy
from indiclass.domain.models import Indicator, parse_indicator
from indiclass.domain.ports import CallRecord
from indiclass.domain.usage import Usage
from indiclass.pipeline import PipelineConfig, classify
from indiclass.providers._wire import compact_json, estimate_tokens, wire_schema
from indiclass.providers.pricing import PriceTable
from indiclass.stages import final_review
from indiclass.testing import running_fake_llm
from indiclass.testing.settings import fake_llm_settings

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "indicators.jsonl"


def load(limit: int | None) -> list[Indicator]:
    rows = [json.loads(line) for line in EVAL.read_text().splitlines() if line.strip()]
    return [parse_indicator(r) for r in rows[:limit]]


def run_once(indicators: list[Indicator], providers, config: PipelineConfig) -> dict:
    calls: list[CallRecord] = []
    providers_sink(providers, calls.append)
    usage, sources, final_tokens = Usage(), Counter(), 0
    started = time.perf_counter()
    for ind in indicators:
        run = classify(ind, providers, config)
        usage = usage + run.state.usage
        final_tokens += final_review_tokens(run.state)
        sources.update(f"{k}:{r.source.value}" for k, r in run.state.records.items())
        sources.update(f"reasks:{k}" for k, r in run.state.records.items() if r.attempts > 1)
    return {
        "usage": usage,
        "calls": calls,
        "sources": sources,
        "final_review_if_always": final_tokens,
        "seconds": time.perf_counter() - started,
    }


def providers_sink(providers, sink) -> None:
    """Point the Logged wrappers of the set at ``sink`` (they were built with a relay)."""
    providers.relay[:] = [sink]


def build(server, strategy_provider: str, model: str):
    relay: list = []
    settings = fake_llm_settings(server, LLM_CACHE=False, OPENAI_MODEL=model)
    ps = build_provider_set(settings, strategy_provider, sink=lambda rec: relay[0](rec))
    ps.relay = relay  # type: ignore[attr-defined]
    return ps, settings


def report(name: str, n: int, first: dict, second: dict, prices: PriceTable, model: str) -> None:
    u1, u2 = first["usage"], second["usage"]
    by_stage: Counter[str] = Counter()
    calls_by_stage: Counter[str] = Counter()
    for c in first["calls"]:
        by_stage[c.stage] += c.usage.input_tokens
        calls_by_stage[c.stage] += 1
    print(f"\n== strategy {name}: {n} indicators, model {model} (fake server, cache wrapper off)")
    print(f"LLM calls per indicator      {u1.requests / n:7.3f}")
    print(
        f"prompt tokens per indicator  {u1.input_tokens / n:7.1f}   "
        f"output tokens {u1.output_tokens / n:6.1f}"
    )
    for stage in ("time", "family", "type", "boolean-review", "final-review"):
        print(
            f"  {stage:16s} calls/ind {calls_by_stage[stage] / n:6.3f}   "
            f"prompt tok/ind {by_stage[stage] / n:7.1f}   "
            f"per call {by_stage[stage] / max(1, calls_by_stage[stage]):6.1f}"
        )
    fallbacks = sum(
        v for k, v in first["sources"].items() if k.endswith(AnswerSource.RULES_FALLBACK)
    )
    reasks = sum(v for k, v in first["sources"].items() if k.startswith("reasks:"))
    print(f"re-asked stages {reasks}, rules fallbacks {fallbacks}")
    print(f"cached-token share: first run {share(u1):.1%}, second identical run {share(u2):.1%}")
    largest = max((c.usage.input_tokens for c in first["calls"]), default=0)
    print(
        f"largest prompt of one call: {largest} tokens (OpenAI and Anthropic cache only prompts "
        f"of 1024+ tokens; the fake does too with --cache-min-tokens per-model)"
    )
    for label, u in (("first run", u1), ("second run", u2)):
        cost = prices.cost(model, u)
        print(
            f"$ per indicator ({label})  {cost / n if cost is not None else float('nan'):.7f}"
            f"   per 1000 indicators ${(cost or 0) / n * 1000:.4f}"
        )
    always = first["final_review_if_always"] / n
    if name == "llm":
        print(
            f"final-review prompt tokens if it were asked for every indicator: {always:.1f}/ind "
            f"→ worst-case total {u1.input_tokens / n + always:.1f} prompt tokens per indicator"
        )
    print(f"wall time first run {first['seconds']:.1f} s")


def final_review_tokens(state) -> int:
    """Prompt tokens (same estimate as the fake server) of this indicator's final-review
    request, whether or not the pipeline asked it."""
    if state.final_review is None or state.boolean_review is None:
        return 0
    inp = final_review.FinalReviewInput(
        indicator=state.indicator,
        normalization=state.normalization,
        time=state.time,
        cumulative=state.cumulative,
        family=state.family,
        type=state.type,
        boolean_review=state.boolean_review,
    )
    request = final_review.build_request(inp)
    parts = [compact_json(wire_schema(request.json_schema)), request.system, request.user]
    return sum(estimate_tokens(p) for p in parts)


def share(u: Usage) -> float:
    return u.cached_tokens / u.input_tokens if u.input_tokens else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument(
        "--cache-min-tokens",
        type=parse_cache_minimum,
        default=0,
        help="fake server: no cached tokens for prompts shorter than this; 'per-model' = the "
        "providers' minimums (1024, 2048 for Haiku-class), 'off' = no caching "
        "(default 0 = any repeated prefix, in 128-token blocks for OpenAI)",
    )
    parser.add_argument("--provider", default="openai", choices=["openai", "anthropic", "local"])
    args = parser.parse_args()
    if not EVAL.exists():
        print(f"skipped: {EVAL} is absent")
        return 0
    indicators = load(args.limit)
    prices = PriceTable()
    price = prices.price(args.model)
    print(f"price table ({args.model}, USD per 1M tokens): {price}")
    print("token counts: the fake server's estimate, ceil(chars/4) per prompt part")
    for strategy in (Strategy.LLM, Strategy.HYBRID):
        with running_fake_llm(cache_min_tokens=args.cache_min_tokens) as server:
            ps, settings = build(server, args.provider, args.model)
            config = PipelineConfig(strategy=strategy, hybrid_threshold=settings.hybrid_threshold)
            first = run_once(indicators, ps, config)
            second = run_once(indicators, ps, config)
            report(strategy.value, len(indicators), first, second, prices, args.model)
            print(
                f"hybrid threshold {settings.hybrid_threshold}"
                if strategy is Strategy.HYBRID
                else "",
                end="",
            )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
