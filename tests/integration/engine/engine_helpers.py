"""Helpers for the engine tests: indicators, a scripted in-process provider, database URLs."""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable

from indiclass.domain.models import Indicator
from indiclass.domain.ports import LLMReply, LLMRequest
from indiclass.pipeline import OFFLINE, ProviderSet

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
    """Answers like the rules, counts calls per (indicator, stage), and raises a plain bug-like
    error for chosen indicators at a chosen stage until ``heal()``."""

    name = "scripted"
    model = "scripted-1"

    def __init__(self, fail_stage: str | None = None, fail_ids: Iterable[str] = ()) -> None:
        self.fail_stage = fail_stage
        self.fail_ids = set(fail_ids)
        self.calls: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def heal(self) -> None:
        self.fail_ids = set()

    def complete(self, request: LLMRequest) -> LLMReply:
        key = (request.tags.get("indicator_id", "?"), request.stage.value)
        with self._lock:
            self.calls[key] += 1
        if request.stage.value == self.fail_stage and key[0] in self.fail_ids:
            raise RuntimeError(f"scripted failure in {key[1]} for {key[0]}")
        reply = OFFLINE.complete(request)
        return reply.model_copy(update={"provider": self.name, "model": self.model})

    def factory(self, provider: str, model: str | None) -> ProviderSet:
        return ProviderSet(self)


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


def completed_llm_steps(system_url: str) -> set[tuple[str, str]]:
    """(indicator_id, LLM stage) pairs whose DBOS step has a recorded result, read straight from
    the system database (for a process that was just killed)."""
    import sqlalchemy as sa

    from indiclass.domain.enums import LLM_STAGES

    llm = {s.value for s in LLM_STAGES}
    table = "operation_outputs" if system_url.startswith("sqlite") else "dbos.operation_outputs"
    engine = sa.create_engine(system_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    f"SELECT workflow_uuid, function_name FROM {table} WHERE error IS NULL"
                    " AND function_name LIKE 'stage:%'"
                )
            ).fetchall()
    finally:
        engine.dispose()
    done = set()
    for workflow_id, name in rows:
        indicator = workflow_id.split(":", 1)[1].split(":retry-")[0]
        done.update((indicator, s) for s in name.removeprefix("stage:").split("+") if s in llm)
    return done


def workflow_statuses(system_url: str) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    table = "workflow_status" if system_url.startswith("sqlite") else "dbos.workflow_status"
    engine = sa.create_engine(system_url)
    try:
        with engine.connect() as conn:
            return [
                (r[0], r[1])
                for r in conn.execute(
                    sa.text(
                        f"SELECT workflow_uuid, status FROM {table} "
                        "WHERE name = 'indiclass.indicator'"
                    )
                )
            ]
    finally:
        engine.dispose()
