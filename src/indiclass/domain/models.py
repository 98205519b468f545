"""Typed, frozen models: the input indicator, one result per stage, and the final Classification."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from indiclass.domain.dates import BadDate, parse_period
from indiclass.domain.enums import (
    AnswerSource,
    Branch,
    CumulativePattern,
    Family,
    HeatMapOrientation,
    IndicatorType,
    ParsedUnitType,
    ReportingFrequency,
    ReviewStatus,
    Scale,
    TemporalAggregation,
    TimeBasis,
    type_fits_family,
)
from indiclass.domain.errors import InputError
from indiclass.domain.usage import Usage

MAX_SAMPLE_VALUES = 500
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1_000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]
Reasoning = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

SOURCE_SCALE_WORDS: dict[str, Scale] = {
    "units": Scale.RAW_UNITS,
    "unit": Scale.RAW_UNITS,
    "ones": Scale.RAW_UNITS,
    "raw-units": Scale.RAW_UNITS,
    "raw units": Scale.RAW_UNITS,
    "none": Scale.RAW_UNITS,
    "hundreds": Scale.HUNDREDS,
    "hundred": Scale.HUNDREDS,
    "thousands": Scale.THOUSANDS,
    "thousand": Scale.THOUSANDS,
    "k": Scale.THOUSANDS,
    "millions": Scale.MILLIONS,
    "million": Scale.MILLIONS,
    "m": Scale.MILLIONS,
    "mn": Scale.MILLIONS,
    "billions": Scale.BILLIONS,
    "billion": Scale.BILLIONS,
    "b": Scale.BILLIONS,
    "bn": Scale.BILLIONS,
    "trillions": Scale.TRILLIONS,
    "trillion": Scale.TRILLIONS,
    "t": Scale.TRILLIONS,
    "percent": Scale.PERCENT,
    "%": Scale.PERCENT,
    "index": Scale.INDEX,
}
"""Words a source may put in its ``scale`` field; anything else is rejected with this list."""


class SampleValue(BaseModel):
    """One observation: a calendar date (or a pseudo-date label) and a finite number."""

    model_config = _FROZEN

    date: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    value: float = Field(allow_inf_nan=False)

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        if isinstance(v, date):
            return v.isoformat()
        return v

    @field_validator("date")
    @classmethod
    def _real_date(cls, v: str) -> str:
        try:
            parse_period(v)
        except BadDate as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _numeric(cls, v: Any) -> Any:
        if isinstance(v, bool) or v is None:
            raise ValueError("must be a number")
        if isinstance(v, str):
            try:
                v = float(v.replace(",", ""))
            except ValueError:
                raise ValueError(f"not a number: {v[:40]!r}") from None
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be finite (no NaN or infinity)")
        return v

    @property
    def period(self) -> _dt.date | None:
        """The calendar date, or None for a pseudo-date such as ``last10YearsAvg``."""
        return parse_period(self.date)


class Indicator(BaseModel):
    """An indicator to classify: every field the seed's API accepts.

    ``id`` is accepted for ``indicator_id`` (the eval files use it). When no id is given one is
    derived from the name, stable across runs.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    indicator_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ] = Field(default="", validation_alias="id")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    units: ShortText | None = None
    description: LongText | None = None
    periodicity: ShortText | None = None
    sample_values: list[SampleValue] = Field(default_factory=list, max_length=MAX_SAMPLE_VALUES)
    source_name: ShortText | None = None
    source_url: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)] | None
    ) = None
    long_name: ShortText | None = None
    category_group: ShortText | None = None
    dataset: ShortText | None = None
    aggregation_method: ShortText | None = None
    scale: Scale | None = None
    topic: ShortText | None = None
    currency_code: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_both_id_names(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "indicator_id" in data and "id" not in data:
            data = dict(data)
            data["id"] = data.pop("indicator_id")
        number = isinstance(data, Mapping) and isinstance(data.get("id"), int | float)
        if number and not isinstance(data["id"], bool):
            data = {**data, "id": _number_id(data["id"])}
        return data

    @field_validator("indicator_id")
    @classmethod
    def _printable_id(cls, v: str) -> str:
        if _CONTROL.search(v):
            raise ValueError("must not contain control characters (NUL, newline, tab ...)")
        return v

    @field_validator("scale", mode="before")
    @classmethod
    def _source_scale(cls, v: Any) -> Any:
        if v is None or isinstance(v, Scale):
            return v
        key = str(v).strip().lower()
        if not key:
            return None
        if key not in SOURCE_SCALE_WORDS:
            words = {s.value for s in Scale} | {"units", "thousand", "million"}
            accepted = ", ".join(sorted(words))
            raise ValueError(f"unknown scale {str(v)[:40]!r}; accepted: {accepted}")
        return SOURCE_SCALE_WORDS[key]

    @field_validator("currency_code", mode="before")
    @classmethod
    def _iso_currency(cls, v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        code = str(v).strip().upper()
        if not is_iso4217(code):
            raise ValueError(f"not an ISO 4217 currency code: {str(v)[:40]!r}")
        return code

    @field_validator(
        "units",
        "description",
        "periodicity",
        "source_name",
        "long_name",
        "category_group",
        "dataset",
        "aggregation_method",
        "topic",
        "source_url",
    )
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None

    @model_validator(mode="after")
    def _default_id(self) -> Indicator:
        if not self.indicator_id:
            digest = hashlib.sha1(self.name.encode()).hexdigest()[:10]
            slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:60]
            object.__setattr__(self, "indicator_id", f"{slug}-{digest}")
        return self


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _number_id(value: float) -> str:
    """A numeric id as its text: ``123`` (not ``123.0``)."""
    return str(int(value)) if float(value).is_integer() else str(value)


_M = TypeVar("_M", bound=BaseModel)
_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}


