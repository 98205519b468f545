"""Writing result files: the format from the extension (or ``--format``), written beside the
target and renamed over it (nothing is ever half-written), with the mode the umask gives, and
CSV text cells that a spreadsheet would run as a formula escaped with a leading ``'``.
Used by ``classify --out`` and ``export``."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indiclass.domain.errors import InputError

SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
}
FORMATS = ("csv", "jsonl", "json", "parquet")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A CSV text cell starting with one of these gets a leading ' so spreadsheets show it as
text instead of running it as a formula (docs/usage.md)."""


def output_format(fmt: str | None, out: Path | None) -> str:
    """``--format`` if given, else the extension of ``--out``, else JSONL; InputError when
    neither tells."""
    if fmt is None and out is not None:
        fmt = SUFFIXES.get(out.suffix.lower())
        if fmt is None:
            raise InputError(
                f"cannot tell the format from {out.name!r}: give --format "
                f"{' | '.join(FORMATS)} (or name the file .csv, .jsonl, .json or .parquet)"
            )
    fmt = (fmt or "jsonl").strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None:
        raise InputError("parquet needs --out FILE")
    return fmt


def write_results(out: Path | None, rows: Iterable[dict[str, Any]], fmt: str | None = None) -> int:
    """Write ``rows`` to ``out`` (stdout when None) in ``fmt`` or the format of its extension;
    returns how many rows were written."""
    fmt = output_format(fmt, out)
    if out is None:
        return _write_text(rows, fmt, sys.stdout)
    if out.is_dir():
        raise InputError(f"--out {out} is a directory; give a file name")
    with _replacing(out) as tmp:
        if fmt == "parquet":
            return _write_parquet(rows, tmp)
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            return _write_text(rows, fmt, handle)


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A new file beside ``out`` that replaces it when written. Created with open(), so its
    mode is what the umask gives (not mkstemp's 0600)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_text(rows: Iterable[dict[str, Any]], fmt: str, handle: Any) -> int:
    if fmt == "csv":
        return _write_csv(rows, handle)
    if fmt == "json":
        batch = list(rows)
        handle.write(json.dumps(batch, default=str, ensure_ascii=False, indent=1) + "\n")
        return len(batch)
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        handle.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    return count


def _write_csv(rows: Iterable[dict[str, Any]], handle: Any) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        if writer is None:
            writer = csv.DictWriter(handle, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: spreadsheet_text(_flat(v)) for k, v in row.items()})
    return count


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else value


def spreadsheet_text(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, with a leading ' (numbers untouched)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _write_parquet(rows: Iterable[dict[str, Any]], out: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("parquet output needs pyarrow: pip install 'indiclass[export]'") from None

    batch = [{k: _parquet_cell(v) for k, v in row.items()} for row in rows]
    pq.write_table(pa.Table.from_pylist(batch), out)
    return len(batch)


def _parquet_cell(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return value
