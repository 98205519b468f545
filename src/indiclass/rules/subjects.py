"""What an indicator measures, read from its name: the subject lexicon (data, first match wins).

Each row maps a name pattern to a ``Subject``: its natural type as a level/amount, time basis,
heat-map orientation and a few flags. The unit then decides the final form (a % change of any
amount is a rate, an index of it is an index, …) in ``rules.concept``.
"""

from __future__ import annotations

from dataclasses import dataclass

from indiclass.domain.enums import HeatMapOrientation, IndicatorType, TimeBasis
from indiclass.rules._text import Row, compile_table
from indiclass.rules.lang import LEXICONS

T = IndicatorType
PIT, PER = TimeBasis.POINT_IN_TIME, TimeBasis.PER_PERIOD
HI, LO, NE = (
    HeatMapOrientation.HIGHER_IS_POSITIVE,
    HeatMapOrientation.LOWER_IS_POSITIVE,
    HeatMapOrientation.NEUTRAL,
)


@dataclass(frozen=True, slots=True)
class Subject:
    key: str
    type: IndicatorType
    basis: TimeBasis
    orientation: HeatMapOrientation
    pct_native: bool = False
    """Measured natively in % (a rate, a share): a % unit keeps the type (no change rate)."""
    money: bool = False
    """A money amount when no unit says otherwise."""
    price_like: bool = False
    """Prices, exchange and equity levels: their index is point-in-time, their change neutral."""
    output_like: bool = False
    """Output or volume: its index is per-period."""


def S(
    key: str, type_: IndicatorType, basis: TimeBasis, orient: HeatMapOrientation, **flags: bool
) -> Subject:
    return Subject(key, type_, basis, orient, **flags)


FLAG = S("flag", T.OTHER, PIT, LO)
TERM = S("term", T.DURATION, PIT, NE)
"""A term or maturity (of loans, of debt): a length of time, neither good nor bad."""
PCT = {"pct_native": True}
MONEY = {"money": True}
PRICE = {"price_like": True}
OUTPUT = {"output_like": True}

