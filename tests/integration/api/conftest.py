from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_fakes import FakeEngine, make_client
from fastapi.testclient import TestClient


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def client(engine: FakeEngine) -> Iterator[TestClient]:
    with make_client(engine) as c:
        yield c
