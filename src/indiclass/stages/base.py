"""The two kinds of stage: rules-only stages and LLM stages (rule + build_request + decide)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from indiclass.domain.enums import StageName
from indiclass.domain.models import StageResult
from indiclass.domain.ports import LLMRequest


class StageInput(BaseModel):
    """Base of every stage input: frozen, built by the pipeline from earlier results."""

    model_config = ConfigDict(frozen=True, extra="ignore")


@dataclass(frozen=True)
class RuleStage:
    """A stage that never asks an LLM (normalize, cumulative, router)."""

    name: StageName
    input_model: type[StageInput]
    run: Callable[[Any], StageResult]


@dataclass(frozen=True)
class LLMStage:
    """A stage an LLM may answer: ``rule`` is the offline answer, ``build_request``/``decide``
    are the two pure halves of asking an LLM (decide raises InvalidReply on a bad reply)."""

    name: StageName
    input_model: type[StageInput]
    result_model: type[StageResult]
    rule: Callable[[Any], StageResult]
    build_request: Callable[[Any], LLMRequest]
    decide: Callable[[Any, str], StageResult]
