"""The pipeline: sequences the stages, decides who answers each one, validates replies, sums
usage — without doing any I/O itself.

:func:`steps` is a generator: it runs the rule stages and yields an :class:`Ask` whenever a stage
needs an LLM; whoever drives it sends back an :class:`Answer` (a reply, or the provider's
error). The drivers are small and do the I/O their own way:

    classify(indicator, provider)            synchronous, one indicator (CLI, tests, eval)
    await aclassify(indicator, providers)    asynchronous, many in flight on one loop
    the engine's chunk runner                replays replies already paid for, logs each call
    the provider-batch runner                collects the asks of many indicators into one
                                             provider batch, sends the replies back later

Because the pipeline is deterministic given the same replies, a driver that re-sends the
replies it logged rebuilds exactly the same state: that is how a durable step recovers after a
crash without asking the LLM twice.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

from indiclass.domain import aio
from indiclass.domain.enums import AnswerSource, Strategy
from indiclass.domain.errors import (
    IndiclassError,
    InvalidReply,
    ProviderError,
    ProviderUnavailable,
    StageFailed,
)
from indiclass.domain.history import prompt_hash, request_hash
from indiclass.domain.models import (
    Classification,
    Indicator,
    StageOutcome,
    StageRecord,
    StageResult,
    trusted,
)
from indiclass.domain.ports import LLMReply, LLMRequest, Provider
from indiclass.domain.run import RunConfig
from indiclass.domain.usage import Usage
from indiclass.rules import RULES_MODEL
from indiclass.rules.version import RULES_VERSION
from indiclass.stages import DEFAULT_STAGES, RulesProvider, Stage, StageInput, StageSet
from indiclass.stages.complete import Assembly, assemble

RULES_FALLBACK = AnswerSource.RULES_FALLBACK.value


@dataclass(frozen=True)
class Ask:
    """A stage needs an LLM's answer to ``request`` (``attempt`` 2+ are re-asks)."""

    stage: str
    request: LLMRequest
    attempt: int = 1


@dataclass(frozen=True)
class Answer:
    """What the driver sends back for an Ask: the reply, or the error that stopped it."""

    reply: LLMReply | None = None
    error: ProviderError | None = None


@dataclass(frozen=True)
class PipelineConfig:
    strategy: Strategy = Strategy.RULES
    min_confidence: float = 0.75
    """Hybrid: a rules answer at or above this confidence is kept without asking the LLM; any
    field below it marks the classification ``needs_review``."""
    max_reasks: int = 2
    """Re-asks after an invalid reply before falling back to the rules answer."""
    rules_stages: frozenset[str] = frozenset()
    """Stages whose provider is the offline rules (never asked)."""
    label: tuple[str, str] = ("rules", RULES_MODEL)
    """(provider, model) written on the classification when an LLM answered."""
    stages: StageSet = DEFAULT_STAGES
    tags: dict[str, str] = field(default_factory=dict)
    """Added to every request's tags (indicator, batch: for logging)."""
    examples: Any = None
    """Few-shot examples (``stages.fewshot.Examples``): ``for_stage(indicator, stage_key)``
    returns text appended to the user message, or None."""

    @classmethod
    def for_run(
        cls,
        run: RunConfig,
        providers: ProviderSet,
        stages: StageSet = DEFAULT_STAGES,
        tags: dict[str, str] | None = None,
        examples: Any = None,
    ) -> PipelineConfig:
        """What the pipeline needs of a run's configuration."""
        return cls(
            strategy=run.strategy,
            min_confidence=run.min_confidence,
            max_reasks=run.max_reasks,
            rules_stages=providers.rules_stages(stages),
            label=(run.provider.name, run.provider.model),
            stages=stages,
            tags=tags or {},
            examples=examples,
        )

    def asks(self, stage: Stage) -> bool:
        """Whether this configuration may send ``stage`` to an LLM at all."""
        return (
            stage.asks_llm
            and self.strategy is not Strategy.RULES
            and str(stage.name) not in self.rules_stages
        )


@dataclass(frozen=True)
class PipelineRun:
    """One indicator's way through the pipeline."""

    classification: Classification
    results: dict[str, StageResult]
    outcomes: tuple[StageOutcome, ...]
    usage: Usage

    @property
    def records(self) -> dict[str, StageRecord]:
        return {o.stage: o.record for o in self.outcomes}

    @property
    def fallbacks(self) -> tuple[str, ...]:
        return tuple(o.stage for o in self.outcomes if o.record.source.value == RULES_FALLBACK)


Steps = Generator[Ask, Answer, PipelineRun]


