"""``indiclass classify --provider local|anthropic`` through the CLI against the fake server."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from indiclass.cli.app import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("provider", "strategy", "calls"),
    [
        ("local", "llm", 4),
        ("anthropic", "llm", 4),
        ("local", "rules", 0),
    ],
)
def test_classify_asks_the_chosen_provider(fake, monkeypatch, provider, strategy, calls):
    monkeypatch.setenv("LM_STUDIO_URL", fake.openai_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("LLM_CACHE", "false")
    r = runner.invoke(
        app,
        [
            "classify",
            "GDP Annual Growth Rate",
            "--units",
            "%",
            "--periodicity",
            "Quarterly",
            "--provider",
            provider,
            "--strategy",
            strategy,
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["provider"] == (provider if strategy != "rules" else "rules")
    assert fake.stats()["answered"] == calls


def test_per_stage_override_from_the_environment(fake, monkeypatch):
    monkeypatch.setenv("LM_STUDIO_URL", fake.openai_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("LLM_PROVIDER_BOOLEAN_REVIEW", "anthropic")
    monkeypatch.setenv("LLM_PROVIDER", "local")
    monkeypatch.setenv("LLM_CACHE", "false")
    r = runner.invoke(app, ["classify", "Unemployment Rate", "--units", "%", "--json"])
    assert r.exit_code == 0, r.output
    assert fake.stats()["by_api"] == {"openai": 3, "anthropic": 1}


def test_unreachable_server_is_one_line_naming_the_url(monkeypatch):
    monkeypatch.setenv("LM_STUDIO_URL", "http://127.0.0.1:9/v1")
    r = runner.invoke(app, ["classify", "x", "--provider", "local"])
    assert r.exit_code != 0 and "127.0.0.1:9" in r.output and "LM_STUDIO_URL" in r.output
    assert "Traceback" not in r.output
