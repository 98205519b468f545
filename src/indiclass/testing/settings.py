"""Settings that point every LLM adapter at a running fake server (for tests and benchmarks)."""

from __future__ import annotations

from typing import Any

from indiclass.settings import Settings
from indiclass.testing.fake_llm import FakeLLMServer


def fake_llm_settings(server: FakeLLMServer, **extra: Any) -> Settings:
    """openai, local (json_object mode) and anthropic all served by ``server``; tiny retry
    delays; no ``.env`` file. ``extra`` overrides by variable name (``LLM_PROVIDER_TYPE=...``)."""
    values: dict[str, Any] = {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": server.openai_url,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": server.url,
        "LM_STUDIO_URL": server.openai_url,
        "LM_STUDIO_MODEL": "local-test-model",
        "LOCAL_STRUCTURED_OUTPUT": "json_object",
        "LLM_RETRY_BASE_S": 0.001,
        "LLM_TIMEOUT_S": 5,
        "LLM_MAX_RETRIES": 3,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)
