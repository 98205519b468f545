"""A stage, declared once: everything else about it (pipeline state, settings, table, result
columns, engine behaviour, the fake server's answers) is derived from this declaration.

A stage is a pure function of earlier results. A rules-only stage has just ``rule``; a stage an
LLM may answer adds the two pure halves of asking one: ``build_request(input) -> LLMRequest``
and ``decide(input, reply_text) -> result`` (``decide`` raises ``InvalidReply``, which drives a
bounded re-ask). ``rule`` is always the offline answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from indiclass.domain.models import StageResult
from indiclass.domain.ports import LLMRequest


class StageInput(BaseModel):
    """Base of every stage input: frozen, built by the pipeline from earlier results. Its field
    names are the state keys it reads (``indicator`` plus earlier stages' ``key``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


@dataclass(frozen=True, eq=False)
class Stage:
    """One step of the pipeline."""

    name: str
    """The name in tables, logs, settings (``LLM_PROVIDER_<NAME>``) and prompts' schema names."""
    key: str
    """Where its result lives in the pipeline state; the prefix of the classification's
    ``<key>_confidence`` / ``<key>_reasoning`` fields."""
    input_model: type[StageInput]
    result_model: type[StageResult]
    rule: Callable[[Any], StageResult]
    build_request: Callable[[Any], LLMRequest] | None = None
    """None: a rules-only stage (never asks an LLM)."""
    decide: Callable[[Any, str], StageResult] | None = None
    shortcut: Callable[[Any], StageResult | None] | None = None
    """An answer that needs nobody (e.g. the final review when the boolean review passed):
    recorded as ``skipped`` and never sent to an LLM."""
    table: str | None = None
    """Its results table (the seed's names); None: results live only in the processing log."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """Result field → column name, where the table's column is named otherwise."""
    summarised: bool = True
    """The classification carries this stage's confidence and reasoning."""
    hybrid_always_asks: bool = False
    """``hybrid`` asks the LLM whenever the stage runs, whatever the rules' confidence."""
    prompt: str = ""
    """The static system prompt of an LLM stage (identical bytes for every indicator)."""

    @property
    def asks_llm(self) -> bool:
        return self.build_request is not None

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(self.input_model.model_fields)

    @property
    def env_key(self) -> str:
        """``BOOLEAN_REVIEW`` for ``boolean-review`` (``LLM_PROVIDER_<env_key>``)."""
        return str(self.name).replace("-", "_").upper()


def rule_stage(
    name: str,
    key: str,
    input_model: type[StageInput],
    result_model: type[StageResult],
    run: Callable[[Any], StageResult],
    **extra: Any,
) -> Stage:
    """A stage that never asks an LLM."""
    return Stage(name, key, input_model, result_model, run, **extra)


def llm_stage(
    name: str,
    key: str,
    input_model: type[StageInput],
    result_model: type[StageResult],
    rule: Callable[[Any], StageResult],
    build_request: Callable[[Any], LLMRequest],
    decide: Callable[[Any, str], StageResult],
    **extra: Any,
) -> Stage:
    """A stage an LLM may answer (``rule`` stays its offline answer)."""
    return Stage(name, key, input_model, result_model, rule, build_request, decide, **extra)
