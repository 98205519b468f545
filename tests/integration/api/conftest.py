"""API fixtures: one real engine per module (SQLite by default; a module may ask for
PostgreSQL by overriding ``backend``), and a client on it per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import World, base_env, pg_create, pg_drop, pg_reason, running_world
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("api")
    if backend == "sqlite":
        with running_world(base_env(root)) as w:
            yield w
        return
    if reason := pg_reason():
        pytest.skip(reason)
    results, system = pg_create("results"), pg_create("dbos")
    try:
        with running_world(base_env(root, results, system)) as w:
            yield w
    finally:
        pg_drop(results)
        pg_drop(system)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with world.client() as c:
        yield c
