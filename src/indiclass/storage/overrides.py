"""Overrides: a person's correction of a classification field, stored beside the pipeline's answer.

An override is a row of ``overrides`` (indicator_id, field, value, reason, who, created_at and
``replaced``: the pipeline's answer it shadows), never an edit of the pipeline's results:

- ``classifications`` holds the *effective* values: an override is written into it when it is
  made, and again by :func:`reapply` each time the pipeline writes that indicator (a re-run,
  ``--force``), so the seed's ``sqlite3`` queries and every export see the correction;
- the pipeline's own answer stays in the stage tables and in ``replaced`` (refreshed by
  :func:`reapply`), so deleting an override puts the pipeline's latest answer back;
- at most one override per (indicator, field) is active; a new one supersedes it (the old row
  keeps ``deleted_at``/``deleted_by``: the history is never lost).

Values are checked like any LLM reply: each against its field's enum
(:func:`~indiclass.domain.models.coerce_field`) and the type within the family
(:func:`~indiclass.domain.enums.type_fits_family`) over the effective result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from indiclass.domain.enums import Family, IndicatorType, type_fits_family
from indiclass.domain.errors import InputError
from indiclass.domain.models import REVIEWABLE_FIELDS, coerce_field
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor

OVERRIDABLE: tuple[str, ...] = (
    *REVIEWABLE_FIELDS,
    "cumulative_pattern_type",
    "parsed_unit_type",
    "needs_review",
)
"""Fields a person may correct (``needs_review=false`` is how a reviewer accepts a result)."""
_CHUNK = 500


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """Each field's typed value as JSON-ready data; InputError names a bad field or value."""
    if not values:
        raise InputError("no field to override", field="fields")
    out: dict[str, Any] = {}
    for field, raw in values.items():
        if field not in OVERRIDABLE:
            raise InputError(
                f"not a correctable field; one of {', '.join(OVERRIDABLE)}", field=field
            )
        try:
            typed = coerce_field(field, _text(raw))
        except ValueError as exc:
            raise InputError(str(exc), field=field) from None
        out[field] = getattr(typed, "value", typed)
    return out


def check_family(effective: Mapping[str, Any]) -> None:
    """The indicator_type must belong to the family (``other`` fits every family)."""
    family, kind = effective.get("family"), effective.get("indicator_type")
    if family is None or kind is None:
        return
    if not type_fits_family(IndicatorType(kind), Family(family)):
        raise InputError(
            f"indicator_type {kind} is not a type of family {family}: correct both together",
            field="indicator_type",
        )


def add(
    cur: Cursor, indicator_id: str, values: Mapping[str, Any], *, reason: str, who: str
) -> list[dict[str, Any]]:
    """Store overrides of ``values`` for the indicator and write them into ``classifications``;
    returns the indicator's active overrides. InputError when it has no classification."""
    typed = checked(values)
    row = cur.execute(
        "SELECT * FROM classifications WHERE indicator_id = ?" + _for_update(cur),
        (indicator_id,),
    ).fetchone()
    if row is None:
        raise InputError(f"no classification for {indicator_id!r} to correct", field="indicator_id")
    current = {o["field"]: o for o in active(cur, [indicator_id])}
    pipeline = {**R.clean(row), **{f: _load(o["replaced"]) for f, o in current.items()}}
    check_family({**R.clean(row), **typed})
    now = R.now_iso()
    for field, value in typed.items():
        if field in current:
            _retire(cur, current[field]["id"], who, now)
        cur.execute(
            "INSERT INTO overrides (indicator_id, field, value, replaced, reason, who,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (indicator_id, field, _dump(value), _dump(pipeline.get(field)), reason, who, now),
        )
        _write_cell(cur, indicator_id, field, value, now)
    return active(cur, [indicator_id])


