"""Blank database → migrations → exactly these tables and columns, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest

from indiclass.stages import DEFAULT_STAGES
from indiclass.storage import open_store
from indiclass.storage.migrations import migrate, released
from indiclass.storage.rows import stage_table_columns

MIGRATIONS = released()

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
PROVENANCE = ["rules_version", "prompt_hash", "request_hash", "temperature", "strategy", "run_id"]
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
    # m011
    *PROVENANCE,
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
        # m009
        "status",
        "reason",
        "run_id",
        "run_config",
        "body_hash",
        "dispatch",
        "chunks",
        "pending_indicators",
        "cancelled_indicators",
        "fallback_indicators",
        "sum_confidence",
        "sum_duration_ms",
        "unknown_cost_calls",
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
        "chunk",
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
        "needs_review",
        "fallback_stages",
        "field_confidence",
        # m011
        *PROVENANCE,
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
        "status",
        "attempt",
        "request_hash",
        "finished_at",
        "text_purged_at",
    ],
    "runs": [
        "id",
        "run_id",
        "kind",
        "status",
        "config",
        "options",
        "total_indicators",
        "batches",
        "reason",
        "created_at",
        "updated_at",
    ],
    "run_items": ["id", "run_id", "seq", "indicator_id", "batch_no", "trace_id"],
    "executors": [
        "executor_id",
        "kind",
        "pid",
        "host",
        "queues",
        "providers",
        "started_at",
        "heartbeat_at",
    ],
    "overrides": [
        "id",
        "indicator_id",
        "field",
        "value",
        "replaced",
        "reason",
        "who",
        "created_at",
        "deleted_at",
        "deleted_by",
    ],
    # m012
    "provider_batches": [
        "id",
        "wave_key",
        "trace_id",
        "epoch",
        "wave",
        "part",
        "stage",
        "provider",
        "model",
        "status",
        "requests",
        "first_custom_id",
        "provider_batch_id",
        "input_file_id",
        "provider_status",
        "succeeded",
        "errored",
        "expired",
        "canceled",
        "missing",
        "polls",
        "estimated_cost_usd",
        "cost_usd",
        "error",
        "created_at",
        "submitted_at",
        "ended_at",
        "fetched_at",
        "updated_at",
    ],
    "provider_batch_requests": [
        "id",
        "wave_key",
        "custom_id",
        "call_key",
        "trace_id",
        "indicator_id",
        "body",
        "outcome",
        "error",
    ],
    "classification_history": [
        "id",
        "run_key",
        "indicator_id",
        "trace_id",
        "run_id",
        "family",
        "indicator_type",
        "review_status",
        "overall_confidence",
        "provider",
        "model",
        "strategy",
        "rules_version",
        "prompt_hash",
        "request_hash",
        "temperature",
        "classification",
        "stages",
        "created_at",
        "updated_at",
    ],
    "webhook_deliveries": [
        "id",
        "delivery_id",
        "trace_id",
        "url",
        "event",
        "body",
        "status",
        "attempts",
        "http_status",
        "error",
        "created_at",
        "updated_at",
        "delivered_at",
    ],
}


def _columns(url: str, backend: str, *, types: bool = False) -> dict[str, list]:
    """Table → its columns in order (with their type, nullability and default if ``types``)."""
    if backend == "sqlite":
        with sqlite3.connect(url) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {
                t: [
                    (r[1], r[2], r[3], r[4], r[5]) if types else r[1]
                    for r in conn.execute(f"PRAGMA table_info({t})")
                ]
                for t in tables
            }
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default"
            " FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
        out: dict[str, list] = {}
        for table, column, kind, nullable, default in rows:
            entry = (column, kind, nullable, (default or "")[:20]) if types else column
            out.setdefault(table, []).append(entry)
        return out


def _indexes(url: str, backend: str) -> set[str]:
    if backend == "sqlite":
        with sqlite3.connect(url) as conn:
            return {
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
                if not r[0].startswith("sqlite_")
            }
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        return {r[0] for r in rows if not r[0].endswith(("_pkey", "_key"))}


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_every_past_schema_version_upgrades_to_the_current_one(
    version: int, blank_url: str, backend: str, request: pytest.FixtureRequest, tmp_path
) -> None:
    """A database built from the released steps up to ``version`` (with rows in it), upgraded,
    equals a fresh database column by column (names, types, nullability) and index by index."""
    from indiclass.storage import open_database

    old = open_database(blank_url)
    # a batch written by a release before m009 (which gave old batches their status)
    old_batch = version >= 2 and MIGRATIONS[version - 1].version < 9
    try:
        migrate(old, MIGRATIONS[:version])
        if old_batch:
            old.write(
                lambda cur: cur.execute(
                    "INSERT INTO pipeline_stats (batch_id, model, provider, total_indicators,"
                    " successful_indicators, failed_indicators, batch_start_time, created_at,"
                    " updated_at) VALUES ('old', 'm', 'rules', 2, 1, 1, '2026-01-01T00:00:00.000Z',"
                    " '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"
                )
            )
    finally:
        old.close()
    upgraded = open_store(blank_url)  # migrates to the current schema
    upgraded.close()
    if backend == "sqlite":
        fresh_url = str(tmp_path / "fresh" / "results.db")
    else:
        fresh_url = request.getfixturevalue("pg_databases").create()
    open_store(fresh_url).close()
    assert _columns(blank_url, backend, types=True) == _columns(fresh_url, backend, types=True)
    assert _indexes(blank_url, backend) == _indexes(fresh_url, backend)
    if old_batch:
        reopened = open_store(blank_url)
        try:
            stats = reopened.batch_stats("old")  # an old batch reads back closed, with counts
            assert (stats.status, stats.pending_indicators, stats.done) == ("degraded", 0, True)
        finally:
            reopened.close()


def test_released_stage_tables_are_what_the_declarations_derive(
    blank_url: str, backend: str
) -> None:
    """Every built-in stage's table, as the released steps built it, has exactly the columns
    its declaration derives (so a new stage's migration can be generated from it)."""
    open_store(blank_url).close()
    found = _columns(blank_url, backend)
    for stage in DEFAULT_STAGES:
        if stage.table:
            assert found[stage.table] == [c for c, _ in stage_table_columns(stage)], stage.name


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
        assert [v["version"] for v in versions] == [m.version for m in MIGRATIONS]
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
