"""Unit lexicons: unit kinds, scale words, currency words and country hints, as data.

Every table is ``(regex, outcome, confidence)``; order matters (first match wins). Currency
codes are matched as ISO 4217 codes (from the ``iso4217`` package) in their upper-case form only,
never as English words. Each table takes the other languages' rows from ``rules.lang``: unit
kinds beside the English rows of the same kind, scale words and specific currency words before
the English ones (so "mil millones" is read before "mil"), generic currency words last.
"""

from __future__ import annotations

from collections.abc import Sequence

from indiclass.domain.enums import Scale
from indiclass.rules._text import compile_table
from indiclass.rules.kinds import DOLLAR, INTL, KRONE, LCU, NAMED, PESO, YUAN, UnitKind
from indiclass.rules.lang import country_rows, currency_rows, kind_rows, markers, scale_rows

__all__ = ["DOLLAR", "INTL", "KRONE", "LCU", "PESO", "YUAN", "UnitKind"]

K = UnitKind

_FX_CODES = (
    "(usd|eur|jpy|gbp|chf|cny|cnh|aud|cad|nzd|sek|nok|dkk|hkd|sgd|krw|inr|brl|mxn|zar|try|rub"
    "|pln|huf|czk|idr|thb|myr|php|twd|ils|clp|cop|ars|sar|aed)"
)
"""ISO codes of traded currencies: a unit like "EURUSD" (a quoted pair) is an exchange rate."""

Rows = list[tuple[str, UnitKind, float]]
FOREIGN_KIND_CONFIDENCE = 0.85


def with_languages(rows: Sequence[tuple[str, UnitKind, float]]) -> Rows:
    """``rows`` with each language's patterns of a kind right after the English rows of it."""
    out: Rows = []
    for i, (pattern, kind, conf) in enumerate(rows):
        out.append((pattern, kind, conf))
        last_of_kind = all(k is not kind for _, k, _ in rows[i + 1 :])
        if last_of_kind:
            out.extend((p, kind, FOREIGN_KIND_CONFIDENCE) for p in kind_rows(kind))
    return out


# Unit kinds read before any currency word (their order matters).
EARLY_ROWS: Rows = [
    (r"\+1 or 0|\b0 or 1\b|\bdummy\b|\(1 for\b", K.FLAG, 0.9),
    (
        r"\bto one\b|(^|[\s(])([a-z]{1,3}\$|[a-z]{3}) ?1 ?= ?|\bper unit of (foreign )?currency|\blcu per\b|currency units? per|\bper (one )?(u\.?s\.? ?\$|us\$|u\.s\. dollars?"
        r"|us dollars?|euro|international \$)|\bunits of (yen|euros?|dollars?|pounds?)"
        r"|cents per british pound|\b(usd|eur|jpy|gbp|chf|cny)/(usd|eur|jpy|gbp|chf|cny)\b"
        rf"|^{_FX_CODES}{_FX_CODES}$",
        K.FX,
        0.9,
    ),
    (
        r"percent(age)? change|% change|pct\.? ?chg|growth rate|% growth|\bgrowth\b|change from"
        r"|rate of change|\by/y\b|\bm/m\b|\bq/q\b|% ?chg?\b|1-term % change|change over"
        r"|(from|over) (the )?(previous|preceding|same) (year|period|month|quarter)"
        r"|preceding period|contributions? to (growth|percent change)"
        r"|annual %|\byoy\b|year[- ]on[- ]year|\bqoq\b|\bmom\b|annuali[sz]ed",
        K.CHANGE,
        0.9,
    ),
    (
        r"(%|\bpercent|\bper ?cent|\bpercentage|\bproportion|\bshare) of\b|% gdp|percent gdp"
        r"|% of\b|\bto[- ]gdp\b|%[a-z ]{1,30} of\b|share of (world|total)|%\s?(gdp|pib|bip|bnp|bbp)\b",
        K.SHARE_OF,
        0.85,
    ),
    (
        r"%|\bpercent\b|\bper ?cent\b|\bpct\b|\bpercentage( points)?\b|\bbasis points\b|^rate$"
        r"|\bpourcentage\b|\bperc\b|% p\.? ?[amy]\.?|% per annum",
        K.PERCENT,
        0.9,
    ),
    (
        r"\bindex\b|\bindice\b|=\s*1(00)?\b|\bset to 100\b|\bbase (year )?\d{4}\b|\bbase year\b"
        r"|\bbase 100\b"
        r"|\bscale 0|\d=(low|lowest|less)\b|\bpoints\b",
        K.INDEX,
        0.85,
    ),
    (
        r"^per (1,?000|10,?000|100,?000|100|million)\b|\bper (woman|women|sq\.? ?km|square k)",
        K.RATIO,
        0.8,
    ),
]
EARLY_KINDS = compile_table(with_languages(EARLY_ROWS))