ENGLISH_ROWS: list[tuple[str, Subject, float]] = [
    # ---- flags, probabilities, thresholds, durations
    (r"recession indicator|crisis indicator|\bdummy\b|\(1 for\b", FLAG, 0.8),
    (r"probabilit|\bodds\b", S("probability", T.PROBABILITY, PIT, LO, **PCT), 0.85),
    (r"minimum (\w+ )?wages?\b", S("minimum-wage", T.THRESHOLD, PIT, NE, **MONEY), 0.85),
    (
        r"target range|target rate.*(upper|lower)|(upper|lower) limit|personal exemption",
        S("threshold", T.THRESHOLD, PIT, NE, **PCT),
        0.85,
    ),
    (r"months'? supply", S("months-supply", T.DURATION, PIT, NE), 0.85),
    (r"life expectancy", S("life-expectancy", T.DURATION, PIT, HI), 0.85),
    (
        r"trough to (this )?peak|\bexpansion\b.*\b(months|length|duration)",
        S("expansion-length", T.DURATION, PER, HI),
        0.8,
    ),
    (
        r"peak to trough|recession length|contraction.*\b(months|length)",
        S("recession-length", T.DURATION, PER, LO),
        0.8,
    ),
    (
        r"term to maturity|average (term|maturity)|maturity of (new |the )?(credit|loans|debt)",
        TERM,
        0.75,
    ),
    (
        r"\bduration\b|time required|time to\b|lead time|time spent|days? to\b|strike days"
        r"|days lost|waiting time",
        S("time-to", T.DURATION, PIT, LO),
        0.8,
    ),
    (r"\bcost to\b|cost of business start-up", S("cost-to", T.PRICE, PIT, LO, **MONEY), 0.8),
    (r"\bdamage\b|\bdepletion\b", S("depletion", T.FLOW, PER, LO, **MONEY), 0.75),
    (
        r"hours worked|working hours|weekly hours|overtime hours|average (weekly )?hours",
        S("hours", T.DURATION, PIT, NE),
        0.75,
    ),
    # ---- French statistical names (INSEE/Banque de France SDMX)
    (r"ch[oô]mage", S("unemployment-rate", T.PERCENTAGE, PIT, LO, **PCT), 0.75),
    (
        r"climat des affaires|confiance des m[eé]nages|opinion des",
        S("sentiment", T.SENTIMENT, PIT, HI, **PCT),
        0.75,
    ),
    (
        r"produit int[eé]rieur brut|\bpib\b",
        S("output", T.FLOW, PER, HI, **MONEY, **OUTPUT),
        0.75,
    ),
    (r"indice des prix|\bprix\b", S("price-level", T.PRICE, PIT, NE, **PRICE), 0.75),
    (r"solde budg|d[eé]ficit public", S("budget-balance", T.BALANCE, PER, HI, **MONEY), 0.75),
    (r"balance commerciale", S("external-balance", T.BALANCE, PER, NE, **MONEY), 0.75),
    (r"\bdette\b", S("debt", T.STOCK, PIT, LO, **MONEY), 0.75),
    (r"demandeurs d.emploi", S("unemployed", T.COUNT, PIT, LO), 0.75),
    (r"\bemploi\b|\beffectifs\b", S("employment", T.COUNT, PIT, HI), 0.7),
    # ---- spreads, volatility (CFTC positions first: "S&P 500 speculative net positions")
    (r"net positions|speculative net", S("net-positions", T.BALANCE, PIT, NE), 0.8),
    (
        r"breakeven|inflation expectation rate|treasury.*minus.*treasury|yield curve (spread|slope)"
        r"|term spread",
        S("term-spread", T.SPREAD, PIT, NE, **PCT),
        0.85,
    ),
    (r"treasury.*\bminus\b", S("term-spread", T.SPREAD, PIT, NE, **PCT), 0.8),
    (
        r"\bminus\b|relative to (yield|the yield)|\bspread\b|option-adjusted|\boas\b|\bted\b"
        r"|risk premium",
        S("credit-spread", T.SPREAD, PIT, LO, **PCT),
        0.85,
    ),
    (r"volatility|\bvix\b", S("volatility", T.VOLATILITY, PIT, LO), 0.85),
    # ---- inflation expectations and inflation
    (
        r"inflation expectation|inflation outlook",
        S("inflation-expectation", T.RATE, PIT, NE, **PCT),
        0.8,
    ),
    (
        r"inflation(?![- ]indexed)|deflation|price changes",
        S("inflation", T.RATE, PER, NE, **PCT),
        0.85,
    ),
    (
        r"yield curve|\bpar yield\b|\bspot rate\b.*\bmaturity\b",
        S("bond-yield", T.YIELD, PIT, NE, **PCT),
        0.8,
    ),
    # ---- surveys and diffusion indices
    (
        r"financial stress|stress index|uncertainty|financial conditions|\bgini\b|misery index",
        S("stress", T.INDEX, PIT, LO),
        0.8,
    ),
    (
        r"prices? paid|\bism\b.*\bprices\b|manufacturing prices|non-manufacturing prices",
        S("prices-paid", T.INDEX, PIT, NE),
        0.8,
    ),
    (
        r"\bpmi\b|purchasing managers|diffusion index|business activity|general business"
        r"|empire state|philadelphia fed|philly fed|tech pulse|\bism\b|leading (index|indicator)"
        r"|coincident|lagging (index|indicator)|\bkof\b"
        r"|(manufacturing|services|non-manufacturing|business|composite) (index|activity index)"
        r"|\bfed\b.*\bindex\b|business outlook|national activity|opinion survey|lending survey"
        r"|loan officer",
        S("pmi", T.INDEX, PIT, HI),
        0.85,
    ),
    (r"tankan.*capex", S("investment", T.FLOW, PER, HI, money=True, output_like=True), 0.8),
    (
        r"confidence|sentiment|consumer climate|business climate|economic climate|\bzew\b|\bifo\b"
        r"|tankan(?!.*capex)|\bnahb\b|housing market index|\bapproval\b|expectations|\bbsi\b"
        r"|\bcpia\b"
        r"|\brating\b|current conditions|outlook index|\bcbi\b|\brics\b",
        S("sentiment", T.SENTIMENT, PIT, HI, **PCT),
        0.85,
    ),
    # ---- interest rates, yields
    (r"total return index|return index", S("equity", T.INDEX, PIT, HI, price_like=True), 0.8),
    (
        r"^(?!.*\btax\b).*\b(excess |stock |market |portfolio )?returns?\b(?! on)",
        S("return", T.RATE, PER, HI, **PCT),
        0.7,
    ),
    (
        r"(bonds?|stocks?|equities|securities|shares) (buying|purchases|selling|sales)"
        r"|foreign (bond|stock|equity|securities) (investment|purchases)",
        S("net-flow", T.BALANCE, PER, NE, money=True),
        0.8,
    ),
    (
        r"outstanding|securities held|balance sheet",
        S("money-credit", T.STOCK, PIT, NE, money=True),
        0.75,
    ),
    (
        r"net percentage|percentage of (banks|firms|respondents)|tightening standards"
        r"|balance of opinion",
        S("survey-balance", T.PERCENTAGE, PIT, NE, **PCT),
        0.6,
    ),
    (r"reserve requirement|reserve ratio", S("reserve-ratio", T.RATIO, PIT, NE, **PCT), 0.85),
    (r"credit[- ]to[- ]gdp gaps?|credit gaps?", S("output-gap", T.GAP, PER, NE, **PCT), 0.8),
    (
        r"investment income|primary income|secondary income|income (receipts|payments)|dividends remitted",
        S("income", T.FLOW, PER, HI, **MONEY),
        0.75,
    ),
    (r"loans and bills|bills discounted", S("money-credit", T.STOCK, PIT, NE, money=True), 0.8),
    (
        r"(liabilities|assets) of (the )?(banks?|banking|monetary|financial|deposit)"
        r"|\bbank(s|ing)?\b.*\bliabilit|contingent liabilit",
        S("money-credit", T.STOCK, PIT, NE, money=True),
        0.75,
    ),
    (
        r"intermediate (consumption|inputs?|goods and services)|\(debit\)|- debit\b|\bdebits?$",
        S("outlays", T.FLOW, PER, NE, **MONEY),
        0.75,
    ),
    (
        r"treasury(?! (budget|balance|statement))|\bbonds?\b|\bbills?\b|\bnotes?\b|\bgilts?\b|\bjgb\b|\bbund\b|\bbtf\b|\boat\b"
        r"|\bauction\b|\byields?\b|commercial paper|certificates? of deposit|\bsecurit(y|ies)\b.*rate"
        r"|dividend|risk-free rate",
        S("bond-yield", T.YIELD, PIT, NE, **PCT),
        0.85,
    ),
    (
        r"interest rate|policy rate|\bfunds rate\b|federal funds|lending rate|deposit (facility )?rate"
        r"|lending facility|deposit rate|refinanc|\brepo\b|prime (loan )?rate|loan prime|\blibor\b"
        r"|\beuribor\b|\bsofr\b|\bsonia\b|interbank (rate|offered)|mortgage rate|mortgage average"
        r"|discount rate"
        r"|bank rate|cash rate|\bselic\b|rate decision|rate on (excess|required) reserves"
        r"|money market rate|\bovernight\b.*\brate\b|financing rate"
        r"|\binterest\b.*%",
        S("interest-rate", T.PRICE, PIT, NE, **PCT),
        0.85,
    ),
    # ---- exchange rates and prices
    (
        r"exchange rate|conversion factor|foreign exchange rate|/ ?u\.s\.|\b[a-z]{3}/[a-z]{3}\b"
        r"|dollar / pound|us d/euro"
        r"|\b(dollar|euro|yen|pound|yuan|franc|krona|krone|peso|rupee|won|real)s? ?/ ?(us )?"
        r"(dollar|euro|yen|pound|yuan|franc)",
        S("fx", T.PRICE, PIT, NE, **PRICE),
        0.85,
    ),
    (
        r"^[a-z]{3} [^,]+, (new )?(dollar|euro|pound|yen|yuan( renminbi)?|franc|krona|krone|koruna"
        r"|forint|zloty|rouble|ruble|lira|lire|won|rupiah|ringgit|baht|peso|peseta|marka|shilling"
        r"|schilling|escudo|drachma|guilder|punt|rand|real|rupee|dirham|dinar|riyal|shekel|lev|leu"
        r"|kuna|tolar|lats|litas|kroon|mark|sucre|bolivar|sol|kwacha|naira|cedi)s?$",
        S("fx", T.PRICE, PIT, NE, **PRICE),
        0.8,
    ),
    (
        r"trade[- ]weighted|dollar index|effective exchange",
        S("fx-index", T.INDEX, PIT, NE, **PRICE),
        0.85,
    ),
    (
        r"\bcpi[hfx]?\b|\bhicp\b|\brpix?\b|\bppi\b|\bwpi\b|\brmpi\b|\bpce price|deflator|price index|prices? indices"
        r"|\bhpi\b|house price|home price|price level|cost of living|consumer prices|producer prices"
        r"|import price|export price|input prices?|output prices?|\bindice des prix|^commodity\b"
        r"|excluding food and energy|less food and energy|all items|employment cost|unit labou?r cost"
        r"|housing index|house index|property prices?|residential prices?|real estate prices?"
        r"|land prices?",
        S("price-level", T.PRICE, PIT, NE, **PRICE),
        0.85,
    ),
    (r"terms of trade", S("terms-of-trade", T.INDEX, PIT, HI, **PRICE), 0.8),
    (
        r"shares of gross|share of gdp|labou?r share",
        S("gdp-share", T.SHARE, PER, NE, **PCT),
        0.8,
    ),
    (r"income share|share of income", S("income-share", T.SHARE, PIT, NE, **PCT), 0.8),
    (
        r"^(?!.*unemployment rate).*(earnings|\bwages?\b|salar(y|ies)|compensation per"
        r"|labou?r costs?)",
        S("wage", T.PRICE, PIT, HI, **MONEY),
        0.75,
    ),
    # ---- equity markets
    (r"market capitali[sz]ation", S("market-cap", T.STOCK, PIT, HI, **MONEY), 0.85),
    (
        r"s&p 500|\bs&p\b.*(index|500)|stock (market|exchange|price)|share prices|dow jones|\bdjia\b"
        r"|\bnyse\b|nasdaq(?!.*position)|wilshire|equity (index|indices)|total return index|\bnikkei"
        r"|\bftse\b|\bdax\b|composite index|total market index|\brussell \d|stock index"
        r"|swiss market index|\bsmi\b"
        r"|share price index|\bcac 40|hang seng|\bkospi",
        S("equity", T.INDEX, PIT, HI, **PRICE),
        0.85,
    ),
    (
        r"(?<!current )(?<!constant )\bprices?\b|\bcost of\b|(?<!factor )\bcosts?\b",
        S("price", T.PRICE, PIT, NE, **PRICE, **MONEY),
        0.7,
    ),
    # ---- percentages of a population and similar rates
    (
        r"unemployment rate|jobless rate|unemployment.*%|unemployment with|unemployment, "
        r"|natural rate of unemployment",
        S("unemployment-rate", T.PERCENTAGE, PIT, LO, **PCT),
        0.85,
    ),
    (
        r"employment rate|employment[- ]to[- ]population|employment-population ratio|participation"
        r"|activity rate|part time employment"
        r"|informal employment|children in employment|child employment|account ownership"
        r"|\bliteracy\b|access to|labor force with|labou?r force with|employers, total|enrol"
        r"|school|completion rate",
        S("population-rate", T.PERCENTAGE, PIT, HI, **PCT),
        0.8,
    ),
    (
        r"delinquen|charge-off|non-?performing|default rate",
        S("delinquency", T.PERCENTAGE, PIT, LO, **PCT),
        0.85,
    ),
    (
        r"capacity utili[sz]ation|utili[sz]ation rate|operating rate",
        S("capacity-utilisation", T.PERCENTAGE, PIT, HI, **PCT),
        0.85,
    ),
    (r"homeownership|home ownership", S("homeownership", T.PERCENTAGE, PIT, HI, **PCT), 0.85),
    (
        r"rental vacancy|homeowner vacancy",
        S("rental-vacancy", T.PERCENTAGE, PIT, NE, **PCT),
        0.8,
    ),
    (r"vacancy rate|job vacancy rate", S("vacancy-rate", T.PERCENTAGE, PIT, HI, **PCT), 0.8),
    (r"mortality|death rate", S("mortality", T.RATIO, PIT, LO, **PCT), 0.75),
    (
        r"\bpoverty\b|not in education|\blosses\b|value lost|homicide|\bcrime\b|fatalit",
        S("bad-rate", T.PERCENTAGE, PIT, LO, **PCT),
        0.75,
    ),
    (
        r"quits?\b.*\brate\b|hires rate|separations rate|layoffs rate|turnover rate",
        S("labour-turnover-rate", T.PERCENTAGE, PER, HI, **PCT),
        0.8,
    ),
    (r"saving rate|savings rate", S("saving-rate", T.PERCENTAGE, PER, HI, **PCT), 0.8),
    (
        r"\btax rate\b|tariff rate|\btariff\b|binding coverage|\btariff lines",
        S("tax-rate", T.PERCENTAGE, PIT, NE, **PCT),
        0.75,
    ),
    (
        r"inventor(y|ies) to sales|inventories/sales|to sales ratio|velocity",
        S("inventory-ratio", T.RATIO, PIT, NE),
        0.85,
    ),
    (
        r"debt service payments as|debt service ratio|financial obligations as",
        S("debt-service-ratio", T.RATIO, PER, LO, **PCT),
        0.85,
    ),
    # ---- balances
    (
        r"^(?!.*surplus)(?!.*balance).*\bdeficit\b"
        r"|(?<!/)(?<!lending )net borrowing|public sector borrowing|borrowing requirement|\bpsbr\b"
        r"|\bpbsr\b",
        S("deficit", T.BALANCE, PER, LO, **MONEY),
        0.8,
    ),
    (
        r"budget|surplus or deficit|fiscal (balance|deficit)|net lending|net borrowing"
        r"|structural balance|primary balance|government balance|\bdeficit\b",
        S("budget-balance", T.BALANCE, PER, HI, **MONEY),
        0.85,
    ),
    (
        r"trade balance|balance of trade|current account|goods balance|merchandise balance"
        r"|net exports|net trade|balance on|balance of payments(?! basis)|financial account"
        r"|capital account",
        S("external-balance", T.BALANCE, PER, NE, **MONEY),
        0.85,
    ),
    (
        r"\bnet\b.*\b(flows?|investment|purchases|transactions|inflows?|outflows?)\b|\bnfl\b"
        r"|foreign investments?"
        r"|securities purchases|bonds buying|stocks? buying|exchange flows|capital flows|\bfdi\b"
        r"|direct investment|portfolio investment|financial derivatives|other investment",
        S("net-flow", T.BALANCE, PER, NE, **MONEY),
        0.8,
    ),
    # ---- reserves, money, credit, debt (stocks)
    (r"change in reserves", S("reserve-change", T.FLOW, PER, HI, **MONEY), 0.85),
    (
        r"total reserves|fx reserves|foreign (exchange |currency )?reserves|international reserves"
        r"|reserve assets|gold reserves|official reserves",
        S("reserves", T.STOCK, PIT, HI, **MONEY),
        0.85,
    ),
    (
        r"debt service|amortization|amortisation|debt payments",
        S("debt-service", T.FLOW, PER, LO, **MONEY),
        0.8,
    ),
    (
        r"interest payments|interest paid|interest expense",
        S("interest-payments", T.FLOW, PER, NE, **MONEY),
        0.8,
    ),
    (
        r"\bequities\b|\bequity\b.*\b(asset|liabilit)",
        S("equities", T.STOCK, PIT, NE, **MONEY),
        0.75,
    ),
    (
        r"\bdebt\b|\bliabilit|credit market instruments|\bdod\b|use of imf credit|\bowed\b"
        r"|borrowings?",
        S("debt", T.STOCK, PIT, LO, **MONEY),
        0.8,
    ),
    (
        r"new (\w+ )?loans|loan originations|new lending|home loans",
        S("new-loans", T.FLOW, PER, NE, **MONEY),
        0.8,
    ),
    (
        r"money stock|money supply|\bm[0-4]\b|\bmzm\b|monetary base|broad money|narrow money"
        r"|currency in circulation|reserve balances|excess reserves|required reserves"
        r"|adjusted reserves"
        r"|\breserves\b|\bdeposits?\b|cash assets|money funds|bank credit|\bloans?\b|\bcredit\b"
        r"|total assets|\bassets\b|securities held|claims on|net foreign assets|\bequities\b"
        r"|net worth|wealth|outstanding",
        S("money-credit", T.STOCK, PIT, NE, **MONEY),
        0.75,
    ),
    (
        r"changes? in inventor|inventory change|inventory investment",
        S("inventory-change", T.FLOW, PER, NE, **MONEY),
        0.8,
    ),
    (
        r"\b(crude|oil|gasoline|distillates?|natural gas|gas|heating oil|refinery)\b.*"
        r"\b(inventories|stocks?|storage)\b",
        S("energy-stocks", T.STOCK, PIT, NE),
        0.8,
    ),
    (
        r"inventor(y|ies)|\bstocks? of\b|stockpile|capital stock",
        S("inventories", T.STOCK, PIT, NE, **MONEY),
        0.8,
    ),
    (r"unfilled orders|backlog|order books?", S("backlog", T.STOCK, PIT, HI, **MONEY), 0.8),
    # ---- people and things counted
    (
        r"continu(ing|ed) (jobless )?claims|insured unemployment",
        S("continuing-claims", T.COUNT, PIT, LO),
        0.85,
    ),
    (
        r"initial claims|jobless claims|initial jobless|claimant count",
        S("initial-claims", T.COUNT, PER, LO),
        0.85,
    ),
    (r"unemploy|jobless", S("unemployed", T.COUNT, PIT, LO), 0.8),
    (r"layoffs|discharges|separations|job cuts|redundanc", S("layoffs", T.COUNT, PER, LO), 0.8),
    (
        r"\bhires\b|\bquits\b|employment change|payrolls? change|jobs added|net change in employment"
        r"|^(?!.*employees).*\bnon[- ]?farm payrolls\b",
        S("hires", T.COUNT, PER, HI),
        0.8,
    ),
    (r"job openings|job vacanc|unfilled job|vacancies", S("vacancies", T.COUNT, PIT, HI), 0.8),
    (r"labou?r force(?! with| survey)", S("labour-force", T.CAPACITY, PIT, NE), 0.75),
    (
        r"^(?!.*government)(?!.*general gov).*(final consumption|consumption expenditure)",
        S("spending", T.FLOW, PER, HI, **MONEY, **OUTPUT),
        0.75,
    ),
    (r"\bapplications\b|\bfilings\b", S("applications", T.COUNT, PER, HI), 0.7),
    (
        r"arable land|agricultural land|land area|forest area|surface area",
        S("land", T.STOCK, PIT, NE),
        0.75,
    ),
    (
        r"\bdeaths\b|\bfatalities\b|\bkilled\b|\bcasualties\b",
        S("deaths", T.COUNT, PER, LO),
        0.75,
    ),
    (
        r"population|residents|inhabitants|refugee|displaced persons|\bbirths\b"
        r"|households\b",
        S("population", T.COUNT, PIT, NE),
        0.75,
    ),
    (
        r"payroll|employ|\bjobs\b|armed forces|\bworkers\b",
        S("employment", T.COUNT, PIT, HI),
        0.75,
    ),
    (
        r"housing starts|\bstarts\b|building permits|\bpermits\b|approvals|houses sold|home sales"
        r"|homes sold|housing units",
        S("housing-events", T.COUNT, PER, HI),
        0.8,
    ),
    (
        r"vehicle sales|car sales|auto sales|car registrations|vehicle registrations|truck sales",
        S("vehicle-sales", T.COUNT, PER, HI),
        0.8,
    ),
    (r"rig count", S("rig-count", T.COUNT, PIT, NE), 0.85),
    (
        r"passenger numbers|number of passengers|arrivals|visitors|tourists",
        S("arrivals", T.COUNT, PER, HI),
        0.75,
    ),
    (r"bankruptc|insolvenc|business failures", S("bankruptcies", T.COUNT, PER, LO), 0.8),
    (
        r"carloads|carloadings|freight|passenger|ton-km|goods transported|traffic|miles traveled|vehicle miles",
        S("transport-volume", T.VOLUME, PER, HI, **OUTPUT),
        0.75,
    ),
    # ---- flows of money and output
    (
        r"output gap|credit[- ]to[- ]gdp gaps?|credit gaps?",
        S("output-gap", T.GAP, PER, NE, **PCT),
        0.85,
    ),
    (r"\bimports?\b", S("imports", T.FLOW, PER, NE, **MONEY), 0.8),
    (r"exports", S("exports", T.FLOW, PER, HI, **MONEY), 0.8),
    (r"official development|\boda\b|\baid\b|grants", S("aid", T.FLOW, PER, NE, **MONEY), 0.8),
    (
        r"capex|capital expenditure|capital spending|investment|capital formation|construction"
        r"(?! permits)",
        S("investment", T.FLOW, PER, HI, **MONEY, **OUTPUT),
        0.8,
    ),
    (
        r"outlays|government (final |total |current )?(consumption )?expenditure|total expenditure"
        r"|fiscal expenditure"
        r"|government spending|public spending"
        r"|government expenditures|\bexpense\b",
        S("outlays", T.FLOW, PER, NE, **MONEY),
        0.8,
    ),
    (r"\btax(es)?\b|receipts|revenue", S("revenue", T.FLOW, PER, HI, **MONEY), 0.75),
    (
        r"supplied|consumption of|\bdemand\b|\bsupply\b",
        S("physical-flow", T.FLOW, PER, NE),
        0.7,
    ),
    (r"(?<!adjusted )\bsavings?\b", S("savings", T.FLOW, PER, HI, **MONEY), 0.75),
    (
        r"gross domestic product|\bgdp\b|\bgnp\b|\bgni\b|gross national|national (income|product)"
        r"|gross output|value added|\boutput\b|production|domestic product|economic activity|nowcast"
        r"|gdpnow|manufactur|industrial|tertiary industry|activity index",
        S("output", T.FLOW, PER, HI, **MONEY, **OUTPUT),
        0.8,
    ),
    (r"remittances", S("remittances", T.FLOW, PER, HI, **MONEY), 0.75),
    (
        r"income|profits?|compensation|earnings|saving",
        S("income", T.FLOW, PER, HI, **MONEY),
        0.8,
    ),
    (
        r"consumption|expenditures?|spending|purchases",
        S("spending", T.FLOW, PER, HI, **MONEY, **OUTPUT),
        0.75,
    ),
    (
        r"\bsales\b|\borders\b|shipments|turnover|retail trade|wholesale trade|e-commerce",
        S("sales", T.FLOW, PER, HI, **MONEY, **OUTPUT),
        0.8,
    ),
    (
        r"procedures|applications|\bnumber of\b|\bbranches\b|\bborrowers\b|\bfirms\b|registrations"
        r"|tax payments",
        S("things-counted", T.COUNT, PIT, HI),
        0.6,
    ),
]
"""Name pattern → subject, English (first match wins)."""

