"""Helpers for the provider-batch tests: the fake server, fast wave settings, an engine on it,
classifications as comparable rows, and what the fake server and the store counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from indiclass.bootstrap import build_engine
from indiclass.domain.store import ResultStore
from indiclass.engine import Engine
from indiclass.testing import FakeLLMServer

FAST_WAVES = {
    "INDICLASS_BATCH_POLL_S": "0.05",
    "INDICLASS_BATCH_POLL_GROWTH": "1.5",
    "INDICLASS_BATCH_POLL_MAX_S": "0.2",
    "INDICLASS_BATCH_CLOCK_SKEW_S": "5",
}
ENGINE = {"stage_retry_interval_s": 0.01, "poll_interval_s": 0.02, "concurrency": 100}
PER_RUN = {"id", "trace_id", "run_id", "created_at", "updated_at"}


def fake_env(server: FakeLLMServer) -> dict[str, str]:
    """The variables that point openai, anthropic and local at ``server`` (as a subprocess
    would read them)."""
    return {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": server.openai_url,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": server.url,
        "LM_STUDIO_URL": server.openai_url,
        "LM_STUDIO_MODEL": "local-test-model",
        "LOCAL_STRUCTURED_OUTPUT": "json_object",
        "LLM_RETRY_BASE_S": "0.001",
        "LLM_TIMEOUT_S": "5",
        "LLM_CACHE": "false",
        "INTERNAL_EMIT_DELAY_MS": "0",
        **FAST_WAVES,
    }


@contextmanager
def fake_server(**kwargs: Any) -> Iterator[FakeLLMServer]:
    """A fake server with prompt caching off (the cost comparisons), unless told otherwise."""
    server = FakeLLMServer(**{"cache_min_tokens": None, **kwargs}).start()
    try:
        yield server
    finally:
        server.stop()


def open_batch_engine(**overrides: Any) -> Engine:
    """An engine on the process environment (set by the caller's monkeypatch)."""
    from indiclass.settings import Settings

    return build_engine(Settings(_env_file=None), **{**ENGINE, **overrides})


def submit(engine: Engine, items: list[Any], provider: str, mode: str, **kwargs: Any) -> str:
    config = engine.resolve(provider, None, kwargs.pop("strategy", "llm"), mode=mode)
    return engine.submit(items, config=config, **kwargs)


def classifications(store: ResultStore, trace_id: str) -> dict[str, dict[str, Any]]:
    rows = store.query_classifications(trace_id=trace_id, limit=10_000)
    return {r["indicator_id"]: {k: v for k, v in r.items() if k not in PER_RUN} for r in rows}


def call_rows(store: ResultStore, trace_id: str, ids: list[str]) -> list[dict[str, Any]]:
    return [c for i in ids for c in store.llm_calls_for(i) if c["trace_id"] == trace_id]


def answered_once(store: ResultStore, trace_id: str, ids: list[str]) -> bool:
    """Every (indicator, stage, attempt) has at most one ``ok`` reply: none was paid twice."""
    ok = Counter(
        (c["indicator_id"], c["stage"], c["attempt"])
        for c in call_rows(store, trace_id, ids)
        if c["status"] == "ok"
    )
    return set(ok.values()) <= {1}


def created(server: FakeLLMServer) -> int:
    return sum(server.stats()["batches"]["created"].values())
