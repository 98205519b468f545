"""The stage prompts as they were before the cache-first prompts (commit 9bae76c), frozen for
``llm_cost.py`` to compare old and new side by side in one run. Not used by indiclass itself.

``OLD_REQUESTS[stage](stage_input)`` builds the request the old ``build_request`` built: the
short static system prompt (240-490 tokens with the schema, below every provider's cache
minimum) and the same user-prompt format; :func:`old_stages` is the pipeline with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from indiclass.domain.models import Indicator, NormalizationResult
from indiclass.domain.ports import LLMRequest
from indiclass.stages import DEFAULT_STAGES, StageSet
from indiclass.stages._common import make_request

_JSON_ONLY = (
    "Reply with one JSON object matching the schema; confidence is 0..1; "
    "reasoning one short sentence."
)

TIME_SYSTEM = f"""You classify the time structure of an economic indicator.
reporting_frequency: daily|weekly|monthly|quarterly|semiannual|annual|irregular|point-in-time \
(how often values are published).
time_basis: per-period (a flow or rate measured over each period: GDP, sales, growth, claims),
point-in-time (a level at a moment: debt, prices, rates, index levels, population, \
employment levels),
cumulative (a year-to-date running total that resets each year).
{_JSON_ONLY}"""

FAMILY_SYSTEM = f"""You assign an economic indicator to one family:
physical-fundamental (stock, flow, balance, capacity, volume: money or physical amounts like \
GDP, debt, trade balance);
numeric-measurement (count, percentage, ratio, spread, share: people/things counted, shares of \
a population, % of GDP, yield spreads);
price-value (price, yield: prices, exchange rates, interest and policy rates, bond yields);
change-movement (rate, volatility, gap: any % change, growth, inflation, YoY/MoM/QoQ);
composite-derived (index, correlation, elasticity, multiplier: price/production/equity index \
levels, PMIs);
temporal (duration, probability, threshold: months' supply, life expectancy, recession \
probability, minimum wage, target bounds);
qualitative (sentiment, allocation: confidence and sentiment surveys, expert ratings).
The unit decides over the name: "Index" or "Prices" measured in % change is change-movement.
{_JSON_ONLY}"""

TYPE_SYSTEM = f"""You assign the indicator type within its given family, its temporal \
aggregation and its heat-map orientation.
Types by family: physical-fundamental: stock|flow|balance|capacity|volume; numeric-measurement: \
count|percentage|ratio|spread|share;
price-value: price|yield; change-movement: rate|volatility|gap; composite-derived: \
index|correlation|elasticity|multiplier;
temporal: duration|probability|threshold; qualitative: sentiment|allocation; "other" only if \
nothing fits.
stock = level at a time (debt, reserves, money stock); flow = amount per period (GDP, sales, \
income); balance = net item that can be negative (trade, current account, budget).
temporal_aggregation: point-in-time|period-rate|period-cumulative|period-average|period-total|\
not-applicable.
heat_map_orientation: higher-is-positive (output, income, employment, confidence, reserves, \
equities),
lower-is-positive (unemployment, claims, debt, deficits, delinquency, stress, recession \
probability),
neutral (prices, inflation, interest and exchange rates, trade and current-account balances, \
population, money stocks).
{_JSON_ONLY}"""

BOOLEAN_REVIEW_SYSTEM = f"""You review a draft classification of an economic indicator for \
consistency.
Check: the type belongs to the family; time_basis agrees with temporal_aggregation \
(point-in-time with point-in-time,
per-period with period-rate/period-total/period-average, cumulative with period-cumulative); \
currency-denominated
amounts are physical-fundamental or price-value (or ratio for per-capita money); a % change is \
change-movement/rate;
is_cumulative agrees with time_basis. passed=true when consistent; otherwise list issues with \
the field, the problem
and the suggested value (an exact enum string; "true"/"false" for booleans).
{_JSON_ONLY}"""

FINAL_REVIEW_SYSTEM = f"""You make the final decision on a flagged classification of an \
economic indicator.
Given the draft and the review's issues, return status corrected with the corrections to apply \
(field and exact enum
value), passed if the draft is right after all, or failed if it cannot be fixed.
{_JSON_ONLY}"""

NOT_GIVEN = "(not given)"


def describe_indicator(ind: Indicator) -> str:
    fields = {
        "name": ind.name,
        "long_name": ind.long_name,
        "units": ind.units or NOT_GIVEN,
        "periodicity": ind.periodicity or NOT_GIVEN,
        "scale": ind.scale,
        "currency_code": ind.currency_code,
        "source": ind.source_name,
        "category": ind.category_group,
        "topic": ind.topic,
        "dataset": ind.dataset,
        "aggregation": ind.aggregation_method,
        "description": _clip(ind.description, 300),
    }
    lines = [f"{k}: {v}" for k, v in fields.items() if v]
    summary = summarize_values(ind)
    if summary:
        lines.append(f"values: {summary}")
    return "\n".join(lines)


def describe_parsed(norm: NormalizationResult) -> str:
    cur = norm.detected_currency or ("unknown" if norm.is_currency_denominated else "none")
    return f"parsed: unit_type={norm.parsed_unit_type} scale={norm.scale} currency={cur}"


def describe_draft(time: Any = None, cumulative: Any = None, family: Any = None, type_: Any = None):
    parts: list[str] = []
    if time:
        parts.append(f"reporting_frequency={time.reporting_frequency} time_basis={time.time_basis}")
    if cumulative:
        parts.append(
            f"is_cumulative={str(cumulative.is_cumulative).lower()} pattern={cumulative.pattern}"
        )
    if family:
        parts.append(f"family={family.family}")
    if type_:
        parts.append(
            f"indicator_type={type_.indicator_type} "
            f"temporal_aggregation={type_.temporal_aggregation} "
            f"heat_map_orientation={type_.heat_map_orientation}"
        )
    return "draft: " + " ".join(parts) if parts else ""


def summarize_values(ind: Indicator, limit: int = 6) -> str:
    dated = [(p, s) for s in ind.sample_values if (p := s.period) is not None]
    if not dated:
        return ""
    dated.sort(key=lambda p: str(p[0]), reverse=True)
    vals = [s.value for _, s in dated]
    recent = ", ".join(f"{s.date}={s.value:.6g}" for _, s in dated[:limit])
    return f"n={len(vals)} min={min(vals):.6g} max={max(vals):.6g} recent: {recent}"


def join_lines(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def _clip(text: str | None, n: int) -> str | None:
    if not text:
        return text
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _head(inp: Any) -> list[str]:
    return [describe_indicator(inp.indicator), describe_parsed(inp.normalization)]


def _time(inp: Any) -> LLMRequest:
    return make_request("time", TIME_SYSTEM, join_lines(_head(inp)), _model(inp, "time"), inp)


def _family(inp: Any) -> LLMRequest:
    draft = describe_draft(time=inp.time, cumulative=inp.cumulative)
    user = join_lines([*_head(inp), draft])
    return make_request("family", FAMILY_SYSTEM, user, _model(inp, "family"), inp)


def _type(inp: Any) -> LLMRequest:
    draft = describe_draft(time=inp.time, cumulative=inp.cumulative, family=inp.family)
    user = join_lines([*_head(inp), draft])
    return make_request("type", TYPE_SYSTEM, user, _model(inp, "type"), inp)


def _review_user(inp: Any) -> str:
    return join_lines([*_head(inp), describe_draft(inp.time, inp.cumulative, inp.family, inp.type)])


def _boolean_review(inp: Any) -> LLMRequest:
    model = _model(inp, "boolean-review")
    return make_request("boolean-review", BOOLEAN_REVIEW_SYSTEM, _review_user(inp), model, inp)


def _final_review(inp: Any) -> LLMRequest:
    issues = "; ".join(
        f"{i.field}: {i.problem}" + (f" (suggest {i.suggested})" if i.suggested else "")
        for i in inp.boolean_review.issues
    )
    user = join_lines([_review_user(inp), f"review issues: {issues or 'none listed'}"])
    return make_request("final-review", FINAL_REVIEW_SYSTEM, user, _model(inp, "final-review"), inp)


def _model(inp: Any, stage: str) -> Any:
    return DEFAULT_STAGES.get(stage).result_model


OLD_REQUESTS: dict[str, Callable[[Any], LLMRequest]] = {
    "time": _time,
    "family": _family,
    "type": _type,
    "boolean-review": _boolean_review,
    "final-review": _final_review,
}
"""Stage name → the old ``build_request``."""

OLD_PROMPTS: dict[str, str] = {
    "time": TIME_SYSTEM,
    "family": FAMILY_SYSTEM,
    "type": TYPE_SYSTEM,
    "boolean-review": BOOLEAN_REVIEW_SYSTEM,
    "final-review": FINAL_REVIEW_SYSTEM,
}


def old_stages() -> StageSet:
    """The pipeline's stages with the old prompts (rules, decisions and tables unchanged)."""
    return StageSet(
        replace(s, build_request=OLD_REQUESTS[str(s.name)], prompt=OLD_PROMPTS[str(s.name)])
        if s.asks_llm
        else s
        for s in DEFAULT_STAGES
    )