def steps(indicator: Indicator, config: PipelineConfig | None = None) -> Steps:
    """Every stage in order, then the classification; yields an Ask wherever an LLM answers."""
    config = config or PipelineConfig()
    state: dict[str, Any] = {"indicator": indicator}
    outcomes: list[StageOutcome] = []
    usage = _ZERO
    for stage in config.stages:
        started, t0 = time.time(), time.perf_counter()
        inp = _input(stage, state)
        try:
            result, record, used = yield from _decide(stage, inp, config)
        except ProviderUnavailable as exc:
            exc.stage = str(stage.name)  # type: ignore[attr-defined]
            raise
        except IndiclassError:
            raise
        except Exception as exc:
            raise StageFailed(str(stage.name), f"{type(exc).__name__}: {exc}") from exc
        elapsed = (time.perf_counter() - t0) * 1000
        state[stage.key] = result
        outcomes.append(
            StageOutcome.model_construct(
                stage=str(stage.name),
                result=result,
                record=record,
                usage=used,
                started_at=started,
                duration_ms=elapsed,
            )
        )
        if used is not _ZERO:
            usage = usage + used
    results = {k: v for k, v in state.items() if k != "indicator"}
    classification = assemble(indicator, results, _assembly(config, outcomes))
    return PipelineRun(classification, results, tuple(outcomes), usage)


# ---------------------------------------------------------------- drivers


class ProviderSet:
    """The provider for each stage: one default plus per-stage overrides."""

    def __init__(self, default: Provider, overrides: Mapping[str, Provider] | None = None):
        self.default = default
        self.overrides = {str(k): v for k, v in (overrides or {}).items()}

    def for_stage(self, stage: str) -> Provider:
        return self.overrides.get(str(stage), self.default)

    def rules_stages(self, stages: StageSet = DEFAULT_STAGES) -> frozenset[str]:
        return frozenset(
            str(s.name) for s in stages.llm if self.for_stage(str(s.name)).name == "rules"
        )


def classify(
    indicator: Indicator,
    provider: Provider | ProviderSet | None = None,
    config: PipelineConfig | None = None,
) -> PipelineRun:
    """Classify one indicator, synchronously (LLM calls run on the process's I/O loop)."""
    providers = provider_set(provider)
    config = config or default_config(providers)
    gen = steps(indicator, config)
    try:
        ask = next(gen)
        while True:
            ask = gen.send(aio.run_sync(ask_provider(providers.for_stage(ask.stage), ask)))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def aclassify(
    indicator: Indicator,
    providers: ProviderSet,
    config: PipelineConfig,
    answer: Callable[[Ask], Awaitable[Answer]] | None = None,
) -> PipelineRun:
    """Classify one indicator on the running loop; ``answer`` replaces the provider call (the
    engine's replay-and-log driver)."""
    gen = steps(indicator, config)
    ask_fn = answer or (lambda a: ask_provider(providers.for_stage(a.stage), a))
    try:
        ask = next(gen)
        while True:
            ask = gen.send(await ask_fn(ask))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def ask_provider(provider: Provider, ask: Ask) -> Answer:
    """One provider call as an Answer: provider errors are answers, not exceptions."""
    try:
        return Answer(reply=await provider.complete(ask.request))
    except ProviderError as exc:
        return Answer(error=exc)


def provider_set(provider: Provider | ProviderSet | None) -> ProviderSet:
    if isinstance(provider, ProviderSet):
        return provider
    return ProviderSet(provider or OFFLINE)


def default_config(providers: ProviderSet, **changes: Any) -> PipelineConfig:
    """``rules`` for the offline provider, else ``llm``, labelled with the default provider."""
    offline = providers.default.name == "rules"
    values: dict[str, Any] = {
        "strategy": Strategy.RULES if offline else Strategy.LLM,
        "rules_stages": providers.rules_stages(),
        "label": (providers.default.name, providers.default.model),
        **changes,
    }
    return PipelineConfig(**values)


OFFLINE: Provider = RulesProvider()
"""The embedded default provider: no key, no network."""


# ---------------------------------------------------------------- one stage

_Decision = Generator[Ask, Answer, tuple[StageResult, StageRecord, Usage]]


def _decide(stage: Stage, inp: StageInput, config: PipelineConfig) -> _Decision:
    """Who answers ``stage``: a shortcut, the rules, or the LLM (with re-asks and fallback)."""
    if stage.shortcut is not None and (quick := stage.shortcut(inp)) is not None:
        return quick, _record(stage, AnswerSource.SKIPPED), _ZERO
    if not config.asks(stage):
        return stage.rule(inp), _record(stage, AnswerSource.RULES), _ZERO
    if config.strategy is Strategy.HYBRID and not stage.hybrid_always_asks:
        ruled = stage.rule(inp)
        if ruled.confidence >= config.min_confidence:
            return ruled, _record(stage, AnswerSource.RULES), _ZERO
    return (yield from _ask_llm(stage, inp, config))


