"""Italian: Istat, Banca d'Italia and Swiss (Ticino) titles."""

from __future__ import annotations

from indiclass.rules.kinds import LCU, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="it",
    subjects=(
        (r"aspettative di inflazione", "inflation-expectation"),
        (r"fiducia|clima (economico|di fiducia)|sentiment", "sentiment"),
        (r"tasso di cambio effettivo", "fx-index"),
        (r"tassi? di cambio|\bcambio\b", "fx"),
        (r"tasso di disoccupazione|disoccupazione", "unemployment-rate"),
        (r"tasso di (occupazione|attivita)", "population-rate"),
        (r"rendimento|rendimenti|\bbtp\b|\bbot\b|titoli di stato|obbligazioni", "bond-yield"),
        (
            r"tassi? di interesse|tasso ufficiale|tasso (medio|sui prestiti|sui depositi)|\beuribor\b|tasso di riferimento",
            "interest-rate",
        ),
        (
            r"prezzi al consumo|indice dei prezzi|\bnic\b|\bfoi\b|\bipca\b|prezzi alla produzione|deflatore",
            "price-level",
        ),
        (r"\binflazione\b", "inflation"),
        (r"\bprezz[oi]\b|\bcosto\b", "price"),
        (r"\briserve\b", "reserves"),
        (
            r"bilancia commerciale|saldo commerciale|partite correnti|bilancia dei pagamenti|conto finanziario",
            "external-balance",
        ),
        (r"investimenti (diretti|di portafoglio)", "net-flow"),
        (r"esportazioni|\bexport\b", "exports"),
        (r"importazioni|\bimport\b", "imports"),
        (r"indebitamento netto|\bdeficit\b|avanzo|saldo primario|fabbisogno", "budget-balance"),
        (r"\bdebito\b|debiti", "debt"),
        (
            r"prestiti|depositi|impieghi|raccolta|\bcredit[oi]\b|aggregati monetari|\bm[1-3]\b|attivita finanziarie",
            "money-credit",
        ),
        (r"entrate|imposte|gettito", "revenue"),
        (r"spesa pubblica|uscite", "outlays"),
        (r"retribuzioni|salari|costo del lavoro|stipendi", "wage"),
        (r"reddito|redditi|profitti", "income"),
        (r"variazione delle scorte", "inventory-change"),
        (r"investimenti|formazione lorda di capitale", "investment"),
        (
            r"prodotto interno lordo|\bpil\b|valore aggiunto|produzione industriale|\bproduzione\b",
            "output",
        ),
        (r"consumi|spesa per consumi", "spending"),
        (r"vendite|fatturato|ordinativi|commercio al dettaglio", "sales"),
        (r"\bftse mib\b|\bborsa\b|azioni", "equity"),
        (r"disoccupati", "unemployed"),
        (r"occupati|occupazione|dipendenti", "employment"),
        (r"forze di lavoro", "labour-force"),
        (r"popolazione|residenti|nascite|famiglie", "population"),
        (r"fallimenti", "bankruptcies"),
        (r"permessi di costruire", "housing-events"),
        (r"immatricolazioni", "vehicle-sales"),
        (r"presenze|arrivi|turisti", "arrivals"),
    ),
    kinds=(
        (
            r"variazione (%|percentuale|tendenziale|congiunturale|annua|mensile)|var\.? ?%|tasso di crescita|tendenziale|congiunturale",
            K.CHANGE,
        ),
        (r"(in )?% del pil|in percentuale del", K.SHARE_OF),
        (r"percentuale|per cento|punti percentuali|punti base", K.PERCENT),
        (r"\bindice\b|numero indice|\bbase \d{4}\b", K.INDEX),
        (r"tonnellate|\blitri\b|metri (quadrati|cubi)|\bkwh\b|\bgwh\b", K.PHYSICAL),
        (r"\bgiorni\b|\bmesi\b|\banni\b|\bsettimane\b|\bore\b", K.DURATION),
        (r"\bnumero\b|\bunita\b|persone|imprese", K.COUNT),
    ),
    scales=(
        (r"\bmiliardi\b|\bmiliardo\b|\bmld\b", 1e9),
        (r"\bmilioni\b|\bmilione\b", 1e6),
        (r"\bmigliaia\b|\bmila\b", 1e3),
        (r"\bcentinaia\b", 1e2),
    ),
    currencies=(
        (r"valuta (nazionale|locale)", LCU),
        (r"dollari (usa|statunitensi|americani)", "USD"),
        (r"franchi svizzeri", "CHF"),
    ),
    countries=(
        (r"\bistat\b|banca d.italia|\bitalia\b|\bitaliano", "EUR"),
        (r"\bsvizzera\b", "CHF"),
    ),
    frequencies=(
        (r"^mensile", F.MONTHLY),
        (r"^trimestrale", F.QUARTERLY),
        (r"^semestrale", F.SEMIANNUAL),
        (r"^annuale|^annua", F.ANNUAL),
        (r"^giornalier", F.DAILY),
        (r"^settimanale", F.WEEKLY),
    ),
    ytd=(r"da inizio anno|dall.inizio dell.anno|cumulato da gennaio|progressivo annuo",),
    rolling=(r"ultimi (12|dodici) mesi|media mobile",),
    change=(r"variazione|tendenziale|congiunturale|crescita",),
    valuation=(r"prezzi (correnti|costanti|di mercato|base)|a prezzi \w+",),
    per_capita=(r"pro capite|per abitante",),
)
