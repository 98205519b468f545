"""Reads: the seed's sqlite3 monitoring queries, classifications, stage rows, calls, sources."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from storage_helpers import Simulate, done_op, make_indicator, spec

from indiclass.domain.enums import Scale
from indiclass.storage import SqlStore, open_store

SEED_DB = "./data/classify-workflow-local-dev.db"


def run_seed_query(url: str, backend: str, sql: str) -> list[tuple[str, ...]]:
    """The query as the seed runs it: the sqlite3 CLI (python's sqlite3 if absent) or psql-like."""
    if backend == "sqlite":
        if shutil.which("sqlite3"):
            out = subprocess.run(
                ["sqlite3", url, sql], capture_output=True, text=True, check=True, timeout=30
            ).stdout
            return [tuple(line.split("|")) for line in out.splitlines()]
        with sqlite3.connect(url) as conn:
            return [tuple("" if v is None else str(v) for v in r) for r in conn.execute(sql)]
    import psycopg

    with psycopg.connect(url) as conn:
        return [tuple("" if v is None else str(v) for v in r) for r in conn.execute(sql)]


def fill(store: SqlStore, simulate: Simulate, batches: int = 3, size: int = 2) -> list[str]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    traces = []
    for b in range(batches):
        trace = f"trace-{b}"
        inds = [make_indicator(b * size + i) for i in range(size)]
        ids = tuple(i.indicator_id for i in inds)
        store.upsert_source_indicators(inds)
        store.create_batch(
            spec(trace, list(ids)).model_copy(update={"created_at": start + timedelta(minutes=b)})
        )
        for ind in inds:
            simulate(store, trace, ind)
        traces.append(trace)
    return traces


@pytest.fixture
def seed_store(backend: str, store_url: str, store: SqlStore) -> Any:
    """SQLite: the seed's default path in the (tmp) working directory; PG: the session DB."""
    if backend == "sqlite":
        s = open_store(None)
        yield s, SEED_DB
        s.close()
    else:
        yield store, store_url


def test_seed_monitoring_queries(seed_store: Any, backend: str, simulate: Simulate) -> None:
    store, url = seed_store
    traces = fill(store, simulate)
    rows = run_seed_query(
        url, backend, "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC LIMIT 10;"
    )
    assert [r[1] for r in rows] == list(reversed(traces))
    for r in rows:  # batch_id, model, provider, total, successful, failed
        assert r[2:7] == ("indiclass-rules-1", "rules", "2", "2", "0")
        assert r[8] != ""  # batch_end_time: closed
    [one] = run_seed_query(url, backend, "SELECT * FROM pipeline_stats WHERE batch_id = 'trace-1';")
    assert one[1] == "trace-1" and one[7].startswith("2026-01-01T00:01:00")
    assert run_seed_query(url, backend, "SELECT COUNT(*) FROM classifications;") == [("6",)]


def test_classification_every_column_filled(store: SqlStore, simulate: Simulate) -> None:
    ind = make_indicator(0)
    store.upsert_source_indicators([ind])
    store.create_batch(spec("t", [ind.indicator_id]))
    done, run = done_op("t", ind)
    money = run.classification.model_copy(
        update={  # every optional column known
            "is_currency_denominated": True,
            "detected_currency": "USD",
            "scale": Scale.BILLIONS,
            "scale_multiplier": 1e9,
            "fallback_stages": ("family",),
        }
    )
    store.apply([replace(done, classification=money)])
    row = store.get_classification(ind.indicator_id)
    assert row is not None
    expected = money.model_dump(mode="json")
    assert {k: row[k] for k in expected} == expected
    assert row["trace_id"] == "t" and row["is_currency_denominated"] is True
    no_llm_asked = ["prompt_hash", "request_hash", "temperature"]  # rules answers: no prompt
    assert [k for k, v in row.items() if v is None] == no_llm_asked
    assert row["run_id"] == "t" and row["rules_version"].startswith("rules-")  # its own run
    assert store.batch_stats("t").fallback_indicators == 1
    assert store.is_classified(ind.indicator_id) and not store.is_classified("nope")


def test_query_filters_and_export(store: SqlStore, simulate: Simulate) -> None:
    fill(store, simulate, batches=2, size=3)
    everything = store.query_classifications(limit=100)
    assert len(everything) == 6
    fam = everything[0]["family"]
    by_family = store.query_classifications(family=fam)
    assert by_family and all(r["family"] == fam for r in by_family)
    assert len(store.query_classifications(trace_id="trace-1")) == 3
    assert store.query_classifications(provider="openai") == []
    assert len(store.query_classifications(limit=2, offset=5)) == 1
    assert [r["indicator_id"] for r in store.iter_classifications(batch_size=4)] == [
        r["indicator_id"] for r in everything
    ]


def test_stage_results_and_llm_calls(store: SqlStore, simulate: Simulate) -> None:
    ind = make_indicator(2)
    run = simulate(store, "t", ind, llm_calls=2)
    stages = store.stage_results(ind.indicator_id)
    assert sorted(stages) == sorted(
        ["normalize", "time", "cumulative", "family", "type", "boolean-review", "final-review"]
    )
    results = run.results
    assert stages["family"]["family"] == results["family"].family.value
    assert stages["type"]["indicator_type"] == results["type"].indicator_type.value
    assert stages["boolean-review"]["passed"] is results["boolean_review"].passed
    assert isinstance(stages["boolean-review"]["issues"], list)
    assert stages["cumulative"]["cumulative_pattern_type"] == results["cumulative"].pattern.value
    calls = store.llm_calls_for(ind.indicator_id)
    assert len(calls) == 2 and calls[0]["trace_id"] == "t" and calls[0]["cache_hit"] is False
    assert calls[0]["prompt_user"].startswith("user ind-0002")


def test_source_indicators_round_trip_and_selection(store: SqlStore, simulate: Simulate) -> None:
    inds = [make_indicator(i, currency_code="usd" if i == 0 else None) for i in range(6)]
    assert store.upsert_source_indicators(inds) == 6
    assert store.upsert_source_indicators(inds) == 6
    store.create_batch(spec("t", [inds[0].indicator_id]))
    assert store.count("source_indicators") == 6
    assert store.list_source_indicators() == inds
    assert store.list_source_indicators(ids=["ind-0004", "ind-0001"]) == [inds[1], inds[4]]
    assert len(store.list_source_indicators(limit=2)) == 2
    assert (
        sorted(store.list_source_indicators(random_order=True), key=lambda i: i.indicator_id)
        == inds
    )
    simulate(store, "t", inds[0])
    assert [i.indicator_id for i in store.list_source_indicators(unclassified_only=True)] == [
        i.indicator_id for i in inds[1:]
    ]


def test_reset_empties_every_table(store: SqlStore, simulate: Simulate) -> None:
    fill(store, simulate, batches=1, size=2)
    store.upsert_source_indicators([make_indicator(1)])
    store.reset()
    for table in (
        "pipeline_stats",
        "classifications",
        "llm_calls",
        "processing_log",
        "batch_items",
        "source_indicators",
        "family_assignment_results",
    ):
        assert store.count(table) == 0, table
    assert store.count("schema_version") > 0


def test_source_lookup_by_many_ids(store: SqlStore) -> None:
    inds = [make_indicator(i) for i in range(1_200)]
    store.upsert_source_indicators(inds)
    wanted = [i.indicator_id for i in reversed(inds)] + ["missing"]
    found = store.list_source_indicators(ids=wanted)
    assert [i.indicator_id for i in found] == [i.indicator_id for i in inds]
    assert len(store.list_source_indicators(ids=wanted, limit=700, random_order=True)) == 700
