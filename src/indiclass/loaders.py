"""Reading indicator files as data teams have them (docs/usage.md), validated row by row.

Formats, by suffix:
    .jsonl .ndjson      one object a line
    .json               an array of objects, one object, or the API's body {"indicators": [...]}
    .csv .tsv .txt      delimited text; the delimiter is sniffed among , ; tab | (.tsv is tab)
                        and an Excel "sep=;" first line is obeyed
    .xlsx .xlsm         the first sheet, through openpyxl (``pip install 'indiclass[excel]'``)

Text is UTF-8 (with or without a BOM), UTF-16/32 with a BOM, else cp1252 (latin-1 for the bytes
cp1252 leaves undefined) with a note saying so; a file that is none of these is an ``InputError``
naming the encoding. Line ends may be LF or CRLF.

Keys and headers are matched in any case, with surrounding spaces, and with spaces, hyphens or
dots for underscores, against ``FIELD_ALIASES`` (the input field name first, then its aliases, best
first). A ``series`` column is the id when another column gives the name (FRED: ``series``,
``title``), the name when none does, and ignored when both an id and a name column exist. A
column with no header, or pandas' ``Unnamed: 0``, is an index and is dropped. Empty cells are
absent; numbers in text fields become text (``123`` → ``"123"``, ``7.0`` → ``"7"``); a
``sample_values`` cell holds JSON or a Python-style list (``[{'date': ..., 'value': nan}]``).

Row numbers count records from 1 (a header is not a record). Every failure is an ``InputError``
naming the row, the field (and the column it came from) and what was found. Duplicate ids are
found by ``duplicate_ids``; ``load_indicators`` refuses them unless ``keep_last=True``.
"""

from __future__ import annotations

import ast
import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from indiclass.domain.errors import InputError
from indiclass.domain.models import Indicator, parse_indicator

MAX_FILE_BYTES = 200 * 1024 * 1024
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
FORMATS = (*JSON_SUFFIXES, *TEXT_SUFFIXES, *EXCEL_SUFFIXES)
DELIMITERS = (",", ";", "\t", "|")

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator_id": (
        "indicator_id",
        "id",
        "series_id",
        "series_code",
        "indicator_code",
        "code",
        "ticker",
        "symbol",
    ),
    "name": ("name", "indicator_name", "series_name", "title", "indicator", "label"),
    "units": ("units", "unit", "unit_of_measure", "unit_of_measurement", "uom"),
    "periodicity": ("periodicity", "frequency", "freq"),
    "description": ("description", "definition", "notes"),
    "sample_values": ("sample_values", "values", "samples"),
    "source_name": ("source_name", "source"),
    "source_url": ("source_url", "url", "link"),
    "long_name": ("long_name", "full_name"),
    "category_group": ("category_group", "category"),
    "dataset": ("dataset", "database"),
    "aggregation_method": ("aggregation_method", "aggregation"),
    "scale": ("scale",),
    "topic": ("topic", "subject"),
    "currency_code": ("currency_code", "currency", "ccy"),
}
"""Input field → the normalized header names read as it, best first (the field's own name wins)."""

SERIES = "series"
"""The id when another column gives the name, else the name (see the module docstring)."""

_ALIAS_FIELD = {alias: field for field, aliases in FIELD_ALIASES.items() for alias in aliases}
_ALIAS_RANK = {
    alias: rank for aliases in FIELD_ALIASES.values() for rank, alias in enumerate(aliases)
}
_INDEX_HEADER = re.compile(r"(unnamed: ?\d+)?", re.IGNORECASE)
_MISSING = object()


@dataclass(frozen=True)
class IndicatorFile:
    """Every indicator of one file with its row number, and notes on how the file was read."""

    path: Path
    numbered: tuple[tuple[int, Indicator], ...]
    notes: tuple[str, ...] = ()

    def duplicates(self) -> dict[str, list[int]]:
        return duplicate_ids(self.numbered)

    def last_wins(self) -> list[Indicator]:
        """One indicator per id: the last row's, at the place its id was first seen."""
        return list({ind.indicator_id: ind for _, ind in self.numbered}.values())