def trusted(model: type[_M], data: dict[str, Any]) -> _M:
    """A model instance from values already known to be valid (no re-validation; unset
    fields take their defaults): much cheaper than validation on the per-indicator hot path."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            name: f.get_default(call_default_factory=True)
            for name, f in model.model_fields.items()
            if not f.is_required()
        }
    values = {**defaults, **data} if defaults else data
    inst = model.__new__(model)
    object.__setattr__(inst, "__dict__", values)
    object.__setattr__(inst, "__pydantic_fields_set__", set(data))
    object.__setattr__(inst, "__pydantic_extra__", None)
    object.__setattr__(inst, "__pydantic_private__", None)
    return inst


def is_iso4217(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code (from the maintained ``iso4217`` package)."""
    from indiclass.domain.currencies import ISO_CODES

    return code in ISO_CODES


def parse_indicator(data: Mapping[str, Any], *, row: int | None = None) -> Indicator:
    """Validate one raw record; raise InputError naming the first bad field (never a traceback)."""
    if not isinstance(data, Mapping):
        raise InputError(f"expected an object, got {type(data).__name__}", row=row)
    try:
        return Indicator.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        if field == "id":
            field = "indicator_id"
        raise InputError(_short(err["msg"]), field=field, row=row) from None


def _short(msg: str) -> str:
    return msg.removeprefix("Value error, ")


# ---------------------------------------------------------------- stage results


class StageResult(BaseModel):
    """Fields every stage result carries.

    ``field_confidence`` is the rules' own per-field estimate where the fields of one stage
    differ in reliability (normalization: ``scale`` vs ``detected_currency``); it is never asked
    of an LLM (not in the reply schema), and a field absent from it has the stage's
    ``confidence``."""

    model_config = _FROZEN

    confidence: Confidence
    reasoning: Reasoning = ""
    field_confidence: dict[str, Confidence] = Field(default_factory=dict)


class NormalizationResult(StageResult):
    """Units read: semantic type, scale (with the exact multiplier) and currency."""

    parsed_unit_type: ParsedUnitType
    scale: Scale
    scale_multiplier: float | None = None
    """Exact factor (1e8 for "Hundred Million") beside the nearest ``scale`` step; None for
    percent and index."""
    is_currency_denominated: bool
    detected_currency: str | None = None
    unit_label: str = ""
    """Units with scale and currency words removed (e.g. "per Barrel", "Persons")."""


