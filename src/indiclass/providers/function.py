"""An in-process provider whose answers come from a Python function: for tests, notebooks and
experiments (pydantic-ai's ``FunctionModel``). No network, no SDK.

    FunctionProvider()                                     # answers like the offline rules
    FunctionProvider(lambda req: '{"family": ...}')        # scripted text
    FunctionProvider(my_async_fn, name="mine", model="v2") # sync or async, may raise

The function receives the :class:`~indiclass.domain.ports.LLMRequest` and returns the reply text,
a dict (sent as JSON), or a whole :class:`LLMReply`; it may raise any ``ProviderError`` to play a
failing provider. Every call is counted per (indicator, stage) in ``calls``.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.domain.usage import Usage
from indiclass.providers._wire import estimate_tokens
from indiclass.stages import rules_reply

Reply = str | dict[str, Any] | LLMReply
ReplyFunction = Callable[[LLMRequest], Any]


def rules_answer(request: LLMRequest) -> Reply:
    """The offline rules' answer to ``request`` (the default function)."""
    return rules_reply(request, "function-rules").content


class FunctionProvider:
    def __init__(
        self,
        function: ReplyFunction = rules_answer,
        *,
        name: str = "function",
        model: str = "function-1",
        usage: Callable[[LLMRequest, str], Usage] | None = None,
    ) -> None:
        self.function = function
        self.name = name
        self.model = model
        self._usage = usage or estimated_usage
        self.calls: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    async def complete(self, request: LLMRequest) -> LLMReply:
        with self._lock:
            self.calls[(request.tags.get("indicator_id", "?"), str(request.stage))] += 1
        value = self.function(request)
        if inspect.isawaitable(value):
            value = await value
        return self._reply(request, value)

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def _reply(self, request: LLMRequest, value: Reply) -> LLMReply:
        if isinstance(value, LLMReply):
            return value.model_copy(update={"provider": self.name, "model": self.model})
        content = value if isinstance(value, str) else json.dumps(value)
        return LLMReply(
            content=content,
            provider=self.name,
            model=self.model,
            usage=self._usage(request, content),
        )


def estimated_usage(request: LLMRequest, content: str) -> Usage:
    """Tokens as the fake server counts them (characters / 4); no price."""
    prompt = request.system + request.user + "".join(t.content for t in request.history)
    return Usage(
        requests=1,
        input_tokens=estimate_tokens(prompt),
        output_tokens=estimate_tokens(content),
        cost_usd=None,
    )