EXTRA: tuple[Subject, ...] = (
    S("physical-output", T.FLOW, PER, HI),
    S("floor-space", T.VOLUME, PER, HI),
    S("debt-ratio", T.RATIO, PIT, LO, **PCT),
    S("profitability", T.RATIO, PER, HI, **PCT),
    S("component-share", T.SHARE, PIT, NE, **PCT),
    S("payments", T.FLOW, PER, NE, **MONEY),
    S("trading-volume", T.VOLUME, PER, NE),
    TERM,
)
"""Subjects only other languages' lexicons name (by key)."""

BY_KEY: dict[str, Subject] = {row[1].key: row[1] for row in reversed(ENGLISH_ROWS)}
BY_KEY.update({s.key: s for s in EXTRA})

FOREIGN_CONFIDENCE = 0.75
ENGLISH = compile_table(ENGLISH_ROWS)
BY_LANGUAGE: dict[str, tuple[Row[Subject], ...]] = {
    lex.language: compile_table([(p, BY_KEY[k], FOREIGN_CONFIDENCE) for p, k in lex.subjects])
    for lex in LEXICONS
}
"""Each language's subject rows, by ISO 639-1 code."""
SUBJECTS = ENGLISH + tuple(row for table in BY_LANGUAGE.values() for row in table)
"""Every subject row: English first, then each language's."""


def subject_tables(language: str | None) -> tuple[tuple[Row[Subject], ...], ...]:
    """The subject tables in the order to try them: the text's own language first."""
    own = BY_LANGUAGE.get(language or "")
    others = tuple(t for lang, t in BY_LANGUAGE.items() if lang != language)
    return (own, ENGLISH, *others) if own is not None else (ENGLISH, *others)
