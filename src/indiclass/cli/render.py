"""Rich rendering for the runner: result tables, the progress bar, hints. No engine logic here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator_id", "id"),
    ("name", "name"),
    ("family", "family"),
    ("indicator_type", "type"),
    ("temporal_aggregation", "aggregation"),
    ("time_basis", "time basis"),
    ("scale", "scale"),
    ("detected_currency", "ccy"),
    ("heat_map_orientation", "heat map"),
    ("review_status", "review"),
    ("overall_confidence", "conf."),
)


def results_table(rows: Iterable[Mapping[str, Any]], *, title: str = "Classifications") -> Table:
    """A table of classification rows (``classifications`` column names)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for _, label in RESULT_COLUMNS:
        table.add_column(label, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in RESULT_COLUMNS))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


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
    """A console that is wide enough for the results table when output is piped to a file."""
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(width=180, stderr=stderr)


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