@dataclass(frozen=True)
class _Sheet:
    """Raw records, numbered; ``columns`` is the header of a tabular file (None for JSON)."""

    rows: list[tuple[int, dict[str, Any]]]
    columns: tuple[str, ...] | None
    notes: tuple[str, ...]


# ---------------------------------------------------------------- public API


def load_indicators(path: str | Path, *, keep_last: bool = False) -> list[Indicator]:
    """Every indicator in the file, validated; InputError on the first bad record, or listing
    the duplicate ids (unless ``keep_last``: then the last row of each id wins)."""
    loaded = read_indicators(path)
    duplicates = loaded.duplicates()
    if duplicates and not keep_last:
        raise InputError(f"{loaded.path.name}: {describe_duplicates(duplicates)}")
    return loaded.last_wins()


def read_indicators(path: str | Path) -> IndicatorFile:
    """The file's indicators with their row numbers (duplicates kept) and reading notes."""
    p = Path(path)
    sheet = _read_sheet(p)
    if sheet.columns is not None:
        mapping = _tabular_map(p, sheet.columns)
        notes = (*sheet.notes, *_column_notes(sheet.columns, mapping))
        numbered = [(n, _indicator(raw, n, mapping)) for n, raw in sheet.rows]
    else:
        notes = sheet.notes
        numbered = [(n, _indicator(raw, n, column_map(list(raw)))) for n, raw in sheet.rows]
    return IndicatorFile(p, tuple(numbered), tuple(dict.fromkeys(notes)))


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """The raw records (for label files and the like): keys as written, no aliases applied."""
    return [raw for _, raw in iter_records(path)]


def iter_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based record number, raw record) for any supported file."""
    return iter(_read_sheet(Path(path)).rows)


def duplicate_ids(numbered: Iterable[tuple[int, Indicator]]) -> dict[str, list[int]]:
    """Each id given by more than one row → those rows, in file order."""
    rows: dict[str, list[int]] = {}
    for n, ind in numbered:
        rows.setdefault(ind.indicator_id, []).append(n)
    return {i: r for i, r in rows.items() if len(r) > 1}


def describe_duplicates(duplicates: dict[str, list[int]], *, limit: int = 10) -> str:
    """``2 duplicate ids: 'a' (rows 1, 3); 'b' (rows 2, 5)`` (the first ``limit`` of them)."""
    shown = "; ".join(
        f"{i!r} (rows {', '.join(map(str, rows))})" for i, rows in list(duplicates.items())[:limit]
    )
    more = f"; and {len(duplicates) - limit} more" if len(duplicates) > limit else ""
    return f"{_plural(len(duplicates), 'duplicate id')}: {shown}{more}"


def column_map(columns: Sequence[str]) -> dict[str, str]:
    """Header (as written) → input field, for the columns that name one (see FIELD_ALIASES).

    When several columns name one field, the best alias wins (then the leftmost)."""
    best: dict[str, str] = {}
    for col in columns:
        field = _ALIAS_FIELD.get(_key(col))
        if field and (field not in best or _rank(col) < _rank(best[field])):
            best[field] = col
    series = next((c for c in columns if _key(c) == SERIES), None)
    if series is not None:
        for field in ("name", "indicator_id"):
            if field not in best:
                best[field] = series
                break
    return {col: field for field, col in best.items()}


# ---------------------------------------------------------------- records → indicators


def _tabular_map(p: Path, columns: tuple[str, ...]) -> dict[str, str]:
    mapping = column_map(columns)
    if "name" not in mapping.values():
        found = ", ".join(repr(c) for c in columns)
        aliases = ", ".join(a.replace("_", " ") for a in FIELD_ALIASES["name"])
        raise InputError(
            f"{p.name}: no name column; found columns: {found}; "
            f"accepted for name: {aliases} (or 'series' when another column gives the id)"
        )
    return mapping


def _column_notes(columns: Sequence[str], mapping: dict[str, str]) -> list[str]:
    by_field = {field: col for col, field in mapping.items()}
    notes = [
        f"column {col!r} ignored: {by_field[field]!r} gives {field}"
        for col in columns
        if col not in mapping and (field := _ALIAS_FIELD.get(_key(col))) in by_field
    ]
    unknown = [c for c in columns if c not in mapping and _key(c) not in _ALIAS_FIELD]
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        notes.append(f"columns ignored (not input fields): {shown}")
    return notes


def _indicator(raw: dict[str, Any], n: int, mapping: dict[str, str]) -> Indicator:
    record = {field: raw[col] for col, field in mapping.items() if col in raw}
    for field, value in record.items():
        if field != "sample_values":
            record[field] = _text(value)
    if isinstance(record.get("sample_values"), str):
        record["sample_values"] = _sample_values(record["sample_values"], n, mapping)
    try:
        return parse_indicator(record, row=n)
    except InputError as exc:
        raise _explained(exc, record, raw, mapping) from None


def _text(value: Any) -> Any:
    """Numbers in text fields as text: 123 → "123", 7.0 → "7"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _sample_values(text: str, n: int, mapping: dict[str, str]) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(_NanNames().visit(ast.parse(text.strip(), mode="eval")))
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        raise InputError(
            f"not JSON or a Python-style list{_column(mapping, 'sample_values')}; "
            f"found {_found(text)}",
            field="sample_values",
            row=n,
        ) from None


