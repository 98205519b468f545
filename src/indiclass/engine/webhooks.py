"""Webhooks: a batch whose run configuration has a ``callback_url`` gets one signed POST of its
summary when it closes (completed, degraded, failed or cancelled).

Durable in three parts:

1. the delivery row (``webhook_deliveries``, status ``pending``, the exact body) is written in
   the transaction that closes the batch (``storage.outbox``): a batch is never closed without
   its delivery, whatever happens to the process next;
2. a :class:`Dispatcher` thread starts the delivery workflow of pending rows: of a batch that
   closed in this process (the engine's ``batch closed`` event), at engine start and every
   ``SWEEP_S`` seconds (rows a crash or another process left);
3. the workflow ``ic-webhook/<delivery_id>`` (one per delivery: DBOS never runs a workflow id
   twice; one killed mid-way is recovered like any other) POSTs in a step retried with
   exponential backoff, and records every attempt on the row.

The body is signed with HMAC-SHA256 under ``INDICLASS_WEBHOOK_SECRET``:
``X-Indiclass-Signature: sha256=<hex>``; ``X-Indiclass-Delivery`` carries the delivery id (a
process killed after the receiver answered but before the row says ``delivered`` sends it
again: receivers dedupe on it). Only loopback hosts and ``INDICLASS_WEBHOOK_ALLOWED_HOSTS``
are called; redirects are not followed; nothing is sent unsigned.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from dbos import DBOS, SetWorkflowID, StepOptions

from indiclass.domain.errors import ConfigError, InputError
from indiclass.engine.events import ProgressEvent
from indiclass.engine.runtime import current
from indiclass.engine.workflows import failure_reason

log = logging.getLogger("indiclass.webhooks")

WORKFLOW = "indiclass.webhook"
SIGNATURE_HEADER = "X-Indiclass-Signature"
DELIVERY_HEADER = "X-Indiclass-Delivery"
EVENT_HEADER = "X-Indiclass-Event"
SWEEP_S = 30.0
_RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class WebhookSettings:
    secret: str | None = None
    """``INDICLASS_WEBHOOK_SECRET``: the HMAC key (no secret: nothing is sent)."""
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    """``INDICLASS_WEBHOOK_ALLOWED_HOSTS``: host names or addresses, comma-separated, besides
    loopback (``localhost``, 127.0.0.0/8, ::1)."""
    attempts: int = 8
    """``INDICLASS_WEBHOOK_ATTEMPTS``: POSTs before giving up."""
    backoff_s: float = 1.0
    """``INDICLASS_WEBHOOK_BACKOFF_S``: the first retry's delay; doubles every retry."""
    timeout_s: float = 10.0
    """``INDICLASS_WEBHOOK_TIMEOUT_S``: one POST's timeout."""


def webhook_settings(env: Mapping[str, str] | None = None) -> WebhookSettings:
    env = os.environ if env is None else env
    hosts = env.get("INDICLASS_WEBHOOK_ALLOWED_HOSTS", "").split(",")
    return WebhookSettings(
        secret=env.get("INDICLASS_WEBHOOK_SECRET") or None,
        allowed_hosts=frozenset(h.strip().lower().rstrip(".") for h in hosts if h.strip()),
        attempts=int(_number(env, "INDICLASS_WEBHOOK_ATTEMPTS", 8, least=1)),
        backoff_s=_number(env, "INDICLASS_WEBHOOK_BACKOFF_S", 1.0, least=0),
        timeout_s=_number(env, "INDICLASS_WEBHOOK_TIMEOUT_S", 10.0, least=0.1),
    )


def _number(env: Mapping[str, str], name: str, default: float, *, least: float) -> float:
    text = env.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        raise ConfigError(f"{name}: not a number: {text!r}") from None
    if value < least:
        raise ConfigError(f"{name} must be at least {least}")
    return value


# ---------------------------------------------------------------- signing and hosts