# Unit kinds read when no currency word was found (on the part before "per").
LATE_ROWS: Rows = [
    # energy before time: "kilowatt hours" is a quantity, not a duration
    (
        r"barrels?|\bbbl\b|\btons?\b|tonnes?\b|\bmetric\b|cubic|joules?|\bbtu\b|gallons?|lit(re|er)s?\b"
        r"|grams?\b|\bkg\b|\bkwh\b|\b[gmt]wh\b|watts?|ton-km|\bkm\b|\bmiles?\b|hectares?|acres?"
        r"|bushels?|ounces?|therms?\b|\bbcf\b|\bmmbtu\b|\bmt\b|\bkt\b|\bm[23]\b|square (met|feet|foot)"
        r"|\bsq\.? ?(m|ft|km)\b|petajoules?|\bpj\b|megawatts?|\bmw\b|kilolit",
        K.PHYSICAL,
        0.8,
    ),
    (
        r"months'? supply|\bdays?\b|\bweeks?\b|\bmonths?\b|\bhours?\b|\byears?\b",
        K.DURATION,
        0.8,
    ),
    (
        r"\bpersons?\b|\bpeople\b|\bnumber\b|\bunits\b|\bcarloads\b|\bjobs\b|\bhouseholds\b"
        r"|\bcount\b|\bresidents\b|\bvehicles\b|\bcars\b|\bcontracts\b|\bemployees\b|\bworkers\b"
        r"|\blevel in\b",
        K.COUNT,
        0.8,
    ),
    (r"\bratio\b|\btimes\b|\bper 1,?000\b|\bper 100,?000\b|\bper capita\b", K.RATIO, 0.7),
    (
        r"^(in )?(hundreds?|thousands?|millions?|billions?|trillions?|[kmbt])$",
        K.SCALE_ONLY,
        0.6,
    ),
]
LATE_KINDS = compile_table(with_languages(LATE_ROWS))

NO_UNIT = compile_table([(markers("no_unit"), True, 1.0)])
"""Unit placeholders that mean there is no unit ("SinUni", "Sem unidade", "A definir")."""


def scale_step(multiplier: float) -> Scale:
    """The largest scale step not above ``multiplier`` (亿 1e8 → millions)."""
    for step, factor in STEPS:
        if multiplier >= factor:
            return step
    return Scale.RAW_UNITS


STEPS = (
    (Scale.TRILLIONS, 1e12),
    (Scale.BILLIONS, 1e9),
    (Scale.MILLIONS, 1e6),
    (Scale.THOUSANDS, 1e3),
    (Scale.HUNDREDS, 1e2),
)

ENGLISH_COMPOUND_SCALES: list[tuple[str, float]] = [
    (r"hundred billion", 1e11),
    (r"ten billion", 1e10),
    (r"hundred million", 1e8),
    (r"ten million|\bcrores?\b", 1e7),
    (r"hundred thousand|\blakhs?\b", 1e5),
    (r"ten thousand", 1e4),
]
"""English scale words between two steps (the exact factor is kept): read before any other."""
ENGLISH_SCALES: list[tuple[str, float]] = [
    (r"\btrillions?\b|\btn\b|\btrn\b|\btrln\b|^t$", 1e12),
    (r"\bbillions?\b|\bbn\b|\bbils?\b\.?|\bbln\b|^b$|\br ?bill\b", 1e9),
    (r"\bmillions?\b|\bmn\b|\bmio\b|\bmill?\b\.?|\bmln\b|^m$|\br ?mill\b", 1e6),
    (r"\bthousands?\b|\b1,?000\b|'000|^k$|\b1k\b|\bthous\b|\bths\b|\(000\)|\b000s\b|^000$", 1e3),
    (r"\bhundreds?\b", 1e2),
]
"""English scale words → multiplier."""

