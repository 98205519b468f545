"""Read models of the console's pages, from the results store: each page's data in a bounded
number of queries (at most :data:`PAGE` rows a table), whatever the batch's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from indiclass.domain.store import BatchStats, ResultStore
from indiclass.web import charts

PAGE = 100
"""Rows a table shows at most (the rest is paginated)."""
STATUSES = ("queued", "running", "paused", "completed", "degraded", "failed", "cancelled")
MEMBER_STATUSES = ("pending", "completed", "failed", "cancelled")
REVIEW_WHY = {
    "any": "needs review, low confidence or flagged",
    "needs_review": "marked needs_review",
    "low": "below the confidence",
    "flagged": "flagged by the review stages",
}


@dataclass(frozen=True)
class Pager:
    page: int
    total: int
    size: int = PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.size)


def batch_row(stats: BatchStats) -> dict[str, Any]:
    """A batch as a row of the Batches table."""
    done = stats.successful_indicators + stats.failed_indicators + stats.cancelled_indicators
    total = stats.total_indicators
    usage = stats.usage
    return {
        "trace_id": stats.batch_id,
        "status": stats.status,
        "provider": stats.provider,
        "model": stats.model,
        "strategy": stats.strategy,
        "total": total,
        "completed": stats.successful_indicators,
        "failed": stats.failed_indicators,
        "cancelled": stats.cancelled_indicators,
        "pending": stats.pending_indicators,
        "fallback": stats.fallback_indicators,
        "percent": round(100 * done / total, 1) if total else 100.0,
        "started": _when(stats.batch_start_time),
        "duration": _duration(stats.total_duration_ms),
        "tokens": usage.input_tokens + usage.output_tokens,
        "cost": usage.cost_usd,
        "calls": stats.llm_calls,
        "done": stats.done,
        "avg_confidence": stats.avg_confidence,
    }


def batches_page(
    store: ResultStore, *, status: str | None, provider: str | None, page: int
) -> dict[str, Any]:
    pager = Pager(page, store.count_batches(status=status, provider=provider))
    found = store.find_batches(status=status, provider=provider, limit=PAGE, offset=pager.offset)
    return {"rows": [batch_row(b) for b in found], "pager": pager}


def batch_page(
    store: ResultStore, stats: BatchStats, *, member_status: str | None, page: int
) -> dict[str, Any]:
    """The batch: its summary, charts, stage timeline, a page of members and of failures."""
    counts = {
        "pending": stats.pending_indicators,
        "completed": stats.successful_indicators,
        "failed": stats.failed_indicators,
        "cancelled": stats.cancelled_indicators,
    }
    total = counts[member_status] if member_status else stats.total_indicators
    pager = Pager(page, total)
    members = store.batch_members(
        stats.batch_id, offset=pager.offset, limit=PAGE, status=member_status
    )
    failures = (
        store.batch_members(stats.batch_id, limit=PAGE, status="failed")
        if stats.failed_indicators
        else []
    )
    return {
        "batch": batch_row(stats),
        "reason": stats.reason,
        "members": members,
        "pager": pager,
        "member_status": member_status,
        "counts": counts,
        "failures": failures,
        **batch_charts(store.batch_charts(stats.batch_id)),
    }


def batch_charts(data: dict[str, Any]) -> dict[str, Any]:
    families: dict[str, int] = {}
    for r in data["kinds"]:
        families[r["family"]] = families.get(r["family"], 0) + int(r["n"])
    kinds = [(f"{r['indicator_type']} ({r['family']})", float(r["n"])) for r in data["kinds"]]
    stages = data["stages"]
    cost = [(r["stage"], float(r["cost_usd"] or 0.0)) for r in stages]
    return {
        "families_chart": charts.bars(sorted(families.items(), key=lambda kv: -kv[1])),
        "types_chart": charts.bars(kinds[:15]),
        "confidence_chart": charts.histogram(data["confidence"]),
        "calls_chart": charts.bars([(r["stage"], float(r["calls"])) for r in stages]),
        "cost_chart": charts.bars(cost, unit=" $") if any(v for _, v in cost) else Markup(""),
        "stage_calls": stages,
        "timeline": stage_timeline(data["timeline"]),
    }


def stage_timeline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each stage's span over the batch: first start → last completion, mean duration."""
    spans: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = spans.setdefault(
            r["stage"], {"stage": r["stage"], "started": 0, "completed": 0, "failed": 0}
        )
        entry[r["status"]] = int(r["n"])
        if r["status"] == "started":
            entry["first"] = r["first_at"]
        elif r["status"] in ("completed", "failed"):
            entry["last"] = max(entry.get("last") or "", r["last_at"] or "")
            if r["status"] == "completed":
                entry["avg_ms"] = r["avg_ms"]
    table = list(spans.values())
    origin = min((_ms(e.get("first")) for e in table if e.get("first")), default=0.0)
    drawn = []
    for e in table:
        start = _ms(e.get("first")) - origin if e.get("first") else 0.0
        end = _ms(e.get("last")) - origin if e.get("last") else start
        e["start_ms"], e["span_ms"] = start, max(0.0, end - start)
        note = f"mean {e['avg_ms']:.1f} ms" if e.get("avg_ms") is not None else ""
        drawn.append((e["stage"], start, e["span_ms"], note))
    return {"rows": table, "chart": charts.timeline(drawn)}


