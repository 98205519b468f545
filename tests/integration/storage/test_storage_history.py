"""History on SQLite and PostgreSQL (issue #16): one row per (run, indicator), the current
answer in ``classifications``, and the seed's queries unchanged."""

from __future__ import annotations

from storage_helpers import done_op, make_indicator, spec
from test_storage_queries import run_seed_query

from indiclass.storage import SqlStore


def test_history_keeps_one_row_per_run_and_indicator_and_classifications_the_last(
    store: SqlStore,
) -> None:
    ind = make_indicator(0)
    store.upsert_source_indicators([ind])
    for trace in ("t-1", "t-2"):
        store.create_batch(spec(trace, [ind.indicator_id]))
        done = done_op(trace, ind)[0]
        store.apply([done])
        store.apply([done])  # a re-run step writes nothing twice
    rows = store.indicator_history(ind.indicator_id)
    assert [(r["run_key"], r["trace_id"], r["run_id"]) for r in rows] == [
        ("t-1", "t-1", None),
        ("t-2", "t-2", None),
    ]
    assert rows[0]["classification"]["indicator_id"] == ind.indicator_id
    assert set(rows[0]["stages"]) >= {"normalize", "type", "final-review"}
    assert store.count("classifications") == 1
    assert store.get_classification(ind.indicator_id)["trace_id"] == "t-2"
    assert [r["run_id"] for r in store.runs_overview()] == ["t-2", "t-1"]


def test_batches_of_a_run_share_its_history_key(store: SqlStore) -> None:
    ind = make_indicator(0)
    store.upsert_source_indicators([ind])
    store.create_batch(spec("t-1", [ind.indicator_id]).model_copy(update={"run_id": "run-x"}))
    store.apply([done_op("t-1", ind)[0]])
    [row] = store.indicator_history(ind.indicator_id)
    assert (row["run_key"], row["run_id"], row["strategy"]) == ("run-x", "run-x", "rules")
    assert store.run_info("run-x")["classified"] == 1
    assert store.run_info("t-1")["classified"] == 1  # a batch of a run, named alone
    assert store.run_info("nope") is None


def test_the_seed_queries_still_work(store: SqlStore, store_url: str, backend: str) -> None:
    ind = make_indicator(0)
    store.upsert_source_indicators([ind])
    store.create_batch(spec("trace-1", [ind.indicator_id]))
    store.apply([done_op("trace-1", ind)[0]])
    rows = run_seed_query(
        store_url, backend, "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC LIMIT 10;"
    )
    assert rows[0][1] == "trace-1"
    assert run_seed_query(
        store_url, backend, "SELECT * FROM pipeline_stats WHERE batch_id = 'trace-1';"
    )
    assert run_seed_query(store_url, backend, "SELECT COUNT(*) FROM classifications;") == [("1",)]


def test_a_diff_merges_two_runs_in_pages_and_counts_what_only_one_classified(
    store: SqlStore,
) -> None:
    from indiclass.history import diff_runs

    inds = [make_indicator(n) for n in range(4)]
    store.upsert_source_indicators(inds)
    for trace, members in (("t-a", inds[:3]), ("t-b", inds[1:])):
        store.create_batch(spec(trace, [i.indicator_id for i in members]))
        store.apply([done_op(trace, i)[0] for i in members])
    paged = [r["indicator_id"] for r in store.iter_history("t-a", page=1)]
    assert paged == sorted(i.indicator_id for i in inds[:3])
    diff = diff_runs(store, "t-a", "t-b")
    assert (diff.only_a, diff.only_b) == ([inds[0].indicator_id], [inds[3].indicator_id])
    assert diff.unchanged == 2 and diff.changed == []
