"""German: Destatis (GENESIS), Deutsche Bundesbank, Statistik Austria, OeNB, SNB and BFS titles."""

from __future__ import annotations

from indiclass.rules.kinds import DOLLAR, LCU, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="de",
    subjects=(
        (r"inflationserwartung", "inflation-expectation"),
        (
            r"\bifo\b|geschaftsklima|konsumklima|vertrauen|stimmung|\bzew\b|konjunkturerwartung|geschaftserwartung|geschaftslage|einkaufsmanager",
            "sentiment",
        ),
        (r"effektiver wechselkurs|wettbewerbsfahigkeit", "fx-index"),
        (r"wechselkurs|devisenkurs|referenzkurs|kurs des euro|eur 1 =", "fx"),
        (r"arbeitslosenquote|erwerbslosenquote", "unemployment-rate"),
        (r"erwerbstatigenquote|erwerbsquote|beschaftigungsquote", "population-rate"),
        (r"kapazitatsauslastung", "capacity-utilisation"),
        (r"reichweite", "time-to"),
        (r"\banteil\b|anteile\b", "component-share"),
        (
            r"rendite|umlaufrendite|anleihen?|bundesanleihe|pfandbrief|zinsstruktur|bundeswertpapiere|schatzanweisung",
            "bond-yield",
        ),
        (
            r"zinssatz|zinssatze|zinsen|\bzins\b|leitzins|refinanzierung|einlagefazilitat|basiszins|geldmarkt|\beuribor\b|\b€str\b|hypothekenzins|kreditzins|effektivzins",
            "interest-rate",
        ),
        (
            r"verbraucherpreis|\bvpi\b|\bhvpi\b|preisindex|preisindizes|erzeugerpreis|einfuhrpreis|ausfuhrpreis|grosshandelsverkaufspreis|hauserpreis|baupreis|deflator|baulandpreis",
            "price-level",
        ),
        (r"inflationsrate|teuerung", "inflation"),
        (r"\bpreis|\bpreise\b|kosten\b", "price"),
        (r"wahrungsreserven|reserveaktiva|devisenreserven", "reserves"),
        (
            r"handelsbilanz|leistungsbilanz|zahlungsbilanz|aussenhandelssaldo|kapitalbilanz|dienstleistungsbilanz",
            "external-balance",
        ),
        (r"direktinvestitionen|wertpapierinvestitionen|kapitalverkehr|nettokapital", "net-flow"),
        (r"aus- und einfuhr|aussenhandel|ausfuhr|exporte?\b", "exports"),
        (r"einfuhr|importe?\b", "imports"),
        (r"finanzierungssaldo|haushaltssaldo|defizit|uberschuss", "budget-balance"),
        (r"schulden|verschuldung|schuldenstand|verbindlichkeiten", "debt"),
        (r"steuereinnahmen|steuern|einnahmen", "revenue"),
        (r"ausgaben des staates|staatsausgaben|offentliche ausgaben", "outlays"),
        (r"insolvenz", "bankruptcies"),
        (r"erzeugung|gewinnung|forderung von|stromerzeugung|warmeerzeugung", "physical-output"),
        (r"abgabe|einspeisung|\bverbrauch\b|brennstoffeinsatz|absatz von", "physical-flow"),
        (
            r"geldmenge|\bm[1-3]\b|einlagen|kredite|darlehen|buchkredite|bargeldumlauf|banknotenumlauf|forderungen|vermogen|bestande?\b|wertpapierbestand|bilanzsumme",
            "money-credit",
        ),
        (
            r"tarifverdienst|tariflohn|verdienste|bruttoverdienst|\blohne?\b|gehalter|entgelte|arbeitskosten|arbeitnehmerentgelt",
            "wage",
        ),
        (r"volkseinkommen|einkommen|gewinne?\b|unternehmensgewinn", "income"),
        (r"vorratsveranderung|lagerveranderung", "inventory-change"),
        (r"auftragsbestand", "backlog"),
        (
            r"investitionen|bruttoinvestitionen|anlageinvestitionen|ausrustungsinvestitionen|bauinvestitionen|anlagevermogen",
            "investment",
        ),
        (
            r"bruttoinlandsprodukt|\bbip\b|bruttowertschopfung|wertschopfung|bruttonationaleinkommen|produktionswert|produktionsindex|produktion\b|produktion im|industrieproduktion",
            "output",
        ),
        (r"konsumausgaben|konsum", "spending"),
        (
            r"umsatz|umsatze|einzelhandel|auftragseingang|auftragseingange|absatz|verkaufe|erlose",
            "sales",
        ),
        (r"\bdax\b|aktienindex|aktienkurse|\baktien\b", "equity"),
        (r"arbeitslose|erwerbslose", "unemployed"),
        (r"erwerbspersonen", "labour-force"),
        (
            r"erwerbstatige|beschaftigte|sozialversicherungspflichtig|tatige personen|arbeitnehmer|selbstandige|beschaftigtenindex|beschaftigung",
            "employment",
        ),
        (r"bevolkerung|einwohner|geburten|haushalte", "population"),
        (r"baugenehmigungen|baufertigstellungen|genehmigungen", "housing-events"),
        (r"gewerbeanzeigen|gewerbeanmeldungen|gewerbeabmeldungen", "applications"),
        (r"kfz-neuzulassungen|neuzulassungen|zulassungen", "vehicle-sales"),
        (r"ubernachtungen|gasteankunfte|ankunfte|\bgaste\b", "arrivals"),
        (r"lkw-maut|fahrleistung|guterverkehr|beforderung|verkehrsleistung", "transport-volume"),
        (r"betriebe|unternehmen\b|anzahl", "things-counted"),
    ),
    kinds=(
        (
            r"veranderung (gegenuber|zum|in %)|veranderungsrate|gegenuber (dem )?vorjahr|vorjahresmonat|vorjahresquartal|zuwachsrate|wachstumsrate|vorquartal|vormonat|prozentuale veranderung|jahresrate",
            K.CHANGE,
        ),
        (r"in % des bip|% des bip|in prozent des", K.SHARE_OF),
        (r"\bprozent\b|prozentpunkte|basispunkte", K.PERCENT),
        (r"\bindex\b|\bindizes\b|\bbasisjahr\b|messzahl", K.INDEX),
        (
            r"tonnen|\bliter\b|kubikmeter|\bkwh\b|\bmwh\b|\bgwh\b|\btwh\b|quadratmeter|hektar",
            K.PHYSICAL,
        ),
        (r"\btage\b|\bmonate\b|\bjahre\b|\bwochen\b|\bstunden\b|arbeitsstunden", K.DURATION),
        (r"\banzahl\b|personen|beschaftigte|betriebe|\bstuck\b", K.COUNT),
    ),
    scales=(
        (r"\bbio\.|\bbillionen\b", 1e12),
        (r"\bmrd\.?|\bmilliarden?\b", 1e9),
        (r"\bmio\.?|\bmillionen\b", 1e6),
        (r"\btsd\.?|\btausend\b", 1e3),
    ),
    currencies=(
        (r"landeswahrung|nationalwahrung", LCU),
        (r"us-dollar|us dollar", "USD"),
        (r"schweizer franken|\bfranken\b", "CHF"),
        (r"pfund sterling", "GBP"),
        (r"\bdollar\b", DOLLAR),
    ),
    countries=(
        (
            r"deutsche bundesbank|statistisches bundesamt|\bdestatis\b|bundesagentur fur arbeit|deutschland|bundesgebiet|bundeslander|neue lander|\bdeutsch",
            "EUR",
        ),
        (r"statistik austria|oesterreichische nationalbank|osterreich", "EUR"),
        (r"euroraum|eurozone|euro-wahrungsgebiet|\bezb\b", "EUR"),
        (r"schweizerische nationalbank|bundesamt fur statistik|\bschweiz\b", "CHF"),
        (r"vereinigte staaten", "USD"),
        (r"\bdanemark\b", "DKK"),
    ),
    frequencies=(
        (r"^monatlich|^monat", F.MONTHLY),
        (r"^vierteljahrlich|^quartal", F.QUARTERLY),
        (r"^halbjahrlich|^halbjahr", F.SEMIANNUAL),
        (r"^jahrlich|^jahr", F.ANNUAL),
        (r"^taglich|^arbeitstaglich", F.DAILY),
        (r"^wochentlich", F.WEEKLY),
    ),
    ytd=(
        r"seit jahresbeginn|seit jahresanfang|kumuliert|aufgelaufen|bis zum berichtsmonat|januar bis",
    ),
    rolling=(r"gleitend|letzten? 12 monate|12-monats",),
    change=(r"veranderung|vorjahr|wachstum|zuwachs|vormonat|vorquartal",),
    valuation=(r"(in )?jeweiligen preisen|preisbereinigt|konstanten preisen|laufende preise",),
    per_capita=(r"je einwohner|pro kopf|je erwerbstatigen",),
)
