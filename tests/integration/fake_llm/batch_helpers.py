"""Helpers for the batch tests: request bodies as the pipeline's adapters send them, JSONL input
files, and one call that runs an OpenAI batch to its end."""

from __future__ import annotations

import json
from typing import Any

import openai

from indiclass.bootstrap.providers import build_provider_set, run_config
from indiclass.domain.enums import Strategy
from indiclass.domain.models import parse_indicator
from indiclass.pipeline import PipelineConfig, classify
from indiclass.testing import FakeLLMServer
from indiclass.testing.settings import fake_llm_settings

INDICATORS = [
    {"name": "GDP Annual Growth Rate", "units": "%", "periodicity": "Quarterly"},
    {"name": "Government Debt", "units": "USD Billion", "periodicity": "Annual"},
]
USER = {"role": "user", "content": "name: GDP Annual Growth Rate\nunits: %"}


def pipeline_bodies(server: FakeLLMServer, adapter: str) -> list[dict[str, Any]]:
    """The bodies a synchronous ``llm`` run of :data:`INDICATORS` sends (the server is reset)."""
    settings = fake_llm_settings(server, LLM_CACHE=False)
    config = run_config(settings, adapter, strategy=Strategy.LLM)
    providers = build_provider_set(settings, config)
    for row in INDICATORS:
        classify(parse_indicator(row), providers, PipelineConfig.for_run(config, providers))
    bodies = list(server.fake.requests)
    server.reset()
    return bodies


def chat(model: str = "gpt-4o-mini", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [USER], **extra}


def message(model: str = "claude-sonnet-4-5", **extra: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 200, "messages": [USER], **extra}


def jsonl(bodies: list[dict[str, Any]], url: str = "/v1/chat/completions") -> bytes:
    lines = [
        {"custom_id": f"req-{k}", "method": "POST", "url": url, "body": body}
        for k, body in enumerate(bodies)
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def upload(client: openai.OpenAI, content: bytes) -> str:
    return client.files.create(file=("input.jsonl", content), purpose="batch").id


def submit(client: openai.OpenAI, bodies: list[dict[str, Any]], **extra: Any) -> Any:
    return client.batches.create(
        input_file_id=upload(client, jsonl(bodies)),
        endpoint="/v1/chat/completions",
        completion_window="24h",
        **extra,
    )


def lines(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]
