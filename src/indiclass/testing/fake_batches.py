"""Batch APIs of the fake LLM server (OpenAI Batch + Files, Anthropic Message Batches): the state
machine and the store, without HTTP (routes and wire objects: :mod:`batch_openai`,
:mod:`batch_anthropic`).

Every request inside a batch is answered by :meth:`FakeLLM.answer`, the code that answers a
synchronous call: the same answers, the same fault script (taken in request order when the batch
is processed), the same prompt-cache rules, the same counters (``by_api`` ``openai-batch`` /
``anthropic-batch``). A batch run and a synchronous run therefore classify alike.

Lifecycle, from :class:`BatchSettings` as they were when the batch was created:

* created: OpenAI ``validating``, Anthropic ``in_progress``; a malformed OpenAI input file (not
  JSON, no ``custom_id``, a duplicate one, a ``url`` other than the endpoint, two models) makes
  it ``failed`` with ``errors`` once next observed.
* observed (retrieve, list, results) before ``delay_s`` has passed: ``in_progress``, in the last
  tenth of the delay ``finalizing``; at or after it, the batch is processed and ends
  (``completed``, or ``expired`` when any request expired; Anthropic ``ended``). With
  ``delay_s=0`` a batch ends on the next retrieve.
* cancel (before it was observed ended): OpenAI ``cancelling``, Anthropic ``canceling``; the next
  observation ends it (``cancelled`` / ``ended``) with the share of the requests that the elapsed
  part of the delay had processed answered, the rest canceled (OpenAI: ``batch_cancelled`` in
  the error file).
* per request: ``expire_rate`` / ``error_rate`` pick that share of the requests (exactly
  ``round(n * rate)``, seeded by ``seed``) to expire / fail with a 500; the fault kinds
  ``batch_expired`` and ``batch_error`` do the same through the fault script (optionally per
  stage; synchronous calls skip them); a 429 / 500 fault fails that request with its status.
  ``shuffle`` returns the results in a seeded random order (providers promise no order).

Usage: each result carries the tokens a synchronous call would report. Providers bill batch
tokens at half price; the server reports tokens only, pricing (and so the discount) is the
client's job.

State lives in memory, per server, until :meth:`BatchStore.reset`.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from indiclass.testing.fake_model import FakeLLM
from indiclass.testing.wire import Exchange, error_body, parse_anthropic, parse_openai

Api = Literal["openai", "anthropic"]
ResultKind = Literal["succeeded", "errored", "expired", "canceled"]
Phase = Literal[
    "validating", "failed", "in_progress", "finalizing", "cancelling", "completed", "expired",
    "cancelled",
]  # fmt: skip
ENDPOINTS: dict[Api, str] = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}
FINALIZING_SHARE = 0.1
"""The last tenth of the processing delay shows as ``finalizing``."""


@dataclass(frozen=True)
class BatchSettings:
    delay_s: float = 0.0
    """Seconds from creation until a batch ends (0: it ends on the next retrieve)."""
    error_rate: float = 0.0
    """Share of each batch's requests answered with a 500 error."""
    expire_rate: float = 0.0
    """Share of each batch's requests that expire unanswered."""
    shuffle: bool = False
    """Results (OpenAI output lines, Anthropic results) in a random order."""
    seed: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.error_rate <= 1 and 0 <= self.expire_rate <= 1 and self.delay_s >= 0):
            raise ValueError(f"rates must be within 0..1 and the delay >= 0: {self}")


@dataclass(frozen=True)
class BatchRequest:
    custom_id: str
    body: dict[str, Any]
    """The chat-completions body (OpenAI) or the messages ``params`` (Anthropic)."""


@dataclass(frozen=True)
class Result:
    custom_id: str
    kind: ResultKind
    status: int = 0
    """HTTP status of the answer: 200 when succeeded, the error's when errored, else 0."""
    body: dict[str, Any] | None = None
    """The chat.completion / message, or the API's error object."""


@dataclass
class Batch:
    id: str
    api: Api
    requests: list[BatchRequest]
    settings: BatchSettings
    created_at: float
    metadata: dict[str, str] | None = None
    input_file_id: str | None = None
    invalid: list[dict[str, Any]] = field(default_factory=list)
    """OpenAI input-file errors (``code``, ``line``, ``message``, ``param``): the batch fails."""
    observed: bool = False
    cancel_requested_at: float | None = None
    ended_at: float | None = None
    results: list[Result] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None

    @property
    def deadline(self) -> float:
        return self.created_at + self.settings.delay_s

    def phase(self, now: float) -> Phase:
        """The status an OpenAI client would see (Anthropic's is derived from it)."""
        if not self.observed:
            return "cancelling" if self.cancel_requested_at is not None else "validating"
        if self.invalid:
            return "failed"
        if self.ended_at is not None:
            return self._end_phase()
        if self.cancel_requested_at is not None:
            return "cancelling"
        finalizing = self.deadline - FINALIZING_SHARE * self.settings.delay_s
        return "finalizing" if now >= finalizing else "in_progress"

    def _end_phase(self) -> Phase:
        kinds = {r.kind for r in self.results or []}
        if self.cancel_requested_at is not None:
            return "cancelled"
        return "expired" if "expired" in kinds else "completed"

    def counts(self) -> Counter[str]:
        """Results per kind (all zero until the batch ends)."""
        return Counter(r.kind for r in self.results or [])

    @property
    def model(self) -> str | None:
        return next((str(r.body.get("model")) for r in self.requests if "model" in r.body), None)


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: float


