"""Router: currency-denominated indicators take the currency branch, the rest the other one."""

from __future__ import annotations

from indiclass.domain.enums import Branch, StageName
from indiclass.domain.models import NormalizationResult, RouteResult
from indiclass.stages.base import StageInput, rule_stage


class RouterInput(StageInput):
    normalization: NormalizationResult


def run(inp: RouterInput) -> RouteResult:
    norm = inp.normalization
    branch = Branch.CURRENCY if norm.is_currency_denominated else Branch.NON_CURRENCY
    why = (
        f"currency {norm.detected_currency or 'unspecified'}"
        if norm.is_currency_denominated
        else "no currency in units or source fields"
    )
    return RouteResult(branch=branch, confidence=norm.confidence, reasoning=why)


STAGE = rule_stage(StageName.ROUTER, "route", RouterInput, RouteResult, run, summarised=False)
