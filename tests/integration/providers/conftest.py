"""Fixtures: one fake LLM server per module, reset before each test."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from indiclass.domain.models import Indicator, parse_indicator
from indiclass.testing import FakeLLMServer, running_fake_llm


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    with running_fake_llm() as srv:
        yield srv


def _settled(server: FakeLLMServer, timeout: float = 10.0) -> FakeLLMServer:
    """The server once no request is in flight (a timed-out call is still answered, and
    counted, after its client gave up: it must not count in the next test)."""
    deadline = time.monotonic() + timeout
    while server.stats().get("in_flight", 0) and time.monotonic() < deadline:
        time.sleep(0.02)
    server.reset()
    return server


@pytest.fixture
def fake(server: FakeLLMServer) -> Iterator[FakeLLMServer]:
    yield _settled(server)
    _settled(server)


@pytest.fixture
def gdp() -> Indicator:
    return parse_indicator(
        {
            "name": "GDP Annual Growth Rate",
            "units": "%",
            "periodicity": "Quarterly",
            "source_name": "National Statistics",
            "sample_values": [
                {"date": "2024-03-31", "value": 2.1},
                {"date": "2023-12-31", "value": 1.7},
            ],
        }
    )


@pytest.fixture
def debt() -> Indicator:
    return parse_indicator(
        {
            "name": "Government Debt",
            "units": "USD Billion",
            "periodicity": "Annual",
            "currency_code": "USD",
        }
    )
