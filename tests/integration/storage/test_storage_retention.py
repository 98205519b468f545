"""Retention on SQLite and PostgreSQL (issue #16): a purge blanks old prompt and reply text and
nothing else; replies an open batch may replay are kept; a purged reply is never replayed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage_helpers import call_ops, done_op, make_indicator, spec

from indiclass.engine.retention import cutoff, parse_age, purge
from indiclass.storage import SqlStore

OLD = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="milliseconds")
OLD = OLD.replace("+00:00", "Z")


def _calls(store: SqlStore) -> dict[str, dict]:
    rows = store.db.read(lambda cur: cur.execute("SELECT * FROM llm_calls ORDER BY id").fetchall())
    return {r["call_key"]: r for r in rows}


def _batch_with_call(store: SqlStore, trace: str, n: int, *, close: bool = True) -> str:
    ind = make_indicator(n)
    store.upsert_source_indicators([ind])
    store.create_batch(spec(trace, [ind.indicator_id]))
    begun, ended = call_ops(trace, ind.indicator_id)
    store.apply([begun])
    store.apply([ended])
    if close:
        store.apply([done_op(trace, ind)[0]])
    return begun.call_key


def _age(store: SqlStore, key: str) -> None:
    store.db.write(
        lambda cur: cur.execute(
            "UPDATE llm_calls SET created_at = ? WHERE call_key = ?", (OLD, key)
        )
    )


def test_purge_removes_old_prompt_and_reply_text_and_nothing_else(store: SqlStore) -> None:
    old = _batch_with_call(store, "t-old", 0)
    new = _batch_with_call(store, "t-new", 1)
    running = _batch_with_call(store, "t-open", 2, close=False)
    _age(store, old)
    _age(store, running)
    before = _calls(store)
    stats_before = store.batch_stats("t-old")

    assert store.count_llm_text(cutoff(parse_age("30d"))) == 2
    assert purge(store, parse_age("30d")) == 2
    after = _calls(store)

    text = ("prompt_system", "prompt_user", "response", "text_purged_at")
    gone = after[old]
    assert (gone["prompt_system"], gone["prompt_user"], gone["response"]) == ("", "", None)
    assert gone["text_purged_at"] is not None
    kept = {k: v for k, v in before[old].items() if k not in text}
    assert {k: v for k, v in gone.items() if k not in text} == kept  # tokens, cost, status ...
    assert (gone["input_tokens"], gone["output_tokens"], gone["cost_usd"]) == (100, 20, 0.001)
    assert after[new] == before[new]  # newer than the cutoff: untouched
    open_call = after[running]  # an open batch keeps the reply crash replay re-sends
    assert open_call["prompt_user"] == "" and open_call["response"] == '{"ok": true}'
    assert store.replies("t-open", [make_indicator(2).indicator_id])  # still replayed
    assert store.batch_stats("t-old") == stats_before
    assert purge(store, parse_age("30d")) == 0  # nothing left to purge


def test_a_purged_reply_is_never_replayed_as_empty(store: SqlStore) -> None:
    key = _batch_with_call(store, "t", 0)
    _age(store, key)
    purge(store, parse_age("1d"))
    assert store.replies("t", [make_indicator(0).indicator_id]) == {}


def test_redact_prompts_blanks_every_prompt_and_keeps_replies(store: SqlStore) -> None:
    closed = _batch_with_call(store, "t-1", 0)
    running = _batch_with_call(store, "t-2", 1, close=False)
    assert store.purge_llm_text(cutoff(timedelta(days=-1)), prompts_only=True) == 2
    after = _calls(store)
    for key in (closed, running):
        assert (after[key]["prompt_system"], after[key]["prompt_user"]) == ("", "")
        assert after[key]["response"] == '{"ok": true}'
