"""Prompt caching as the providers report it, through the official SDKs over real HTTP: OpenAI's
automatic prefix cache (minimum 1,024 tokens, 128-token increments), Anthropic's ``cache_control``
breakpoints (minimum per model: 1,024 Sonnet/Opus-class, 2,048 Haiku-class), caching off."""

from __future__ import annotations

import anthropic
import httpx
import openai
import pytest

from indiclass.testing import FakeLLMServer

SYSTEM = "Background " * 545 + "a"  # 5,996 characters: 1,499 tokens
LONG_USER = "u" * 400  # 100 tokens
MARK = {"type": "ephemeral"}


@pytest.fixture
def server(server: FakeLLMServer) -> FakeLLMServer:
    server.set_cache_min_tokens("per-model")
    return server


def gpt(server: FakeLLMServer, user: str, system: str = SYSTEM, model: str = "gpt-4o-mini"):
    client = openai.OpenAI(base_url=server.openai_url, api_key="k", max_retries=0)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return client.chat.completions.create(model=model, messages=messages).usage


def claude(server: FakeLLMServer, user: str, system=SYSTEM, model="claude-sonnet-4-5", **extra):
    client = anthropic.Anthropic(base_url=server.url, api_key="k", max_retries=0)
    blocks = system if isinstance(system, list) else [{"type": "text", "text": system}]
    messages = [{"role": "user", "content": user}]
    return client.messages.create(
        model=model, max_tokens=100, system=blocks, messages=messages, **extra
    ).usage


def cached(usage) -> int:
    return usage.prompt_tokens_details.cached_tokens


def marked(text: str) -> list[dict]:
    return [{"type": "text", "text": text, "cache_control": MARK}]


# ------------------------------------------------------------------ OpenAI


def test_openai_reports_the_longest_seen_prefix_in_128_token_blocks(server):
    first = gpt(server, LONG_USER)
    assert (first.prompt_tokens, cached(first)) == (1599, 0)
    other = gpt(server, "another question")  # shares the 1,499-token system prompt
    assert cached(other) == 11 * 128  # 1,408: the 12th block runs into the new user message
    again = gpt(server, LONG_USER)
    assert cached(again) == 12 * 128  # 1,536 of 1,599: a trailing partial block is never cached
    assert server.stats()["cached_tokens"] == 1408 + 1536


def test_openai_caches_nothing_below_the_minimum_of_1024_tokens(server):
    short = "Background " * 300  # 825 tokens
    for _ in range(3):
        assert cached(gpt(server, "q", system=short)) == 0


def test_openai_cache_is_per_model(server):
    gpt(server, "q")
    assert cached(gpt(server, "q", model="gpt-4.1-mini")) == 0
    assert cached(gpt(server, "q", model="gpt-4o-mini")) == 11 * 128


def test_a_minimum_for_every_model_overrides_the_table(server):
    short = "Background " * 300  # 825 tokens: below OpenAI's 1,024
    server.set_cache_min_tokens(0)
    gpt(server, "q", system=short)
    assert cached(gpt(server, "q", system=short)) == 6 * 128
    server.set_cache_min_tokens(2000)
    assert cached(gpt(server, "q")) == 0  # 1,499 + 1 tokens < 2,000


# ------------------------------------------------------------------ Anthropic


def test_anthropic_writes_then_reads_the_prefix_up_to_the_breakpoint(server):
    first = claude(server, LONG_USER, marked(SYSTEM))
    assert (first.cache_creation_input_tokens, first.cache_read_input_tokens) == (1499, 0)
    assert first.input_tokens == 100
    second = claude(server, "another question", marked(SYSTEM))
    assert (second.cache_creation_input_tokens, second.cache_read_input_tokens) == (0, 1499)
    assert second.input_tokens == 4
    stats = server.stats()
    assert (stats["cached_tokens"], stats["cache_write_tokens"]) == (1499, 1499)


def test_anthropic_caches_nothing_without_a_breakpoint(server):
    for _ in range(2):
        usage = claude(server, LONG_USER, SYSTEM)
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)
        assert usage.input_tokens == 1599


@pytest.mark.parametrize(
    ("model", "minimum"),
    [("claude-sonnet-4-5", 1024), ("claude-opus-4-1", 1024), ("claude-3-5-haiku-latest", 2048)],
)
def test_anthropic_minimum_is_per_model(server, model, minimum):
    below = "b" * 4 * (minimum - 1)
    at = "c" * 4 * minimum
    assert claude(server, "q", marked(below), model).cache_creation_input_tokens == 0
    assert claude(server, "q", marked(below), model).cache_read_input_tokens == 0
    assert claude(server, "q", marked(at), model).cache_creation_input_tokens == minimum
    assert claude(server, "q", marked(at), model).cache_read_input_tokens == minimum


def test_anthropic_two_breakpoints_read_the_longest_seen_and_write_the_rest(server):
    def turn(question: str):
        content = [{"type": "text", "text": question, "cache_control": MARK}]
        return claude(server, content, marked(SYSTEM))

    first = turn(LONG_USER)
    assert (first.cache_read_input_tokens, first.cache_creation_input_tokens) == (0, 1599)
    second = turn("v" * 800)  # same system block, a new 200-token message
    assert (second.cache_read_input_tokens, second.cache_creation_input_tokens) == (1499, 200)
    third = turn(LONG_USER)
    assert (third.cache_read_input_tokens, third.cache_creation_input_tokens) == (1599, 0)


def test_anthropic_top_level_cache_control_caches_the_whole_prompt(server):
    extra = {"extra_body": {"cache_control": MARK}}
    first = claude(server, LONG_USER, SYSTEM, **extra)
    assert first.cache_creation_input_tokens == 1599
    assert claude(server, LONG_USER, SYSTEM, **extra).cache_read_input_tokens == 1599


# ------------------------------------------------------------------ off, admin


def test_caching_off_reports_no_cached_tokens_anywhere(server):
    server.set_cache_min_tokens(None)
    for _ in range(2):
        assert cached(gpt(server, "q")) == 0
        usage = claude(server, "q", marked(SYSTEM))
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)
    stats = server.stats()
    assert stats["cached_tokens"] == stats["cache_write_tokens"] == 0


def test_the_admin_route_switches_caching(server):
    switch = f"{server.url}/_admin/cache"
    assert httpx.post(switch, json={"min_tokens": "off"}).json() == {"ok": True, "min_tokens": None}
    gpt(server, "q")
    assert cached(gpt(server, "q")) == 0  # while off nothing is cached, nor remembered
    httpx.post(switch, json={"min_tokens": "per-model"})
    assert cached(gpt(server, "q")) == 0
    assert cached(gpt(server, "q")) == 11 * 128
    assert httpx.post(switch, json={"min_tokens": "lots"}).status_code == 400