def indicator_page(store: ResultStore, indicator_id: str) -> dict[str, Any] | None:
    """The indicator: input, sparkline, each stage's result, LLM exchanges, overrides."""
    found = store.list_source_indicators(ids=[indicator_id])
    classification = store.get_classification(indicator_id)
    stages = store.stage_results(indicator_id)
    if not found and classification is None:
        return None
    indicator: dict[str, Any] = (
        found[0].model_dump(mode="json") if found else {"indicator_id": indicator_id}
    )
    trail = store.indicator_trail(indicator_id)
    trace = trail[0]["trace_id"] if trail else None
    log = store.processing_log(trace, indicator_id) if trace else []
    samples: list[dict[str, Any]] = indicator.get("sample_values") or []
    values = [float(v["value"]) for v in samples if _number(v.get("value"))]
    return {
        "indicator": indicator,
        "sparkline": charts.sparkline(values[-120:]),
        "classification": classification,
        "stages": stages,
        "calls": store.llm_calls_for(indicator_id),
        "overrides": store.list_overrides(indicator_id, include_deleted=True, limit=PAGE),
        "trail": trail,
        "trace": trace,
        "timeline": indicator_timeline(log),
    }


def indicator_timeline(log: list[dict[str, Any]]) -> dict[str, Any]:
    starts = {r["stage"]: _ms(r["created_at"]) for r in log if r["status"] == "started"}
    origin = min(starts.values(), default=0.0)
    rows = []
    for r in log:
        if r["status"] not in ("completed", "failed"):
            continue
        began = starts.get(r["stage"], _ms(r["created_at"]))
        duration = float(r["duration_ms"] or 0.0)
        rows.append(
            {
                "stage": r["stage"],
                "status": r["status"],
                "start_ms": began - origin,
                "duration_ms": duration,
                "error": r.get("error_message"),
            }
        )
    drawn = [(r["stage"], r["start_ms"], r["duration_ms"], r["status"]) for r in rows]
    return {"rows": rows, "chart": charts.timeline(drawn)}


def review_page(store: ResultStore, **filters: Any) -> dict[str, Any]:
    page = filters.pop("page")
    counted = {k: filters[k] for k in ("why", "below", "trace_id")}
    pager = Pager(page, store.count_review_queue(**counted))
    rows = store.review_queue(**filters, limit=PAGE, offset=pager.offset)
    return {"rows": rows, "pager": pager}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ms(text: str | None) -> float:
    return datetime.fromisoformat(text).timestamp() * 1000 if text else 0.0


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _duration(ms: float | None) -> str:
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