class _NanNames(ast.NodeTransformer):
    """``nan``/``inf`` in a Python repr become floats, so the model names them (not finite)."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id.lower() in ("nan", "inf", "infinity"):
            return ast.Constant(float(node.id))
        return node


def _explained(
    exc: InputError, record: dict[str, Any], raw: dict[str, Any], mapping: dict[str, str]
) -> InputError:
    """The model's error, plus the column the field came from and what was found."""
    field = exc.field or ""
    detail = exc.detail
    found = _at(record, field)
    if detail == "Field required" and field in mapping.values():
        detail = "empty"
    elif detail == "Field required":
        detail += f"; found keys: {', '.join(repr(k) for k in raw) or 'none'}"
    detail += _column(mapping, field.split(".")[0])
    if found is not _MISSING and _found(found) not in detail:
        detail += f"; found {_found(found)}"
    return InputError(detail, field=exc.field, row=exc.row)


def _at(record: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else ():
        if isinstance(record, dict) and part in record:
            record = record[part]
        elif isinstance(record, list) and part.isdigit() and int(part) < len(record):
            record = record[int(part)]
        else:
            return _MISSING
    return record if dotted else _MISSING


def _column(mapping: dict[str, str], field: str) -> str:
    col = next((c for c, f in mapping.items() if f == field), None)
    return f" (column {col!r})" if col is not None and col != field else ""


def _found(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- files → raw records


def _read_sheet(p: Path) -> _Sheet:
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        hint = "; save it as .xlsx or CSV" if suffix == ".xls" else ""
        raise InputError(
            f"{p.name}: unsupported file type {suffix or '(none)'!r}; "
            f"use one of {', '.join(FORMATS)}{hint}"
        )
    if suffix in EXCEL_SUFFIXES:
        return _table(p, _xlsx_rows(p), ())
    text, notes = _decode(_read_bytes(p), p.name)
    if suffix in (".jsonl", ".ndjson"):
        return _Sheet(list(_jsonl(text)), None, notes)
    if suffix == ".json":
        return _Sheet(list(_json(text)), None, notes)
    return _table(p, _delimited_rows(text, "\t" if suffix == ".tsv" else None), notes)


def _read_bytes(p: Path) -> bytes:
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{p.name}: file larger than {MAX_FILE_BYTES // 2**20} MB")
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"file not found: {p}") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise InputError(f"{p.name}: cannot read ({type(exc).__name__})") from None


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _decode(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """(text, notes): a BOM's encoding, else UTF-8, else cp1252 / latin-1 with a note."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), ()
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: not valid {label} (its byte-order mark says {label}) at byte "
                    f"{exc.start}; save it again as UTF-8"
                ) from None
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{name}: looks like UTF-16 or UTF-32 without a byte-order mark (NUL bytes); "
            "save it as UTF-8"
        )
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        codec = "cp1252" if _decodes(data, "cp1252") else "latin-1"
        note = f"{name}: not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); read as {codec}"
        return data.decode(codec), (note,)


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _jsonl(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    n = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        n += 1
        yield n, _object(_loads(line, n), n)


def _json(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    data = _loads(text, None)
    if isinstance(data, dict):
        body = data.get("indicators")
        data = body if isinstance(body, list) else [data]
    if not isinstance(data, list):
        raise InputError(
            'a .json file must hold an array of indicator objects (or {"indicators": [...]})'
        )
    for n, item in enumerate(data, start=1):
        yield n, _object(item, n)


def _loads(text: str, row: int | None, field: str | None = None) -> Any:
    """JSON text → value. NaN/Infinity are let through: the model rejects them by field."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(
            f"invalid JSON ({getattr(exc, 'msg', exc)}); found {_found(text)}", field=field, row=row
        ) from None


def _object(item: Any, n: int) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(f"expected an object, got {type(item).__name__}", row=n)
    return item


# ---------------------------------------------------------------- tables (delimited text, Excel)


def _delimited_rows(text: str, delimiter: str | None) -> list[list[str]]:
    first, _, rest = text.partition("\n")
    sep = re.fullmatch(r"sep=(.)\r?", first)
    if sep:
        delimiter, text = sep.group(1), rest
    delimiter = delimiter or _sniff(text)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _sniff(text: str) -> str:
    """The candidate that splits the header into most columns that the next lines agree with."""
    lines = [line for line in text[:65_536].splitlines()[:50] if line.strip()]

    def score(delimiter: str) -> tuple[int, int]:
        rows = list(csv.reader(lines, delimiter=delimiter))
        width = len(rows[0]) if rows else 0
        agree = sum(len(r) == width for r in rows[1:])
        return (agree, width) if width > 1 else (-1, 0)

    return max(DELIMITERS, key=score)


def _table(p: Path, rows: Iterable[Sequence[str]], notes: tuple[str, ...]) -> _Sheet:
    cells = (r for r in rows if any(c.strip() for c in r))
    header = next(cells, None)
    if header is None:
        raise InputError(f"{p.name}: no header row (the file is empty)")
    columns = [c.strip() for c in header]
    _check_unique_columns(columns)
    kept = [i for i, c in enumerate(columns) if not _INDEX_HEADER.fullmatch(c)]
    records = [(n, _record(row, columns, kept, n)) for n, row in enumerate(cells, start=1)]
    return _Sheet(records, tuple(columns[i] for i in kept), notes)


def _check_unique_columns(columns: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, col in enumerate(columns, start=1):
        if col and col in seen:
            raise InputError(f"columns {seen[col]} and {i} are both named {col!r}; rename one")
        seen[col] = i


def _record(row: Sequence[str], columns: list[str], kept: list[int], n: int) -> dict[str, str]:
    extra = [c for c in row[len(columns) :] if c.strip()]
    if extra:
        raise InputError(
            f"{len(row)} cells but the header has {len(columns)} columns; "
            f"found extra {', '.join(_found(c) for c in extra[:3])}",
            row=n,
        )
    return {columns[i]: row[i].strip() for i in kept if i < len(row) and row[i].strip()}


def _xlsx_rows(p: Path) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:
        raise InputError(
            f"{p.name}: reading .xlsx needs openpyxl: pip install 'indiclass[excel]'"
        ) from None
    _read_bytes(p)  # not found / too large / unreadable, said the same way as for text
    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError ... for bad files
        raise InputError(f"{p.name}: not a readable .xlsx file ({type(exc).__name__})") from None
    try:
        return [[_excel_text(v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _excel_text(value: Any) -> str:
    """A cell as the text a CSV export would hold (integral floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_text(value))


# ---------------------------------------------------------------- small helpers


def _key(header: str) -> str:
    """``" Unit of-Measure "`` → ``"unit_of_measure"``."""
    return re.sub(r"[\s_.\-]+", "_", header.strip().lower()).strip("_")


def _rank(col: str) -> int:
    return _ALIAS_RANK.get(_key(col), len(_ALIAS_RANK))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
