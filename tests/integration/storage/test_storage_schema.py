"""Blank database → migrations → exactly these tables and columns, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest

from indiclass.storage import open_store
from indiclass.storage.migrations import MIGRATIONS

SEED_PIPELINE_STATS = [
    "id",
    "batch_id",
    "model",
    "provider",
    "total_indicators",
    "successful_indicators",
    "failed_indicators",
    "batch_start_time",
    "batch_end_time",
    "total_duration_ms",
    "avg_time_per_indicator_ms",
    "avg_confidence",
    "created_at",
    "updated_at",
]
STAGE_TAIL = [
    "confidence",
    "reasoning",
    "result_json",
    "source",
    "provider",
    "model",
    "attempts",
    "error",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
    "created_at",
    "updated_at",
]
STAGE_HEAD = ["id", "indicator_id", "trace_id"]
STAGE_CONF = [
    f"{p}_{k}"
    for p in (
        "normalization",
        "time",
        "cumulative",
        "family",
        "type",
        "boolean_review",
        "final_review",
    )
    for k in ("confidence", "reasoning")
]

EXPECTED: dict[str, list[str]] = {
    "schema_version": ["version", "name", "applied_at"],
    "source_indicators": [
        "id",
        "indicator_id",
        "name",
        "units",
        "description",
        "periodicity",
        "sample_values",
        "source_name",
        "source_url",
        "long_name",
        "category_group",
        "dataset",
        "aggregation_method",
        "scale",
        "topic",
        "currency_code",
        "created_at",
        "updated_at",
    ],
    "pipeline_stats": [
        *SEED_PIPELINE_STATS,
        "strategy",
        "llm_calls",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "cost_usd",
    ],
    "batch_items": [
        "id",
        "trace_id",
        "indicator_id",
        "status",
        "stage",
        "error",
        "started_at",
        "finished_at",
        "confidence",
        "duration_ms",
        "created_at",
        "updated_at",
    ],
    "classifications": [
        "id",
        "indicator_id",
        "name",
        "family",
        "indicator_type",
        "temporal_aggregation",
        "heat_map_orientation",
        "time_basis",
        "reporting_frequency",
        "scale",
        "scale_multiplier",
        "is_currency_denominated",
        "detected_currency",
        "is_cumulative",
        "cumulative_pattern_type",
        "parsed_unit_type",
        "review_status",
        "overall_confidence",
        "provider",
        "model",
        *STAGE_CONF,
        "trace_id",
        "created_at",
        "updated_at",
    ],
    "normalization_results": [
        *STAGE_HEAD,
        "parsed_unit_type",
        "scale",
        "scale_multiplier",
        "is_currency_denominated",
        "detected_currency",
        "unit_label",
        *STAGE_TAIL,
    ],
    "time_inference_results": [*STAGE_HEAD, "reporting_frequency", "time_basis", *STAGE_TAIL],
    "cumulative_detection_results": [
        *STAGE_HEAD,
        "is_cumulative",
        "cumulative_pattern_type",
        "evidence_years",
        *STAGE_TAIL,
    ],
    "family_assignment_results": [*STAGE_HEAD, "family", *STAGE_TAIL],
    "type_classification_results": [
        *STAGE_HEAD,
        "indicator_type",
        "temporal_aggregation",
        "heat_map_orientation",
        *STAGE_TAIL,
    ],
    "boolean_review_results": [*STAGE_HEAD, "passed", "issues", *STAGE_TAIL],
    "final_review_results": [*STAGE_HEAD, "status", "corrections", *STAGE_TAIL],
    "processing_log": [
        "id",
        "trace_id",
        "indicator_id",
        "stage",
        "status",
        "duration_ms",
        "error_message",
        "created_at",
        "updated_at",
    ],
    "llm_calls": [
        "id",
        "call_key",
        "trace_id",
        "indicator_id",
        "stage",
        "provider",
        "model",
        "prompt_system",
        "prompt_user",
        "response",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "cost_usd",
        "duration_ms",
        "error",
        "cache_hit",
        "created_at",
    ],
}


def _columns(url: str, backend: str) -> dict[str, list[str]]:
    if backend == "sqlite":
        with sqlite3.connect(url) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
        out: dict[str, list[str]] = {}
        for table, column in rows:
            out.setdefault(table, []).append(column)
        return out


def test_blank_database_gets_exact_tables_and_columns(blank_url: str, backend: str) -> None:
    store = open_store(blank_url)
    try:
        assert _columns(blank_url, backend) == EXPECTED
        assert store.count("schema_version") == len(MIGRATIONS)
    finally:
        store.close()


def test_migrate_twice_is_a_no_op(blank_url: str, backend: str) -> None:
    first = open_store(blank_url)
    first.migrate()
    first.close()
    again = open_store(blank_url)
    try:
        versions = again.db.read(
            lambda cur: cur.execute(
                "SELECT version, name FROM schema_version ORDER BY version"
            ).fetchall()
        )
        assert [v["name"] for v in versions] == [m.name for m in MIGRATIONS]
        assert [v["version"] for v in versions] == list(range(1, len(MIGRATIONS) + 1))
    finally:
        again.close()


def test_sqlite_file_is_wal_in_default_folder(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite file mode")
    store = open_store(None)  # cwd is a tmp dir (root conftest)
    try:
        with sqlite3.connect("data/classify-workflow-local-dev.db") as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_concurrent_migrators_apply_each_step_once(blank_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def start() -> None:
        open_store(blank_url).close()

    with ThreadPoolExecutor(4) as pool:
        for job in [pool.submit(start) for _ in range(4)]:
            job.result()
    store = open_store(blank_url, migrate=False)
    try:
        assert store.count("schema_version") == len(MIGRATIONS)
    finally:
        store.close()
