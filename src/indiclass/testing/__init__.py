"""Test doubles shipped with the project: the fake LLM server (OpenAI + Anthropic wire formats,
synchronous and batch APIs)."""

from indiclass.testing.fake_batches import BatchSettings
from indiclass.testing.fake_llm import FakeLLM, FakeLLMServer, Fault, running_fake_llm

__all__ = ["BatchSettings", "FakeLLM", "FakeLLMServer", "Fault", "running_fake_llm"]
