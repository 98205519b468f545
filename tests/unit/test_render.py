"""Tables that fit the terminal: rendered with Rich consoles of 80 and 160 columns."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from indiclass.cli.render import (
    BATCH_COLUMNS,
    FAILED_COLUMNS,
    RESULT_COLUMNS,
    Column,
    cell,
    fit_table,
    print_table,
    results_table,
)
from indiclass.domain.enums import (
    Family,
    HeatMapOrientation,
    IndicatorType,
    ReviewStatus,
    TemporalAggregation,
    TimeBasis,
)

ENUM_KEYS = {
    "family",
    "indicator_type",
    "temporal_aggregation",
    "time_basis",
    "heat_map_orientation",
    "review_status",
    "scale",
    "detected_currency",
}


def _result(n: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "indicator_id": f"fred:LNS{n:08d}",
        "name": "Labor Force Participation Rate - 25-54 Yrs., Hispanic or Latino, Women " * 2,
        "family": list(Family)[n % len(Family)].value,
        "indicator_type": list(IndicatorType)[n % len(IndicatorType)].value,
        "temporal_aggregation": list(TemporalAggregation)[n % len(TemporalAggregation)].value,
        "time_basis": list(TimeBasis)[n % len(TimeBasis)].value,
        "scale": "millions",
        "detected_currency": None,
        "heat_map_orientation": list(HeatMapOrientation)[n % len(HeatMapOrientation)].value,
        "is_cumulative": n % 2 == 0,
        "review_status": list(ReviewStatus)[n % len(ReviewStatus)].value,
        "overall_confidence": 0.8765,
    }
    return {**row, **over}


ROWS = [_result(n) for n in range(8)] + [
    _result(8, family="physical-fundamental", heat_map_orientation="higher-is-positive"),
    _result(9, temporal_aggregation="period-cumulative", name="[CPI] all items"),
]


def _render(renderable: Any, width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False)
    print_table(console, renderable)
    return out.getvalue().splitlines()


def _header(lines: list[str]) -> str:
    return next(line for line in lines if "┃" in line)


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160, 200])
def test_results_fit_and_never_split_an_enum_or_an_id(width: int) -> None:
    lines = _render(results_table(ROWS, title="10 of 47 classifications"), width)
    assert max(cell_len(line) for line in lines) <= width
    text = "\n".join(lines)
    assert "10 of 47 classifications" in text
    shown = [c for c in RESULT_COLUMNS if f" {c.label} " in _header(lines)]
    if width >= 80:
        assert {c.key for c in shown} >= {"indicator_id", "name", "family", "indicator_type"}
    for row in ROWS:
        assert row["indicator_id"] in text
        for c in shown:
            if c.key in ENUM_KEYS and row[c.key]:
                assert row[c.key] in text, (c.key, row[c.key])
    assert "…" in text  # the long names are shortened, on one line each
    assert sum("fred:LNS" in line for line in lines) == len(ROWS)


def test_columns_are_dropped_by_priority_as_the_terminal_narrows() -> None:
    narrow, wide = (
        _header(_render(results_table(ROWS), 80)),
        _header(_render(results_table(ROWS), 160)),
    )
    assert " heat map " not in narrow and " heat map " in wide
    assert " aggregation " not in narrow and " aggregation " in wide
    shown_at = {w: _header(_render(results_table(ROWS), w)) for w in (80, 160)}
    by_priority = sorted(RESULT_COLUMNS, key=lambda c: c.priority)
    for header in shown_at.values():
        shown = [f" {c.label} " in header for c in by_priority]
        assert shown == sorted(shown, reverse=True)  # never a column above a dropped one


def test_wide_shows_every_column_whole() -> None:
    lines = _render(results_table(ROWS, wide=True), 80)
    header = _header(lines)
    assert all(f" {c.label} " in header for c in RESULT_COLUMNS)
    assert "…" not in "\n".join(lines)
    assert ROWS[0]["name"].strip() in "\n".join(lines)
    assert max(cell_len(line) for line in lines) > 80  # wider than the terminal, on purpose


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (True, 2, "yes"),
        (False, 2, "no"),
        (None, 2, "-"),
        ("", 2, "-"),
        (0.87654, 2, "0.88"),
        (0.00012, 4, "0.0001"),
        (42, 2, "42"),
        (datetime(2024, 5, 1, 12, 30, 5, 123), 2, "2024-05-01 12:30:05"),
        ("[bold]x[/bold]", 2, "[bold]x[/bold]"),
    ],
)
def test_cells(value: Any, decimals: int, text: str) -> None:
    assert cell(value, decimals) == text


def test_booleans_missing_values_and_markup_in_a_rendered_table() -> None:
    rows = [{"indicator_id": "a", "flag": True, "missing": None}, {"indicator_id": "b"}]
    columns = (Column("indicator_id", "id"), Column("flag", "flag"), Column("missing", "m"))
    text = "\n".join(_render(fit_table(columns, rows, title="t"), 80))
    assert "yes" in text and "-" in text
    assert "[CPI] all items" in "\n".join(_render(results_table(ROWS, wide=True), 200))


BATCH = {
    "batch_id": "3f2a1b4c-9d1e-4c8b-a0e2-1f2e3d4c5b6a",
    "provider": "anthropic",
    "model": "claude-haiku-4-5-20251001",
    "total": 1200,
    "ok": 1180,
    "failed": 15,
    "pending": 5,
    "duration_ms": 123456,
    "avg_ms": 103,
    "avg_confidence": 0.912,
    "llm_calls": 6000,
    "tokens": 4_500_000,
    "cost_usd": 1.23456,
}
FAILED = {
    "trace_id": "3f2a1b4c-9d1e-4c8b-a0e2-1f2e3d4c5b6a",
    "indicator_id": "fred:A191RI1A225NBEA",
    "stage": "boolean-review",
    "error": "ProviderUnavailable: cannot reach http://127.0.0.1:1234/v1 (connection refused) " * 3,
    "failed_at": datetime(2024, 5, 1, 12, 30, 5),
}


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize(
    ("columns", "row", "whole"),
    [
        (BATCH_COLUMNS, BATCH, ["anthropic", "1200", "1180", "15"]),
        (FAILED_COLUMNS, FAILED, ["fred:A191RI1A225NBEA", "boolean-review"]),
    ],
)
def test_stats_and_failures_fit(
    width: int, columns: tuple[Column, ...], row: dict[str, Any], whole: list[str]
) -> None:
    lines = _render(fit_table(columns, [row, row], title="t"), width)
    assert max(cell_len(line) for line in lines) <= width
    text = "\n".join(lines)
    for value in whole:
        assert sum(value in line for line in lines) >= 2, value
    if width == 160:
        assert row.get("batch_id", row.get("trace_id")) in text
