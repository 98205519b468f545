"""The ``local`` provider against a real llama.cpp server (json_object + schema mode).

Not run by default: start a server (see docs/providers.md) and run
``INDICLASS_LLAMA_URL=http://127.0.0.1:8080/v1 pytest -m llama tests/integration/providers``.
"""

from __future__ import annotations

import os

import pytest

from indiclass.bootstrap.providers import build_provider_set
from indiclass.domain.enums import AnswerSource, Strategy
from indiclass.domain.models import parse_indicator
from indiclass.domain.ports import CallRecord
from indiclass.pipeline import PipelineConfig, classify
from indiclass.settings import Settings

pytestmark = pytest.mark.llama

INDICATORS = [
    {"name": "GDP Annual Growth Rate", "units": "%", "periodicity": "Quarterly"},
    {"name": "Unemployment Rate", "units": "percent", "periodicity": "Monthly"},
    {"name": "Government Debt", "units": "USD Billion", "periodicity": "Annual"},
]


@pytest.fixture
def llama_url() -> str:
    url = os.environ.get("INDICLASS_LLAMA_URL")
    if not url:
        pytest.skip("set INDICLASS_LLAMA_URL to a running llama.cpp server")
    return url


def test_llama_cpp_classifies_end_to_end(llama_url):
    settings = Settings(
        _env_file=None,
        LM_STUDIO_URL=llama_url,
        LM_STUDIO_MODEL="gemma3-270m",
        LOCAL_STRUCTURED_OUTPUT="json_object",
        LLM_TIMEOUT_S=120,
    )
    calls: list[CallRecord] = []
    providers = build_provider_set(settings, "local", sink=calls.append)
    answered = 0
    for raw in INDICATORS:
        run = classify(parse_indicator(raw), providers, PipelineConfig(strategy=Strategy.LLM))
        assert run.classification.provider == "local"
        answered += sum(r.source is AnswerSource.LLM for r in run.state.records.values())
    assert answered > 0, "no stage was answered by the model (all fell back to the rules)"
    assert all(c.usage.input_tokens > 0 for c in calls if not c.error and not c.cache_hit)
