"""Provider batch mode through the durable engine, the official SDKs and the fake server over
real HTTP: the same classifications as synchronous mode at half the cost, one provider batch
per LLM stage, errored and expired requests sent again then resolved (or failed with the
reason), re-asks in later waves, hybrid, the budget, cancel, progress events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from batch_mode import (
    answered_once,
    call_rows,
    classifications,
    created,
    fake_env,
    fake_server,
    open_batch_engine,
    submit,
)
from engine_helpers import indicators

from indiclass.catalogue import load_catalogue
from indiclass.domain.errors import ConfigError
from indiclass.domain.ports import BatchLine
from indiclass.domain.store import BatchSpec
from indiclass.engine import Engine, ProgressEvent
from indiclass.engine.wave_settings import WaveSettings
from indiclass.engine.waves import plan_step, submit_step
from indiclass.providers.pricing import PriceTable
from indiclass.testing import BatchSettings, FakeLLMServer, Fault

N = 200


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with fake_server() as s:
        yield s


@pytest.fixture
def engine(
    server: FakeLLMServer, db_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    for key, value in {**fake_env(server), **db_env}.items():
        monkeypatch.setenv(key, value)
    eng = open_batch_engine()
    yield eng
    eng.shutdown()


@pytest.fixture
def sqlite_engine(
    server: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    for key, value in fake_env(server).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CLASSIFY_DB_LOCAL_DEV", str(tmp_path / "data" / "results.db"))
    eng = open_batch_engine()
    yield eng
    eng.shutdown()


@pytest.mark.parametrize("provider", ["openai", "anthropic", "local"])
def test_200_indicators_classify_as_in_sync_mode_at_half_the_cost(
    sqlite_engine: Engine, server: FakeLLMServer, provider: str
) -> None:
    items = load_catalogue()[:N]
    ids = [i.indicator_id for i in items]
    sync_trace = submit(sqlite_engine, items, provider, "sync")
    sync = sqlite_engine.wait(sync_trace, timeout=180)
    expected = classifications(sqlite_engine.store, sync_trace)
    stages = {c["stage"] for c in call_rows(sqlite_engine.store, sync_trace, ids)}
    server.reset()
    trace = submit(sqlite_engine, items, provider, "provider-batch", force=True)
    stats = sqlite_engine.wait(trace, timeout=180)
    assert (stats.status, stats.successful_indicators) == ("completed", N)
    assert classifications(sqlite_engine.store, trace) == expected
    assert stats.llm_calls == sync.llm_calls and stats.usage.input_tokens == sync.usage.input_tokens
    parts = sqlite_engine.store.wave_parts(trace)
    assert [p.stage for p in parts] == [s for s in ("time", "family", "type", "boolean-review",
                                                     "final-review") if s in stages]  # fmt: skip
    assert all(p.status == "fetched" and p.succeeded == p.requests for p in parts)
    assert created(server) == len(parts)  # one provider batch per LLM stage, no more
    assert server.stats()["by_api"] == {f"{'anthropic' if provider == 'anthropic' else 'openai'}"
                                        "-batch": sync.llm_calls}  # fmt: skip
    assert answered_once(sqlite_engine.store, trace, ids)
    if provider != "local":  # the local model has no price
        ratio = (stats.usage.cost_usd or 0) / (sync.usage.cost_usd or 1)
        assert ratio == pytest.approx(0.5, abs=0.01)  # per indicator: 50% +/- 2%


def test_errored_and_expired_requests_are_sent_again_then_resolved(
    engine: Engine, server: FakeLLMServer
) -> None:
    server.set_batch_settings(BatchSettings(error_rate=0.1, expire_rate=0.1, shuffle=True))
    items = indicators("e", 20)
    trace = submit(engine, items, "openai", "provider-batch")
    stats = engine.wait(trace, timeout=120)
    assert (stats.status, stats.successful_indicators) == ("completed", 20)
    parts = engine.store.wave_parts(trace)
    first = next(p for p in parts if p.wave == 0)
    assert (first.requests, first.errored, first.expired, first.succeeded) == (20, 2, 2, 16)
    again = [p for p in parts if p.stage == "time" and p.wave > 0]
    assert again and again[0].requests == 4  # the four that failed, nothing else
    rows = call_rows(engine.store, trace, [i.indicator_id for i in items])
    errors = [r["error"] for r in rows if r["status"] == "error"]
    assert any("request expired" in e for e in errors) and any(
        "request errored: 500" in e for e in errors
    )
    assert answered_once(engine.store, trace, [i.indicator_id for i in items])
    assert server.stats()["by_api"].get("openai", 0) == 0  # nothing was asked synchronously


@pytest.mark.parametrize("give_up", ["sync", "fail"])
def test_a_request_that_keeps_expiring_is_asked_synchronously_or_fails_with_why(
    sqlite_engine: Engine, server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, give_up: str
) -> None:
    monkeypatch.setenv("INDICLASS_BATCH_GIVE_UP", give_up)
    server.set_faults(Fault("batch_expired", times=-1, stage="type"))
    items = indicators("x", 6)
    trace = submit(sqlite_engine, items, "anthropic", "provider-batch")
    stats = sqlite_engine.wait(trace, timeout=120)
    type_waves = [p for p in sqlite_engine.store.wave_parts(trace) if p.stage == "type"]
    assert [p.expired for p in type_waves] == [6, 6, 6]  # sent, then sent again twice
    if give_up == "sync":
        assert (stats.status, stats.successful_indicators) == ("completed", 6)
        assert server.stats()["by_api"]["anthropic"] == 6  # the type asks, at full price
        return
    assert (stats.status, stats.failed_indicators) == ("failed", 6)
    failed = sqlite_engine.store.failed_items(trace)
    assert {f.stage for f in failed} == {"type"}
    assert all(
        "request expired" in (f.error or "") and "(3 tries)" in (f.error or "") for f in failed
    )
    assert "anthropic" not in server.stats()["by_api"]
    server.set_faults()  # the provider recovers: a retry tries batches afresh
    assert sqlite_engine.retry_failed(trace)
    stats = sqlite_engine.wait(trace, timeout=120)
    assert (stats.status, stats.successful_indicators) == ("completed", 6)
    assert "anthropic" not in server.stats()["by_api"]


def test_an_invalid_reply_is_reasked_in_a_later_wave(
    sqlite_engine: Engine, server: FakeLLMServer
) -> None:
    server.set_faults(Fault("out_of_enum", times=2, stage="family"))
    items = indicators("r", 5)
    trace = submit(sqlite_engine, items, "openai", "provider-batch")
    stats = sqlite_engine.wait(trace, timeout=120)
    assert (stats.status, stats.successful_indicators) == ("completed", 5)
    stages = [p.stage for p in sqlite_engine.store.wave_parts(trace)]
    assert stages == ["time", "family", "family", "type", "boolean-review"]
    reasked = [p for p in sqlite_engine.store.wave_parts(trace) if p.stage == "family"][1]
    assert reasked.requests == 2
    rows = call_rows(sqlite_engine.store, trace, [i.indicator_id for i in items])
    assert sorted(r["attempt"] for r in rows if r["stage"] == "family") == [1, 1, 1, 1, 1, 2, 2]


def test_hybrid_sends_only_the_members_that_need_the_llm(
    sqlite_engine: Engine, server: FakeLLMServer
) -> None:
    items = load_catalogue()[:40]
    sync_trace = submit(sqlite_engine, items, "openai", "sync", strategy="hybrid")
    sync = sqlite_engine.wait(sync_trace, timeout=120)
    expected = classifications(sqlite_engine.store, sync_trace)
    server.reset()
    trace = submit(sqlite_engine, items, "openai", "provider-batch", strategy="hybrid", force=True)
    stats = sqlite_engine.wait(trace, timeout=120)
    assert stats.status == "completed"
    sent = sum(p.requests for p in sqlite_engine.store.wave_parts(trace))
    assert 0 < sent == sync.llm_calls < 40 * 4
    assert classifications(sqlite_engine.store, trace) == expected


def test_over_budget_the_batch_pauses_before_a_wave_then_resumes(
    sqlite_engine: Engine, server: FakeLLMServer
) -> None:
    items = indicators("b", 10)
    config = sqlite_engine.resolve("openai", None, "llm", mode="provider-batch")
    trace = sqlite_engine.submit(items, config=config.model_copy(update={"max_cost_usd": 1e-6}))
    stats = sqlite_engine.wait(trace, timeout=60)
    assert stats.status == "paused" and stats.pending_indicators == 10
    assert "the time wave (10 requests) could cost" in (stats.reason or "")
    assert created(server) == 0 and sqlite_engine.store.wave_parts(trace) == []
    sqlite_engine.store.set_run_config(trace, config.model_copy(update={"max_cost_usd": 1.0}))
    sqlite_engine.resume(include_paused=True)
    stats = sqlite_engine.wait(trace, timeout=60)
    assert (stats.status, stats.successful_indicators) == ("completed", 10)
    assert (stats.usage.cost_usd or 0) <= 1.0


def test_cancel_cancels_the_submitted_provider_batch(
    sqlite_engine: Engine, server: FakeLLMServer
) -> None:
    server.set_batch_settings(BatchSettings(delay_s=60))
    events: list[ProgressEvent] = []
    sqlite_engine.subscribe(events.append)
    trace = submit(sqlite_engine, indicators("c", 8), "openai", "provider-batch")
    _until(lambda: any(e.kind == "wave" and e.status == "started" for e in events))
    stats = sqlite_engine.cancel(trace)
    assert stats.status == "cancelled" and stats.cancelled_indicators == 8
    _until(lambda: server.stats()["batches"]["cancels"] == 1)
    _until(lambda: [p.status for p in sqlite_engine.store.wave_parts(trace)] == ["cancelled"])
    assert not sqlite_engine.active_workflows(trace)
    started = next(e for e in events if e.kind == "wave")
    assert started.stage == "time" and "8 requests" in (started.detail or "")


def test_progress_events_say_which_stage_wave_is_pending(
    sqlite_engine: Engine, server: FakeLLMServer
) -> None:
    events: list[ProgressEvent] = []
    sqlite_engine.subscribe(events.append)
    trace = submit(sqlite_engine, indicators("p", 3), "openai", "provider-batch")
    sqlite_engine.wait(trace, timeout=60)
    waves = [(e.status, e.stage) for e in events if e.kind == "wave"]
    assert waves == [
        (status, stage)
        for stage in ("time", "family", "type", "boolean-review")
        for status in ("started", "completed")
    ]
    report = sqlite_engine.store.provider_batches(trace)
    assert [r["wave"] for r in report] == [0, 1, 2, 3]
    assert all(r["provider_batch_id"].startswith("batch_") and r["requests"] == 3 for r in report)


def test_a_provider_without_a_batch_api_is_refused(sqlite_engine: Engine) -> None:
    with pytest.raises(ConfigError, match="no batch API"):
        sqlite_engine.resolve("function", None, "llm", mode="provider-batch")
    with pytest.raises(ConfigError, match="nothing asks an LLM"):
        sqlite_engine.resolve("rules", None, None, mode="provider-batch")


def _until(condition, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_restart_adopts_the_batch_a_lost_create_made_and_cancels_a_duplicate(
    sqlite_engine: Engine, server: FakeLLMServer, provider: str
) -> None:
    """The create was sent twice before a crash (its reply lost both times): the restart's
    submit finds both, keeps the first, cancels the other, and creates nothing."""
    server.set_batch_settings(BatchSettings(delay_s=60))
    store = sqlite_engine.store
    config = sqlite_engine.resolve(provider, None, "llm", mode="provider-batch")
    items = indicators("d", 4)
    store.upsert_source_indicators(items)
    spec = BatchSpec(
        trace_id="dup", indicator_ids=tuple(i.indicator_id for i in items), run_config=config,
        created_at=datetime.now(UTC), dispatch=f"local:{sqlite_engine.executor_id}",
    )  # fmt: skip
    store.create_batch(spec)  # no workflow: the steps are run by hand
    [key] = plan_step("dup", 0, WaveSettings().as_dict())["parts"]
    part = store.wave_part(key)
    api = sqlite_engine.runtime.providers(config).for_stage(part.stage).batch
    lines = [BatchLine(custom_id=r.custom_id, body=json.loads(r.body))
             for r in store.wave_requests(key)]  # fmt: skip
    ref = part.ref(5.0)
    upload = api.upload(ref, lines)
    first, second = api.create(ref, lines, upload), api.create(ref, lines, upload)
    store.update_wave_part(key, status="creating", input_file_id=upload)
    assert submit_step(key, 5.0) == first
    assert created(server) == 2 and server.stats()["batches"]["cancels"] == 1
    assert api.poll(second).status in ("cancelling", "canceling", "cancelled", "ended")
    adopted = store.wave_part(key)
    assert (adopted.status, adopted.provider_batch_id) == ("submitted", first)
    assert submit_step(key, 5.0) == first and created(server) == 2  # again: nothing new


def test_a_server_without_batches_fails_the_members_with_why(
    server: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in fake_env(server).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CLASSIFY_DB_LOCAL_DEV", str(tmp_path / "data" / "results.db"))
    monkeypatch.setenv("LM_STUDIO_URL", "http://127.0.0.1:9/v1")  # nobody listens there
    engine = open_batch_engine(stage_attempts=2)
    try:
        trace = submit(engine, indicators("u", 3), "local", "provider-batch")
        stats = engine.wait(trace, timeout=60)
        assert (stats.status, stats.failed_indicators) == ("failed", 3)
        reasons = {f.error for f in engine.store.failed_items(trace)}
        assert len(reasons) == 1 and "cannot reach the LLM server" in reasons.pop()
        [part] = engine.store.wave_parts(trace)
        assert part.status == "uploading" and part.provider_batch_id is None
    finally:
        engine.shutdown()


def test_cached_tokens_are_counted_and_priced_at_the_batch_price(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_server(cache_min_tokens=0) as cached:
        for key, value in fake_env(cached).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("CLASSIFY_DB_LOCAL_DEV", str(tmp_path / "data" / "results.db"))
        engine = open_batch_engine()
        try:
            items = indicators("k", 5)
            stats = engine.wait(submit(engine, items, "openai", "provider-batch"), timeout=60)
        finally:
            engine.shutdown()
    usage = stats.usage
    assert usage.cached_tokens > 0 and usage.cached_tokens == cached.stats()["cached_tokens"]
    full = PriceTable().cost("gpt-4o-mini", usage.model_copy(update={"cost_usd": None}))
    assert usage.cost_usd == pytest.approx(0.5 * (full or 0))
