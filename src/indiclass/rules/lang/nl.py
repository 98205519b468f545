"""Dutch: CBS (StatLine), De Nederlandsche Bank and Statbel titles and units (mln euro)."""

from __future__ import annotations

from indiclass.rules.kinds import UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="nl",
    subjects=(
        (
            r"consumentenvertrouwen|producentenvertrouwen|ondernemersvertrouwen|vertrouwen|stemming|conjunctuurenquete",
            "sentiment",
        ),
        (r"effectieve wisselkoers", "fx-index"),
        (r"wisselkoers", "fx"),
        (r"werkloosheidspercentage|werkloosheid", "unemployment-rate"),
        (
            r"bruto arbeidsparticipatie|netto arbeidsparticipatie|arbeidsparticipatie",
            "population-rate",
        ),
        (r"bezettingsgraad", "capacity-utilisation"),
        (r"\baandeel\b", "component-share"),
        (r"rendement|staatsobligaties|obligaties|kapitaalmarktrente", "bond-yield"),
        (
            r"\brente\b|rentevoet|beleidsrente|herfinancieringsrente|depositorente|hypotheekrente",
            "interest-rate",
        ),
        (
            r"consumentenprijsindex|\bcpi\b|\bhicp\b|prijsindex|producentenprijsindex|prijsindexcijfers|deflator",
            "price-level",
        ),
        (r"\binflatie\b", "inflation"),
        (r"\bprijs\b|\bprijzen\b|kosten\b", "price"),
        (r"lopende rekening|handelsbalans|betalingsbalans|handelssaldo", "external-balance"),
        (
            r"herwaardering|statistisch verschil|overige volumemutaties|directe investeringen",
            "net-flow",
        ),
        (r"uitvoer|\bexport\b", "exports"),
        (r"invoer|\bimport\b", "imports"),
        (r"financieringssaldo|begrotingssaldo|\btekort\b|overschot", "budget-balance"),
        (
            r"schuldbewijzen|deposito.s|leningen|kredieten|geldhoeveelheid|tegoeden|vorderingen|chartaal geld|activa|\bsdr.s\b|monetair goud",
            "money-credit",
        ),
        (r"staatsschuld|\bschuld(en)?\b", "debt"),
        (r"belastingen|belastingontvangsten|ontvangsten", "revenue"),
        (r"uitgaven van de overheid|overheidsuitgaven", "outlays"),
        (r"\blonen\b|cao-lonen|loonkosten|beloning", "wage"),
        (r"inkomen|winst", "income"),
        (r"voorraadmutatie|voorraadvorming|veranderingen voorraad", "inventory-change"),
        (r"investeringen|bruto investeringen|vaste activa|kapitaalgoederenvoorraad", "investment"),
        (
            r"\bbbp\b|bruto binnenlands product|toegevoegde waarde|productie|nijverheid|industrie\b|bouwnijverheid",
            "output",
        ),
        (r"consumptie|bestedingen|consumptieve bestedingen", "spending"),
        (r"\bomzet\b|dagomzet|detailhandel|verkopen|orderontvangst", "sales"),
        (r"\baex\b|aandelenkoers", "equity"),
        (r"werklozen|werkloze beroepsbevolking", "unemployed"),
        (r"vacatures", "vacancies"),
        (r"beroepsbevolking", "labour-force"),
        (r"werkzame personen|\bbanen\b|werknemers|werkgelegenheid|arbeidsvolume", "employment"),
        (r"bevolking|inwoners|geboorten|huishoudens", "population"),
        (r"faillissementen|faillietverklaringen", "bankruptcies"),
        (r"bouwvergunningen|nieuwbouwwoningen|verkochte woningen", "housing-events"),
        (r"overnachtingen|gasten", "arrivals"),
    ),
    kinds=(
        (
            r"volumemutatie|procentuele (mutatie|verandering)|mutatie (t\.o\.v\.|ten opzichte)|jaarmutatie|waardemutatie|prijsmutatie",
            K.CHANGE,
        ),
        (r"(als )?% van het bbp|in % van", K.SHARE_OF),
        (r"\bprocent\b|procentpunten?", K.PERCENT),
        (r"\bindex\b|indexcijfers?|\bbasisjaar\b", K.INDEX),
        (r"\bton\b|\bkg\b|\bliter\b|kubieke meter|\bkwh\b|\bm3\b", K.PHYSICAL),
        (r"\bdagen\b|\bmaanden\b|\bjaren\b|\buren\b", K.DURATION),
        (r"\baantal\b|personen|bedrijven", K.COUNT),
    ),
    scales=(
        (r"\bmld\b|\bmiljard\b|\bmrd\b", 1e9),
        (r"\bmln\b|\bmiljoen\b", 1e6),
        (r"x ?1 ?000\b|\b1 000\b|\bduizend\b", 1e3),
    ),
    countries=(
        (
            r"centraal bureau voor de statistiek|\bcbs\b|nederlandsche bank|\bdnb\b|\bnederland|\bstatbel\b|\bbelgie\b",
            "EUR",
        ),
    ),
    frequencies=(
        (r"^per ?maand|^maand", F.MONTHLY),
        (r"^per ?kwartaal|^kwartaal", F.QUARTERLY),
        (r"^per ?halfjaar", F.SEMIANNUAL),
        (r"^per ?jaar|^jaar", F.ANNUAL),
        (r"^per ?dag|^dag", F.DAILY),
        (r"^per ?week", F.WEEKLY),
    ),
    ytd=(r"sinds begin van het jaar|cumulatief|tot en met (deze|de) maand",),
    rolling=(r"voortschrijdend|laatste 12 maanden",),
    change=(r"mutatie|mutaties|verandering|\bgroei\b|ontwikkeling",),
    valuation=(r"lopende prijzen|constante prijzen|basisprijzen|marktprijzen",),
    per_capita=(r"per inwoner|per hoofd",),
)
