"""Width, script and accent folding; the language guess; CJK patterns' Latin boundaries."""

from __future__ import annotations

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.rules import lang
from indiclass.rules.concept import concept_of
from indiclass.rules.lang.base import guard_latin
from indiclass.rules.language import language_of
from indiclass.rules.script import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("（単位：１０億円）", "(単位:10亿円)"),  # full width, and 億 → 亿
        ("國內生產總值_累計值(億元)", "国内生产总值_累计值(亿元)"),
        ("対前年度増加率（％）", "対前年度増加率(%)"),
        ("Índice de Preços", "Indice de Precos"),
        ("Säsongrensad, löpande priser", "Sasongrensad, lopande priser"),
        ("Straße", "Strasse"),
        ("십억원", "십억원"),  # Hangul is left as it is
        ("マネタリーベース", "マネタリーベース"),
        ("GDP", "GDP"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("fields", "language"),
    [
        ({"name": "国内生产总值_累计值(亿元)"}, "zh"),
        ({"name": "（参考）国内需要", "units": "（平成23暦年=100）"}, "ja"),
        ({"name": "경상수지", "units": "백만달러"}, "ko"),
        ({"name": "Tasa de paro. Estandarizada por la OCDE", "units": "Porcentaje"}, "es"),
        ({"name": "Índice nacional de preços ao consumidor", "units": "Var. % mensal"}, "pt"),
        ({"name": "Emissions nettes de titres de dette des administrations publiques"}, "fr"),
        ({"name": "Arbeitslose: Deutschland, Jahre, Geschlecht und weitere Personengruppen"}, "de"),
        ({"name": "Antal anställda", "units": "Säsongrensad, löpande priser, mnkr"}, "sv"),
        ({"name": "Seizoengecorrigeerde dagomzet van de industrie", "units": "2010=100"}, "nl"),
        ({"name": "Gross domestic product", "units": "Billions of Dollars"}, "en"),
    ],
)
def test_language_guess(fields: dict[str, str], language: str) -> None:
    assert language_of(parse_indicator(fields)) == language


def test_cjk_patterns_guard_latin_acronyms() -> None:
    assert guard_latin("国内総生産|gni|付加価値") == "国内総生産|(?<![a-z])gni(?![a-z])|付加価値"
    # "gni" must not name a subject inside a Swedish word
    subject = concept_of(parse_indicator({"name": "Anläggningsverksamhet (SNI 42)"})).subject
    assert subject is None or subject.key != "output"


def test_every_required_language_has_a_lexicon() -> None:
    sizes = lang.sizes()
    for code in ("zh", "ja", "ko", "es", "fr", "de", "pt", "it", "sv", "nl"):
        assert code in sizes
        assert sizes[code]["subjects"] >= 30 and sizes[code]["scales"] >= 3
        assert sizes[code]["kinds"] >= 4
