"""Prompts for the LLM stages: a static system prompt per stage, then the indicator.

Cache-first. Each stage's system prompt is identical bytes for every indicator: the stage's
task, the shared reference (the taxonomy with its definitions and the conventions the labels
follow, from ``shared/eval/README.md``), the stage's worked examples and the reply rule. With
the reply schema, which providers put before it, that static prefix reaches the prompt-cache
minimum of 1,024 tokens (OpenAI; Anthropic Sonnet 4/4.5 and Opus 4/4.1), so from a stage's
second call on the provider bills it at the cached price (OpenAI 0.25-0.5x input, Anthropic
0.1x). Each prefix is held just above 1,152 tokens by the fake server's count (ceil(chars / 4)):
one 128-token block above the minimum, because real tokenizers count about 9% fewer (o200k:
1,059-1,067 tokens), and not much more, because what follows the last whole 128-token block is
billed at the full price. ``tests/unit/test_prompts.py`` holds the sizes.

The user prompt is the per-indicator part: the raw fields one per line (``name: ...`` first; the
fake server reads the indicator back from these lines), a value summary, the parsed units and
the draft so far. Every stage sees the raw units and periodicity, not only the parsed forms.
"""

from __future__ import annotations

from collections.abc import Iterable

from indiclass.domain.models import (
    CumulativeResult,
    FamilyResult,
    Indicator,
    NormalizationResult,
    TimeResult,
    TypeResult,
)

TAXONOMY = """\
## Taxonomy (family: its types; "other" only when no type fits)
- physical-fundamental: stock (a level at a moment: debt, reserves, money stock, loans, \
inventories), flow (an amount per period: GDP, spending, income, sales, orders, debt service), \
balance (a net item that can be negative: trade, current account, budget), capacity, volume.
- numeric-measurement: count (people or things: employment, population, claims, starts, rigs), \
percentage (a share of a population: unemployment, participation, utilisation), ratio (one \
aggregate over another: % of GDP, per-capita money), spread (two yields' difference), share (a \
component over its own total).
- price-value: price (goods, commodities, exchange rates, policy and lending rates), yield \
(bond, bill and dividend yields).
- change-movement: rate (any % change, growth, inflation, YoY/MoM/QoQ), volatility, gap.
- composite-derived: index (price, production and equity index levels, PMIs), correlation, \
elasticity, multiplier.
- temporal: duration (months' supply, life expectancy, hours worked), probability (recession \
probability), threshold (minimum wage, policy target bounds).
- qualitative: sentiment (confidence surveys, expert ratings), allocation.
time_basis: per-period (flows, balances, changes, events), point-in-time (levels: stocks, \
prices, rates, index levels, headcounts), cumulative (a year-to-date total that resets). \
temporal_aggregation: point-in-time, period-total, period-average, period-rate, \
period-cumulative, not-applicable.
"""

CONVENTIONS = """\
## Conventions
- The unit decides over the name: a series whose unit or values are a % change is \
change-movement/rate, percent, even when it is named Index, Prices or Orders.
- Money: the unit gives currency and scale ("Billions of Dollars": USD, billions; "current \
US$": raw-units); LCU and PPP dollars have no code. Fields the source gives (currency_code, \
scale, periodicity) outrank the units text. Codes are ISO 4217, never words ("All items").
- Exchange rates are price, not currency-denominated; prices per physical unit (Dollars per \
Barrel) are price, in raw-units ("Dollars per Million BTU" too).
- Interest rates are neutral and point-in-time; a policy target bound is threshold. Spreads \
of two yields (10y-2y, OAS) are spread. Index levels have scale index, whatever the base.
- Counts: levels (employment, population, rigs) are point-in-time; events during the period \
(initial claims, housing starts, sales, payroll changes) are per-period.
- Cumulative only for a YTD total that resets; fiscal-year totals are per-period.
- Scale from the unit word or the suffix K, M, B, T; values win over the unit. "Hundred \
Million" is x1e8: nearest scale millions.
- higher-is-positive: output, growth, income, employment, confidence, equities, budget \
balances; lower-is-positive: unemployment, claims, debt, deficits, stress, recession \
probability; neutral: prices, inflation, rates, exchange rates, trade balances, population.
- Calendar rows give only a value suffix as units (%, K, M, B, T) and the market currency in \
the dataset field. Skip pseudo-dates (last10YearsAvg) among the values.
"""

REFERENCE = f"{TAXONOMY}\n{CONVENTIONS}"
"""The block every stage's system prompt carries after its task (identical bytes)."""

_REPLY = (
    "Reply with one JSON object matching the schema: exact enum strings; confidence is the "
    "probability (0..1) that your answer is right; reasoning one short sentence."
)


def _system(task: str, examples: str) -> str:
    return f"{task}\n{REFERENCE}\n## Worked examples\n{examples}\n{_REPLY}"