def remove(
    cur: Cursor, indicator_id: str, fields: Sequence[str] | None, *, who: str
) -> list[dict[str, Any]]:
    """Retire the indicator's active overrides (of ``fields``, or all): the pipeline's answer
    goes back into ``classifications``. Returns the overrides retired."""
    now = R.now_iso()
    gone = [o for o in active(cur, [indicator_id]) if fields is None or o["field"] in fields]
    for o in gone:
        _retire(cur, o["id"], who, now)
        _write_cell(cur, indicator_id, o["field"], _load(o["replaced"]), now)
    return gone


def reapply(cur: Cursor, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """The hook after the pipeline upserts ``rows`` of ``classifications``: each active
    override of those indicators remembers the fresh pipeline answer and wins again."""
    at = columns.index("indicator_id")
    written = {row[at]: dict(zip(columns, row, strict=True)) for row in rows}
    found = active(cur, list(written))
    now = R.now_iso()
    for o in found:
        answer = written[o["indicator_id"]].get(o["field"])
        cur.execute("UPDATE overrides SET replaced = ? WHERE id = ?", (_dump(answer), o["id"]))
        _write_cell(cur, o["indicator_id"], o["field"], _load(o["value"]), now)


def active(cur: Cursor, indicator_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Active override rows of these indicators (raw: JSON text in value/replaced)."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(indicator_ids), _CHUNK):
        part = list(indicator_ids[start : start + _CHUNK])
        out += cur.execute(
            "SELECT * FROM overrides WHERE deleted_at IS NULL AND indicator_id IN"
            f" ({', '.join('?' * len(part))}) ORDER BY id",
            part,
        ).fetchall()
    return out


def listed(
    cur: Cursor,
    indicator_id: str | None = None,
    *,
    include_deleted: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Override records, newest first, decoded (value and replaced as JSON values)."""
    where, params = [], []
    if indicator_id is not None:
        where.append("indicator_id = ?")
        params.append(indicator_id)
    if not include_deleted:
        where.append("deleted_at IS NULL")
    sql = "SELECT * FROM overrides" + (" WHERE " + " AND ".join(where) if where else "")
    rows = cur.execute(sql + " ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [decoded(r) for r in rows.fetchall()]


def decoded(row: Mapping[str, Any]) -> dict[str, Any]:
    """An override row for reading: ``value`` and ``replaced`` as JSON values, ``active``."""
    out = dict(row)
    out["value"], out["replaced"] = _load(row["value"]), _load(row["replaced"])
    out["active"] = row["deleted_at"] is None
    return out


def score(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``eval --labels-from overrides``: the pipeline's answers (``replaced``) scored against
    the people's corrections (decoded active records), per field: n, right, accuracy."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        if r["field"] == "needs_review" or not r.get("active", True):
            continue
        entry = out.setdefault(r["field"], {"n": 0, "right": 0, "accuracy": None})
        entry["n"] += 1
        entry["right"] += int(r["replaced"] == r["value"])
    for entry in out.values():
        entry["accuracy"] = round(entry["right"] / entry["n"], 4)
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- internals


def _write_cell(cur: Cursor, indicator_id: str, field: str, value: Any, now: str) -> None:
    assert field in OVERRIDABLE  # a column name from the allow-list, never from input
    cur.execute(
        f"UPDATE classifications SET {field} = ?, updated_at = ? WHERE indicator_id = ?",
        (value, now, indicator_id),
    )


def _retire(cur: Cursor, override_id: int, who: str, now: str) -> None:
    cur.execute(
        "UPDATE overrides SET deleted_at = ?, deleted_by = ? WHERE id = ?", (now, who, override_id)
    )


def _for_update(cur: Cursor) -> str:
    return " FOR UPDATE" if cur.dialect == "postgresql" else ""


def _text(raw: Any) -> str:
    """A JSON value as the string form ``coerce_field`` reads (``true``, ``""`` for null)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _dump(value: Any) -> str:
    return json.dumps(value)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)
