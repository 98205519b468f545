"""The pipeline's stages, in order. Each module reads top to bottom: input, result, rule, prompt.

normalize → time → cumulative → router → family → type → boolean-review → final-review
→ complete
"""

from indiclass.domain.enums import StageName
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

__all__ = [
    "LLM_STAGE_MAP",
    "STAGES",
    "STAGE_MAP",
    "LLMStage",
    "RuleStage",
    "StageInput",
    "complete",
]
