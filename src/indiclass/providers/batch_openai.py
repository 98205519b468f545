"""OpenAI Batch (and every OpenAI-compatible server that serves ``/v1/batches``) through the
official SDK: the requests go up as a JSONL file (``purpose=batch``), the batch is created on
``/v1/chat/completions`` with ``metadata={"indiclass_wave": <wave key>}``, results come back as
an output file (succeeded) and an error file (errored, expired, cancelled).

A restart finds what it made before: the input file by its name (``indiclass-<wave key>.jsonl``),
the batch by its metadata. Each line's body is exactly the synchronous call's parameters
(``OpenAIProvider.params``), so a batch answers what a synchronous run would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cached_property
from typing import Any, Literal, TypeVar

import openai
from openai.types.chat import ChatCompletion

from indiclass.domain.ports import (
    BatchLine,
    BatchResult,
    BatchResultKind,
    BatchState,
    LLMReply,
    LLMRequest,
    WaveRef,
)
from indiclass.providers._wire import compact_json, translate_error
from indiclass.providers.batch import batch_cost, estimated_cost
from indiclass.providers.openai import OpenAIProvider, _content, _usage
from indiclass.providers.pricing import PriceTable

T = TypeVar("T")
ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
WAVE_METADATA = "indiclass_wave"
ENDED = frozenset({"completed", "expired", "cancelled", "failed"})
_KINDS: dict[str, BatchResultKind] = {"batch_expired": "expired", "batch_cancelled": "canceled"}


class OpenAIBatches:
    """The batch client of one OpenAI-wire server and model (SDK retries off: the durable
    step retries, and looks for what a failed call may have made first)."""

    def __init__(self, adapter: OpenAIProvider, prices: PriceTable) -> None:
        self.adapter = adapter
        self.name = adapter.name
        self.model = adapter.model
        self.prices = prices

    @cached_property
    def client(self) -> openai.OpenAI:
        config = self.adapter.config
        return openai.OpenAI(
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

    def upload(self, wave: WaveRef, lines: Sequence[BatchLine]) -> str:
        content = "".join(_input_line(line) + "\n" for line in lines).encode()
        file = (_file_name(wave), content)
        return self._call(lambda: self.client.files.create(file=file, purpose="batch")).id

    def find_upload(self, wave: WaveRef) -> str | None:
        name = _file_name(wave)
        listed = self._call(lambda: self.client.files.list(purpose="batch", limit=100))
        for found in _newest_first(listed, wave.since):
            if found.filename == name:
                return str(found.id)
        return None

    def create(self, wave: WaveRef, lines: Sequence[BatchLine], upload: str | None) -> str:
        assert upload is not None, "an OpenAI batch needs its uploaded input file"
        batch = self._call(
            lambda: self.client.batches.create(
                input_file_id=upload,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata={WAVE_METADATA: wave.key},
            )
        )
        return str(batch.id)

    def find(self, wave: WaveRef, claimed: Collection[str]) -> list[str]:
        listed = self._call(lambda: self.client.batches.list(limit=100))
        mine = [
            b
            for b in _newest_first(listed, wave.since)
            if (b.metadata or {}).get(WAVE_METADATA) == wave.key and b.id not in claimed
        ]
        # oldest first: the list is newest first, and created_at has whole seconds only, so a
        # tie keeps the list's order (reversed), not the ids' (random)
        oldest = list(reversed(mine))
        return [str(b.id) for b in sorted(oldest, key=lambda b: b.created_at)]

    # ------------------------------------------------------------ follow

    def poll(self, batch_id: str) -> BatchState:
        batch = self._call(lambda: self.client.batches.retrieve(batch_id))
        counts = batch.request_counts
        errors = (
            [e.message or e.code or "" for e in (batch.errors.data or [])] if batch.errors else []
        )
        return BatchState(
            id=batch.id,
            status=batch.status,
            ended=batch.status in ENDED,
            counts={"total": counts.total, "completed": counts.completed, "failed": counts.failed}
            if counts
            else {},
            error="; ".join(errors)[:1000] or None,
        )

    def results(self, batch_id: str) -> list[BatchResult]:
        batch = self._call(lambda: self.client.batches.retrieve(batch_id))
        out: list[BatchResult] = []
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                text = self._call(lambda f=file_id: self.client.files.content(f).text)  # type: ignore[misc]
                out += [self._result(json.loads(line)) for line in text.splitlines() if line]
        return out

    def cancel(self, batch_id: str) -> None:
        batch = self._call(lambda: self.client.batches.retrieve(batch_id))
        if batch.status not in ENDED and batch.status != "cancelling":
            self._call(lambda: self.client.batches.cancel(batch_id))

    # ------------------------------------------------------------ internals

    def _result(self, line: dict[str, Any]) -> BatchResult:
        cid = str(line.get("custom_id"))
        response, error = line.get("response"), line.get("error")
        if response is None:
            code = (error or {}).get("code", "")
            kind = _KINDS.get(code, "errored")
            return BatchResult(custom_id=cid, kind=kind, error=_message(error))
        if response.get("status_code") != 200:
            status = response.get("status_code")
            reason = f"{status}: {_message((response.get('body') or {}).get('error'))}"
            return BatchResult(custom_id=cid, kind="errored", error=reason)
        return BatchResult(custom_id=cid, kind="succeeded", reply=self._reply(response["body"]))

    def _reply(self, body: dict[str, Any]) -> LLMReply:
        completion = ChatCompletion.model_validate(body)
        usage = _usage(completion.usage)
        cost = batch_cost(self.prices, self.model, usage)
        return LLMReply(
            content=_content(completion, self.adapter.config.structured),
            provider=self.name,
            model=self.model,
            usage=usage.model_copy(update={"cost_usd": cost}),
        )

    def _call(self, fn: Callable[[], T]) -> T:
        config = self.adapter.config
        try:
            return fn()
        except openai.APIError as exc:
            raise translate_error(
                exc, self.adapter.url, self.model, config.key_variable, config.url_variable
            ) from None


def _batch_errors(batch: Any) -> str | None:
    """Why a batch failed as a whole (its input file did not validate), if it did."""
    data = batch.errors.data if batch.errors and batch.errors.data else []
    found = [f"line {e.line}: {e.message or e.code}" for e in data]
    return "; ".join(found)[:1000] or None


def _file_name(wave: WaveRef) -> str:
    return f"indiclass-{wave.key}.jsonl"


def _input_line(line: BatchLine) -> str:
    return compact_json(
        {"custom_id": line.custom_id, "method": "POST", "url": ENDPOINT, "body": line.body}
    )


def _newest_first(page: Any, since: float) -> Iterator[Any]:
    """Items of a newest-first listing (every page) back to ``since``."""
    for item in page:
        if item.created_at < int(since) - 1:
            return
        yield item


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)[:500]
    return str(error)[:500]
