"""Script and width variants folded before any lexicon is matched, as data.

``fold`` is applied to every text the rules read and to every lexicon pattern, so a pattern may
be written in either form: full-width digits, ``％`` and ``（）`` become ASCII (NFKC), traditional
Chinese characters become their simplified form where the two differ (億 → 亿, 計 → 计, 額 → 额),
and Latin letters lose their accents (``índice`` → ``indice``, ``Säsong`` → ``sasong``). Hangul
and kana are left as they are.
"""

from __future__ import annotations

import unicodedata

TRADITIONAL_TO_SIMPLIFIED = (
    "億亿 萬万 計计 額额 價价 產产 總总 數数 與与 門门 財财 貨货 幣币 匯汇 資资 長长 業业 進进"
    " 國国 經经 濟济 場场 實实 際际 為为 對对 當当 銷销 賣卖 買买 貿贸 員员 勞劳 動动 職职 費费"
    " 稅税 準准 備备 儲储 貸贷 銀银 變变 環环 積积 標标 製制 營营 運运 輸输 車车 電电 氣气 鋼钢"
    " 鐵铁 屬属 礦矿 農农 漁渔 築筑 設设 證证 債债 務务 負负 餘余 順顺 採采 購购 統统 類类 區区"
    " 廠厂 錢钱 權权 險险 發发 開开 間间 們们 壓压 點点 線线 節节 處处 調调 歲岁"
    " 齡龄 劃划 報报 紀纪 應应 雙双 邊边 況况 減减 構构 幾几 屆届 舊旧 規规 華华 臺台"
    " 灣湾 戶户 會会 體体 級级 組组 織织 網网 絡络 訂订 單单 庫库 擔担 兌兑 圓圆"
    " 內内 衛卫 療疗 醫医 週周 隻只 項项 參参 協协 議议 贏赢 虧亏 損损"
)
"""Pairs (traditional, simplified) of characters that differ, as found in statistical titles."""

_EXTRA_LATIN = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE"}
_EXTRA_LATIN |= {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i"}


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for pair in TRADITIONAL_TO_SIMPLIFIED.split():
        table[ord(pair[0])] = pair[1]
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii():
            table[code] = base
    for ch, to in _EXTRA_LATIN.items():
        table[ord(ch)] = to
    return table


FOLD_TABLE = _table()


def fold(text: str) -> str:
    """NFKC, traditional → simplified Chinese, Latin accents dropped (case kept)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(FOLD_TABLE)
