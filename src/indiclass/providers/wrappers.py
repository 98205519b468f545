"""Wrappers around any Provider: each adds one concern and forwards ``complete`` (async).

Usual composition (outermost first), as ``bootstrap.providers`` builds it::

    Logged → Cached → Fallback(Retrying → RateLimited → Priced → adapter, *others)

so a cache hit is logged but costs nothing and touches no limiter, each retry passes the limiter,
a provider that stays unavailable or failing hands over to the next one, and every reply that
reaches the cache or the log carries its cost. (The durable engine logs calls itself, with a
key per call, instead of ``Logged``.)
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

from indiclass.domain.errors import (
    ProviderError,
    ProviderRateLimited,
    ProviderTransient,
    ProviderUnavailable,
)
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

    async def complete(self, request: LLMRequest) -> LLMReply:
        return await self.inner.complete(request)


class Priced(Wrapper):
    """Fills ``usage.cost_usd`` from the price table (None when the model has no price)."""

    def __init__(self, inner: Provider, prices: PriceTable) -> None:
        super().__init__(inner)
        self.prices = prices

    async def complete(self, request: LLMRequest) -> LLMReply:
        reply = await self.inner.complete(request)
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
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(inner)
        self.max_retries = max_retries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.sleep = sleep

    async def complete(self, request: LLMRequest) -> LLMReply:
        for attempt in range(self.max_retries + 1):
            try:
                return await self.inner.complete(request)
            except (ProviderRateLimited, ProviderTransient) as exc:
                if attempt == self.max_retries:
                    raise
                await self.sleep(self.delay(attempt, exc))
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

    async def complete(self, request: LLMRequest) -> LLMReply:
        ticket = await self.limiter.acquire(estimate_request_tokens(request))
        try:
            reply = await self.inner.complete(request)
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

    async def complete(self, request: LLMRequest) -> LLMReply:
        key = request.cache_key(self.name, self.model)
        hit = self.cache.get(key)
        if hit is not None:
            return hit.model_copy(update={"usage": Usage(), "cache_hit": True, "duration_ms": 0.0})
        reply = await self.inner.complete(request)
        if _accepted(request, reply.content):
            self.cache.put(key, reply)
        return reply


def _accepted(request: LLMRequest, content: str) -> bool:
    from indiclass.stages import DEFAULT_STAGES

    stage = DEFAULT_STAGES.by_name.get(str(request.stage))
    if stage is None or stage.decide is None or request.payload is None:
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

    async def complete(self, request: LLMRequest) -> LLMReply:
        started = time.perf_counter()
        try:
            reply = await self.inner.complete(request)
        except ProviderError as exc:
            self._emit(request, None, started, f"{type(exc).__name__}: {exc}")
            raise
        self._emit(request, reply, started, None)
        return reply

    def _emit(
        self, request: LLMRequest, reply: LLMReply | None, started: float, error: str | None
    ) -> None:
        record = CallRecord(
            stage=str(request.stage),
            provider=reply.provider if reply else self.name,
            model=reply.model if reply else self.model,
            system=request.system,
            user=request.logged_user(),
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


class Fallback(Wrapper):
    """The first provider that answers: ``primary``, then each of ``others`` in turn when the
    one before is unavailable or keeps failing transiently (after its own retries). Errors that
    are the request's fault (a 400) are not retried elsewhere. The reply names who answered."""

    handover: tuple[type[ProviderError], ...] = (
        ProviderUnavailable,
        ProviderTransient,
        ProviderRateLimited,
    )

    def __init__(self, primary: Provider, *others: Provider) -> None:
        super().__init__(primary)
        self.providers = (primary, *others)

    async def complete(self, request: LLMRequest) -> LLMReply:
        errors: list[ProviderError] = []
        for provider in self.providers:
            try:
                return await provider.complete(request)
            except self.handover as exc:
                errors.append(exc)
        text = "; ".join(
            f"{p.name}/{p.model}: {e}" for p, e in zip(self.providers, errors, strict=True)
        )
        if all(isinstance(e, ProviderUnavailable) for e in errors):
            raise ProviderUnavailable(f"no provider could answer: {text}")
        raise ProviderTransient(f"no provider could answer: {text}")
