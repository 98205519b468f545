"""The pipeline's stages, in order. Each module reads top to bottom: input, result, rule, prompt.

normalize → time → cumulative → router → family → type → boolean-review → final-review
→ complete
"""

import time as _time

from indiclass.domain.enums import StageName
from indiclass.domain.errors import ProviderError
from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.stages import (
    boolean_review,
    complete,
    cumulative,
    family,
    final_review,
    normalize,
    router,
    time,
)
from indiclass.stages import type as type_
from indiclass.stages.base import LLMStage, RuleStage, StageInput

STAGES: tuple[RuleStage | LLMStage, ...] = (
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

LLM_STAGE_MAP: dict[StageName, LLMStage] = {s.name: s for s in STAGES if isinstance(s, LLMStage)}
STAGE_MAP: dict[StageName, RuleStage | LLMStage] = {s.name: s for s in STAGES}


def rules_reply(request: LLMRequest, model: str) -> LLMReply:
    """Answer ``request`` with its stage's rule, from the typed payload (never the prompt text)."""
    stage = LLM_STAGE_MAP.get(request.stage)
    if stage is None or request.payload is None:
        raise ProviderError(f"the rules cannot answer stage {request.stage} without its input")
    started = _time.perf_counter()
    content = stage.rule(request.payload).model_dump_json()
    elapsed = (_time.perf_counter() - started) * 1000
    return LLMReply(content=content, provider="rules", model=model, duration_ms=elapsed)


__all__ = [
    "LLM_STAGE_MAP",
    "STAGES",
    "STAGE_MAP",
    "LLMStage",
    "RuleStage",
    "StageInput",
    "complete",
    "rules_reply",
]