def _ask_llm(stage: Stage, inp: StageInput, config: PipelineConfig) -> _Decision:
    """Ask, validate, re-ask with the validation error (bounded), else fall back to the rules.
    An unreachable provider (``ProviderUnavailable``) fails the indicator: it is not an answer.
    Either record carries the provenance of the first request (its hashes, its temperature)."""
    assert stage.build_request is not None and stage.decide is not None
    request = _with_examples(_tagged(stage.build_request(inp), config), stage, inp, config)
    base = StageRecord(
        stage=str(stage.name),
        source=AnswerSource.RULES_FALLBACK,
        provider=config.label[0],
        model=config.label[1],
        rules_version=RULES_VERSION,
        prompt_hash=prompt_hash(request),
        request_hash=request_hash(request),
        temperature=request.temperature,
    )
    usage, attempts, error = Usage(), 0, ""
    for attempt in range(1, 2 + config.max_reasks):
        answer = yield Ask(str(stage.name), request, attempt)
        if answer.error is not None:
            if isinstance(answer.error, ProviderUnavailable):
                raise answer.error
            error = f"{type(answer.error).__name__}: {answer.error}"
            break
        reply = answer.reply
        assert reply is not None
        attempts += 1
        usage = usage + reply.usage
        try:
            result = stage.decide(inp, reply.content)
        except InvalidReply as exc:
            error = f"invalid reply: {exc}"
            request = request.with_feedback(reply.content, str(exc))
            continue
        answered = {
            "source": AnswerSource.LLM,
            "provider": reply.provider,
            "model": reply.model,
            "attempts": attempts,
        }
        return result, base.model_copy(update=answered), usage
    fallback = base.model_copy(update={"attempts": attempts, "error": error[:1000]})
    return stage.rule(inp), fallback, usage


# ---------------------------------------------------------------- internals

_ZERO = Usage()


def _input(stage: Stage, state: Mapping[str, Any]) -> StageInput:
    """The stage's input from results already validated (built without re-validating)."""
    return trusted(stage.input_model, {name: state[name] for name in stage.inputs})


_RECORDS: dict[tuple[str, AnswerSource], StageRecord] = {}


def _record(stage: Stage, source: AnswerSource) -> StageRecord:
    key = (str(stage.name), source)
    if key not in _RECORDS:
        _RECORDS[key] = StageRecord(
            stage=str(stage.name),
            source=source,
            provider="rules",
            model=RULES_MODEL,
            rules_version=RULES_VERSION,
        )
    return _RECORDS[key]


def _with_examples(
    request: LLMRequest, stage: Stage, inp: StageInput, config: PipelineConfig
) -> LLMRequest:
    """People's corrections of similar indicators, after the indicator (the static prefix
    stays byte-identical)."""
    indicator = getattr(inp, "indicator", None)
    if config.examples is None or indicator is None:
        return request
    extra = config.examples.for_stage(indicator, stage.key)
    if not extra:
        return request
    return request.model_copy(update={"user": f"{request.user}\n\n{extra}"})


def _tagged(request: LLMRequest, config: PipelineConfig) -> LLMRequest:
    if not config.tags:
        return request
    return request.model_copy(update={"tags": {**request.tags, **config.tags}})


def _assembly(config: PipelineConfig, outcomes: list[StageOutcome]) -> Assembly:
    fallbacks = tuple(o.stage for o in outcomes if o.record.source is AnswerSource.RULES_FALLBACK)
    provider, model = _provider_label(config, outcomes, fallbacks)
    return Assembly(
        provider=provider,
        model=model,
        summarised=config.stages.summarised,
        review_threshold=config.min_confidence,
        fallback_stages=fallbacks,
    )


def _provider_label(
    config: PipelineConfig, outcomes: list[StageOutcome], fallbacks: tuple[str, ...]
) -> tuple[str, str]:
    """Who answered: the rules when nothing was sent to an LLM; ``rules-fallback`` when every
    stage that was sent fell back; else the configured provider."""
    sent = sum(o.record.source in _SENT for o in outcomes)
    if not sent:
        return "rules", RULES_MODEL
    if len(fallbacks) == sent:
        return RULES_FALLBACK, RULES_MODEL
    return config.label


_SENT = (AnswerSource.LLM, AnswerSource.RULES_FALLBACK)
