"""Test doubles shipped with the project: the fake LLM server (OpenAI + Anthropic wire formats)."""

from indiclass.testing.fake_llm import FakeLLM, FakeLLMServer, Fault, running_fake_llm

__all__ = ["FakeLLM", "FakeLLMServer", "Fault", "running_fake_llm"]
