"""The one end-of-run summary: what was classified (by family), what failed and why (counted),
what it cost, and the commands to see more. Used by ``run``, ``run resume``, ``retry-failed``,
``classify --file`` and the demo."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from indiclass.cli.runner import RunOutcome
from indiclass.domain.usage import Usage


def print_summary(
    console: Console, store: Any, outcome: RunOutcome, *, run_id: str | None = None
) -> None:
    traces = outcome.trace_ids
    stats = [s for s in (store.batch_stats(t) for t in traces) if s is not None]
    usage = sum((s.usage for s in stats), Usage())
    done = sum(s.successful_indicators for s in stats)
    failed = sum(s.failed_indicators for s in stats)
    cancelled = sum(s.cancelled_indicators for s in stats)
    fallback = sum(s.fallback_indicators for s in stats)
    pending = sum(s.pending_indicators for s in stats)
    facts = store.summary(traces) if traces else {"families": {}, "reasons": {}}
    head = f"🎉 Done: {done} classified, {failed} failed"
    if cancelled:
        head += f", {cancelled} cancelled"
    if pending:
        head += f", {pending} waiting (paused)"
    if outcome.rejected:
        head += f", {outcome.rejected} rejected"
    head += f", in {len(traces)} batches"
    console.print(head, highlight=False)
    if facts["families"]:
        console.print(_families(facts["families"]))
    console.print(cost_line(usage, done + failed, fallback), highlight=False)
    outcome.reasons = list(facts["reasons"])
    for reason, n in sorted(facts["reasons"].items(), key=lambda kv: -kv[1])[:5]:
        console.print(f"   ❌ {n} × {reason}", highlight=False, soft_wrap=True)
    degraded = [s.batch_id for s in stats if s.status == "degraded"]
    if fallback:
        console.print(
            f"   ⚠️  {fallback} indicator(s) answered by the rules because the LLM could not be "
            f"used ({len(degraded)} batch(es) degraded)",
            highlight=False,
            soft_wrap=True,
        )
        errors = facts.get("call_errors") or {}
        for reason, n in sorted(errors.items(), key=lambda kv: -kv[1])[:3]:
            console.print(
                f"   ⚠️  {n} LLM call(s) failed: {reason}", highlight=False, soft_wrap=True
            )
    hints = []
    if failed:
        hints += ["indiclass errors", "indiclass run retry-failed"]
    if fallback:
        hints.append("indiclass stats")
    if pending:
        hints.append("indiclass run resume --max-cost USD")
    if run_id:
        hints.append(f"indiclass query --run {run_id}")
    if hints:
        console.print("   more: " + " · ".join(hints), highlight=False)


def cost_line(usage: Usage, indicators: int, fallback: int = 0) -> str:
    """``LLM: 80 calls, 150.2k tokens (70% cached), $0.0421 ($0.00053 per indicator)``."""
    if not usage.requests and not usage.input_tokens:
        return "   LLM: no calls (rules)" + (f", {fallback} fell back" if fallback else "")
    tokens = usage.input_tokens + usage.output_tokens
    cached = (
        f" ({usage.cached_tokens / usage.input_tokens:.0%} cached)" if usage.input_tokens else ""
    )
    if usage.cost_usd is None:
        cost = "cost unknown (a model has no price)"
    else:
        per = f" (${usage.cost_usd / indicators:.5f} per indicator)" if indicators else ""
        cost = f"${usage.cost_usd:.4f}{per}"
    text = f"   LLM: {usage.requests} calls, {tokens:,} tokens{cached}, {cost}"
    return text + (f"; {fallback} indicator(s) fell back to the rules" if fallback else "")


def _families(counts: dict[str, int]) -> Table:
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("family", no_wrap=True)
    table.add_column("indicators", justify="right")
    for family, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        table.add_row(family, str(n))
    return table
