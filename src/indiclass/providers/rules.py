"""The offline rules as a provider: answers each request from its typed ``payload`` with the
stage's ``rule`` (it never reads the prompt text). No key, no network, no cost."""

from __future__ import annotations

from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.rules import RULES_MODEL
from indiclass.stages import rules_reply


class RulesProvider:
    name = "rules"

    def __init__(self, model: str = RULES_MODEL) -> None:
        self.model = model

    async def complete(self, request: LLMRequest) -> LLMReply:
        return rules_reply(request, self.model)
