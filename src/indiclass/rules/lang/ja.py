"""Japanese: BoJ, Cabinet Office (ESRI), MIC and e-Stat titles (kanji that Chinese writes
differently are given in their Japanese form; 億 and 計 fold to 亿 and 计 on both sides)."""

from __future__ import annotations

from indiclass.rules.kinds import DOLLAR, LCU, UnitKind
from indiclass.rules.lang.base import F, Lexicon

K = UnitKind

LEXICON = Lexicon(
    language="ja",
    cjk=True,
    subjects=(
        (
            r"短観|業況判断|景況|判断di|信頼感|マインド|消費者態度|景気ウォッチャー|見通し",
            "sentiment",
        ),
        (r"景気動向指数|先行指数|一致指数|遅行指数|cdi|ディフュージョン", "pmi"),
        (r"為替|円相場|ドル円|円/ドル|実効為替", "fx"),
        (r"完全失業率|失業率", "unemployment-rate"),
        (r"有効求人倍率|求人倍率", "inventory-ratio"),
        (r"稼働率", "capacity-utilisation"),
        (r"構成比|シェア|割合", "component-share"),
        (r"利回り|国債|社債|債券", "bond-yield"),
        (
            r"金利|利率|コールレート|基準割引率|貸出約定|預金金利|政策金利|無担保コール",
            "interest-rate",
        ),
        (
            r"デフレーター|物価指数|価格指数|消費者物価|企業物価|サービス価格|cpi|地価|住宅価格",
            "price-level",
        ),
        (r"価格|単価", "price"),
        (r"外貨準備", "reserves"),
        (
            r"貿易収支|経常収支|国際収支|サービス収支|第一次所得収支|収支|純輸出|交易利得",
            "external-balance",
        ),
        (r"輸出", "exports"),
        (r"輸入", "imports"),
        (r"財政収支|プライマリーバランス|基礎的財政収支", "budget-balance"),
        (r"税収|歳入|受取", "revenue"),
        (r"歳出|支払", "outlays"),
        (r"国債残高|債務|負債|借入", "debt"),
        (r"在庫変動|在庫品増加", "inventory-change"),
        (r"在庫", "inventories"),
        (
            r"マネタリーベース|マネーストック|マネーサプライ|現金通貨|預金通貨|日銀当座預金|当座預金|広義流動性|通貨|m1|m2|m3|貸出|預金|残高|資産",
            "money-credit",
        ),
        (r"雇用者報酬|賃金|給与|現金給与|所定内給与|報酬", "wage"),
        (r"可処分所得|国民所得|所得|利益|営業余剰", "income"),
        (
            r"総資本形成|固定資本形成|設備投資|住宅投資|民間企業設備|公共投資|投資|住宅|公的固定",
            "investment",
        ),
        (
            r"国内総生産|国民総生産|国民総所得|gdp|gni|付加価値|鉱工業生産|生産指数|産出|生産",
            "output",
        ),
        (r"最終消費支出|消費支出|家計消費|消費|公的需要|民間需要|国内需要|内需|需要", "spending"),
        (r"売上高|販売額|小売|商業販売|受注|出荷", "sales"),
        (r"株価|日経平均|topix|株式", "equity"),
        (r"就業者|雇用者数|雇用者|常用労働者|労働者", "employment"),
        (r"失業者", "unemployed"),
        (r"人口|世帯", "population"),
        (r"倒産", "bankruptcies"),
        (r"新設住宅着工|着工", "housing-events"),
        (r"訪日外客|旅行者|宿泊", "arrivals"),
    ),
    kinds=(
        (
            r"寄与度|前年比|前年同月比|前年同期比|前年度比|前月比|前期比|増加率|増減率|伸び率|変化率|上昇率|騰落率|変動率",
            K.CHANGE,
        ),
        (r"構成比", K.SHARE_OF),
        (r"指数|=100\)|暦年=100|年=100", K.INDEX),
        (r"トン|キロワット|立方メートル|平方メートル|キロリットル|バレル|kl$", K.PHYSICAL),
        (r"千人|万人|^人$|人\)|件$|社$|戸$|台$", K.COUNT),
        (r"日数|か月|ヶ月|時間$", K.DURATION),
    ),
    scales=(
        (r"兆", 1e12),
        (r"千億", 1e11),
        (r"百億", 1e10),
        (r"十億|10億", 1e9),
        (r"億", 1e8),
        (r"千万|1000万", 1e7),
        (r"百万|100万", 1e6),
        (r"十万|10万", 1e5),
        (r"万", 1e4),
        (r"千(?!葉)", 1e3),
    ),
    currencies=(
        (r"米ドル|us\$", "USD"),
        (r"ユーロ", "EUR"),
        (r"人民元", "CNY"),
        (r"ウォン", "KRW"),
        (r"自国通貨", LCU),
        (r"円(?!滑|高|安|相場|換算)", "JPY"),
        (r"ドル", DOLLAR),
    ),
    countries=(
        (r"日本銀行|日銀|内閣府|総務省|財務省|厚生労働省|経済産業省|日本|わが国|我が国", "JPY"),
        (r"米国|アメリカ", "USD"),
        (r"ユーロ圏", "EUR"),
        (r"中国", "CNY"),
    ),
    frequencies=(
        (r"月次|^月$|月別", F.MONTHLY),
        (r"四半期", F.QUARTERLY),
        (r"年度|暦年|年次|^年$", F.ANNUAL),
        (r"日次|^日$", F.DAILY),
        (r"週次", F.WEEKLY),
    ),
    ytd=(r"累計|年初来|年度累計|年初から",),
    rolling=(r"後方12か月|12か月移動|移動平均",),
    change=(r"前年比|前月比|前期比|増加率|増減率|伸び率|変化率|上昇率|寄与度",),
    valuation=(r"名目|実質|連鎖価格|暦年連鎖価格|連鎖方式",),
    per_capita=(r"1人当たり|一人当たり|1人あたり",),
)
