"""The offline expert system: unit parsing, currency, scale, time, cumulative detection, family,
type and review rules over names, units, periodicity, descriptions, categories and value patterns.

Each public function answers one stage from domain objects and returns that stage's result with a
confidence that means something (low when it is guessing). Lexicons live in data-like modules.
"""

from indiclass.rules.cumulative import detect_cumulative
from indiclass.rules.family import assign_family
from indiclass.rules.normalize import normalize_units
from indiclass.rules.review import final_review, review_classification
from indiclass.rules.timing import infer_time
from indiclass.rules.types import classify_type

RULES_MODEL = "indiclass-rules-1"
"""The model name recorded for answers of the offline rules."""

__all__ = [
    "RULES_MODEL",
    "assign_family",
    "classify_type",
    "detect_cumulative",
    "final_review",
    "infer_time",
    "normalize_units",
    "review_classification",
]
