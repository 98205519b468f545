"""Normalize: units → semantic type, scale (exact multiplier kept) and ISO 4217 currency.

Source fields (``currency_code``, ``scale``) outrank parsing the units text. Rules only.
"""

from __future__ import annotations

from indiclass.domain.enums import StageName
from indiclass.domain.models import Indicator, NormalizationResult
from indiclass.rules import normalize_units
from indiclass.stages.base import StageInput, rule_stage


class NormalizeInput(StageInput):
    indicator: Indicator


def run(inp: NormalizeInput) -> NormalizationResult:
    return normalize_units(inp.indicator)


STAGE = rule_stage(
    StageName.NORMALIZE,
    "normalization",
    NormalizeInput,
    NormalizationResult,
    run,
    table="normalization_results",
)