class TimeResult(StageResult):
    reporting_frequency: ReportingFrequency
    time_basis: TimeBasis


class CumulativeResult(StageResult):
    is_cumulative: bool
    pattern: CumulativePattern
    evidence_years: int = 0
    """How many year boundaries showed a reset (0 when no series evidence)."""


class RouteResult(StageResult):
    branch: Branch


class FamilyResult(StageResult):
    family: Family


class TypeResult(StageResult):
    indicator_type: IndicatorType
    temporal_aggregation: TemporalAggregation
    heat_map_orientation: HeatMapOrientation


REVIEWABLE_FIELDS = (
    "family",
    "indicator_type",
    "temporal_aggregation",
    "heat_map_orientation",
    "time_basis",
    "reporting_frequency",
    "is_cumulative",
    "is_currency_denominated",
    "detected_currency",
    "scale",
)


def _reviewable(name: str) -> str:
    if name not in REVIEWABLE_FIELDS:
        raise ValueError(f"unknown field {name!r}; one of {', '.join(REVIEWABLE_FIELDS)}")
    return name


class ReviewIssue(BaseModel):
    model_config = _FROZEN

    field: str
    problem: Reasoning
    suggested: str | None = None
    """The value the review proposes, as its enum string (``"true"``/``"false"`` for booleans)."""

    _known_field = field_validator("field")(lambda v: _reviewable(v))


class BooleanReviewResult(StageResult):
    """Consistency check of the whole classification; ``passed`` False lists the issues."""

    passed: bool
    issues: list[ReviewIssue] = Field(default_factory=list, max_length=12)


class Correction(BaseModel):
    """One field the final review changes, with the new value as its enum string."""

    model_config = _FROZEN

    field: str
    value: str

    _known_field = field_validator("field")(lambda v: _reviewable(v))


class FinalReviewResult(StageResult):
    status: ReviewStatus
    corrections: list[Correction] = Field(default_factory=list, max_length=12)
    """Applied to the classification by the complete stage (validated there against the enums)."""


class StageRecord(BaseModel):
    """Provenance of one stage's answer, kept beside the result."""

    model_config = _FROZEN

    stage: str
    source: AnswerSource
    provider: str
    model: str
    attempts: int = 0
    """LLM requests made (0 for rules); more than 1 means re-asks."""
    error: str | None = None
    """Why the LLM answer was not used (for rules-fallback)."""
    rules_version: str | None = None
    """``RULES_VERSION`` of the process that ran the stage (``indiclass.rules.version``)."""
    prompt_hash: str | None = None
    """The static part of the stage's prompt (system text and reply schema); None when no LLM
    was asked. The same for every indicator of a stage until its prompt changes."""
    request_hash: str | None = None
    """The whole first request of the stage (prompt, indicator, schema, temperature, token
    limit; not the provider or model, not re-ask turns); None when no LLM was asked."""
    temperature: float | None = None
    """The request's sampling temperature; None when no LLM was asked."""


