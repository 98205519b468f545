"""Spanish: Banco de España, INE, Banxico, INEGI, BCRA, Banco Central de Chile, DANE titles."""

from __future__ import annotations

from indiclass.rules.kinds import DOLLAR, LCU, PESO, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="es",
    subjects=(
        (
            r"%\s?neto|porcentaje neto|saldo (neto )?de respuestas|encuesta (sobre|de) prestamos",
            "survey-balance",
        ),
        (r"inflacion esperada|expectativas? de inflacion", "inflation-expectation"),
        (
            r"\bindice de confianza|confianza|sentimiento|clima (empresarial|industrial|economico)|encuesta de opinion|expectativas empresariales",
            "sentiment",
        ),
        (
            r"\bimae\b|\bigae\b|indicador adelantado|indicador coincidente|indicador sintetico",
            "pmi",
        ),
        (r"competitividad|tipo de cambio efectivo|tipo de cambio real", "fx-index"),
        (r"tipos? de cambio|cotizacion de (la|las) divisas?|\bpor dolar|\bpor euro|paridad", "fx"),
        (r"tasa de (paro|desempleo|desocupacion)|\bparo registrado\b", "unemployment-rate"),
        (r"tasa de (actividad|empleo|ocupacion)", "population-rate"),
        (r"utilizacion de la capacidad", "capacity-utilisation"),
        (r"morosidad|tasa de mora|\bmora\b", "delinquency"),
        (r"(fondos|carteras?).*rentabilidad|rentabilidad acumulada|rentabilidad.*fondos", "return"),
        (
            r"rentabilidad|rendimiento|\bletras\b|\bbonos\b|obligaciones del estado|\bcetes\b|\bbondes\b|deuda publica.*tipo",
            "bond-yield",
        ),
        (
            r"tipos? de interes|tasas? de interes|\beuribor\b|\btiie\b|tasa objetivo|tipo oficial|tipo de intervencion|intervencion bce|facilidad (de credito|marginal|de deposito)|subasta principal|operaciones principales|politica monetaria|tipo minimo|tasa de politica|\bbadlar\b|\bbaibar\b|\btm20\b|plazo fijo|tipo medio",
            "interest-rate",
        ),
        (
            r"\bipc\b|\biapc\b|\binpc\b|indice (armonizado )?de precios|precios (de|al) consum|precios industriales|precios de produccion|deflactor|\bipri\b|precio de la vivienda",
            "price-level",
        ),
        (r"\binflacion\b", "inflation"),
        (
            r"unidad de (valor|vivienda|fomento|inversion)|\budis?\b|\buva\b|\buvi\b|\bprecios?\b|\bcoste\b",
            "price",
        ),
        (r"reservas? internacionales|reservas? (de divisas|oficiales)|\breservas?\b", "reserves"),
        (
            r"balanza comercial|saldo comercial|balanza de pagos|(balanza por )?cuenta corriente|cuenta financiera|saldo de la balanza",
            "external-balance",
        ),
        (r"inversion extranjera directa|inversion (directa|de cartera)|otra inversion", "net-flow"),
        (r"exportaciones", "exports"),
        (r"importaciones", "imports"),
        (r"necesidad de financiacion|deficit", "deficit"),
        (
            r"capacidad o necesidad|saldo presupuestario|superavit|saldo (primario|fiscal)|resultado (primario|fiscal)",
            "budget-balance",
        ),
        (r"\bdeuda\b|endeudamiento|pasivos", "debt"),
        (
            r"base monetaria|circulacion monetaria|billetes y monedas|medios de pago|agregados monetarios|\bm[1-4]\b|depositos|prestamos?|creditos?|financiacion|activos|saldo vivo|\bpases\b|cuentas? corrientes|caja de ahorros|balance del eurosistema",
            "money-credit",
        ),
        (r"ingresos? (tributarios|fiscales|publicos)|recaudacion|impuestos|ingresos", "revenue"),
        (r"gasto publico|gasto de las administraciones|gastos? (publicos|fiscales)", "outlays"),
        (r"coste laboral unitario|costes? laborales? unitarios?", "price-level"),
        (r"salarios?|remuneracion|coste laboral|costes laborales|ganancia media|sueldos", "wage"),
        (r"variacion de existencias", "inventory-change"),
        (r"existencias|inventarios", "inventories"),
        (r"formacion bruta de capital|inversion", "investment"),
        (
            r"producto interior bruto|producto interno bruto|\bpib\b|valor anadido|\bvab\b|produccion industrial|\bipi\b|actividad economica|produccion|recursos",
            "output",
        ),
        (r"gasto en consumo|consumo", "spending"),
        (
            r"ventas|comercio (minorista|al por menor)|cifra de negocios|facturacion|pedidos",
            "sales",
        ),
        (r"mercado de valores|indice general|\bibex\b|\bbolsa\b|cotizaciones bursatiles", "equity"),
        (r"parados|desempleados|desocupados", "unemployed"),
        (
            r"\bocupados\b|\bempleo\b|afiliados|afiliacion|asalariados|trabajadores|puestos de trabajo",
            "employment",
        ),
        (r"poblacion activa", "labour-force"),
        (r"poblacion|habitantes|hogares|nacimientos", "population"),
        (
            r"compraventa de viviendas|viviendas iniciadas|visados|licencias|hipotecas",
            "housing-events",
        ),
        (r"matriculacion|matriculaciones", "vehicle-sales"),
        (r"pernoctaciones|viajeros|turistas|visitantes", "arrivals"),
        (r"quiebras|concursos de acreedores|sociedades disueltas", "bankruptcies"),
    ),
    kinds=(
        (r"\bpor (dolar|euro)\b|\bpesos? por\b|\bpor (yen|libra|franco)", K.FX),
        (
            r"tasa (inter)?anual|tasa de variacion|variacion (en %|%|porcentual|interanual|anual|mensual|trimestral)|var\.? ?%|interanual|intermensual|tasa de crecimiento|crecimiento (anual|interanual|%)|% i\.? ?a\.?|aportacion al crecimiento|contribucion al crecimiento",
            K.CHANGE,
        ),
        (
            r"(porcentaje|%) del pib|en porcentaje del|sobre el pib|participacion (en|de|por)",
            K.SHARE_OF,
        ),
        (r"porcentaje|por ciento|\bpuntos porcentuales\b|puntos basicos|en %", K.PERCENT),
        (r"\bindice\b|\bbase[ _]\d{4}|\bbase \d|\bpuntos\b", K.INDEX),
        (
            r"toneladas|litros|metros (cuadrados|cubicos)|kilogramos|barriles|\bkwh\b|\bgwh\b|hectareas",
            K.PHYSICAL,
        ),
        (r"\bdias\b|\bmeses\b|\banos\b|\bsemanas\b|\bhoras\b", K.DURATION),
        (
            r"personas|\bnumero\b|unidades|vehiculos|viviendas|empresas|hogares|afiliados|trabajadores",
            K.COUNT,
        ),
    ),
    scales=(
        (r"miles de millones|mil millones|\bmillardos?\b", 1e9),
        (r"\bbillones\b|\bbillon\b", 1e12),
        (r"\bmillones\b|\bmillon\b|\bmll\.?|\bmill\.", 1e6),
        (r"\bmiles\b|\bmillares\b|\bmil\b", 1e3),
        (r"\bcentenares\b|\bcientos\b", 1e2),
    ),
    currencies=(
        (r"moneda (nacional|local)", LCU),
        (
            r"dolar(es)? (de )?(los )?(estados unidos|estadounidenses?|ee\.? ?uu\.?|e\.? ?u\.? ?a\.?|usa|americanos?)|dolar(es)? estadounidenses?",
            "USD",
        ),
        (r"\beuros?\b|centimos de euro", "EUR"),
        (r"\byenes\b|\byen japones\b", "JPY"),
        (r"libras? esterlinas?", "GBP"),
        (r"francos? suizos?", "CHF"),
        (r"coronas? checas?", "CZK"),
        (r"coronas? suecas?", "SEK"),
        (r"coronas? noruegas?", "NOK"),
        (r"coronas? danesas?", "DKK"),
        (r"\blevas?\b|\bleva bulgaros?\b", "BGN"),
        (r"pesos? mexicanos?|peso mexicano", "MXN"),
        (r"pesos? argentinos?", "ARS"),
        (r"pesos? chilenos?", "CLP"),
        (r"pesos? colombianos?", "COP"),
        (r"pesos? dominicanos?", "DOP"),
        (r"pesos? uruguayos?", "UYU"),
        (r"pesos? filipinos?", "PHP"),
        (r"\breal(es)? brasilenos?\b|\breales\b", "BRL"),
        (r"\bbolivianos?\b", "BOB"),
        (r"\bsoles\b|nuevos soles", "PEN"),
        (r"\byuan(es)?\b|\brenminbi\b", "CNY"),
        (r"\bzlotys?\b|\besloti\b", "PLN"),
        (r"\bforintos?\b", "HUF"),
        (r"\brupias?\b", "INR"),
        (r"\bpesos?\b", PESO),
        (r"\bdolar(es)?\b", DOLLAR),
    ),
    countries=(
        (r"banco de espana|\bespana\b|\bespanol", "EUR"),
        (r"banco de mexico|banxico|\binegi\b|\bmexico\b|\bmexicano|e\.u\.a\.", "MXN"),
        (r"\bbcra\b|banco central de la republica argentina|\bindec\b|\bargentina\b", "ARS"),
        (r"banco central de chile|\bchile\b", "CLP"),
        (r"banco de la republica|\bdane\b|\bcolombia\b", "COP"),
        (r"\bperu\b|\binei\b|\bbcrp\b", "PEN"),
        (r"\buruguay\b", "UYU"),
        (r"zona del euro|zona euro|eurozona|\buem\b|area del euro|eurosistema|\bbce\b", "EUR"),
        (r"estados unidos|ee\.? ?uu\.?", "USD"),
        (r"\bjapon\b", "JPY"),
        (r"reino unido", "GBP"),
        (
            r"\balemania\b|\bfrancia\b|\bitalia\b|\bportugal\b|\bgrecia\b|\birlanda\b|paises bajos",
            "EUR",
        ),
    ),
    frequencies=(
        (r"^mensual|^mes$", F.MONTHLY),
        (r"^trimestral", F.QUARTERLY),
        (r"^semestral", F.SEMIANNUAL),
        (r"^anual", F.ANNUAL),
        (r"^diari[ao]|^laborable|^dia$|^habil", F.DAILY),
        (r"^semanal|^quincenal", F.WEEKLY),
    ),
    ytd=(
        r"acumulad[oa]s? (en|del|de|durante) (el|lo que va del) ano|en lo que va del ano|ano corrido"
        r"|desde (el )?(inicio|comienzo) del ano|rentabilidad acumulada|variacion acumulada"
        r"|tasa acumulada",
    ),
    rolling=(r"(doce|12) meses|ultimos (doce|12)|promedio movil|media movil|\bmovil\b",),
    change=(
        r"tasa interanual|tasa de variacion|variacion|\bvar\.|interanual|intermensual|crecimiento"
        r"|aportacion|contribucion",
    ),
    no_unit=(r"sin ?uni(dad)?|sinuni|no aplica",),
    valuation=(r"precios (corrientes|constantes|de mercado|basicos)|a precios \w+",),
    per_capita=(r"por habitante|per capita|por persona",),
)
