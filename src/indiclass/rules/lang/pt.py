"""Portuguese: Banco Central do Brasil (SGS), IBGE, FGV, Banco de Portugal and INE titles."""

from __future__ import annotations

from indiclass.rules.kinds import DOLLAR, LCU, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="pt",
    subjects=(
        (r"expectativa de inflacao", "inflation-expectation"),
        (r"utilizacao da capacidade|capacidade instalada|\bnuci\b", "capacity-utilisation"),
        (r"indicador (antecedente|coincidente)|indice antecedente|\bibc-br\b", "pmi"),
        (
            r"\bindice de confianca|confianca|indice de expectativas|expectativas|situacao (atual|presente)|sondagem|sentimento",
            "sentiment",
        ),
        (r"cambio efetiva|efetiva real|cambio real", "fx-index"),
        (r"taxas? de cambio|cotacao|\bptax\b|dolar comercial|cambio (comercial|turismo)", "fx"),
        (r"taxa de (desocupacao|desemprego)|desemprego aberto", "unemployment-rate"),
        (r"taxa de (participacao|ocupacao|atividade)|nivel da ocupacao", "population-rate"),
        (r"inadimplencia|atraso", "delinquency"),
        (
            r"rendimento (medio|real|nominal|habitual|efetivo)|massa (salarial|de rendimento)|salario|remuneracao",
            "wage",
        ),
        (r"participacao por|participacao (no|na|percentual)|composicao", "component-share"),
        (
            r"rentabilidade|rendimento|titulos (publicos|federais)|\bntn\b|\bltn\b|tesouro (direto|prefixado)",
            "bond-yield",
        ),
        (
            r"\bselic\b|taxas? de juros|\bjuros\b|taxa referencial|\bcdi\b|\bcdb\b|\btjlp\b|\btlp\b|taxa basica|spread",
            "interest-rate",
        ),
        (
            r"\bipca\b|\binpc\b|\bigp-?m\b|\bigp-?di\b|\bigp\b|\bipa\b|\bipc\b|\bincc\b|indice (nacional )?de precos|precos ao (consumidor|produtor)|deflator|custo da construcao",
            "price-level",
        ),
        (r"\binflacao\b", "inflation"),
        (r"\bprecos?\b|\bcusto\b", "price"),
        (r"reservas internacionais|\breservas\b", "reserves"),
        (
            r"balanca comercial|transacoes correntes|conta corrente|balanco de pagamentos|saldo comercial",
            "external-balance",
        ),
        (
            r"investimento (estrangeiro )?direto|investimentos? em carteira|investimentos estrangeiros|outros investimentos|conta financeira|derivativos",
            "net-flow",
        ),
        (r"exportacoes|exportacao", "exports"),
        (r"importacoes|importacao", "imports"),
        (r"\bnfsp\b|necessidades? de financiamento|\bpsbr\b|\bdeficit\b", "deficit"),
        (r"resultado (primario|nominal|fiscal)|superavit", "budget-balance"),
        (r"\bdivida\b|endividamento|passivos?", "debt"),
        (r"\bliquid[oa]\b", "net-flow"),
        (r"\breceitas?\b|arrecadacao|tributos|impostos|\bcredito\)", "revenue"),
        (r"\bdespesas?\b|\bdebito\b|gastos? (publicos|do governo)", "outlays"),
        (r"concessoes|novas operacoes|novos emprestimos", "new-loans"),
        (
            r"base monetaria|papel[- ]moeda|meios de pagamento|\bm[1-4]\b|depositos|operacoes de credito|\bcredito\b|emprestimos|financiamentos?|\bativos?\b|\bsaldos?\b|ajuste patrimonial",
            "money-credit",
        ),
        (r"variacao de estoques", "inventory-change"),
        (r"\bestoques?\b", "inventories"),
        (r"formacao bruta de capital|\bfbcf\b|investimentos?", "investment"),
        (
            r"produto interno bruto|\bpib\b|valor adicionado|\bvab\b|producao (industrial|fisica)|indicadores da producao|producao|atividade economica|industria (de transformacao|extrativa|geral)",
            "output",
        ),
        (r"consumo das familias|despesa de consumo|consumo", "spending"),
        (r"volume de vendas|vendas|varejo|comercio varejista|faturamento", "sales"),
        (r"\bibovespa\b|bolsa de valores|acoes", "equity"),
        (r"desocupados|desempregados", "unemployed"),
        (r"forca de trabalho", "labour-force"),
        (r"\bocupados\b|pessoal ocupado|\bempregados\b|\bemprego\b", "employment"),
        (r"populacao|habitantes|domicilios", "population"),
        (r"falencias|recuperacoes judiciais|cheques devolvidos", "bankruptcies"),
        (r"dias corridos|prazo medio", "term"),
        (r"licenciamento de veiculos|veiculos", "vehicle-sales"),
    ),
    kinds=(
        (
            r"var\.? ?%|variacao (%|percentual|anual|mensal|trimestral|real|em %)|taxa de (variacao|crescimento)|crescimento (anual|real|%)",
            K.CHANGE,
        ),
        (r"% (do )?pib|em % do|percentual do pib", K.SHARE_OF),
        (
            r"% ?a\.? ?[amd]\.?|% ?p\.? ?[amyd]\.?|percentual|por cento|pontos percentuais",
            K.PERCENT,
        ),
        (r"\bindice\b|\bpontos\b|\bnumero[- ]indice\b", K.INDEX),
        (r"\brazao\b", K.RATIO),
        (
            r"toneladas|litros|metros (quadrados|cubicos)|barris|\bkwh\b|\bgwh\b|hectares",
            K.PHYSICAL,
        ),
        (r"\bdias\b|\bmeses\b|\banos\b|\bsemanas\b|\bhoras\b", K.DURATION),
        (r"unidades|pessoas|\bnumero\b|veiculos|domicilios|empresas|cheques", K.COUNT),
    ),
    scales=(
        (r"\btrilhoes\b|\btrilhao\b|\btri\b", 1e12),
        (r"\bbilhoes\b|\bbilhao\b|\bbi\b", 1e9),
        (r"\bmilhoes\b|\bmilhao\b|\bmi\b", 1e6),
        (r"\bmilhares\b|\bmil\b", 1e3),
    ),
    currencies=(
        (r"moeda (nacional|local)", LCU),
        (r"\br\$|\breais\b", "BRL"),
        (r"\beuros?\b", "EUR"),
        (r"\bdolares?\b|\bdolar\b", DOLLAR),
    ),
    countries=(
        (
            r"\bibge\b|banco central do brasil|\bbcb\b|\bfgv\b|getulio vargas|\bipea\b|tesouro nacional|\bbrasil\b|brasileir|\bsisbacen\b|\bdepec\b|\bdeban\b|\bpnadc?\b",
            "BRL",
        ),
        (r"banco de portugal|\bportugal\b|statistics portugal|\bine portugal\b", "EUR"),
        (r"\bangola\b|\bbna\b", "AOA"),
        (r"\bmocambique\b", "MZN"),
    ),
    frequencies=(
        (r"^mensal|^m$", F.MONTHLY),
        (r"^trimestral|^t$", F.QUARTERLY),
        (r"^semestral|^s$", F.SEMIANNUAL),
        (r"^anual|^a$", F.ANNUAL),
        (r"^diari[ao]|^d$", F.DAILY),
        (r"^semanal", F.WEEKLY),
    ),
    ytd=(r"acumulad[oa]s? no ano|no ano ate|desde o inicio do ano|ano ate a data",),
    rolling=(r"(em|nos ultimos|de) 12 meses|ultimos doze meses|media movel|acumulad[oa] em 12",),
    change=(r"variacao|\bvar\.|taxa de crescimento|crescimento",),
    no_unit=(r"sem unidade|a definir|nao se aplica",),
    valuation=(r"precos (correntes|constantes|de mercado|basicos)|a precos \w+",),
    per_capita=(r"per capita|por habitante|por pessoa",),
)