def sign(body: bytes, secret: str) -> str:
    """The ``X-Indiclass-Signature`` value: ``sha256=`` and the HMAC-SHA256 hex of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """What a receiver does: compare the header with the body's signature, in constant time."""
    return header is not None and hmac.compare_digest(sign(body, secret), header)


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    host = host.lower().rstrip(".")
    if host in allowed or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(url: str, settings: WebhookSettings) -> str | None:
    """Why this process would not call ``url`` (None: it would)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"callback_url must be an http(s) URL with a host, got {url[:200]!r}"
    if not host_allowed(parts.hostname, settings.allowed_hosts):
        return (
            f"callback_url host {parts.hostname!r} is neither loopback nor listed in "
            "INDICLASS_WEBHOOK_ALLOWED_HOSTS"
        )
    if not settings.secret:
        return "INDICLASS_WEBHOOK_SECRET is not set: webhooks are never sent unsigned"
    return None


def check_callback_url(url: str, settings: WebhookSettings | None = None) -> str:
    """For the API and the CLI at submit: ``url`` when this process would deliver to it, else
    :class:`InputError` (bad URL or host) or :class:`ConfigError` (no secret) saying why."""
    why = refusal(url, settings or webhook_settings())
    if why is None:
        return url
    raise (ConfigError if why.startswith("INDICLASS_WEBHOOK_SECRET") else InputError)(why)


# ---------------------------------------------------------------- the durable delivery


class WebhookStore(Protocol):
    """What delivery needs of the results store (``storage.outbox.WebhookQueries``)."""

    def pending_webhooks(self, trace_id: str | None = None) -> list[dict[str, Any]]: ...
    def webhook_delivery(self, delivery: str) -> dict[str, Any] | None: ...
    def record_webhook_attempt(
        self,
        delivery: str,
        status: str,
        *,
        http_status: int | None,
        error: str | None,
        attempted: bool = True,
    ) -> None: ...


class Undeliverable(Exception):
    """Retrying cannot help (host not allowed, no secret, the receiver refused with 4xx)."""


class Retry(Exception):
    """The receiver was unreachable or answered 5xx / 408 / 429: try again later."""


def workflow_id(delivery: str) -> str:
    return f"ic-webhook/{delivery}"


def _store() -> WebhookStore:
    return cast(WebhookStore, current().store)


@DBOS.workflow(name=WORKFLOW)
def webhook_workflow(delivery: str) -> str:
    """POST the delivery (retried with backoff); when it keeps failing, record why."""
    settings = webhook_settings()
    options: StepOptions = {
        "name": "post",
        "retries_allowed": settings.attempts > 1,
        "max_attempts": settings.attempts,
        "interval_seconds": settings.backoff_s,
        "backoff_rate": 2.0,
        "should_retry": lambda exc: isinstance(exc, Retry),
    }
    try:
        return DBOS.run_step(options, deliver_step, delivery)
    except Exception as exc:
        reason = failure_reason(exc)
        DBOS.run_step({"name": "give-up", "max_attempts": 8}, give_up_step, delivery, reason)
        return "failed"


def deliver_step(delivery: str) -> str:
    store = _store()
    row = store.webhook_delivery(delivery)
    if row is None or row["status"] != "pending":
        return str(row["status"]) if row else "gone"
    try:
        status = _post(row, webhook_settings())
    except Undeliverable:
        raise
    except Exception as exc:  # connection refused, timeout, DNS ...: the network's answer
        store.record_webhook_attempt(delivery, "pending", http_status=None, error=_text(exc))
        raise Retry(_text(exc)) from exc
    if 200 <= status < 300:
        store.record_webhook_attempt(delivery, "delivered", http_status=status, error=None)
        return "delivered"
    error = f"the receiver answered HTTP {status}"
    store.record_webhook_attempt(delivery, "pending", http_status=status, error=error)
    if status >= 500 or status in _RETRY_STATUSES:
        raise Retry(error)
    raise Undeliverable(error)


def give_up_step(delivery: str, reason: str) -> None:
    _store().record_webhook_attempt(
        delivery, "failed", http_status=None, error=reason, attempted=False
    )


def _post(row: Mapping[str, Any], settings: WebhookSettings) -> int:
    """One signed POST of the stored body; returns the HTTP status."""
    import httpx

    why = refusal(row["url"], settings)
    if why is not None:
        raise Undeliverable(why)
    assert settings.secret is not None
    body = str(row["body"]).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "indiclass-webhook/1",
        SIGNATURE_HEADER: sign(body, settings.secret),
        DELIVERY_HEADER: str(row["delivery_id"]),
        EVENT_HEADER: str(row["event"]),
    }
    with httpx.Client(timeout=settings.timeout_s, follow_redirects=False, trust_env=False) as c:
        return c.post(str(row["url"]), content=body, headers=headers).status_code


def _text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def start_delivery(delivery: str) -> None:
    """Start the delivery's workflow (a no-op when it was started before, anywhere)."""
    with SetWorkflowID(workflow_id(delivery)):
        DBOS.start_workflow(webhook_workflow, delivery)


# ---------------------------------------------------------------- starting deliveries

_ALL = object()
_STOP = object()


class Dispatcher:
    """Starts delivery workflows from a thread of its own: batches close inside durable steps,
    where starting a workflow would make it that step's child."""

    def __init__(self, store: Any, sweep_s: float = SWEEP_S) -> None:
        self.store = cast(WebhookStore, store)
        self.sweep_s = sweep_s
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def check(self) -> None:
        """Raise ConfigError for a bad webhook setting (before the engine launches)."""
        webhook_settings()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="indiclass-webhooks", daemon=True)
        self._thread.start()
        self._queue.put(_ALL)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None

    def on_event(self, event: ProgressEvent) -> None:
        """Engine subscriber: a batch that closed here and asked for a callback."""
        config = event.stats.run_config if event.stats is not None else None
        if event.kind == "batch" and event.status == "closed" and config and config.callback_url:
            self._queue.put(event.trace_id)

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self.sweep_s)
            except queue.Empty:
                item = _ALL
            if item is _STOP:
                return
            try:
                trace = None if item is _ALL else str(item)
                for row in self.store.pending_webhooks(trace):
                    start_delivery(str(row["delivery_id"]))
            except Exception:
                log.exception("starting webhook deliveries failed (retried at the next sweep)")
