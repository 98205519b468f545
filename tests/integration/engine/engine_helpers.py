"""Helpers for the engine tests: indicators, a scripted in-process provider, database URLs."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable

from indiclass.domain.models import Indicator
from indiclass.domain.ports import LLMRequest
from indiclass.domain.run import RunConfig
from indiclass.pipeline import ProviderSet

PG_ADMIN_URL = os.environ.get(
    "INDICLASS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)

SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports", "USD Million", "Monthly"),
    ("Unemployment Rate", "%", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("Crude Oil Production", "Thousand Barrels per Day", "Monthly"),
]


def indicators(prefix: str, n: int) -> list[Indicator]:
    """``n`` distinct indicators (distinct names, so LLM requests never coincide)."""
    return [
        Indicator(
            indicator_id=f"{prefix}-{k}",
            name=f"{SHAPES[k % 5][0]} {prefix} {k}",
            units=SHAPES[k % 5][1],
            periodicity=SHAPES[k % 5][2],
        )
        for k in range(n)
    ]


class ScriptedProvider:
    """Answers like the rules (a ``FunctionProvider``), counts calls per (indicator, stage), and
    raises a plain bug-like error for chosen indicators at a chosen stage until ``heal()``.
    Registered as the provider ``scripted`` (the plugin path), served by ``factory``."""

    name = "scripted"
    model = "scripted-1"

    def __init__(
        self,
        fail_stage: str | None = None,
        fail_ids: Iterable[str] = (),
        delay_s: float = 0.0,
    ) -> None:
        from indiclass.providers import registry
        from indiclass.providers.function import FunctionProvider, rules_answer

        self.fail_stage = fail_stage
        self.fail_ids = set(fail_ids)
        self.delay_s = delay_s
        self._lock = threading.Lock()

        async def answer(request: LLMRequest) -> str:
            key = (request.tags.get("indicator_id", "?"), str(request.stage))
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if key[1] == self.fail_stage and key[0] in self.fail_ids:
                raise RuntimeError(f"scripted failure in {key[1]} for {key[0]}")
            return str(rules_answer(request))

        self.provider = FunctionProvider(answer, name=self.name, model=self.model)
        registry.register(self.name, lambda settings, spec: self.provider)

    @property
    def calls(self) -> Counter[tuple[str, str]]:
        return self.provider.calls

    def heal(self) -> None:
        self.fail_ids = set()

    def factory(self, config: RunConfig) -> ProviderSet:
        return ProviderSet(self.provider)


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

    name = f"indiclass_engine_{tag}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def pg_drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def workflow_statuses(system_url: str) -> list[tuple[str, str]]:
    """(workflow id, status) of every chunk workflow, read straight from the system database."""
    import sqlalchemy as sa

    table = "workflow_status" if system_url.startswith("sqlite") else "dbos.workflow_status"
    engine = sa.create_engine(system_url)
    try:
        with engine.connect() as conn:
            return [
                (r[0], r[1])
                for r in conn.execute(
                    sa.text(
                        f"SELECT workflow_uuid, status FROM {table} WHERE name = 'indiclass.chunk'"
                    )
                )
            ]
    finally:
        engine.dispose()
