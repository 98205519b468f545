"""The pipeline, declared once. Each module reads top to bottom: input, result, rule, prompt.

normalize → time → cumulative → router → family → type → boolean-review → final-review
→ complete

``STAGES`` is the only list of stages: the pipeline state, the per-stage settings
(``LLM_PROVIDER_<STAGE>`` / ``LLM_MODEL_<STAGE>``), the stage tables and their rows, the
classification's per-stage fields, the engine's steps and the fake server's answers are all
derived from it (through :class:`StageSet`, which a test may build from its own tuple).
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterator, Sequence
from functools import cached_property

from indiclass.domain.errors import ConfigError, ProviderError
from indiclass.domain.models import classification_fields
from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.stages import (
    boolean_review,
    cumulative,
    family,
    final_review,
    normalize,
    router,
    time,
)
from indiclass.stages import type as type_
from indiclass.stages.base import Stage, StageInput, llm_stage, rule_stage

STAGES: tuple[Stage, ...] = (
    normalize.STAGE,
    time.STAGE,
    cumulative.STAGE,
    router.STAGE,
    family.STAGE,
    type_.STAGE,
    boolean_review.STAGE,
    final_review.STAGE,
)
"""Every stage before ``complete``, in pipeline order."""


class StageSet:
    """An ordered tuple of stages and what is derived from it."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = tuple(stages)
        self._check()

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.stages)

    def __len__(self) -> int:
        return len(self.stages)

    @cached_property
    def by_name(self) -> dict[str, Stage]:
        return {str(s.name): s for s in self.stages}

    @cached_property
    def by_key(self) -> dict[str, Stage]:
        return {s.key: s for s in self.stages}

    @cached_property
    def llm(self) -> tuple[Stage, ...]:
        """The stages that may ask an LLM."""
        return tuple(s for s in self.stages if s.asks_llm)

    @cached_property
    def summarised(self) -> tuple[str, ...]:
        """Keys of the stages whose confidence and reasoning the classification carries."""
        return tuple(s.key for s in self.stages if s.summarised)

    @cached_property
    def classification_fields(self) -> tuple[str, ...]:
        """Every flat field of the classification JSON and row, in column order."""
        return classification_fields(self.summarised)

    @cached_property
    def tables(self) -> dict[str, str]:
        """Stage name → its results table."""
        return {str(s.name): s.table for s in self.stages if s.table}

    def get(self, name: str) -> Stage:
        stage = self.by_name.get(str(name))
        if stage is None:
            raise ConfigError(f"unknown stage {name!r}; stages: {', '.join(self.by_name)}")
        return stage

    def _check(self) -> None:
        seen = {"indicator"}
        for stage in self.stages:
            missing = [k for k in stage.inputs if k not in seen]
            if missing:
                raise ConfigError(f"stage {stage.name} reads {missing} before they are decided")
            seen.add(stage.key)


DEFAULT_STAGES = StageSet(STAGES)


def rules_reply(request: LLMRequest, model: str, stages: StageSet = DEFAULT_STAGES) -> LLMReply:
    """Answer ``request`` with its stage's rule, from the typed payload (never the prompt text)."""
    stage = stages.by_name.get(str(request.stage))
    if stage is None or request.payload is None:
        raise ProviderError(f"the rules cannot answer stage {request.stage} without its input")
    started = _time.perf_counter()
    content = stage.rule(request.payload).model_dump_json(exclude={"field_confidence"})
    elapsed = (_time.perf_counter() - started) * 1000
    return LLMReply(content=content, provider="rules", model=model, duration_ms=elapsed)


class RulesProvider:
    """The offline rules as a provider: answers each request from its typed ``payload`` with
    the stage's ``rule`` (it never reads the prompt text). No key, no network, no cost. The
    pipeline short-cuts it (a stage whose provider is the rules calls ``rule`` directly)."""

    name = "rules"

    def __init__(self, model: str | None = None, stages: StageSet = DEFAULT_STAGES) -> None:
        from indiclass.rules import RULES_MODEL

        self.model = model or RULES_MODEL
        self.stages = stages

    async def complete(self, request: LLMRequest) -> LLMReply:
        return rules_reply(request, self.model, self.stages)


__all__ = [
    "DEFAULT_STAGES",
    "STAGES",
    "RulesProvider",
    "Stage",
    "StageInput",
    "StageSet",
    "llm_stage",
    "rule_stage",
    "rules_reply",
]