class StageOutcome(BaseModel):
    """One stage's answer for one indicator, with who gave it, what it cost and when."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    stage: str
    result: StageResult
    record: StageRecord
    usage: Usage = Field(default_factory=Usage)
    started_at: float = 0.0
    """Wall-clock start (epoch seconds)."""
    duration_ms: float = 0.0


# ---------------------------------------------------------------- the final classification


class Classification(BaseModel):
    """Everything known about one indicator after the pipeline; the ``classifications`` row.

    Each stage's confidence and reasoning are kept in ``stage_confidence`` / ``stage_reasoning``
    (keyed by the stage's state key) and serialised flat, as the table's columns:
    ``family_confidence``, ``family_reasoning``, ... (flat keys are accepted back too).
    """

    model_config = _FROZEN

    indicator_id: str
    name: str
    family: Family
    indicator_type: IndicatorType
    temporal_aggregation: TemporalAggregation
    heat_map_orientation: HeatMapOrientation
    time_basis: TimeBasis
    reporting_frequency: ReportingFrequency
    scale: Scale
    scale_multiplier: float | None = None
    is_currency_denominated: bool
    detected_currency: str | None
    is_cumulative: bool
    cumulative_pattern_type: CumulativePattern
    parsed_unit_type: ParsedUnitType
    review_status: ReviewStatus
    overall_confidence: Confidence
    provider: str
    model: str
    needs_review: bool = False
    """Some field's confidence is below the review threshold (or a review stage flagged it)."""
    fallback_stages: tuple[str, ...] = ()
    """Stages answered by the rules because the LLM could not be used (``rules-fallback``)."""
    field_confidence: dict[str, Confidence] = Field(default_factory=dict)
    """The estimated chance each scored field is right (``family``, ``indicator_type``,
    ``time_basis``, ``is_currency_denominated``, ``detected_currency``, ``scale``,
    ``heat_map_orientation``, ``is_cumulative``)."""
    stage_confidence: dict[str, Confidence] = Field(default_factory=dict)
    stage_reasoning: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _fold_flat_stage_fields(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out: dict[str, Any] = {}
        conf: dict[str, Any] = dict(data.get("stage_confidence") or {})
        why: dict[str, Any] = {}
        why.update(data.get("stage_reasoning") or {})
        for k, v in data.items():
            if k in _NOT_STAGES:
                if k in Classification.model_fields:
                    out[k] = v
            elif k.endswith("_confidence"):
                conf[k.removesuffix("_confidence")] = v
            elif k.endswith("_reasoning"):
                why[k.removesuffix("_reasoning")] = v if v is not None else ""
            else:
                out[k] = v
        if isinstance(out.get("fallback_stages"), str):
            out["fallback_stages"] = tuple(s for s in out["fallback_stages"].split(",") if s)
        if isinstance(out.get("field_confidence"), str):
            out["field_confidence"] = json.loads(out["field_confidence"] or "{}")
        return {**out, "stage_confidence": conf, "stage_reasoning": why}

    @model_validator(mode="after")
    def _type_in_family(self) -> Classification:
        if not type_fits_family(self.indicator_type, self.family):
            raise ValueError(f"type {self.indicator_type} is not in family {self.family}")
        return self

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        conf, why = data.pop("stage_confidence", {}), data.pop("stage_reasoning", {})
        for key, value in conf.items():
            data[f"{key}_confidence"] = value
            data[f"{key}_reasoning"] = why.get(key, "")
        return data


_NOT_STAGES = frozenset(
    {"overall_confidence", "field_confidence", "stage_confidence", "stage_reasoning"}
)

CORE_FIELDS: tuple[str, ...] = tuple(
    f for f in Classification.model_fields if f not in ("stage_confidence", "stage_reasoning")
)
"""The classification's own fields, in column order (per-stage fields follow them)."""


def classification_fields(stage_keys: Sequence[str]) -> tuple[str, ...]:
    """Every flat field of a classification of a pipeline whose summarised stages are
    ``stage_keys``: the core fields, then ``<key>_confidence`` and ``<key>_reasoning`` each."""
    per_stage = (f"{k}_{part}" for k in stage_keys for part in ("confidence", "reasoning"))
    return (*CORE_FIELDS, *per_stage)


_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def coerce_field(field: str, value: str) -> Any:
    """The typed value of a reviewable classification field, from its string form.

    Raises ValueError naming the field and the accepted values.
    """
    annotation = Classification.model_fields[field].annotation
    if annotation is bool:
        key = value.strip().lower()
        if key not in _BOOL_WORDS:
            raise ValueError(f"{field}: expected true or false, got {value[:40]!r}")
        return _BOOL_WORDS[key]
    if field == "detected_currency":
        code = value.strip().upper()
        if code in ("", "NULL", "NONE"):
            return None
        if not is_iso4217(code):
            raise ValueError(f"detected_currency: not an ISO 4217 code: {value[:40]!r}")
        return code
    enum_type: Any = annotation
    try:
        return enum_type(value.strip())
    except ValueError:
        accepted = ", ".join(e.value for e in enum_type)
        raise ValueError(f"{field}: {value[:40]!r} is not one of {accepted}") from None
