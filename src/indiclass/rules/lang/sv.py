"""Swedish: SCB, Riksbanken, Konjunkturinstitutet titles and units (mnkr, tkr, kronor)."""

from __future__ import annotations

from indiclass.rules.kinds import UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="sv",
    subjects=(
        (
            r"konfidensindikator|barometerindikator|barometer|forvantningar|hushallens konfidens|stamningslage|konjunkturbarometer",
            "sentiment",
        ),
        (r"kronindex|\bkix\b|\btcw\b", "fx-index"),
        (r"valutakurs|vaxelkurs|kronkurs", "fx"),
        (r"arbetsloshet|arbetsloshetstal", "unemployment-rate"),
        (r"sysselsattningsgrad|relativa arbetskraftstal", "population-rate"),
        (r"kapacitetsutnyttjande", "capacity-utilisation"),
        (r"forsorjningskvot|skuldkvot|kvot\b", "debt-ratio"),
        (r"\bandel\b|andelen", "component-share"),
        (
            r"obligationsranta|statsobligation|statsskuldvaxel|bostadsobligation|avkastning",
            "bond-yield",
        ),
        (
            r"styrranta|reporanta|\branta\b|rantor|\bstibor\b|\bswestr\b|utlaningsranta|inlaningsranta|referensranta",
            "interest-rate",
        ),
        (
            r"\bkpif?\b|\bhikp\b|konsumentprisindex|prisindex|producentprisindex|\bppi\b|prisbasbelopp",
            "price-level",
        ),
        (r"prisforandring|inflation", "inflation"),
        (r"\bpris(er)?\b|kostnad per", "price"),
        (r"valutareserv", "reserves"),
        (
            r"bytesbalans|handelsbalans|betalningsbalans|handelsnetto|nettoexport",
            "external-balance",
        ),
        (r"direktinvesteringar|portfoljinvesteringar", "net-flow"),
        (r"\bexport\b", "exports"),
        (r"\bimport\b", "imports"),
        (r"budgetsaldo|finansiellt sparande|underskott|overskott", "budget-balance"),
        (r"statsskuld|\bskuld(er)?\b", "debt"),
        (r"skatter|skatteintakter|intakter", "revenue"),
        (r"kostnader|totala kostnader|utgifter", "outlays"),
        (r"utlaning|inlaning|krediter|\blan\b|penningmangd|\bm[1-3]\b|tillgangar", "money-credit"),
        (r"medelinkomst|medianinkomst|genomsnittlig (inkomst|lon)|medellon", "wage"),
        (r"\bloner?\b|lonesumma|arbetskostnad", "wage"),
        (r"disponibel inkomst|inkomst|vinst|rorelseresultat", "income"),
        (r"lagerinvesteringar|lagerforandring", "inventory-change"),
        (r"investering|bruttoinvestering|investeringar", "investment"),
        (
            r"\bbnp\b|\bbrp\b|bruttonationalprodukt|bruttoregionalprodukt|foradlingsvarde|produktionsvarde|industriproduktion|produktion",
            "output",
        ),
        (r"konsumtion|konsumtionsutgifter|slutlig anvandning", "spending"),
        (r"omsattning|nettoomsattning|detaljhandel|forsaljning|orderingang", "sales"),
        (r"\bomx\b|aktiekurs|aktieindex", "equity"),
        (r"arbetslosa", "unemployed"),
        (r"lediga jobb|vakanser", "vacancies"),
        (r"arbetskraften", "labour-force"),
        (r"konkurser|drabbade av konkurs", "bankruptcies"),
        (
            r"sysselsatta|sysselsattning|anstallda|forvarvsarbetande|jobbytare|\bjobb\b",
            "employment",
        ),
        (r"befolkning|folkmangd|invanare|fodda|hushall", "population"),
        (r"bostadsbyggande|paborjade|kopta smahus|smahus|bostadsratter", "housing-events"),
        (r"gastnatter|overnattningar", "arrivals"),
        (r"arbetsstallen|foretag\b|antal\b", "things-counted"),
    ),
    kinds=(
        (
            r"procentuell forandring|manadsforandring|arsforandring|kvartalsforandring|volymforandring|prisforandring|forandring,? procent|forandring i procent|utveckling i procent|tillvaxt i procent",
            K.CHANGE,
        ),
        (r"procent av bnp|% av bnp|andel av", K.SHARE_OF),
        (r"\bprocent\b|procentenheter", K.PERCENT),
        (r"\bindex\b|indextal", K.INDEX),
        (r"\bton\b|kubikmeter|\bkwh\b|\bgwh\b|\bliter\b|hektar|kvadratmeter", K.PHYSICAL),
        (r"\bdagar\b|manader|\btimmar\b|\bveckor\b", K.DURATION),
        (r"\bantal\b|personer|\bst\b|helarsekvivalenter", K.COUNT),
    ),
    scales=(
        (r"\bmdkr\b|\bmiljarder\b|\bmdr\b|\bmd\b", 1e9),
        (r"\bmnkr\b|\bmiljoner\b|\bmilj\b|\bmkr\b", 1e6),
        (r"\btkr\b|\btusen\b|\btusental\b", 1e3),
    ),
    currencies=((r"\bkronor\b|\bkr\b|\bmnkr\b|\btkr\b|\bmdkr\b|\bmkr\b|svenska kronor", "SEK"),),
    countries=(
        (
            r"statistiska centralbyran|\bscb\b|riksbank|konjunkturinstitutet|\bsverige\b|\bsvensk",
            "SEK",
        ),
        (r"\bfinland\b", "EUR"),
    ),
    frequencies=(
        (r"^manad", F.MONTHLY),
        (r"^kvartal", F.QUARTERLY),
        (r"^halvar", F.SEMIANNUAL),
        (r"^ar$|^arsvis", F.ANNUAL),
        (r"^dag", F.DAILY),
        (r"^vecka", F.WEEKLY),
    ),
    ytd=(r"hittills i ar|ackumulerad|ackumulerat|sedan arets borjan",),
    rolling=(r"rullande|senaste 12 manaderna|glidande",),
    change=(r"forandring|utveckling|tillvaxt|okning",),
    valuation=(r"lopande priser|fasta priser|marknadspris|referensar \d{4}",),
    per_capita=(r"per invanare|per capita|per person",),
)
