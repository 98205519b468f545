"""Names and units as publishers in other languages write them (strings copied from the tuning
corpus), and the unit vocabularies of other English-language publishers."""

from __future__ import annotations

from typing import Any

import pytest

from indiclass.domain.models import parse_indicator
from indiclass.pipeline import classify

PF, NM, PV, CM, CD, QU = (
    "physical-fundamental",
    "numeric-measurement",
    "price-value",
    "change-movement",
    "composite-derived",
    "qualitative",
)
PER, PIT, CUM = "per-period", "point-in-time", "cumulative"

# (fields, family, type, time_basis, is_currency, currency, scale)
ROWS: list[tuple[dict[str, Any], str, str, str, bool, str | None, str]] = [
    # zh: 亿元 is 1e8 yuan (millions), 万人 1e4 persons, 累计 year-to-date, 同比/增长 change
    ({"name": "国内生产总值_累计值(亿元)"}, PF, "flow", CUM, True, "CNY", "millions"),
    ({"name": "年末总人口(万人)"}, NM, "count", PIT, False, None, "thousands"),
    ({"name": "国有及国有控股固定资产投资额_累计增长(%)"}, CM, "rate", CUM, False, None, "percent"),
    ({"name": "进口总值_当期值(千美元)"}, PF, "flow", PER, True, "USD", "thousands"),
    ({"name": "制造业采购经理指数(%)"}, CD, "index", PIT, False, None, "index"),
    ({"name": "城镇调查失业率(%)"}, NM, "percentage", PIT, False, None, "percent"),
    # traditional characters fold to simplified
    ({"name": "國內生產總值_累計值(億元)"}, PF, "flow", CUM, True, "CNY", "millions"),
    # ja: 億円, （単位：１０億円） full width, 前年比, 寄与度, 構成比
    (
        {"name": "マネタリーベース平均残高", "units": "億円"},
        PF,
        "stock",
        PIT,
        True,
        "JPY",
        "millions",
    ),
    (
        {"name": "３．　総資本形成", "units": "（単位：１０億円）"},
        PF,
        "flow",
        PER,
        True,
        "JPY",
        "billions",
    ),
    (
        {"name": "ａ．民間最終消費支出", "units": "対前年度増加寄与度（％）"},
        CM,
        "rate",
        PER,
        False,
        None,
        "percent",
    ),
    (
        {"name": "３．　総資本形成", "units": "構成比（％）"},
        NM,
        "share",
        PER,
        False,
        None,
        "percent",
    ),
    (
        {"name": "＿Ｍ１／平残前年比／マネーストック", "units": "％"},
        CM,
        "rate",
        PER,
        False,
        None,
        "percent",
    ),
    # ko: 백만원, 천명, 십억원, 전기대비, 억원
    ({"name": "국내수요기계수주액", "units": "백만원"}, PF, "flow", PER, True, "KRW", "millions"),
    ({"name": "취업자수", "units": "천명"}, NM, "count", PIT, False, None, "thousands"),
    (
        {"name": "민간소비증감률(실질, 계절조정 전기대비)", "units": "%"},
        CM,
        "rate",
        PER,
        False,
        None,
        "percent",
    ),
    ({"name": "경상수지", "units": "백만달러"}, PF, "balance", PER, True, "USD", "millions"),
    ({"name": "GDP(명목, 계절조정)", "units": "십억원"}, PF, "flow", PER, True, "KRW", "billions"),
    ({"name": "제조업업황실적BSI", "periodicity": "M"}, QU, "sentiment", PIT, False, None, "index"),
    # es
    (
        {"name": "Base monetaria - Total (en millones de pesos)"},
        PF,
        "stock",
        PIT,
        True,
        None,
        "millions",
    ),
    ({"name": "Inflación mensual (variación en %)"}, CM, "rate", PER, False, None, "percent"),
    (
        {
            "name": "Magnitudes financieras. Financiación. A las Sociedades No Financieras",
            "units": "Miles de Euros",
        },
        PF,
        "stock",
        PIT,
        True,
        "EUR",
        "thousands",
    ),
    (
        {
            "name": "Economía internacional. UE 27 (sin R.U.). Tasa de paro. Estandarizada",
            "units": "Porcentaje",
        },
        NM,
        "percentage",
        PIT,
        False,
        None,
        "percent",
    ),
    (
        {
            "name": "Tipo de cambio. Pesos colombianos por euro (COP/EUR). Media mensual",
            "units": "Pesos colombianos por Euro",
        },
        PV,
        "price",
        PIT,
        False,
        None,
        "raw-units",
    ),
    (
        {
            "name": "Estadísticas generales. Índice de Precios de Consumo (IPC). Índice general",
            "units": "Base_2016=100",
        },
        CD,
        "index",
        PIT,
        False,
        None,
        "index",
    ),
    # pt
    (
        {
            "name": "Dívida líquida dos Estados e principais municípios da Região Sudeste",
            "units": "R$ (milhões)",
            "source_name": "BCB",
        },
        PF,
        "stock",
        PIT,
        True,
        "BRL",
        "millions",
    ),
    (
        {
            "name": "Índice nacional de preços ao consumidor (INPC) - Saúde e cuidados pessoais",
            "units": "Var. % mensal",
        },
        CM,
        "rate",
        PER,
        False,
        None,
        "percent",
    ),
    (
        {"name": "Desocupados - Total", "units": "Unidades (mil)"},
        NM,
        "count",
        PIT,
        False,
        None,
        "thousands",
    ),
    # fr
    ({"name": "Espagne, Taux de chômage (CVS)"}, NM, "percentage", PIT, False, None, "percent"),
    (
        {"name": "Défaillances, Calvados, Unités légales, nombre cumulé sur 12 mois"},
        NM,
        "count",
        PER,
        False,
        None,
        "raw-units",
    ),
    (
        {"name": "Produit intérieur brut", "units": "milliards d'euros"},
        PF,
        "flow",
        PER,
        True,
        "EUR",
        "billions",
    ),
    # de
    ({"name": "Häuserpreisindex: Deutschland, Quartale"}, CD, "index", PIT, False, None, "index"),
    (
        {"name": "Bruttoinlandsprodukt", "units": "Mrd. EUR"},
        PF,
        "flow",
        PER,
        True,
        "EUR",
        "billions",
    ),
    (
        {"name": "Erwerbstätige", "units": "Tsd. Personen"},
        NM,
        "count",
        PIT,
        False,
        None,
        "thousands",
    ),
    # sv, nl, no
    (
        {"name": "-- export av tjänster", "units": "Säsongrensad, löpande priser, mnkr"},
        PF,
        "flow",
        PER,
        True,
        "SEK",
        "millions",
    ),
    ({"name": "Prisförändring, procent"}, CM, "rate", PER, False, None, "percent"),
    (
        {
            "name": "Barometerindikatorn",
            "category_group": "Barometerindikatorn och andra indikatorer",
        },
        QU,
        "sentiment",
        PIT,
        False,
        None,
        "index",
    ),
    ({"name": "Girale deposito's", "units": "mln euro"}, PF, "stock", PIT, True, "EUR", "millions"),
    ({"name": "Styringsrente"}, PV, "price", PIT, False, None, "percent"),
    # English, other publishers' vocabularies
    (
        {"name": "Liabilities of banking institutions: Debt securities", "units": "RMILL"},
        PF,
        "stock",
        PIT,
        True,
        "ZAR",
        "millions",
    ),
    (
        {"name": "Gross national income (GNI)", "units": "PERC", "description": "1-Term % change"},
        CM,
        "rate",
        PER,
        False,
        None,
        "percent",
    ),
    (
        {"name": "KRW South Korea, won", "description": "South Korean won"},
        PV,
        "price",
        PIT,
        False,
        None,
        "raw-units",
    ),
    ({"name": "Japanese yen", "units": "A$1=JPY"}, PV, "price", PIT, False, None, "raw-units"),
    (
        {"name": "Employment", "units": "Number in thousands"},
        NM,
        "count",
        PIT,
        False,
        None,
        "thousands",
    ),
    (
        {"name": "Employed total ;  Persons ;", "units": "000"},
        NM,
        "count",
        PIT,
        False,
        None,
        "thousands",
    ),
    ({"name": "Gold", "units": "USD per troy ounce"}, PV, "price", PIT, True, "USD", "raw-units"),
    ({"name": "Iron ore", "units": "US$/tonne"}, PV, "price", PIT, True, "USD", "raw-units"),
    (
        {"name": "Proportion of population aged 65 and over", "units": "Percent"},
        NM,
        "percentage",
        PIT,
        False,
        None,
        "percent",
    ),
    (
        {"name": "Exports of goods", "units": "Millions of Australian dollars"},
        PF,
        "flow",
        PER,
        True,
        "AUD",
        "millions",
    ),
    (
        {
            "name": "Household final consumption expenditure",
            "units": "Millions of national currency",
            "source_name": "Statistics Canada",
        },
        PF,
        "flow",
        PER,
        True,
        "CAD",
        "millions",
    ),
    (
        {"name": "Retail sales, $ million", "source_name": "Statistics Canada"},
        PF,
        "flow",
        PER,
        True,
        "CAD",
        "millions",
    ),
]


