"""The webhook outbox: a batch that closes with a ``callback_url`` gets its delivery row in the
very transaction that closes it, so a crash right after the close still delivers (the engine's
``engine.webhooks`` sends pending rows; ``SqlStore`` mixes the reads in).

One row per batch outcome: the delivery id is derived from the batch and its closing counts, so
closing it again with the same outcome (a cancel seen by several chunks) adds nothing, while a
batch reopened by retry-failed that closes with other counts gets one more delivery.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from indiclass.domain.run import RunConfig
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor, Database

EVENT = "batch.closed"
_SUMMARY = (
    "status",
    "reason",
    "provider",
    "model",
    "strategy",
    "total_indicators",
    "successful_indicators",
    "failed_indicators",
    "cancelled_indicators",
    "fallback_indicators",
    "batch_start_time",
    "batch_end_time",
    "total_duration_ms",
    "avg_time_per_indicator_ms",
    "avg_confidence",
    "llm_calls",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
)


def callback_url(row: dict[str, Any]) -> str | None:
    text = row.get("run_config")
    return RunConfig.from_json(text).callback_url if text else None


def delivery_id(row: dict[str, Any]) -> str:
    parts = [row["batch_id"], row.get("status") or ""]
    parts += [str(int(row.get(k) or 0)) for k in ("successful_indicators", "failed_indicators")]
    parts.append(str(int(row.get("cancelled_indicators") or 0)))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def summary_body(row: dict[str, Any], delivery: str) -> str:
    """The JSON body the receiver gets (fixed at close: every retry sends the same bytes)."""
    body: dict[str, Any] = {
        "event": EVENT,
        "delivery_id": delivery,
        "batch_id": row["batch_id"],
        "run_id": row.get("run_id"),
    }
    body.update({k: row.get(k) for k in _SUMMARY})
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def enqueue(cur: Cursor, row: dict[str, Any] | None, now: str) -> str | None:
    """Record the delivery of a closed batch's summary when it asked for one; returns its id."""
    if row is None:
        return None
    url = callback_url(row)
    if not url:
        return None
    delivery = delivery_id(row)
    cur.execute(
        "INSERT INTO webhook_deliveries (delivery_id, trace_id, url, event, body, status,"
        " attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)"
        " ON CONFLICT (delivery_id) DO NOTHING",
        (delivery, row["batch_id"], url, EVENT, summary_body(row, delivery), now, now),
    )
    return delivery


class WebhookQueries:
    """The ``WebhookStore`` port (``engine.webhooks``) over ``self.db``."""

    db: Database

    def pending_webhooks(self, trace_id: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM webhook_deliveries WHERE status = 'pending'", []
        if trace_id is not None:
            sql, params = sql + " AND trace_id = ?", [trace_id]
        return self.db.read(lambda cur: cur.execute(sql + " ORDER BY id", params).fetchall())

    def webhook_deliveries(self, trace_id: str) -> list[dict[str, Any]]:
        return self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM webhook_deliveries WHERE trace_id = ? ORDER BY id", (trace_id,)
            ).fetchall()
        )

    def webhook_delivery(self, delivery: str) -> dict[str, Any] | None:
        return self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM webhook_deliveries WHERE delivery_id = ?", (delivery,)
            ).fetchone()
        )

    def record_webhook_attempt(
        self,
        delivery: str,
        status: str,
        *,
        http_status: int | None,
        error: str | None,
        attempted: bool = True,
    ) -> None:
        """An attempt's outcome: ``pending`` (retried), ``delivered``, or ``failed`` (given up;
        ``attempted=False`` records that alone). A delivered row is never changed again."""
        now = R.now_iso()
        done = now if status == "delivered" else None
        self.db.write(
            lambda cur: cur.execute(
                "UPDATE webhook_deliveries SET status = ?, attempts = attempts + ?,"
                " http_status = COALESCE(?, http_status), error = ?, updated_at = ?,"
                " delivered_at = COALESCE(?, delivered_at)"
                " WHERE delivery_id = ? AND status <> 'delivered'",
                (status, int(attempted), http_status, error, now, done, delivery),
            ),
            what=f"webhook delivery {delivery}",
        )
