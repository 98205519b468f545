"""Which language an indicator's texts are in: by script (Hangul, kana, Han), then by
characteristic words and letters of the Latin-script languages, as data.

The guess orders the subject lexicons (the text's own language first), resolves a money amount
with no currency word in Korean, Japanese or Chinese text, and is one of the evidence kinds the
confidence table is keyed by. None: nothing recognisable (too short, or a mix).
"""

from __future__ import annotations

import re

from indiclass.domain.models import Indicator
from indiclass.rules._text import MEMO, clean, per_indicator, remember

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KANA = re.compile(r"[\u3041-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_JAPANESE_KANJI = re.compile(r"[総産価円続済売変増関労働図県従経営気実発収暦単]")
"""Kanji Japanese writes in a form Chinese (simplified or traditional, once folded) does not."""

WORDS: dict[str, str] = {
    "en": r"\b(of|the|and|for|from|with|by|to|on|at|as|total|rate|index|percent|change|number"
    r"|persons|employment|prices?|growth|production|mining|income|yield|bonds?|corporate|per"
    r"|product|supplied|services|interest|debt|exports|imports|sales|real|personal|capita|oil"
    r"|crude|gross|domestic|monthly|annual|quarterly|average|government|business)\b",
    "es": r"\b(del|los|las|el|y|por|para|con|al|tasa|tipo|indice|precios|millones|miles|euros"
    r"|porcentaje|interanual|variacion|deuda|empleo|ocupados|estadisticas)\b|cion\b|ciones\b",
    "pt": r"\b(do|da|dos|das|e|em|no|na|ao|com|taxa|indice|precos|milhoes|mil|divida|emprego"
    r"|mensal|anual|trimestral)\b|cao\b|coes\b|oes\b",
    "fr": r"\b(du|des|le|les|et|au|aux|pour|par|sur|taux|indice|prix|encours|emissions|valeur"
    r"|entreprises|tous|toutes)\b|\b[dl]'|ees\b",
    "it": r"\b(di|della|dei|delle|il|con|tasso|indice|prezzi|milioni|valore)\b|zione\b",
    "de": r"\b(der|die|das|und|fur|von|im|mit|zum|zur|nach|des|den|dem|ein|eine|deutschland"
    r"|monate|jahre|quartale)\b|ung\b|ungen\b|keit\b|schaft\b",
    "sv": r"\b(och|av|for|med|pa|till|totalt|antal|procent|priser|lopande|fasta|mnkr|tkr)\b"
    r"|ning\b|ningar\b",
    "nl": r"\b(van|het|voor|met|op|naar|totaal|aantal|mln|bedrijven|prijzen)\b|ingen\b|heid\b",
    "no": r"\b(og|av|med|til|antall|prosent|renter|rente|kroner)\b",
}
"""Characteristic words per Latin-script language (on folded, lower-cased text)."""

LETTERS: dict[str, str] = {
    "es": "[ñ¿¡]",
    "pt": "[ãõ]",
    "fr": "[èêëàâîôûœ]",
    "de": "[ß]",
    "sv": "[å]",
    "no": "[øæ]",
}
"""Letters that mark a language (on the raw text, before accents are folded)."""

_WORDS = {lang: re.compile(p) for lang, p in WORDS.items()}
_LETTERS = {lang: re.compile(p) for lang, p in LETTERS.items()}
CJK = frozenset({"zh", "ja", "ko"})


def script_language(text: str) -> str | None:
    """ko, ja or zh from the script alone (None for other scripts)."""
    if text.isascii():
        return None
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text) or (_HAN.search(text) and _JAPANESE_KANJI.search(text)):
        return "ja"
    if _HAN.search(text):
        return "zh"
    return None


def latin_language(raw: str) -> str | None:
    """The Latin-script language with the most characteristic words (None on a tie or none);
    memoised."""
    key = ("language", raw)
    if key in MEMO:
        return MEMO[key]  # type: ignore[no-any-return]
    found = _latin_language(raw)
    remember(key, found)
    return found


def _latin_language(raw: str) -> str | None:
    text = clean(raw)
    scores = {lang: len(p.findall(text)) for lang, p in _WORDS.items()}
    for lang, p in _LETTERS.items():
        scores[lang] += 2 * len(p.findall(raw.lower()))
    best = max(scores.values())
    winners = [lang for lang, n in scores.items() if n == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


@per_indicator
def language_of(ind: Indicator) -> str | None:
    """The language of the name (its unit, category and description help the Latin guess)."""
    found = script_language(f"{ind.name} {ind.units or ''} {ind.category_group or ''}")
    if found is not None:
        return found
    parts = (ind.name, ind.units, ind.category_group, ind.topic, (ind.description or "")[:200])
    return latin_language(" ".join(p for p in parts if p))
