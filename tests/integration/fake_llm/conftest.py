"""Fixtures for the fake server's own tests: one server per module, reset (batch settings and
caching back to the defaults) before each test, and official SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import openai
import pytest

from indiclass.testing import BatchSettings, FakeLLMServer, running_fake_llm


@pytest.fixture(scope="module")
def module_server() -> Iterator[FakeLLMServer]:
    with running_fake_llm() as server:
        yield server


@pytest.fixture
def server(module_server: FakeLLMServer) -> Iterator[FakeLLMServer]:
    module_server.reset()
    module_server.set_cache_min_tokens(0)
    module_server.set_batch_settings(BatchSettings())
    yield module_server


@pytest.fixture
def oai(server: FakeLLMServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.openai_url, api_key="k", max_retries=0)


@pytest.fixture
def claude(server: FakeLLMServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key="k", max_retries=0)