@pytest.mark.parametrize(
    ("fields", "family", "type_", "basis", "is_cur", "cur", "scale"),
    ROWS,
    ids=[r[0]["name"][:40] for r in ROWS],
)
def test_languages_and_unit_vocabularies(
    fields: dict[str, Any],
    family: str,
    type_: str,
    basis: str,
    is_cur: bool,
    cur: str | None,
    scale: str,
) -> None:
    c = classify(parse_indicator(fields)).classification
    got = (
        c.family.value,
        c.indicator_type.value,
        c.time_basis.value,
        c.is_currency_denominated,
        c.detected_currency,
        c.scale.value,
    )
    assert got == (family, type_, basis, is_cur, cur, scale)


def test_hundred_million_keeps_the_exact_multiplier_in_cjk() -> None:
    for unit, scale, mult in (
        ("亿元", "millions", 1e8),
        ("万人", "thousands", 1e4),
        ("兆円", "trillions", 1e12),
    ):
        n = classify(parse_indicator({"name": "x", "units": unit})).results["normalization"]
        assert (n.scale.value, n.scale_multiplier) == (scale, mult)  # type: ignore[attr-defined]


def test_the_reasoning_says_which_field_decided() -> None:
    run = classify(parse_indicator({"name": "第二产业增加值(亿元)"}))
    assert "name-parens" in run.results["normalization"].reasoning
    run = classify(
        parse_indicator(
            {
                "name": "Bedrijven en huishoudens",
                "units": "%",
                "topic": "Bbp, productie en bestedingen; kwartalen, mutaties",
            }
        )
    )
    assert run.classification.indicator_type.value == "rate"
    run = classify(
        parse_indicator(
            {"name": "Wheat", "units": "Number", "category_group": "Railway carloadings, monthly"}
        )
    )
    assert "from category" in run.results["type"].reasoning
