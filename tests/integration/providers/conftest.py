"""Fixtures: one fake LLM server per module, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indiclass.domain.models import Indicator, parse_indicator
from indiclass.testing import FakeLLMServer, running_fake_llm


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    with running_fake_llm() as srv:
        yield srv


@pytest.fixture
def fake(server: FakeLLMServer) -> Iterator[FakeLLMServer]:
    server.reset()
    yield server
    server.reset()


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
