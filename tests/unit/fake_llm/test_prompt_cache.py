"""The fake's prompt-cache rules without HTTP: the per-model table, token blocks, reads/writes."""

from __future__ import annotations

import pytest
import typer

from indiclass.cli.llm_cmd import parse_cache_minimum
from indiclass.testing.prompt_cache import (
    DEFAULT_CACHE_MIN_TOKENS,
    PromptCache,
    min_cache_tokens,
    token_blocks,
)


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        ("gpt-4o-mini", 1024),
        ("o3-mini", 1024),
        ("claude-sonnet-4-5-20250929", 1024),
        ("claude-opus-4-1", 1024),
        ("claude-3-5-haiku-latest", 2048),
        ("claude-3-haiku-20240307", 2048),
        ("claude-haiku-4-5", 4096),  # the longest matching prefix wins over "claude-haiku"
        ("local-test-model", DEFAULT_CACHE_MIN_TOKENS),
    ],
)
def test_minimum_per_model_prefix(model, minimum):
    assert min_cache_tokens(model) == minimum


def test_blocks_are_whole_runs_of_tokens_and_a_part_ends_a_token():
    assert list(token_blocks(["abcdefgh", "ij"], 2)) == ["abcdefgh"]  # "ij" is a partial block
    assert list(token_blocks(["abcde", "fg", "hi"], 2)) == ["abcde", "fg\x00hi"]
    assert list(token_blocks(["abcdef"], 2)) == ["abcdef"]  # "ef" is one (short) token


def test_openai_hits_stop_at_the_first_unseen_block():
    cache = PromptCache(0)
    a, b = "a" * 512, "b" * 512  # one 128-token block each
    assert cache.openai("m", [a, b, a]) == 0
    assert cache.openai("m", [a, b, b]) == 256
    assert cache.openai("m", [a, a, b]) == 128
    assert cache.openai("other", [a, b, a]) == 0


def test_anthropic_needs_a_breakpoint_past_the_minimum():
    cache = PromptCache(100)
    parts = ["", "s" * 800, "u" * 40]  # 0, 200, 10 tokens
    assert cache.anthropic("m", parts, ()) == (0, 0)
    assert cache.anthropic("m", parts, (0,)) == (0, 0)  # an empty prefix caches nothing
    assert cache.anthropic("m", parts, (1,)) == (0, 200)
    assert cache.anthropic("m", parts, (1, 2)) == (200, 10)
    assert cache.anthropic("m", parts, (1, 2)) == (210, 0)


def test_off_reports_nothing_and_forget_clears():
    off = PromptCache(None)
    assert off.openai("m", ["x" * 8000]) == 0
    assert off.anthropic("m", ["x" * 8000], (0,)) == (0, 0)
    cache = PromptCache(0)
    cache.openai("m", ["x" * 512])
    cache.forget()
    assert cache.openai("m", ["x" * 512]) == 0


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("1024", 1024), ("per-model", "per-model"), ("off", None)]
)
def test_the_cli_reads_a_cache_minimum(text, value):
    assert parse_cache_minimum(text) == value


def test_the_cli_rejects_a_bad_cache_minimum():
    with pytest.raises(typer.BadParameter, match="per-model"):
        parse_cache_minimum("lots")
