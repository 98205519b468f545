"""Rich rendering for the runner: result tables, the progress bar, hints. No engine logic here."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

TABLE_BORDER = 3
"""Columns a table column costs beside its text: one space each side and one border."""


@dataclass(frozen=True)
class Column:
    """One table column. Lower ``priority`` is kept longer when the terminal is narrow.

    Cells never wrap unless ``wrap`` (free text such as an error): enum values and ids stay on
    one line. ``min_width`` lets a column be shortened with an ellipsis down to that width
    (None keeps it whole: it is dropped rather than cut); a shortened column grows back before
    the next priority is placed, except ``fill`` columns (free text such as a name): placed at
    ``FILL_SHARE`` of the width or ``min_width`` if larger, they take what is left at the end."""

    key: str
    label: str
    priority: int = 0
    min_width: int | None = None
    decimals: int = 2
    justify: Literal["left", "right"] = "left"
    fill: bool = False
    wrap: bool = False


FILL_SHARE = 1 / 7
"""A ``fill`` column is placed at no less than this share of the width (a name gets 22 of 160
columns before the less important columns are placed)."""

_NUMBER: dict[str, Any] = {"justify": "right"}

RESULT_COLUMNS: tuple[Column, ...] = (
    Column("indicator_id", "id", 0, min_width=24),
    Column("name", "name", 0, min_width=12, fill=True),
    Column("family", "family", 1),
    Column("indicator_type", "type", 1),
    Column("temporal_aggregation", "aggregation", 4),
    Column("time_basis", "time basis", 4),
    Column("scale", "scale", 6),
    Column("detected_currency", "ccy", 6),
    Column("heat_map_orientation", "heat map", 5),
    Column("is_cumulative", "cumulative", 7),
    Column("review_status", "review", 3),
    Column("overall_confidence", "conf.", 2, **_NUMBER),
)
"""The classification table (``classifications`` column names), in display order."""

BATCH_COLUMNS: tuple[Column, ...] = (
    Column("batch_id", "batch_id", 0, min_width=13),
    Column("provider", "provider", 1),
    Column("model", "model", 3, min_width=12, fill=True),
    Column("total", "total", 0, **_NUMBER),
    Column("ok", "ok", 0, **_NUMBER),
    Column("failed", "failed", 0, **_NUMBER),
    Column("pending", "pending", 1, **_NUMBER),
    Column("status", "status", 1),
    Column("fallback", "fell back", 1, **_NUMBER),
    Column("duration_ms", "duration ms", 4, **_NUMBER),
    Column("avg_ms", "avg ms/ind.", 3, **_NUMBER),
    Column("avg_confidence", "avg conf.", 2, decimals=3, **_NUMBER),
    Column("llm_calls", "LLM calls", 2, **_NUMBER),
    Column("tokens", "tokens", 3, **_NUMBER),
    Column("cost_usd", "cost $", 2, decimals=4, **_NUMBER),
)
"""The ``stats`` table: one ``pipeline_stats`` row per batch with its LLM totals."""

FAILED_COLUMNS: tuple[Column, ...] = (
    Column("trace_id", "trace_id", 1, min_width=13),
    Column("indicator_id", "indicator_id", 0, min_width=24),
    Column("stage", "stage", 0),
    Column("error", "error", 0, min_width=20, fill=True, wrap=True),
    Column("failed_at", "failed_at", 2),
)
"""The ``errors`` table: failed indicators with their stage and reason."""


def cell(value: Any, decimals: int = 2) -> str:
    """A value as table text: booleans yes/no, missing "-", floats rounded, times to seconds."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


