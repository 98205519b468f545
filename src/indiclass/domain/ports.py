"""Ports: what the core needs from the outside (LLM providers, call logs), as small protocols.

Adapters in ``indiclass.providers`` and ``indiclass.storage`` implement them; only
``indiclass.bootstrap`` knows the concrete classes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
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