TIME_SYSTEM = _system(
    """\
You classify the time structure of an economic indicator: how often it is published and \
whether each value is a level, an amount over its period or a year-to-date total.
reporting_frequency: from the periodicity field first ("Weekly, Ending Saturday" is \
weekly); without one, from the spacing of the sample dates. time_basis: what one value \
measures; cumulative needs a YTD name or values that climb through the year and restart.
""",
    """\
- Government Debt | USD Billion | Annual: annual, point-in-time (a stock).
- Initial Jobless Claims | K | Weekly, Ending Saturday: weekly, per-period (events).
- Consumer Prices YoY | % | Monthly: monthly, per-period (a change).
- State Budget Balance YTD | EUR Billion | Monthly: monthly, cumulative.
- Civilian Unemployment Rate | Percent | Monthly: monthly, point-in-time (a level).
- Federal Surplus or Deficit | Millions of Dollars | Annual, Fiscal Year: annual, per-period \
(a fiscal-year total is not cumulative).
""",
)

FAMILY_SYSTEM = _system(
    """\
You assign an economic indicator to one of the seven families of the taxonomy. Read the unit \
first, then the name, the description and the values; the draft line gives the time \
structure already decided. Ask what one value is: an amount (physical-fundamental), a count or \
a proportion (numeric-measurement), a price or yield (price-value), a change \
(change-movement), an index level (composite-derived), a time span, probability or threshold \
(temporal), or an opinion (qualitative).
""",
    """\
- Trade Balance | USD Million: physical-fundamental (a balance). Unemployment Rate | %: \
numeric-measurement (a share of the labour force).
- 10-Year Bond Yield | Percent: price-value. Industrial Production Index | % change: \
change-movement. Manufacturing PMI | points: composite-derived.
- GDP per capita | current US$: numeric-measurement (a per-capita ratio). JPY per USD: \
price-value. Consumer Confidence | points: qualitative. Months' Supply | Months: temporal.
- Federal Funds Target Range - Upper Limit | Percent: temporal (a threshold).
""",
)

TYPE_SYSTEM = _system(
    """\
You assign the indicator type within the family already decided (the draft line), its \
temporal aggregation and its heat-map orientation. The type must be one of that family's \
types, or "other"; temporal_aggregation must agree with the draft's time_basis.
""",
    """\
- Government Debt: stock, point-in-time, lower-is-positive.
- Retail Sales | USD Million: flow, period-total, higher-is-positive.
- Unemployment Rate | %: percentage, point-in-time, lower-is-positive.
- Consumer Prices YoY | %: rate, period-rate, neutral.
- 10-Year Bond Yield | Percent: yield, point-in-time, neutral.
""",
)

BOOLEAN_REVIEW_SYSTEM = _system(
    """\
You review a draft classification of an economic indicator against the taxonomy and the \
conventions. Check that the type belongs to the family; that temporal_aggregation fits \
time_basis (point-in-time with point-in-time; per-period with period-rate, period-total or \
period-average; cumulative with period-cumulative), and is_cumulative too; that currency \
amounts are physical-fundamental or price-value (or a per-capita ratio); that a % change is \
change-movement/rate; that scale and currency follow the units and the source's own fields.
passed=true with no issues when it is right; otherwise list each issue: the field, the \
problem and the suggested value as an exact enum string ("true"/"false" for booleans).
""",
    """\
- CPI YoY | % drafted price-value/price: issues family (suggest change-movement) and \
indicator_type (suggest rate).
- Government Debt | USD Billion drafted physical-fundamental/stock, point-in-time: passed.
""",
)

FINAL_REVIEW_SYSTEM = _system(
    """\
You make the final decision on a classification of an economic indicator that the review \
flagged. Given the draft and the review's issues: status corrected with the corrections to \
apply (each a field and its exact enum value, "true"/"false" for booleans, an ISO 4217 code \
for detected_currency; at least one), passed with no corrections if the draft is right after \
all, or failed if it cannot be fixed. Change only what the issues or the conventions require; \
the type must stay within the family.
""",
    """\
- CPI YoY | % drafted price-value/price, flagged: corrected, family=change-movement, \
indicator_type=rate.
- Retail Sales | USD Million drafted point-in-time, flagged: corrected, time_basis=per-period, \
temporal_aggregation=period-total.
- Exports | USD Hundred Million drafted billions, flagged scale: corrected, scale=millions.
- A flag that misreads the unit, on a right draft: passed, no corrections.
""",
)

NOT_GIVEN = "(not given)"
"""Shown for missing units/periodicity: every LLM stage sees that they are absent."""


def describe_indicator(ind: Indicator) -> str:
    """The indicator's own fields, raw, one per line (absent ones omitted, except units and
    periodicity, which every stage must see)."""
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


def describe_draft(
    time: TimeResult | None = None,
    cumulative: CumulativeResult | None = None,
    family: FamilyResult | None = None,
    type_: TypeResult | None = None,
) -> str:
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
    """Newest few values and the range: enough to spot %, fractions, YTD resets, negatives."""
    dated = [(p, s) for s in ind.sample_values if (p := s.period) is not None]
    if not dated:
        return ""
    dated.sort(key=lambda p: str(p[0]), reverse=True)  # ISO dates sort as text
    vals = [s.value for _, s in dated]
    recent = ", ".join(f"{s.date}={_num(s.value)}" for _, s in dated[:limit])
    return f"n={len(vals)} min={_num(min(vals))} max={_num(max(vals))} recent: {recent}"


def join_lines(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def _num(v: float) -> str:
    return f"{v:.6g}"


def _clip(text: str | None, n: int) -> str | None:
    if not text:
        return text
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
