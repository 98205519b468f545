"""Norwegian and Danish: Norges Bank, SSB, Danmarks Statistik and Nationalbanken titles."""

from __future__ import annotations

from indiclass.rules.kinds import KRONE, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="no",
    subjects=(
        (
            r"forventningsbarometer|konjunkturbarometer|tillitsindikator|forbrukertillit|forbrugertillid",
            "sentiment",
        ),
        (r"importveid|effektiv kronekurs", "fx-index"),
        (r"valutakurs(er)?|kronekurs", "fx"),
        (r"arbeidsledighet|ledighetsprosent|arbejdsloshed", "unemployment-rate"),
        (r"omsetning|omsaetning|detaljhandel", "sales"),
        (
            r"statslan|statsobligasjon|obligasjon|nullkupong|generiske renter|kurser og renter|statspapirer",
            "bond-yield",
        ),
        (r"rentebytte", "money-credit"),
        (
            r"styringsrente|foliorente|\brente(r)?\b|\bnowa\b|\bnibor\b|utlansrente|innskuddsrente|pengemarked|\bcibor\b|udlansrente|indlansrente",
            "interest-rate",
        ),
        (r"\bkpi\b|konsumprisindeks|forbrugerprisindeks|prisindeks", "price-level"),
        (r"likviditet|utlan|innskudd|udlan|indlan|pengemengde|\bm[1-3]\b", "money-credit"),
        (r"statsgjeld|gjeld|statsgaeld|\bgaeld\b", "debt"),
        (r"\bbnp\b|bruttonasjonalprodukt|bruttonationalprodukt|produksjon|produktion", "output"),
        (r"sysselsatte|beskjeftigede|beskaeftigede|lonnstakere", "employment"),
        (r"befolkning|folketall", "population"),
    ),
    kinds=(
        (
            r"prosentvis endring|endring i prosent|arsvekst|tolvmanedersvekst|aendring i procent",
            K.CHANGE,
        ),
        (r"\bprosent\b", K.PERCENT),
        (r"\bindeks\b", K.INDEX),
        (r"\bantall\b|\bantal\b|personer", K.COUNT),
    ),
    scales=(
        (r"\bmilliarder\b|\bmrd\.?|\bmia\.?", 1e9),
        (r"\bmillioner\b|\bmill\.|\bmnok\b|\bmio\.", 1e6),
        (r"\btusen\b|\btusind\b|\b1000 kr", 1e3),
    ),
    currencies=(
        (r"\bnok\b|norske kroner", "NOK"),
        (r"\bdkk\b|danske kroner", "DKK"),
        (r"\bkroner\b|\bkrone\b", KRONE),
    ),
    countries=(
        (r"norges bank|statistisk sentralbyra|\bssb\b|\bnorge\b|\bnorsk", "NOK"),
        (r"danmarks statistik|nationalbanken|danmarks nationalbank|\bdanmark\b|\bdansk", "DKK"),
    ),
    frequencies=(
        (r"^maned|^maaned", F.MONTHLY),
        (r"^kvartal", F.QUARTERLY),
        (r"^arlig|^ar$|^aar", F.ANNUAL),
        (r"^daglig", F.DAILY),
        (r"^ukentlig|^ugentlig", F.WEEKLY),
    ),
    ytd=(r"hittil i ar|akkumulert|sa langt i ar",),
    rolling=(r"siste 12 maneder|glidende",),
    change=(r"endring|vekst|aendring",),
    valuation=(r"lopende priser|faste priser|lobende priser|faste priser",),
    per_capita=(r"per innbygger|pr\. innbygger|per indbygger",),
)
