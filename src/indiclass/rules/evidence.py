"""Evidence kinds: for each scored field, the chain of keys (most specific first) that says what
the answer rests on — which field gave the unit and which the subject, the unit kind, the
language, how the currency and the scale were found. The confidence table
(``rules.calibration``) is keyed by these chains.

Unit sources: ``units`` (the unit field), ``parens`` / ``name`` (the name), ``context``
(description, category, topic), ``none``. Subject sources: ``name``, ``context``, ``none``.
Languages: ``en``, ``latin`` (other Latin-script languages), ``cjk``, ``unk`` (not recognised).
"""

from __future__ import annotations

from indiclass.domain.models import Indicator
from indiclass.rules.calibration import Keys, confidence
from indiclass.rules.concept import Concept
from indiclass.rules.cumulative import Evidence
from indiclass.rules.language import CJK

_UNIT_SOURCE = {
    "units": "units",
    "name-parens": "parens",
    "name": "name",
    "description": "context",
    "category": "context",
    "none": "none",
}
_SUBJECT_SOURCE = {"name": "name", "category": "context", "topic": "context"}
_SUBJECT_SOURCE["description"] = "context"


NO_EVIDENCE_CAP = 0.45
"""Every field's confidence when neither a unit nor a subject was recognised: the answer is a
default, whatever share of the tuning rows that default happened to fit."""
_KINDLESS = frozenset({"unknown"})


def no_evidence(c: Concept) -> bool:
    """Nothing in the lexicons matched: no unit kind and no subject."""
    return c.subject is None and c.kind.value in _KINDLESS


def calibrated(name: str, c: Concept, keys: Keys) -> float:
    """The table's confidence for ``keys``, capped when nothing was recognised."""
    conf = confidence(name, keys)
    return min(conf, NO_EVIDENCE_CAP) if no_evidence(c) else conf


def language_group(c: Concept) -> str:
    if c.language is None:
        return "unk"
    if c.language == "en":
        return "en"
    return "cjk" if c.language in CJK else "latin"


def _read(c: Concept) -> str:
    """The unit kind as read, or ``inferred-<kind>`` when the subject supplied it to a unit the
    lexicons could not read."""
    return c.reading.kind.value if c.reading.kind is c.kind else f"inferred-{c.kind.value}"


def _unit(c: Concept) -> str:
    """Where the unit came from and what it was read as (``units:percent``)."""
    return f"{_UNIT_SOURCE.get(c.reading.source, 'none')}:{_read(c)}"


FAMILY_DECIDING = frozenset({"change", "index", "currency", "price-per", "fx", "flag", "duration"})
"""Unit kinds that fix the family without a subject (a % change is change-movement)."""
TYPE_DECIDING = frozenset({"change", "index", "price-per", "fx", "flag", "duration"})
"""Unit kinds that fix the type without a subject (a money amount may be a flow or a stock)."""


def _basis(c: Concept, deciding: frozenset[str] = FAMILY_DECIDING) -> str:
    """How much stands behind the unit: a kind that decides alone, an ambiguous one
    (percent, count, ratio, …), one the subject inferred, or none."""
    if c.kind.value == "unknown":
        return "none"
    if c.reading.kind is not c.kind:
        return "inferred"
    return "deciding" if c.kind.value in deciding else "ambiguous"


def _subject(c: Concept) -> str:
    source = _SUBJECT_SOURCE.get(c.subject_source, "none")
    strength = "" if c.subject is None else ("+" if c.subject_confidence >= 0.8 else "-")
    return f"{source}{strength}"


def _subject_key(c: Concept) -> str:
    return c.subject.key if c.subject is not None else "-"


def type_keys(c: Concept, answer: str, deciding: frozenset[str] = FAMILY_DECIDING) -> Keys:
    """family and indicator_type: unit (source and kind), answer, subject, language; the most
    general level keeps whether the unit decides alone and whether a subject was found."""
    subj = _subject(c)
    return (
        f"{_unit(c)}>{answer}|{_subject_key(c)}|{language_group(c)}",
        f"{_unit(c)}>{answer}|{subj}",
        f"{_read(c)}>{answer}|{subj[:4]}",
        f"{_basis(c, deciding)}|{subj[:4]}",
    )


def orientation_keys(c: Concept, answer: str) -> Keys:
    subj = _subject(c)
    return (
        f"{_read(c)}>{answer}|{_subject_key(c)}|{language_group(c)}",
        f"{_read(c)}>{answer}|{subj}",
        f"{_read(c)}|{subj[:4]}",
        f"{_basis(c, _NOTHING)}|{subj[:4]}",
    )


_NOTHING: frozenset[str] = frozenset()


def time_keys(c: Concept, ev: Evidence, answer: str) -> Keys:
    subj = _subject(c)
    return (
        f"{ev.key}|{_read(c)}>{answer}|{_subject_key(c)}",
        f"{ev.key}|{_read(c)}>{answer}|{subj}",
        f"{_read(c)}>{answer}|{subj[:4]}",
        f"{_basis(c, _TIME_DECIDING)}|{subj[:4]}",
    )


_TIME_DECIDING = frozenset({"change", "price-per", "fx", "flag"})


def cumulative_keys(c: Concept, ev: Evidence) -> Keys:
    answer = "yes" if ev.is_cumulative else "no"
    return (f"{ev.key}>{answer}|{c.kind.value}|{language_group(c)}", f"{ev.key}>{answer}", answer)


def money_keys(c: Concept, is_currency: bool) -> Keys:
    answer = "money" if is_currency else "not-money"
    lang = language_group(c)
    return (f"{_unit(c)}>{answer}|{lang}", f"{c.kind.value}>{answer}|{_subject(c)[:4]}", answer)


def currency_keys(c: Concept, how: str) -> Keys:
    lang = language_group(c)
    return (f"{how}|{_unit(c)}|{lang}", f"{how}|{_UNIT_SOURCE.get(c.reading.source)}", how)


def scale_keys(c: Concept, how: str, answer: str) -> Keys:
    lang = language_group(c)
    return (f"{how}>{answer}|{_unit(c)}|{lang}", f"{how}>{answer}|{c.kind.value}", how)


def evidence_of(ind: Indicator) -> dict[str, Keys]:
    """Every scored field's evidence chain for the rules' own answer (used to fit the table)."""
    from indiclass.rules.concept import concept_of
    from indiclass.rules.cumulative import cumulative_evidence
    from indiclass.rules.normalize import normalization_evidence
    from indiclass.rules.timing import time_basis_of

    c = concept_of(ind)
    ev = cumulative_evidence(ind)
    norm = normalization_evidence(ind)
    type_ = c.indicator_type.value
    return {
        "family": type_keys(c, type_),
        "indicator_type": type_keys(c, type_, TYPE_DECIDING),
        "time_basis": time_keys(c, ev, time_basis_of(ind).value),
        "is_currency_denominated": money_keys(c, norm.is_currency),
        "detected_currency": currency_keys(c, norm.currency.how),
        "scale": scale_keys(c, norm.scale_how, norm.scale.value),
        "heat_map_orientation": orientation_keys(c, c.orientation.value),
        "is_cumulative": cumulative_keys(c, ev),
    }
