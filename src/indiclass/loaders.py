"""Reading indicator files: JSONL, a JSON array, or CSV (DESIGN.md §8), validated row by row.

Every record goes through ``parse_indicator``; the first bad record raises ``InputError`` naming
the row (1-based record number) and the field. CSV cells that are empty are treated as absent;
the ``sample_values`` column holds a JSON array string. ``id`` and ``indicator_id`` are both
accepted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator, parse_indicator

MAX_FILE_BYTES = 200 * 1024 * 1024
FORMATS = (".jsonl", ".ndjson", ".json", ".csv")


def load_indicators(path: str | Path) -> list[Indicator]:
    """Every indicator in the file, validated; InputError on the first bad record."""
    return [parse_indicator(raw, row=n) for n, raw in iter_records(path)]


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """The raw records (for label files and the like), without indicator validation."""
    return [raw for _, raw in iter_records(path)]


def iter_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based record number, record) for a .jsonl/.ndjson, .json (array) or .csv file."""
    p = Path(path)
    text = _read(p)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl(text)
    if suffix == ".json":
        return _json_array(text)
    if suffix == ".csv":
        return _csv(text)
    raise InputError(
        f"{p.name}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(FORMATS)}"
    )


def _read(p: Path) -> str:
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{p.name}: file larger than {MAX_FILE_BYTES // 2**20} MB")
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"file not found: {p}") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise InputError(f"{p.name}: cannot read ({type(exc).__name__})") from None


def _jsonl(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    n = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        n += 1
        yield n, _object(_loads(line, n), n)


def _json_array(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    data = _loads(text, None)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError("a .json file must hold an array of indicator objects")
    for n, item in enumerate(data, start=1):
        yield n, _object(item, n)


def _csv(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise InputError("CSV needs a header row with at least a 'name' column")
    for n, row in enumerate(reader, start=1):
        if None in row:
            raise InputError("more cells than header columns", row=n)
        yield n, _csv_record(row, n)


def _csv_record(row: dict[str, str], n: int) -> dict[str, Any]:
    rec: dict[str, Any] = {k.strip(): v for k, v in row.items() if v is not None and v.strip()}
    if "sample_values" in rec:
        rec["sample_values"] = _loads(rec["sample_values"], n, field="sample_values")
    return rec


def _loads(text: str, row: int | None, field: str | None = None) -> Any:
    """JSON text → value. NaN/Infinity are let through: the model rejects them by field."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(
            f"invalid JSON ({getattr(exc, 'msg', exc)})", field=field, row=row
        ) from None


def _object(item: Any, n: int) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(f"expected an object, got {type(item).__name__}", row=n)
    return item