@dataclass
class BatchCounters:
    """What ``/_admin/stats`` reports under ``batches``."""

    created: Counter[str] = field(default_factory=Counter)
    """Batches created per endpoint (``/v1/chat/completions``, ``/v1/messages``)."""
    files_uploaded: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    """Requests in each batch, by batch id."""
    cancels: int = 0
    retrieves: int = 0
    """Retrieve calls (polls) of single batches."""
    results_downloads: Counter[str] = field(default_factory=Counter)
    """Downloads of each batch's results (OpenAI output/error files, Anthropic results)."""

    def snapshot(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "files_uploaded": self.files_uploaded,
            "requests": dict(self.requests),
            "cancels": self.cancels,
            "retrieves": self.retrieves,
            "results_downloads": dict(self.results_downloads),
        }


class BatchError(Exception):
    """A batch call the provider would refuse: answered with ``status`` by the routes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class BatchStore:
    """Batches and files of one server, advanced lazily when observed (thread-safe)."""

    def __init__(
        self,
        llm: FakeLLM,
        settings: BatchSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.llm = llm
        self.settings = settings or BatchSettings()
        self.clock = clock
        self.batches: dict[str, Batch] = {}
        self.files: dict[str, StoredFile] = {}
        self.counters = BatchCounters()
        self._lock = threading.RLock()

    def reset(self, *, forget_batches: bool = True) -> None:
        with self._lock:
            self.counters = BatchCounters()
            if forget_batches:
                self.batches, self.files = {}, {}

    # ------------------------------------------------------------ files

    def add_file(self, filename: str, purpose: str, content: bytes) -> StoredFile:
        with self._lock:
            stored = StoredFile(_id("file-"), filename, purpose, content, self.clock())
            self.files[stored.id] = stored
            if purpose == "batch":
                self.counters.files_uploaded += 1
            return stored

    def file(self, file_id: str) -> StoredFile:
        with self._lock:
            if file_id not in self.files:
                raise BatchError(404, f"No such File object: {file_id}")
            return self.files[file_id]

    def delete_file(self, file_id: str) -> StoredFile:
        with self._lock:
            return self.files.pop(self.file(file_id).id)

    def download(self, file_id: str) -> bytes:
        """A file's content; counts a download of the batch whose output it is."""
        with self._lock:
            stored = self.file(file_id)
            for batch in self.batches.values():
                if file_id in (batch.output_file_id, batch.error_file_id):
                    self.counters.results_downloads[batch.id] += 1
            return stored.content

    # ------------------------------------------------------------ batches

    def create(
        self,
        api: Api,
        requests: list[BatchRequest],
        *,
        metadata: dict[str, str] | None = None,
        input_file_id: str | None = None,
        invalid: Sequence[dict[str, Any]] = (),
    ) -> Batch:
        prefix = "batch_" if api == "openai" else "msgbatch_01"
        with self._lock:
            batch = Batch(
                _id(prefix), api, requests, self.settings, self.clock(), metadata, input_file_id
            )
            batch.invalid = list(invalid)
            self.batches[batch.id] = batch
            self.counters.created[ENDPOINTS[api]] += 1
            self.counters.requests[batch.id] = len(requests)
            return batch

    def retrieve(self, api: Api, batch_id: str) -> Batch:
        with self._lock:
            self.counters.retrieves += 1
            return self.observe(self._get(api, batch_id))

    def listing(self, api: Api) -> list[Batch]:
        """This API's batches, newest first, each observed."""
        with self._lock:
            mine = [b for b in self.batches.values() if b.api == api]
            return [self.observe(b) for b in reversed(mine)]

    def cancel(self, api: Api, batch_id: str) -> Batch:
        with self._lock:
            batch = self._get(api, batch_id)
            if batch.ended_at is not None or (batch.invalid and batch.observed):
                raise BatchError(400, f"batch {batch_id} has already ended; it cannot be cancelled")
            if batch.cancel_requested_at is None:
                batch.cancel_requested_at = self.clock()
                self.counters.cancels += 1
            return batch

    def results(self, api: Api, batch_id: str) -> list[Result]:
        with self._lock:
            batch = self.observe(self._get(api, batch_id))
            if batch.results is None:
                raise BatchError(400, f"batch {batch_id} has not ended: no results yet")
            self.counters.results_downloads[batch.id] += 1
            return batch.results

    def delete(self, api: Api, batch_id: str) -> Batch:
        with self._lock:
            batch = self.observe(self._get(api, batch_id))
            if batch.ended_at is None:
                raise BatchError(400, f"batch {batch_id} is still processing; cancel it first")
            return self.batches.pop(batch_id)

    def observe(self, batch: Batch) -> Batch:
        """Advance ``batch`` to what it is now: validated, and ended once due or cancelled."""
        batch.observed = True
        if batch.ended_at is not None or batch.invalid:
            return batch
        if batch.cancel_requested_at is not None:
            return self._end(batch, _processed_share(batch))
        if self.clock() >= batch.deadline:
            return self._end(batch, 1.0)
        return batch

    def _get(self, api: Api, batch_id: str) -> Batch:
        batch = self.batches.get(batch_id)
        if batch is None or batch.api != api:
            raise BatchError(404, f"No such batch: {batch_id}")
        return batch

    # ------------------------------------------------------------ processing

    def _end(self, batch: Batch, share: float) -> Batch:
        processed = int(len(batch.requests) * share)
        fates = _fates(batch)
        results = [
            self._run(batch.api, r, fates.get(r.custom_id)) if k < processed else _canceled(r)
            for k, r in enumerate(batch.requests)
        ]
        if batch.settings.shuffle:
            random.Random(batch.settings.seed).shuffle(results)
        batch.results, batch.ended_at = results, self.clock()
        if batch.api == "openai":
            self._write_openai_files(batch)
        return batch

    def _run(self, api: Api, request: BatchRequest, fate: ResultKind | None) -> Result:
        cid = request.custom_id
        if fate == "expired":
            return Result(cid, "expired")
        if fate == "errored":
            return Result(cid, "errored", 500, error_body(api, 500, "fake batch request error"))
        problem = _invalid_params(api, request.body)
        if problem:
            return Result(cid, "errored", 400, error_body(api, 400, problem))
        ex: Exchange = (parse_openai if api == "openai" else parse_anthropic)(request.body)
        fault = self.llm.take_fault(ex.stage, batch=True)
        if fault is not None and fault.kind == "batch_expired":
            return Result(cid, "expired")
        if fault is not None and fault.kind == "batch_error":
            return Result(cid, "errored", 500, error_body(api, 500, "fake batch_error fault"))
        reply = self.llm.answer(ex, fault, batch=True)
        kind: ResultKind = "succeeded" if reply.status == 200 else "errored"
        return Result(cid, kind, reply.status, reply.body)

    def _write_openai_files(self, batch: Batch) -> None:
        ok = [r for r in batch.results or [] if r.kind == "succeeded"]
        failed = [r for r in batch.results or [] if r.kind != "succeeded"]
        for results, attr in ((ok, "output_file_id"), (failed, "error_file_id")):
            if results:
                content = "".join(json.dumps(openai_line(r)) + "\n" for r in results)
                name = f"batch_{batch.id}_{attr.removesuffix('_file_id')}.jsonl"
                stored = self.add_file(name, "batch_output", content.encode())
                setattr(batch, attr, stored.id)