# Scale words, read on the amount part of the unit (before "per"): other languages first.
SCALE_WORDS = compile_table(
    [
        (p, (scale_step(m), m), 0.9)
        for p, m in [*ENGLISH_COMPOUND_SCALES, *scale_rows(), *ENGLISH_SCALES]
    ]
)

# Currency words and symbols → ISO code (or a marker resolved with the country hint).
_LCU_WORDS = r"\blcu\b|\bncu\b|national currency|local currency|domestic currency"
_INTL_WORDS = r"international (\$|dollars?)|\bppp\b[^;]*\$|\$[^;]*\bppp\b|purchasing power parity"
ENGLISH_CURRENCIES: list[tuple[str, str]] = [
    (
        r"u\.\s?s\.\s?\$|\bus\s?\$|\busd\b|u\.\s?s\.\s?(dollars?|cents?)|\bus (dollars?|cents?)"
        r"|united states dollars?",
        "USD",
    ),
    (r"\beuros?\b|€|\beur\b", "EUR"),
    (r"\byen\b|¥|\bjpy\b", "JPY"),
    (r"\byuan\b|\brenminbi\b|\brmb\b|\bcny\b", "CNY"),
    (r"\bpounds? sterling\b|£|\bgbp\b|\bpounds\b|\bpound\b|\bsterling\b", "GBP"),
    (r"\bswiss francs?\b|\bchf\b", "CHF"),
    (r"\brupees?\b|\binr\b", "INR"),
    (r"\ba\$|\bau\$|\baud\b|australian dollars?", "AUD"),
    (r"\bc\$|\bcan\$|\bcad\b|canadian dollars?", "CAD"),
    (r"\bnz\$|\bnzd\b|new zealand dollars?", "NZD"),
    (r"\bhk\$|\bhkd\b|hong kong dollars?", "HKD"),
    (r"\bs\$|\bsgd\b|singapore dollars?", "SGD"),
    (r"\bnt\$|\btwd\b|new taiwan dollars?", "TWD"),
    (r"\br\$|\bbrl\b|brazilian reals?", "BRL"),
    (r"\bkrona\b|\bkronor\b|\bsek\b", "SEK"),
    (r"\bwon\b|\bkrw\b", "KRW"),
    (
        r"^r ?(mill|bill|thou|mn|bn|m|b|million|billion)?$|\br ?(million|billion|mill|bill)\b|\brands?\b"
        r"|\bzar\b",
        "ZAR",
    ),
    (r"\bbaht\b", "THB"),
    (r"\bringgit\b", "MYR"),
    (r"\brupiah\b", "IDR"),
    (r"\bzloty\b|\bzlotys\b", "PLN"),
    (r"\bforints?\b", "HUF"),
    (r"\broubles?\b|\brubles?\b", "RUB"),
    (r"\bshekels?\b", "ILS"),
]
_GENERIC = {DOLLAR, PESO, KRONE, YUAN}
_FOREIGN_CURRENCIES = currency_rows()
CURRENCY_WORDS = compile_table(
    [
        (_LCU_WORDS, LCU, 0.8),
        (_INTL_WORDS, INTL, 0.8),
        *[(p, c, 0.9) for p, c in _FOREIGN_CURRENCIES if c not in _GENERIC and c != LCU],
        *[(p, c, 0.9) for p, c in _FOREIGN_CURRENCIES if c == LCU],
        *[(p, c, 0.95) for p, c in ENGLISH_CURRENCIES],
        *[(p, c, 0.8) for p, c in _FOREIGN_CURRENCIES if c in _GENERIC],
        (r"\bpesos?\b", PESO, 0.8),
        (r"\bkroner\b|\bkrone\b|\bkr\b", KRONE, 0.8),
        (r"\bdollars?\b|\$|\bcents?\b", DOLLAR, 0.85),
        (
            r"\b(shillings?|schillings?|francs?|pesetas?|markkaa?|marka|lire|lira|koruna|dirhams?"
            r"|dinars?|riyals?|rials?|escudos?|drachmas?|guilders?|punts?|kroon|lats|litas|tolars?"
            r"|kuna|leva|lev|lei|leu|sucres?|bolivars?|kwacha|naira|cedis?|taka|kyats?|kips?"
            r"|riels?|tenge|hryvnias?|manats?|laris?|drams?|somoni|tugriks?|pulas?|lilangeni"
            r"|maloti|ouguiyas?|dalasis?|leones?|nakfa|birr|ariary|pataca|ngultrum|rufiyaa)\b",
            NAMED,
            0.7,
        ),
    ]
)

