"""The pipeline: sequences the stages, asks providers, validates replies, sums usage.

``classify`` runs one indicator start to finish in memory. The durable engine drives the same
code one stage at a time through ``run_stage`` / ``advance`` / ``finish`` so that every stage can
be a separately persisted, resumable step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from indiclass.domain.enums import AnswerSource, StageName, Strategy
from indiclass.domain.errors import InvalidReply, ProviderError, ProviderUnavailable
from indiclass.domain.models import (
    BooleanReviewResult,
    Classification,
    CumulativeResult,
    FamilyResult,
    FinalReviewResult,
    Indicator,
    NormalizationResult,
    RouteResult,
    StageRecord,
    StageResult,
    TimeResult,
    TypeResult,
)
from indiclass.domain.ports import LLMReply, LLMRequest, Provider
from indiclass.domain.usage import Usage
from indiclass.rules import RULES_MODEL
from indiclass.stages import (
    STAGE_MAP,
    STAGES,
    LLMStage,
    RuleStage,
    StageInput,
    complete,
    rules_reply,
)
from indiclass.stages.final_review import FinalReviewInput, passed_without_review

STATE_FIELD: dict[StageName, str] = {
    StageName.NORMALIZE: "normalization",
    StageName.TIME: "time",
    StageName.CUMULATIVE: "cumulative",
    StageName.ROUTER: "route",
    StageName.FAMILY: "family",
    StageName.TYPE: "type",
    StageName.BOOLEAN_REVIEW: "boolean_review",
    StageName.FINAL_REVIEW: "final_review",
}
"""Which PipelineState field holds each stage's result."""

STAGE_ORDER: tuple[StageName, ...] = tuple(s.name for s in STAGES)


class PipelineState(BaseModel):
    """Everything decided so far for one indicator; serialisable (a durable step returns it)."""

    model_config = ConfigDict(frozen=True)

    indicator: Indicator
    normalization: NormalizationResult | None = None
    time: TimeResult | None = None
    cumulative: CumulativeResult | None = None
    route: RouteResult | None = None
    family: FamilyResult | None = None
    type: TypeResult | None = None
    boolean_review: BooleanReviewResult | None = None
    final_review: FinalReviewResult | None = None
    records: dict[str, StageRecord] = {}
    usage: Usage = Usage()

    def next_stage(self) -> StageName | None:
        """The first stage without a result, or None when only ``complete`` remains."""
        for name in STAGE_ORDER:
            if getattr(self, STATE_FIELD[name]) is None:
                return name
        return None


class _Offline:
    """The rules, seen as a provider (the pipeline short-cuts it: stages call ``stage.rule``)."""

    name = "rules"
    model = RULES_MODEL

    def complete(self, request: LLMRequest) -> LLMReply:
        return rules_reply(request, self.model)


OFFLINE: Provider = _Offline()
"""The embedded default provider: no key, no network."""


class ProviderSet:
    """The provider for each stage: one default plus per-stage overrides."""

    def __init__(self, default: Provider, overrides: Mapping[StageName, Provider] | None = None):
        self.default = default
        self.overrides = dict(overrides or {})

    def for_stage(self, stage: StageName) -> Provider:
        return self.overrides.get(stage, self.default)


@dataclass(frozen=True)
class PipelineConfig:
    strategy: Strategy = Strategy.RULES
    hybrid_threshold: float = 0.75
    """Hybrid: a rules answer at or above this confidence is kept without asking the LLM."""
    max_reasks: int = 2
    """Re-asks after an invalid reply before falling back to the rules answer."""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StageOutcome:
    stage: StageName
    result: StageResult
    record: StageRecord
    usage: Usage


@dataclass(frozen=True)
class ClassificationRun:
    classification: Classification
    state: PipelineState


def run_stage(
    name: StageName, state: PipelineState, providers: ProviderSet, config: PipelineConfig
) -> StageOutcome:
    """Run one stage on ``state``; pure apart from the provider call."""
    return _run(name, state.__dict__, providers, config)


def _run(
    name: StageName, values: Mapping[str, Any], providers: ProviderSet, config: PipelineConfig
) -> StageOutcome:
    stage = STAGE_MAP[name]
    inp = _input_for(stage, values)
    if isinstance(stage, RuleStage):
        return StageOutcome(name, stage.run(inp), _rules_record(name), _ZERO)
    review = values.get("boolean_review")
    if name is StageName.FINAL_REVIEW and review is not None and review.passed:
        assert isinstance(inp, FinalReviewInput)
        return StageOutcome(name, passed_without_review(inp), _SKIPPED, _ZERO)
    return _run_llm_stage(stage, inp, providers.for_stage(name), config)


def advance(state: PipelineState, outcome: StageOutcome) -> PipelineState:
    """The state with ``outcome`` recorded."""
    records = {**state.records, outcome.stage.value: outcome.record}
    return state.model_copy(
        update={
            STATE_FIELD[outcome.stage]: outcome.result,
            "records": records,
            "usage": state.usage + outcome.usage,
        }
    )


def finish(state: PipelineState, provider: str, model: str) -> Classification:
    """The complete stage: corrections applied, overall confidence, review status."""
    values = {f: getattr(state, f) for f in STATE_FIELD.values() if f != "route"}
    data = {"indicator": state.indicator, **values, "provider": provider, "model": model}
    if any(v is None for v in data.values()):
        return complete.run(complete.CompleteInput(**data))  # names the missing stage
    return complete.run(_construct(complete.CompleteInput, data))


