"""The offline rules as a provider: answers each request from its typed ``payload`` with the
stage's ``rule`` (it never reads the prompt text). No key, no network, no cost."""

from __future__ import annotations

import time

from indiclass.domain.errors import ProviderError
from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.domain.usage import Usage
from indiclass.rules import RULES_MODEL
from indiclass.stages import LLM_STAGE_MAP


class RulesProvider:
    name = "rules"

    def __init__(self, model: str = RULES_MODEL) -> None:
        self.model = model

    def complete(self, request: LLMRequest) -> LLMReply:
        stage = LLM_STAGE_MAP.get(request.stage)
        if stage is None or request.payload is None:
            raise ProviderError(f"the rules cannot answer stage {request.stage} without its input")
        started = time.perf_counter()
        result = stage.rule(request.payload)
        return LLMReply(
            content=result.model_dump_json(),
            provider=self.name,
            model=self.model,
            usage=Usage(),
            duration_ms=(time.perf_counter() - started) * 1000,
        )
