"""Unit lexicons: unit kinds, scale words, currency words and country hints, as data.

Every table is ``(regex, outcome, confidence)``; order matters (first match wins). Currency
codes are matched as ISO 4217 codes (from the ``iso4217`` package) in their upper-case form only,
never as English words.
"""

from __future__ import annotations

from enum import StrEnum

from indiclass.domain.enums import Scale
from indiclass.rules._text import compile_table


class UnitKind(StrEnum):
    FLAG = "flag"
    FX = "fx"
    CHANGE = "change"
    SHARE_OF = "share-of"
    PERCENT = "percent"
    INDEX = "index"
    CURRENCY = "currency"
    PRICE_PER = "price-per"
    DURATION = "duration"
    PHYSICAL = "physical"
    COUNT = "count"
    RATIO = "ratio"
    SCALE_ONLY = "scale-only"
    UNKNOWN = "unknown"


K = UnitKind

_FX_CODES = (
    "(usd|eur|jpy|gbp|chf|cny|cnh|aud|cad|nzd|sek|nok|dkk|hkd|sgd|krw|inr|brl|mxn|zar|try|rub"
    "|pln|huf|czk|idr|thb|myr|php|twd|ils|clp|cop|ars|sar|aed)"
)
"""ISO codes of traded currencies: a unit like "EURUSD" (a quoted pair) is an exchange rate."""

# Unit kinds read before any currency word (their order matters).
EARLY_KINDS = compile_table(
    [
        (r"\+1 or 0|\b0 or 1\b|\bdummy\b|\(1 for\b", K.FLAG, 0.9),
        (
            r"\bto one\b|\blcu per\b|currency units? per|\bper (one )?(u\.?s\.? ?\$|us\$|u\.s\. dollars?"
            r"|us dollars?|euro|international \$)|\bunits of (yen|euros?|dollars?|pounds?)"
            r"|cents per british pound|\b(usd|eur|jpy|gbp|chf|cny)/(usd|eur|jpy|gbp|chf|cny)\b"
            rf"|^{_FX_CODES}{_FX_CODES}$",
            K.FX,
            0.9,
        ),
        (
            r"percent(age)? change|% change|pct\.? ?chg|growth rate|% growth|\bgrowth\b|change from"
            r"|rate of change"
            r"|annual %|\byoy\b|year[- ]on[- ]year|\bqoq\b|\bmom\b|annuali[sz]ed",
            K.CHANGE,
            0.9,
        ),
        (
            r"(%|\bpercent|\bper ?cent|\bpercentage|\bproportion|\bshare) of\b|% gdp|percent gdp"
            r"|% of\b|\bto gdp\b|%[a-z ]{1,30} of\b|share of (world|total)",
            K.SHARE_OF,
            0.85,
        ),
        (
            r"%|\bpercent\b|\bper ?cent\b|\bpct\b|\bpercentage( points)?\b|\bbasis points\b|^rate$"
            r"|\bpourcentage\b",
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
)

# Unit kinds read when no currency word was found (on the part before "per").
LATE_KINDS = compile_table(
    [
        # energy before time: "kilowatt hours" is a quantity, not a duration
        (
            r"barrels?|\bbbl\b|\btons?\b|tonnes?\b|\bmetric\b|cubic|joules?|\bbtu\b|gallons?|lit(re|er)s?\b"
            r"|grams?\b|\bkg\b|\bkwh\b|\b[gmt]wh\b|watts?|ton-km|\bkm\b|\bmiles?\b|hectares?|acres?"
            r"|bushels?|ounces?|therms?\b|\bbcf\b|\bmmbtu\b",
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
)

EXACT_MULTIPLIER: dict[str, float] = {"hundred million": 1e8, "crore": 1e7, "lakh": 1e5}
"""Scale words between two steps of the scale enum: the exact factor is kept beside the step."""

# Scale words, read on the amount part of the unit (before "per").
SCALE_WORDS = compile_table(
    [
        (r"hundred million|\bcrores?\b", Scale.MILLIONS, 0.85),
        (r"\btrillions?\b|\btn\b|^t$", Scale.TRILLIONS, 0.9),
        (r"\bbillions?\b|\bbn\b|\bbils?\b\.?|^b$", Scale.BILLIONS, 0.9),
        (r"\bmillions?\b|\bmn\b|\bmio\b|\bmill?\b\.?|^m$", Scale.MILLIONS, 0.9),
        (r"\bthousands?\b|\b1,?000\b|'000|^k$|\b1k\b", Scale.THOUSANDS, 0.9),
        (r"\bhundreds?\b", Scale.HUNDREDS, 0.85),
        (r"\blakhs?\b", Scale.THOUSANDS, 0.85),
    ]
)

INTL = "INTL"
LCU = "LCU"
DOLLAR = "DOLLAR"

# Currency words and symbols → ISO code (or a marker resolved with the country hint).
CURRENCY_WORDS = compile_table(
    [
        (r"\blcu\b|national currency|local currency|domestic currency", LCU, 0.8),
        (
            r"international (\$|dollars?)|\bppp\b[^;]*\$|\$[^;]*\bppp\b|purchasing power parity",
            INTL,
            0.8,
        ),
        (
            r"u\.\s?s\.\s?\$|\bus\s?\$|\busd\b|u\.\s?s\.\s?(dollars?|cents?)|\bus (dollars?|cents?)"
            r"|united states dollars?",
            "USD",
            0.95,
        ),
        (r"\beuros?\b|€|\beur\b", "EUR", 0.95),
        (r"\byen\b|¥|\bjpy\b", "JPY", 0.95),
        (r"\byuan\b|\brenminbi\b|\brmb\b|\bcny\b", "CNY", 0.95),
        (r"\bpounds? sterling\b|£|\bgbp\b|\bpounds\b|\bpound\b", "GBP", 0.85),
        (r"\bswiss francs?\b|\bchf\b", "CHF", 0.95),
        (r"\brupees?\b|\binr\b", "INR", 0.85),
        (r"\bdollars?\b|\$|\bcents?\b", DOLLAR, 0.85),
    ]
)

# Country (or area) named in the name/description → its currency (dollar and LCU resolution).
COUNTRY_CURRENCY = compile_table(
    [
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
        (r"united states|\bu\.\s?s\.|\bus\b|\busa\b|\bamerica|\bfederal\b|\bfred\b", "USD", 0.75),
    ]
)

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
