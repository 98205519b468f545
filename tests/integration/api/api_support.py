"""The API tests' world: the real engine (DBOS) on a real results database, apps built around
it with ``create_app``, and the seed's request bodies. No test doubles.

DBOS runs one engine per process, so a module shares one engine (``engine`` fixture) and each
test builds its own app around it with the settings it needs (``make_client``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from indiclass.api import create_app
from indiclass.bootstrap import build_engine, serveable_providers
from indiclass.engine import Engine
from indiclass.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "INDICLASS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FAST = {"stage_retry_interval_s": 0.01, "poll_interval_s": 0.02}


@dataclass
class World:
    """One results database and the engine running on it."""

    env: dict[str, Any]
    engine: Engine

    def settings(self, **env: Any) -> Settings:
        return Settings(_env_file=None, **{**self.env, **env})

    @contextmanager
    def client(self, **env: Any) -> Iterator[TestClient]:
        """An app on this world's engine with ``env`` on top of its settings."""
        with TestClient(create_app(self.settings(**env), engine=self.engine)) as client:
            yield client


def base_env(root: Path, database_url: str | None = None, system_url: str | None = None) -> dict:
    env: dict[str, Any] = {
        "CLASSIFY_DB_LOCAL_DEV": str(root / "data" / "results.db"),
        "INTERNAL_EMIT_DELAY_MS": 0,
        "LLM_CACHE": False,
    }
    if database_url:
        env.update(DATABASE_URL=database_url, INDICLASS_SYSTEM_DATABASE_URL=system_url)
    return env


@contextmanager
def running_world(env: dict[str, Any]) -> Iterator[World]:
    """The engine ``indiclass serve`` embeds (serves every provider it can, shared dispatch)."""
    settings = Settings(_env_file=None, **env)
    engine = build_engine(
        settings,
        serves=serveable_providers(settings),
        dispatch="shared",
        kind="serve",
        **FAST,
    )
    try:
        yield World(env, engine)
    finally:
        engine.shutdown()


def unique(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


NAMES = [
    ("GDP Growth Rate", "%"),
    ("Inflation Rate", "%"),
    ("Unemployment Rate", "%"),
    ("Balance of Trade", "USD Billion"),
    ("10-Year Bond Yield", "%"),
    ("Consumer Confidence", "Points"),
    ("Housing Starts", "Thousand"),
    ("Retail Sales MoM", "%"),
]


def seed_payload(n: int = 5, prefix: str | None = None, provider: str = "rules") -> dict[str, Any]:
    """The seed scripts' body ``{indicators: [...], llm_provider}`` with fresh ids."""
    prefix = prefix or unique("IND")
    rows = [
        {
            "id": f"{prefix}-{k}",
            "name": NAMES[k % len(NAMES)][0],
            "units": NAMES[k % len(NAMES)][1],
            "periodicity": "Monthly",
            "source_name": "Test Source",
        }
        for k in range(n)
    ]
    return {"indicators": rows, "llm_provider": provider}


def error_shape(body: dict[str, Any]) -> dict[str, Any]:
    """The one error shape: ``{"error": {"code", "message", "details"}}``; returns the error."""
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    return dict(body["error"])


def pg_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}"
    return None


def pg_create(tag: str) -> str:
    import psycopg

    name = f"indiclass_api_{tag}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def pg_drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
