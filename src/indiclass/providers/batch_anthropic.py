"""Anthropic Message Batches through the official SDK: the requests go inline
(``{"custom_id", "params"}``, ``params`` exactly the synchronous call's), results come back as
JSONL once the batch has ended.

Message batches carry no metadata, so a restart that lost the id of a batch it created (a
crash between ``create`` and its recording) looks for it in the listing: created since the
wave's intent was recorded, with as many requests, and not recorded by any wave. A candidate
that has ended is checked by its results (the wave's first custom_id must be there) and wins;
with none, one still in progress cannot be checked before it ends, so the oldest is adopted
(its results are mapped by custom_id when stored: requests they do not name are sent again).
Several candidates mean the create was sent more than once: the caller keeps the first and
cancels the others.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cached_property
from typing import Any, TypeVar

import anthropic

from indiclass.domain.ports import (
    BatchLine,
    BatchResult,
    BatchState,
    LLMReply,
    LLMRequest,
    WaveRef,
)
from indiclass.providers._wire import translate_error
from indiclass.providers.anthropic import AnthropicProvider, _content, _usage
from indiclass.providers.batch import batch_cost, estimated_cost
from indiclass.providers.pricing import PriceTable

T = TypeVar("T")


class AnthropicBatches:
    """The Message Batches client of one model (SDK retries off, as for OpenAI)."""

    def __init__(self, adapter: AnthropicProvider, prices: PriceTable) -> None:
        self.adapter = adapter
        self.name = adapter.name
        self.model = adapter.model
        self.prices = prices

    @cached_property
    def client(self) -> anthropic.Anthropic:
        config = self.adapter.config
        return anthropic.Anthropic(
            api_key=config.api_key or "not-needed",
            base_url=config.base_url,
            max_retries=0,
            timeout=max(config.timeout_s, 60.0),
        )

    def body(self, request: LLMRequest) -> dict[str, Any]:
        return self.adapter.params(request)

    def estimate_cost(self, request: LLMRequest) -> float | None:
        return estimated_cost(self.prices, self.model, request)

    # ------------------------------------------------------------ submit

    def upload(self, wave: WaveRef, lines: Sequence[BatchLine]) -> None:
        return None  # requests go inline with create

    def find_upload(self, wave: WaveRef) -> None:
        return None

    def create(self, wave: WaveRef, lines: Sequence[BatchLine], upload: str | None) -> str:
        requests: Any = [{"custom_id": line.custom_id, "params": line.body} for line in lines]
        batch = self._call(lambda: self.client.messages.batches.create(requests=requests))
        return str(batch.id)

    def find(self, wave: WaveRef, claimed: Collection[str]) -> list[str]:
        """Batches that have ended and carry the wave's first custom_id; when there are none,
        those still running with as many requests (they cannot be checked before they end)."""
        listed = self._call(lambda: self.client.messages.batches.list(limit=100))
        alike = [
            b
            for b in _since(listed, wave.since)
            if b.id not in claimed and _total(b) == wave.requests
        ]
        ended = [b for b in alike if b.processing_status == "ended" and self._has(b, wave)]
        found = ended or [b for b in alike if b.processing_status != "ended"]
        return [str(b.id) for b in sorted(found, key=lambda b: (b.created_at, b.id))]

    def _has(self, batch: Any, wave: WaveRef) -> bool:
        return any(r.custom_id == wave.first_custom_id for r in self._lines(batch.id))

    # ------------------------------------------------------------ follow

    def poll(self, batch_id: str) -> BatchState:
        batch = self._call(lambda: self.client.messages.batches.retrieve(batch_id))
        return BatchState(
            id=batch.id,
            status=batch.processing_status,
            ended=batch.processing_status == "ended",
            counts=batch.request_counts.model_dump(),
        )

    def results(self, batch_id: str) -> list[BatchResult]:
        return [self._result(line) for line in self._lines(batch_id)]

    def cancel(self, batch_id: str) -> None:
        batch = self._call(lambda: self.client.messages.batches.retrieve(batch_id))
        if batch.processing_status == "in_progress":
            self._call(lambda: self.client.messages.batches.cancel(batch_id))

    # ------------------------------------------------------------ internals

    def _lines(self, batch_id: str) -> list[Any]:
        return self._call(lambda: list(self.client.messages.batches.results(batch_id)))

    def _result(self, line: Any) -> BatchResult:
        result = line.result
        if result.type == "succeeded":
            return BatchResult(
                custom_id=line.custom_id, kind="succeeded", reply=self._reply(result.message)
            )
        if result.type == "errored":
            error = result.error.error
            reason = f"{error.type}: {getattr(error, 'message', '')}"[:500]
            return BatchResult(custom_id=line.custom_id, kind="errored", error=reason)
        return BatchResult(custom_id=line.custom_id, kind=result.type)

    def _reply(self, message: Any) -> LLMReply:
        usage = _usage(message.usage)
        cost = batch_cost(self.prices, self.model, usage)
        return LLMReply(
            content=_content(message),
            provider=self.name,
            model=self.model,
            usage=usage.model_copy(update={"cost_usd": cost}),
        )

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except anthropic.APIError as exc:
            raise translate_error(
                exc, self.adapter.url, self.model, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"
            ) from None


def _since(page: Any, since: float) -> Iterator[Any]:
    """Batches of a newest-first listing (every page) created at or after ``since``."""
    for batch in page:
        if batch.created_at.timestamp() < since - 1:
            return
        yield batch


def _total(batch: Any) -> int:
    return sum(int(v or 0) for v in batch.request_counts.model_dump().values())


__all__ = ["AnthropicBatches"]
