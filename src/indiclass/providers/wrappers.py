"""Wrappers around any Provider: each adds one concern and forwards ``complete``.

Usual composition (outermost first), as ``bootstrap.providers`` builds it::

    Logged → Cached → Retrying → RateLimited → Priced → adapter

so a cache hit is logged but costs nothing and touches no limiter, each retry passes the limiter,
and every reply that reaches the cache or the log carries its cost.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from indiclass.domain.errors import ProviderError, ProviderRateLimited, ProviderTransient
from indiclass.domain.ports import CallRecord, CallSink, LLMReply, LLMRequest, Provider
from indiclass.domain.usage import Usage
from indiclass.providers._wire import estimate_request_tokens
from indiclass.providers.cache import ResponseCache
from indiclass.providers.limiter import Limiter, limiter_for
from indiclass.providers.pricing import PriceTable

log = logging.getLogger(__name__)


class Wrapper:
    """Forwards to ``inner``; ``name`` and ``model`` are the inner provider's."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model

    def complete(self, request: LLMRequest) -> LLMReply:
        return self.inner.complete(request)


class Priced(Wrapper):
    """Fills ``usage.cost_usd`` from the price table (None when the model has no price)."""

    def __init__(self, inner: Provider, prices: PriceTable) -> None:
        super().__init__(inner)
        self.prices = prices

    def complete(self, request: LLMRequest) -> LLMReply:
        reply = self.inner.complete(request)
        cost = self.prices.cost(reply.model, reply.usage)
        return reply.model_copy(update={"usage": reply.usage.model_copy(update={"cost_usd": cost})})


class Retrying(Wrapper):
    """Retries 429s, 5xx and timeouts with exponential backoff (full jitter), honouring the
    server's Retry-After; other errors pass straight through."""

    def __init__(
        self,
        inner: Provider,
        *,
        max_retries: int = 4,
        base_delay_s: float = 0.5,
        max_delay_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(inner)
        self.max_retries = max_retries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.sleep = sleep

    def complete(self, request: LLMRequest) -> LLMReply:
        for attempt in range(self.max_retries + 1):
            try:
                return self.inner.complete(request)
            except (ProviderRateLimited, ProviderTransient) as exc:
                if attempt == self.max_retries:
                    raise
                self.sleep(self.delay(attempt, exc))
        raise AssertionError("unreachable")  # pragma: no cover

    def delay(self, attempt: int, exc: ProviderError) -> float:
        after = getattr(exc, "retry_after", None)
        if after is not None:
            return float(min(after, self.max_delay_s))
        backoff = min(self.max_delay_s, self.base_delay_s * 2.0**attempt)
        return float(backoff * (0.5 + random.random() / 2))


class RateLimited(Wrapper):
    """Waits for the (provider, model) budget of requests and tokens per minute before each call;
    the token estimate is trued up from the usage the server reports."""

    def __init__(
        self,
        inner: Provider,
        limiter: Limiter | None = None,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
    ) -> None:
        super().__init__(inner)
        self.limiter = limiter or limiter_for(inner.name, inner.model, rpm, tpm)

    def complete(self, request: LLMRequest) -> LLMReply:
        ticket = self.limiter.acquire(estimate_request_tokens(request))
        try:
            reply = self.inner.complete(request)
        except ProviderError:
            self.limiter.settle(ticket, 0)
            raise
        self.limiter.settle(ticket, reply.usage.total_tokens)
        return reply


class Cached(Wrapper):
    """Serves an identical request (provider, model, prompts, schema) from the response cache.

    Only replies the stage accepts are stored, so a bad answer is never replayed."""

    def __init__(self, inner: Provider, cache: ResponseCache) -> None:
        super().__init__(inner)
        self.cache = cache

    def complete(self, request: LLMRequest) -> LLMReply:
        key = request.cache_key(self.name, self.model)
        hit = self.cache.get(key)
        if hit is not None:
            return hit.model_copy(update={"usage": Usage(), "cache_hit": True, "duration_ms": 0.0})
        reply = self.inner.complete(request)
        if _accepted(request, reply.content):
            self.cache.put(key, reply)
        return reply


def _accepted(request: LLMRequest, content: str) -> bool:
    from indiclass.stages import LLM_STAGE_MAP

    stage = LLM_STAGE_MAP.get(request.stage)
    if stage is None or request.payload is None:
        return False
    try:
        stage.decide(request.payload, content)
    except ProviderError:
        return False
    return True


class Logged(Wrapper):
    """Hands every exchange, answered or failed, to the call sink (the ``llm_calls`` log)."""

    def __init__(self, inner: Provider, sink: CallSink) -> None:
        super().__init__(inner)
        self.sink = sink

    def complete(self, request: LLMRequest) -> LLMReply:
        started = time.perf_counter()
        try:
            reply = self.inner.complete(request)
        except ProviderError as exc:
            self._emit(request, None, started, f"{type(exc).__name__}: {exc}")
            raise
        self._emit(request, reply, started, None)
        return reply

    def _emit(
        self, request: LLMRequest, reply: LLMReply | None, started: float, error: str | None
    ) -> None:
        record = CallRecord(
            stage=request.stage.value,
            provider=reply.provider if reply else self.name,
            model=reply.model if reply else self.model,
            system=request.system,
            user=render_user(request),
            response=reply.content if reply else None,
            usage=reply.usage if reply else Usage(),
            cache_hit=bool(reply and reply.cache_hit),
            duration_ms=(time.perf_counter() - started) * 1000,
            error=error,
            tags=request.tags,
        )
        try:
            self.sink(record)
        except Exception:  # a broken log must not lose the classification
            log.exception("the LLM call sink failed for stage %s", request.stage)


def render_user(request: LLMRequest) -> str:
    """The user prompt followed by any re-ask turns, as logged."""
    turns = [f"[{t.role}] {t.content}" for t in request.history]
    return "\n\n".join([request.user, *turns])