class FitTable:
    """A table that chooses its columns when rendered, from the width it is given.

    Columns are placed in priority order while they fit (see ``Column``); the first that does
    not fit ends the placing, so a column is never shown while a more important one is not.
    ``wide`` shows every column whole, however wide the table gets (print it with
    ``print_table``, which does not crop)."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Iterable[Mapping[str, Any]],
        *,
        title: str,
        wide: bool = False,
    ) -> None:
        self.columns = tuple(columns)
        self.cells = [
            {c.key: cell(row.get(c.key), c.decimals) for c in self.columns} for row in rows
        ]
        self.title = title
        self.wide = wide

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.wide:
            yield self.table(options.max_width)
            return
        table = self.table(None)
        yield from console.render(
            table, options.update_width(max(options.max_width, self._width(table)))
        )

    def table(self, width: int | None) -> Table:
        """The Rich table for ``width`` columns (None: every column whole)."""
        table = Table(title=self.title, header_style="bold")
        fitted = self._fit(width)
        for column, max_width in fitted:
            table.add_column(
                column.label,
                justify=column.justify,
                no_wrap=not column.wrap,
                overflow="fold" if column.wrap else "ellipsis",
                max_width=max_width,
            )
        for row in self.cells:
            table.add_row(*(Text(row[c.key]) for c, _ in fitted))
        return table

    def _fit(self, width: int | None) -> list[tuple[Column, int]]:
        """The columns shown, in display order, with their widths."""
        natural = {c.key: self._natural(c) for c in self.columns}
        if width is None:
            return [(c, natural[c.key]) for c in self.columns]
        fitted = self._place(width, natural)
        spare = width - 1 - sum(w + TABLE_BORDER for w in fitted.values())
        fill = sorted((c for c in self.columns if c.fill and c.key in fitted), key=_priority)
        self._grow(fill, fitted, natural, spare)
        return [(c, fitted[c.key]) for c in self.columns if c.key in fitted]

    def _place(self, width: int, natural: dict[str, int]) -> dict[str, int]:
        """Columns by priority at their least width, each level's shortened non-fill columns
        grown back before the next level; stops at the first column that does not fit."""
        fitted: dict[str, int] = {}
        spare = width - 1
        for level in sorted({c.priority for c in self.columns}):
            at_level = [c for c in self.columns if c.priority == level]
            for c in at_level:
                least = _least(c, width, natural[c.key])
                if fitted and least + TABLE_BORDER > spare:
                    return fitted
                fitted[c.key] = least
                spare -= least + TABLE_BORDER
            spare = self._grow([c for c in at_level if not c.fill], fitted, natural, spare)
        return fitted

    @staticmethod
    def _grow(
        columns: list[Column], fitted: dict[str, int], natural: dict[str, int], spare: int
    ) -> int:
        """Widen shortened ``columns`` back towards their natural width; the width left."""
        for c in columns:
            grow = max(0, min(spare, natural[c.key] - fitted[c.key]))
            fitted[c.key] += grow
            spare -= grow
        return spare

    def _natural(self, column: Column) -> int:
        widths = [cell_len(column.label), *(cell_len(row[column.key]) for row in self.cells)]
        return min(max(widths), 60) if column.wrap else max(widths)

    def _width(self, table: Table) -> int:
        return sum((c.max_width or 0) + TABLE_BORDER for c in table.columns) + 1


def _priority(column: Column) -> int:
    return column.priority


def _least(column: Column, width: int, natural: int) -> int:
    """The narrowest a column is placed at for a table ``width`` columns wide."""
    if column.min_width is None:
        return natural
    least = max(column.min_width, int(width * FILL_SHARE)) if column.fill else column.min_width
    return min(natural, least)


def fit_table(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    title: str,
    wide: bool = False,
) -> FitTable:
    """A table of ``rows`` (mappings keyed by ``Column.key``) that fits the console it is
    printed on; ``wide`` shows every column whole."""
    return FitTable(columns, rows, title=title, wide=wide)


def results_table(
    rows: Iterable[Mapping[str, Any]], *, title: str = "Classifications", wide: bool = False
) -> FitTable:
    """A table of classification rows (``classifications`` column names)."""
    return fit_table(RESULT_COLUMNS, rows, title=title, wide=wide)


def print_table(console: Console, table: RenderableType) -> None:
    """Print a table without cropping it (a ``wide`` table may be wider than the terminal)."""
    console.print(table, crop=False)


def provider_hints(console: Console) -> None:
    """How to run the same thing with a real LLM."""
    lines = (
        ("OpenAI:   ", "OPENAI_API_KEY=sk-... indiclass run random -20 openai"),
        ("Anthropic:", "ANTHROPIC_API_KEY=... indiclass run random -20 anthropic"),
        ("LM Studio:", "LM_STUDIO_URL=http://127.0.0.1:1234/v1 indiclass run random -20 local"),
        ("Server:   ", "indiclass serve --port 3000"),
        ("          ", "indiclass run random -20 rules --api http://127.0.0.1:3000"),
    )
    console.print("\n[bold]Run it with an LLM[/bold] (LM Studio: start its server, load a model)")
    for label, command in lines:
        console.print(f"  {label} [cyan]{command}[/cyan]", soft_wrap=True)


def make_console(*, stderr: bool = False) -> Console:
    """The terminal's console; piped to a file, 180 columns unless COLUMNS says otherwise."""
    probe = Console(stderr=stderr)
    if probe.is_terminal or os.environ.get("COLUMNS"):
        return probe
    return Console(width=180, stderr=stderr)


class LineReporter:
    """The seed's log lines, printed as they happen (no bar)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def line(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def progress(self, finished: int, total: int) -> None:
        return None

    def close(self) -> None:
        return None


class BarReporter(LineReporter):
    """The same lines, plus a Rich progress bar for the current group (terminal only)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        super().__init__(console)
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("classifying", total=None)
        self._bar.start()

    def line(self, text: str) -> None:
        from rich.markup import escape

        self._bar.console.print(escape(text), highlight=False, soft_wrap=True)

    def progress(self, finished: int, total: int) -> None:
        self._bar.update(self._task, completed=finished, total=total)

    def close(self) -> None:
        self._bar.stop()


def make_reporter(console: Console, *, bar: bool | None = None) -> LineReporter:
    """A bar on a terminal, plain lines otherwise (pipes, CI, tests)."""
    return (
        BarReporter(console)
        if (console.is_terminal if bar is None else bar)
        else LineReporter(console)
    )