def classify(
    indicator: Indicator,
    provider: Provider | ProviderSet | None = None,
    config: PipelineConfig | None = None,
    on_stage: Callable[[StageOutcome], None] | None = None,
) -> ClassificationRun:
    """Classify one indicator through every stage, in memory."""
    providers = _provider_set(provider)
    config = config or PipelineConfig(
        strategy=Strategy.RULES if providers.default.name == "rules" else Strategy.LLM
    )
    values: dict[str, Any] = {"indicator": indicator}
    records: dict[str, StageRecord] = {}
    usage = _ZERO
    for name in STAGE_ORDER:
        outcome = _run(name, values, providers, config)
        values[STATE_FIELD[name]] = outcome.result
        records[name.value] = outcome.record
        if outcome.usage is not _ZERO:
            usage = usage + outcome.usage
        if on_stage:
            on_stage(outcome)
    state = PipelineState.model_construct(**values, records=records, usage=usage)
    label = _label(providers.default, config)
    return ClassificationRun(finish(state, *label), state)


# ---------------------------------------------------------------- internals


def _input_for(
    stage: RuleStage | LLMStage, values: PipelineState | Mapping[str, Any]
) -> StageInput:
    """The stage's input from results already validated (built without re-validating)."""
    if isinstance(values, PipelineState):
        values = values.__dict__
    return _construct(stage.input_model, {name: values[name] for name in _INPUT_FIELDS[stage.name]})


def _construct(model: type[_I], data: dict[str, Any]) -> _I:
    """An instance from already-validated parts, without re-validating them."""
    inp = model.__new__(model)
    object.__setattr__(inp, "__dict__", data)
    object.__setattr__(inp, "__pydantic_fields_set__", set(data))
    object.__setattr__(inp, "__pydantic_extra__", None)
    object.__setattr__(inp, "__pydantic_private__", None)
    return inp


_I = TypeVar("_I", bound=BaseModel)


_INPUT_FIELDS: dict[StageName, tuple[str, ...]] = {
    s.name: tuple(s.input_model.model_fields) for s in STAGES
}
_ZERO = Usage()
_RULES_RECORDS: dict[StageName, StageRecord] = {
    n: StageRecord(stage=n, source=AnswerSource.RULES, provider="rules", model=RULES_MODEL)
    for n in StageName
}
_SKIPPED = StageRecord(
    stage=StageName.FINAL_REVIEW, source=AnswerSource.SKIPPED, provider="rules", model=RULES_MODEL
)


def _run_llm_stage(
    stage: LLMStage, inp: StageInput, provider: Provider, config: PipelineConfig
) -> StageOutcome:
    if config.strategy is Strategy.RULES or provider.name == "rules":
        return StageOutcome(stage.name, stage.rule(inp), _rules_record(stage.name), _ZERO)
    if config.strategy is Strategy.HYBRID:
        # The final review only runs when the review flagged something: hybrid always asks then.
        ruled = stage.rule(inp)
        sure = ruled.confidence >= config.hybrid_threshold
        if sure and stage.name is not StageName.FINAL_REVIEW:
            return StageOutcome(stage.name, ruled, _rules_record(stage.name), _ZERO)
    return ask_llm(stage, inp, provider, config)


def ask_llm(
    stage: LLMStage, inp: StageInput, provider: Provider, config: PipelineConfig
) -> StageOutcome:
    """Ask, validate, re-ask with the validation error (bounded), else fall back to the rules."""
    request = _tagged(stage.build_request(inp), config)
    usage, attempts, error = Usage(), 0, ""
    for _ in range(1 + config.max_reasks):
        try:
            reply = provider.complete(request)
        except ProviderUnavailable:
            raise
        except ProviderError as exc:
            error = f"{type(exc).__name__}: {exc}"
            break
        attempts += 1
        usage = usage + reply.usage
        try:
            result = stage.decide(inp, reply.content)
        except InvalidReply as exc:
            error = f"invalid reply: {exc}"
            request = request.with_feedback(reply.content, str(exc))
            continue
        record = StageRecord(
            stage=stage.name,
            source=AnswerSource.LLM,
            provider=reply.provider,
            model=reply.model,
            attempts=attempts,
        )
        return StageOutcome(stage.name, result, record, usage)
    record = StageRecord(
        stage=stage.name,
        source=AnswerSource.RULES_FALLBACK,
        provider=provider.name,
        model=provider.model,
        attempts=attempts,
        error=error[:1000],
    )
    return StageOutcome(stage.name, stage.rule(inp), record, usage)


def _tagged(request: LLMRequest, config: PipelineConfig) -> LLMRequest:
    if not config.tags:
        return request
    return request.model_copy(update={"tags": {**request.tags, **config.tags}})


def _rules_record(name: StageName) -> StageRecord:
    return _RULES_RECORDS[name]


def _provider_set(provider: Provider | ProviderSet | None) -> ProviderSet:
    if isinstance(provider, ProviderSet):
        return provider
    return ProviderSet(provider or OFFLINE)


def _label(provider: Provider, config: PipelineConfig) -> tuple[str, str]:
    if config.strategy is Strategy.RULES:
        return "rules", RULES_MODEL
    return provider.name, provider.model