# Country (or area, or its statistical agency / central bank) named in the name, description
# or source → its currency (dollar, peso and LCU resolution).
ENGLISH_COUNTRIES: list[tuple[str, str, float]] = [
    (r"\baustralia", "AUD", 0.8),
    (r"\bcanad", "CAD", 0.8),
    (r"new zealand", "NZD", 0.8),
    (r"hong kong", "HKD", 0.8),
    (r"singapore", "SGD", 0.8),
    (r"\bjapan", "JPY", 0.8),
    (r"united kingdom|\bbritish\b|\bu\.k\.|\buk\b|\bengland\b", "GBP", 0.8),
    (
        r"euro area|eurozone|\bgerman|\bfrench\b|\bfrance\b|\bital(y|ian)\b|\bspain\b|\bspanish\b",
        "EUR",
        0.75,
    ),
    (r"\bchina\b|\bchinese\b", "CNY", 0.8),
    (r"\bindia\b|\bindian\b", "INR", 0.8),
    (r"\biceland", "ISK", 0.8),
    (r"switzerland|\bswiss\b", "CHF", 0.8),
    (
        r"\bnetherlands\b|\bdutch\b|\bbelgi(um|an)\b|\baustria|\bportug|\bireland\b|\birish\b"
        r"|\bfinland\b|\bfinnish\b|\bgreece\b|\bgreek\b|\bslovak|\bsloven|\bestonia|\blatvia"
        r"|\blithuania|\bluxembourg|\bcroatia|\bcyprus\b|\bmalta\b",
        "EUR",
        0.75,
    ),
    (r"\bkorea", "KRW", 0.8),
    (r"\bbrazil", "BRL", 0.8),
    (r"\bmexic", "MXN", 0.8),
    (r"south africa", "ZAR", 0.8),
    (r"\bswed", "SEK", 0.8),
    (r"\bnorw", "NOK", 0.8),
    (r"\bdenmark\b|\bdanish\b", "DKK", 0.8),
    (r"\bpoland\b|\bpolish\b", "PLN", 0.8),
    (r"\bturkey\b|\bturkish\b|\bt[uü]rkiye\b", "TRY", 0.8),
    (r"\brussia", "RUB", 0.8),
    (r"\bindonesia", "IDR", 0.8),
    (r"\bchile\b|\bchilean\b", "CLP", 0.8),
    (r"\bcolombia", "COP", 0.8),
    (r"\bperu\b|\bperuvian\b", "PEN", 0.8),
    (r"\bargentin", "ARS", 0.8),
    (r"\bisrael", "ILS", 0.8),
    (r"\bthailand\b|\bthai\b", "THB", 0.8),
    (r"\bmalaysia", "MYR", 0.8),
    (r"\bphilippine", "PHP", 0.8),
    (r"\btaiwan", "TWD", 0.8),
    (r"\bhungar", "HUF", 0.8),
    (r"\bczech", "CZK", 0.8),
    (r"\bvietnam\b|\bviet nam\b", "VND", 0.8),
    (r"\bsaudi\b", "SAR", 0.8),
    (r"united arab emirates|\buae\b", "AED", 0.8),
    (r"\bromania", "RON", 0.8),
    (r"\bbulgaria", "BGN", 0.8),
    (r"\bmacao\b|\bmacau\b", "MOP", 0.8),
    (r"\bpakistan", "PKR", 0.8),
    (r"\begypt", "EGP", 0.8),
    (r"\bnigeria", "NGN", 0.8),
    (
        r"reserve bank of australia|\brba\b|australian bureau of statistics",
        "AUD",
        0.8,
    ),
    (r"statistics canada|bank of canada|\bstatcan\b", "CAD", 0.8),
    (r"stats nz|statistics new zealand|reserve bank of new zealand|\brbnz\b", "NZD", 0.8),
    (r"bank of japan|\bboj\b|statistics bureau of japan|\be-stat\b|cabinet office", "JPY", 0.8),
    (r"bank of korea|statistics korea|\bkostat\b|\bkosis\b|\becos\b", "KRW", 0.8),
    (r"people.s bank of china|\bpboc\b|national bureau of statistics of china", "CNY", 0.8),
    (r"hong kong monetary authority|\bhkma\b|census and statistics department", "HKD", 0.8),
    (
        r"monetary authority of singapore|\bsingstat\b|department of statistics, singapore",
        "SGD",
        0.8,
    ),
    (r"central bank of the republic of china|\bdgbas\b", "TWD", 0.8),
    (r"reserve bank of india|\brbi\b|\bmospi\b", "INR", 0.8),
    (r"bank negara|\bdosm\b", "MYR", 0.8),
    (r"bank of thailand", "THB", 0.8),
    (r"bank indonesia|badan pusat statistik", "IDR", 0.8),
    (r"bangko sentral|philippine statistics", "PHP", 0.8),
    (r"bank of england|office for national statistics|\bons\b", "GBP", 0.8),
    (r"european central bank|\becb\b|\beurostat\b|\beurosystem\b", "EUR", 0.8),
    (r"south african reserve bank|\bsarb\b|statistics south africa|\bstats sa\b", "ZAR", 0.8),
    (r"swiss national bank|\bsnb\b", "CHF", 0.8),
    (r"sveriges riksbank|\briksbank\b|statistics sweden", "SEK", 0.8),
    (r"norges bank|statistics norway", "NOK", 0.8),
    (r"danmarks nationalbank|statistics denmark", "DKK", 0.8),
    (
        r"statistics netherlands|nederlandsche bank|statistics finland|bank of finland|central statistics office|statistics austria|\boenb\b|\bistat\b|bank of italy|deutsche bundesbank|\bbundesbank\b|\bdestatis\b|\binsee\b|banque de france|banco de espana|banco de portugal|statistics portugal",
        "EUR",
        0.8,
    ),
    (r"national bank of poland|statistics poland", "PLN", 0.8),
    (r"czech national bank|czech statistical office", "CZK", 0.8),
    (r"magyar nemzeti bank", "HUF", 0.8),
    (r"statistics iceland|central bank of iceland", "ISK", 0.8),
    (
        r"federal reserve|bureau of labor statistics|bureau of economic analysis|census bureau"
        r"|u\.s\. bureau",
        "USD",
        0.8,
    ),
    (r"united states|\bu\.\s?s\.|\bus\b|\busa\b|\bamerica|\bfederal\b|\bfred\b", "USD", 0.75),
]
COUNTRY_CURRENCY = compile_table([*[(p, c, 0.8) for p, c in country_rows()], *ENGLISH_COUNTRIES])

# Only these upper-case tokens are read as codes when the text is all upper case (they are words).
AMBIGUOUS_CODES = frozenset(
    {
        "ALL",
        "TOP",
        "CUP",
        "PEN",
        "TRY",
        "MAD",
        "BAM",
        "BOB",
        "CAD",
        "DOP",
        "GEL",
        "MOP",
        "SOS",
        "TND",
        "WST",
        "AED",
        "ANG",
        "AMD",
        "CUC",
        "MNT",
    }
)
