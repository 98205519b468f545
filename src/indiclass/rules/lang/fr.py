"""French: Banque de France (Webstat), INSEE, Statistique Canada, BNB and SNB titles."""

from __future__ import annotations

from indiclass.rules.kinds import LCU, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="fr",
    subjects=(
        (r"anticipations d.inflation|inflation anticipee", "inflation-expectation"),
        (
            r"climat des affaires|confiance|moral des menages|opinion des|indicateur synthetique|perspectives",
            "sentiment",
        ),
        (r"taux de change effectif", "fx-index"),
        (r"taux de change|cours de change|cours du|parite", "fx"),
        (r"taux de chomage|chomage", "unemployment-rate"),
        (r"taux d.(activite|emploi)", "population-rate"),
        (r"taux d.utilisation|utilisation des capacites", "capacity-utilisation"),
        (r"taux d.epargne", "saving-rate"),
        (r"taux d.endettement|ratio d.endettement", "debt-ratio"),
        (r"taux de marge|rentabilite|productivite", "profitability"),
        (
            r"\bpart (du|des|de la|de l.)|\bpoids (du|des|de la|de l.)|\btaux d.exportation",
            "component-share",
        ),
        (r"rendement|taux des emprunts|\boat\b|obligations|taux a \d+ ans|\bbtf\b", "bond-yield"),
        (
            r"taux directeur|taux d.interet|taux du livret|livret a|taux de refinancement|\beuribor\b|\beonia\b|\bester\b|taux de depot|taux des credits|taux moyen|taux de pret|taux (debiteur|crediteur)",
            "interest-rate",
        ),
        (
            r"indice des prix|prix a la consommation|\bipch?\b|deflateur|prix a la production|prix de production",
            "price-level",
        ),
        (r"\binflation\b", "inflation"),
        (r"\bprix\b|\bcout\b|\bcouts\b", "price"),
        (r"reserves de change|avoirs de reserve|\breserves\b", "reserves"),
        (
            r"balance commerciale|solde commercial|balance des paiements|compte courant|transactions courantes|compte financier",
            "external-balance",
        ),
        (
            r"emissions nettes|flux net|remboursements|investissements? directs?|investissements? de portefeuille",
            "net-flow",
        ),
        (r"emissions brutes", "new-loans"),
        (r"exportations", "exports"),
        (r"importations", "imports"),
        (
            r"solde (budgetaire|public|des administrations)|deficit public|capacite de financement|besoin de financement|solde budg",
            "budget-balance",
        ),
        (r"\bdette\b|endettement", "debt"),
        (
            r"encours|credits?|depots|prets|agregats monetaires|\bm[1-3]\b|titres de dette|billets en circulation|actifs|passifs",
            "money-credit",
        ),
        (r"recettes|impots|prelevements obligatoires", "revenue"),
        (r"depenses publiques|depenses des administrations", "outlays"),
        (r"salaire|remuneration|cout (du travail|horaire|salarial)|masse salariale", "wage"),
        (r"variation des stocks", "inventory-change"),
        (
            r"formation brute de capital|\bfbcf\b|investissements?|taux d.investissement",
            "investment",
        ),
        (
            r"produit interieur brut|\bpib\b|valeur ajoutee|production (industrielle|manufacturiere)|indice de production|\bproduction\b",
            "output",
        ),
        (r"depenses de consommation|consommation", "spending"),
        (r"ventes (au detail)?|chiffre d.affaires|commandes|commerce de detail", "sales"),
        (r"\bcac 40\b|\bbourse\b|actions cotees", "equity"),
        (r"demandeurs d.emploi|chomeurs", "unemployed"),
        (r"\bemploi\b|\beffectifs\b|salaries|population active occupee", "employment"),
        (r"population active", "labour-force"),
        (r"\bpopulation\b|habitants|naissances|menages", "population"),
        (r"defaillances|faillites|liquidations judiciaires", "bankruptcies"),
        (r"delai (clients|fournisseurs|de paiement)|delais de paiement|\bdelai\b", "time-to"),
        (r"mises en chantier|permis de construire|logements autorises", "housing-events"),
        (r"immatriculations", "vehicle-sales"),
        (r"nuitees|arrivees|touristes", "arrivals"),
    ),
    kinds=(
        (
            r"glissement annuel|taux de croissance|taux de variation|variation (en %|annuelle|mensuelle|trimestrielle)|en glissement|croissance (annuelle|en %)",
            K.CHANGE,
        ),
        (r"(en )?(%|pourcentage) du pib|en pourcentage du|en % de", K.SHARE_OF),
        (r"pourcentage|pour cent|points de pourcentage|points de base|\ben %", K.PERCENT),
        (r"\bindice\b|\bbase 100\b|\bbase \d{4}\b", K.INDEX),
        (r"tonnes|litres|metres (carres|cubes)|\bkwh\b|\bgwh\b|barils|hectares", K.PHYSICAL),
        (r"\bjours\b|\bmois\b|\bannees\b|\bsemaines\b|\bheures\b", K.DURATION),
        (r"\bnombre\b|unites legales|personnes|logements|entreprises", K.COUNT),
    ),
    scales=(
        (r"\bmilliards?\b|\bmds?\b|\bmrds?\b|\bmd€", 1e9),
        (r"\bmillions?\b|\bm€|\bmeur\b", 1e6),
        (r"\bmilliers?\b|\bk€|\bkeur\b", 1e3),
        (r"\bcentaines\b", 1e2),
    ),
    currencies=(
        (r"monnaie nationale|monnaie locale", LCU),
        (r"dollars? (americains?|des etats-unis|us)", "USD"),
        (r"dollars? canadiens?", "CAD"),
        (r"francs? suisses?", "CHF"),
        (r"livres? sterling", "GBP"),
        (r"\byens?\b", "JPY"),
    ),
    countries=(
        (r"banque de france|\binsee\b|\bdares\b|\bfrance\b|\bfrancais", "EUR"),
        (
            r"\bespagne\b|\bitalie\b|\ballemagne\b|\bbelgique\b|\bportugal\b|pays-bas|\bautriche\b|\bgrece\b|\birlande\b|\bfinlande\b|\bslovaquie\b|\bslovenie\b|zone euro|\bbce\b|eurosysteme",
            "EUR",
        ),
        (r"\bjapon\b", "JPY"),
        (r"royaume-uni", "GBP"),
        (r"etats-unis", "USD"),
        (r"\bsuisse\b|banque nationale suisse", "CHF"),
        (r"statistique canada|banque du canada|\bcanada\b|\bquebec\b", "CAD"),
        (r"republique tcheque|\btchequie\b", "CZK"),
        (r"\bbulgarie\b", "BGN"),
        (r"\bpologne\b", "PLN"),
        (r"\bhongrie\b", "HUF"),
        (r"\broumanie\b", "RON"),
        (r"\bsuede\b", "SEK"),
        (r"\bdanemark\b", "DKK"),
    ),
    frequencies=(
        (r"^mensuel", F.MONTHLY),
        (r"^trimestriel", F.QUARTERLY),
        (r"^semestriel", F.SEMIANNUAL),
        (r"^annuel", F.ANNUAL),
        (r"^quotidien|^journalier", F.DAILY),
        (r"^hebdomadaire", F.WEEKLY),
    ),
    ytd=(r"depuis le debut de l.annee|cumul depuis janvier|cumule depuis le debut",),
    rolling=(r"glissants?|sur (12|douze) mois|sur le trimestre|sur le mois",),
    change=(
        r"glissement|taux de croissance|taux de variation|\bvariation\b|\bevolution\b|\bcroissance\b",
    ),
    valuation=(r"prix (courants|constants|du marche|de base)|aux prix \w+",),
    per_capita=(r"par habitant|par tete|par personne",),
)
