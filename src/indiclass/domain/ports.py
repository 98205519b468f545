"""Ports: what the core needs from the outside (LLM providers, call logs), as small protocols.

Adapters in ``indiclass.providers`` and ``indiclass.storage`` implement them; only
``indiclass.bootstrap`` knows the concrete classes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from indiclass.domain.usage import Usage


class ChatTurn(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["assistant", "user"]
    content: str


class LLMRequest(BaseModel):
    """One structured question to an LLM for one stage.

    ``system`` is identical bytes for every indicator of a stage (provider prefix caching);
    ``user`` carries the indicator. ``payload`` is the stage's typed input, which the ``rules``
    provider answers from directly (it never parses prompt text). ``history`` holds re-ask turns
    (the invalid reply and the validation error). ``tags`` (indicator, batch) are for logging
    and are not part of the cache key.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    stage: str
    """The stage's name (``StageName`` values for the built-in stages)."""
    system: str
    user: str
    schema_name: str
    json_schema: dict[str, Any]
    payload: Any = Field(default=None, exclude=True)
    history: tuple[ChatTurn, ...] = ()
    max_output_tokens: int = 400
    temperature: float = 0.0
    tags: dict[str, str] = Field(default_factory=dict)

    def cache_key(self, provider: str, model: str) -> str:
        """Hash of everything that determines the answer: provider, model, prompts, schema."""
        blob = json.dumps(
            [
                provider,
                model,
                self.system,
                self.user,
                self.json_schema,
                [t.model_dump() for t in self.history],
                self.temperature,
            ],
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def logged_user(self) -> str:
        """The user prompt followed by any re-ask turns, as ``llm_calls`` stores it."""
        turns = [f"[{t.role}] {t.content}" for t in self.history]
        return "\n\n".join([self.user, *turns])

    def with_feedback(self, bad_reply: str, error: str) -> LLMRequest:
        """The same request plus a re-ask turn naming what was wrong with ``bad_reply``."""
        turns = (
            ChatTurn(role="assistant", content=bad_reply[:4000]),
            ChatTurn(
                role="user",
                content=f"That reply was invalid: {error[:1500]}\n"
                "Answer again with JSON that matches the schema exactly.",
            ),
        )
        return self.model_copy(update={"history": self.history + turns})


class LLMReply(BaseModel):
    """A provider's answer: the JSON text, who answered, what it cost."""

    model_config = ConfigDict(frozen=True)

    content: str
    provider: str
    model: str
    usage: Usage = Field(default_factory=Usage)
    duration_ms: float = 0.0
    cache_hit: bool = False
    """True when served from the response cache (usage is then zero)."""


@runtime_checkable
class Provider(Protocol):
    """Anything that answers an LLMRequest: an SDK adapter, a wrapper, or the rules."""

    name: str
    model: str

    async def complete(self, request: LLMRequest) -> LLMReply: ...


class CallRecord(BaseModel):
    """One LLM exchange, as logged (the ``llm_calls`` row)."""

    model_config = ConfigDict(frozen=True)

    stage: str
    provider: str
    model: str
    system: str
    user: str
    response: str | None
    usage: Usage
    duration_ms: float
    cache_hit: bool = False
    error: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


CallSink = Callable[[CallRecord], None]
"""Receives every LLM exchange (success or failure); storage persists them as ``llm_calls``."""


# ---------------------------------------------------------------- provider batch APIs

BatchResultKind = Literal["succeeded", "errored", "expired", "canceled", "missing"]
"""What became of one request of a provider batch (``missing``: the results did not name it)."""


class BatchLine(BaseModel):
    """One request of a provider batch: its ``custom_id`` and the body the API takes."""

    model_config = ConfigDict(frozen=True)

    custom_id: str
    body: dict[str, Any]


class WaveRef(BaseModel):
    """What a provider batch is made for, as recorded before it is created: enough for a
    restart to recognise the batch (or the uploaded file) made for it."""

    model_config = ConfigDict(frozen=True)

    key: str
    """Short, safe (``[a-zA-Z0-9_-]``) and unique per (batch, wave, part): OpenAI metadata
    ``indiclass_wave``, the input file's name, the prefix of every ``custom_id``."""
    requests: int
    first_custom_id: str
    since: float
    """Epoch seconds: nothing made for this wave is older (the clock skew already taken off)."""


class BatchState(BaseModel):
    """A provider batch as polled."""

    model_config = ConfigDict(frozen=True)

    id: str
    status: str
    """The provider's own word (``in_progress``, ``finalizing``, ``ended``, ``completed`` ...)."""
    ended: bool
    """No request will change any more: results (if any) can be fetched."""
    counts: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    """Why the whole batch failed (OpenAI input validation), if it did."""


class BatchResult(BaseModel):
    """The outcome of one request, mapped back by its ``custom_id``."""

    model_config = ConfigDict(frozen=True)

    custom_id: str
    kind: BatchResultKind
    reply: LLMReply | None = None
    """The answer (priced at the batch price) when ``kind`` is ``succeeded``."""
    error: str | None = None


@runtime_checkable
class BatchAPI(Protocol):
    """A vendor's batch interface for one (provider, model): OpenAI Files + Batch, Anthropic
    Message Batches. Synchronous (it runs inside durable steps); errors are ``ProviderError``s.

    Every call that creates something has a ``find_*`` twin, so that a restart after a crash
    between the call and its recording finds what was made instead of making it again."""

    name: str
    model: str

    def body(self, request: LLMRequest) -> dict[str, Any]:
        """The request as one line of a batch (the synchronous call's parameters)."""

    def estimate_cost(self, request: LLMRequest) -> float | None:
        """Input tokens plus the most output it may use, at the batch price (None: no price)."""

    def upload(self, wave: WaveRef, lines: Sequence[BatchLine]) -> str | None:
        """Upload the requests when the API takes them as a file (its id), else None."""

    def find_upload(self, wave: WaveRef) -> str | None:
        """The file uploaded for ``wave`` before, if any."""

    def create(self, wave: WaveRef, lines: Sequence[BatchLine], upload: str | None) -> str:
        """Create the provider batch; returns its id."""

    def find(self, wave: WaveRef, claimed: Collection[str]) -> list[str]:
        """Ids of provider batches created for ``wave`` (oldest first), none of ``claimed``."""

    def poll(self, batch_id: str) -> BatchState: ...

    def results(self, batch_id: str) -> list[BatchResult]:
        """Every result of an ended batch (in no particular order)."""

    def cancel(self, batch_id: str) -> None:
        """Ask the provider to stop the batch (a batch that has ended is left as it is)."""


@runtime_checkable
class BatchCapable(Protocol):
    """A provider that can also answer through its vendor's batch API (``batch``)."""

    name: str
    model: str
    batch: BatchAPI

    async def complete(self, request: LLMRequest) -> LLMReply: ...