def openai_line(result: Result) -> dict[str, Any]:
    """One line of an OpenAI batch output or error file."""
    line: dict[str, Any] = {"id": _id("batch_req_"), "custom_id": result.custom_id}
    if result.kind in ("succeeded", "errored"):
        response = {"status_code": result.status, "request_id": _id("req_"), "body": result.body}
        return {**line, "response": response, "error": None}
    code = "batch_expired" if result.kind == "expired" else "batch_cancelled"
    message = {
        "batch_expired": "This request could not be executed before the completion window ended.",
        "batch_cancelled": "The batch was cancelled before this request executed.",
    }[code]
    return {**line, "response": None, "error": {"code": code, "message": message}}


def _fates(batch: Batch) -> dict[str, ResultKind]:
    """The requests that ``expire_rate`` / ``error_rate`` pick: exact shares, seeded."""
    ids = [r.custom_id for r in batch.requests]
    s = batch.settings
    rng = random.Random(s.seed)
    expired = rng.sample(ids, round(len(ids) * s.expire_rate))
    rest = [i for i in ids if i not in set(expired)]
    errored = rng.sample(rest, min(len(rest), round(len(ids) * s.error_rate)))
    return {**dict.fromkeys(expired, "expired"), **dict.fromkeys(errored, "errored")}


def _processed_share(batch: Batch) -> float:
    """How much of the delay had passed when the cancel came (0 with no delay)."""
    delay = batch.settings.delay_s
    elapsed = (batch.cancel_requested_at or batch.created_at) - batch.created_at
    return min(1.0, elapsed / delay) if delay > 0 else 0.0


def _canceled(request: BatchRequest) -> Result:
    return Result(request.custom_id, "canceled")


def _invalid_params(api: Api, body: dict[str, Any]) -> str | None:
    needed = ("model", "messages", "max_tokens") if api == "anthropic" else ("model", "messages")
    missing = [k for k in needed if k not in body]
    if missing:
        return f"{missing[0]}: Field required"
    if not isinstance(body["messages"], list) or not body["messages"]:
        return "messages: at least one message is required"
    return None


def _id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]
