"""Operations: ``/health`` (never behind the API key) and ``/metrics`` (Prometheus text)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from indiclass.api.services import Services

health_router = APIRouter(tags=["operations"])
metrics_router = APIRouter(tags=["operations"])

METRICS_BATCH_WINDOW = 10_000
"""Batches aggregated by /metrics (newest first)."""


@health_router.get("/health")
def health(request: Request) -> JSONResponse:
    """Liveness plus database and queue state; 503 when the database cannot be read."""
    services: Services = request.app.state.services
    database = _database_state(services)
    body = {
        "status": "ok" if database["ok"] else "degraded",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "service": "indiclass",
        "database": database,
        "queue": _queue_state(services),
    }
    return JSONResponse(body, status_code=200 if database["ok"] else 503)


def _database_state(services: Services) -> dict[str, Any]:
    kind = getattr(services.store, "dialect", "unknown")
    try:
        services.store.list_batches(limit=1)
    except Exception as exc:
        return {"ok": False, "kind": kind, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "kind": kind}


def _queue_state(services: Services) -> dict[str, Any]:
    """Open batches (members still pending) and the engine's concurrency."""
    try:
        open_batches: int | None = len(services.store.open_batches())
    except Exception:
        open_batches = None
    return {"open_batches": open_batches, "concurrency": services.settings.concurrency}


@metrics_router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    """Prometheus text exposition format 0.0.4."""
    services: Services = request.app.state.services
    return PlainTextResponse(
        render_metrics(services), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


def render_metrics(services: Services) -> str:
    batches = services.store.list_batches(limit=METRICS_BATCH_WINDOW)
    lines: list[str] = []
    by_status = {
        "completed": sum(b.successful_indicators for b in batches),
        "failed": sum(b.failed_indicators for b in batches),
        "pending": sum(b.pending_indicators for b in batches),
    }
    _family(
        lines,
        "indiclass_indicators",
        "gauge",
        "Batch items by status.",
        [({"status": k}, v) for k, v in by_status.items()],
    )
    _family(lines, "indiclass_batches", "gauge", "Batches known.", [({}, len(batches))])
    _usage_metrics(lines, batches)
    _stage_metrics(lines, services)
    _family(
        lines,
        "indiclass_queue_depth",
        "gauge",
        "Indicators waiting or running.",
        [({}, by_status["pending"])],
    )
    return "\n".join(lines) + "\n"


def _usage_metrics(lines: list[str], batches: list[Any]) -> None:
    per: dict[tuple[str, str], list[Any]] = {}
    for b in batches:
        per.setdefault((b.provider, b.model), []).append(b)
    calls, tokens, cost = [], [], []
    for (provider, model), group in sorted(per.items()):
        labels = {"provider": provider, "model": model}
        calls.append((labels, sum(b.llm_calls for b in group)))
        for kind in ("input", "output", "cached"):
            total = sum(getattr(b.usage, f"{kind}_tokens") for b in group)
            tokens.append(({**labels, "kind": kind}, total))
        cost.append((labels, sum(b.usage.cost_usd or 0.0 for b in group)))
    _family(lines, "indiclass_llm_calls_total", "counter", "LLM exchanges.", calls)
    _family(lines, "indiclass_llm_tokens_total", "counter", "LLM tokens.", tokens)
    _family(
        lines,
        "indiclass_llm_cost_usd_total",
        "counter",
        "LLM cost in US dollars (calls of unknown price count as 0).",
        cost,
    )


def _stage_metrics(lines: list[str], services: Services) -> None:
    t = services.timings
    with t.lock:
        counts, totals, failed = dict(t.count), dict(t.total_ms), dict(t.failed)
    for name, help_text, values in (
        ("indiclass_stage_duration_ms_sum", "Total stage time seen by this process.", totals),
        ("indiclass_stage_duration_ms_count", "Stages completed in this process.", counts),
        ("indiclass_stage_failures_total", "Stage failures seen by this process.", failed),
    ):
        _family(lines, name, "counter", help_text, [({"stage": s}, v) for s, v in values.items()])


def _family(
    lines: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: list[tuple[dict[str, str], float | int]],
) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in samples:
        lines.append(f"{name}{_labels(labels)} {_number(value)}")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    body = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
    return "{" + body + "}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
