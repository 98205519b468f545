"""Ids: what a trace_id or an indicator id may hold, and workflow ids that cannot alias.

A workflow id is ``ic/<trace>/c<chunk>.<epoch>`` with the trace percent-encoded so that it holds
no ``/``: splitting on ``/`` is unambiguous, so no (trace, chunk) pair can produce another's id
(the first version joined ``trace:indicator``, and trace ``a`` + indicator ``b:c`` met trace
``a:b`` + indicator ``c``). Ids are checked at the edges: no control characters (NUL, newline,
...), not blank, at most :data:`MAX_ID` characters.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from indiclass.domain.errors import InputError

MAX_ID = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PREFIX = "ic/"


def check_id(value: str, what: str = "id") -> str:
    """``value`` if it is a usable id, else InputError saying why."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} must be a non-empty string")
    if _CONTROL.search(value):
        raise InputError(f"{what} must not contain control characters (NUL, newline, tab ...)")
    if len(value) > MAX_ID:
        raise InputError(f"{what} longer than {MAX_ID} characters")
    return value


def _enc(text: str) -> str:
    return quote(text, safe="")


def chunk_workflow_id(trace_id: str, chunk: int, epoch: int = 0) -> str:
    return f"{PREFIX}{_enc(trace_id)}/c{chunk}.{epoch}"


def chunk_prefix(trace_id: str, chunk: int | None = None) -> str:
    """The prefix of every workflow of the batch (or of one of its chunks)."""
    base = f"{PREFIX}{_enc(trace_id)}/"
    return base if chunk is None else f"{base}c{chunk}."


def parse_chunk_workflow_id(workflow_id: str) -> tuple[str, int, int] | None:
    """(trace_id, chunk, epoch) of a chunk workflow id, else None."""
    if not workflow_id.startswith(PREFIX):
        return None
    trace, _, tail = workflow_id[len(PREFIX) :].partition("/")
    match = re.fullmatch(r"c(\d+)\.(\d+)", tail)
    if not match:
        return None
    return unquote(trace), int(match[1]), int(match[2])
