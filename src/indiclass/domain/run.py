"""A run's configuration: everything that decides how a batch is classified, fixed when it is
submitted and carried with it to the last step — through resume, retry-failed and recovery by
another worker. Never secrets: a worker adds its own keys to the ``ProviderSpec``s it builds.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from indiclass.domain.enums import Strategy

RunMode = Literal["sync", "provider-batch"]


class ProviderSpec(BaseModel):
    """Which provider answers, resolved at submit: its name, model, server and options."""

    model_config = ConfigDict(frozen=True)

    name: str
    model: str
    base_url: str | None = None
    """None: the provider's default (or, for a URL that held credentials, the worker's own)."""
    options: dict[str, str] = Field(default_factory=dict)
    """Non-secret provider options (structured-output mode, max-tokens field, ...)."""

    @property
    def label(self) -> str:
        return f"{self.name}/{self.model}"


class RunConfig(BaseModel):
    """How a batch is classified."""

    model_config = ConfigDict(frozen=True)

    provider: ProviderSpec
    stages: dict[str, ProviderSpec] = Field(default_factory=dict)
    """Per-stage overrides (``LLM_PROVIDER_<STAGE>`` / ``LLM_MODEL_<STAGE>`` at submit)."""
    strategy: Strategy
    min_confidence: float = 0.75
    max_reasks: int = 2
    mode: RunMode = "sync"
    max_cost_usd: float | None = None
    """Budget: the batch pauses before a call would take its spend above this."""
    degraded_share: float = 0.05
    callback_url: str | None = None
    """POSTed a signed JSON summary when the batch closes (``engine.webhooks``; only loopback
    or ``INDICLASS_WEBHOOK_ALLOWED_HOSTS`` hosts)."""

    def spec_for(self, stage: str) -> ProviderSpec:
        return self.stages.get(str(stage), self.provider)

    @property
    def providers(self) -> list[ProviderSpec]:
        """Every distinct provider the run may call (default first)."""
        seen = {self.provider.label: self.provider}
        for spec in self.stages.values():
            seen.setdefault(spec.label, spec)
        return list(seen.values())

    def fingerprint(self) -> str:
        """A short hash of what decides the answers (the budget does not)."""
        data = self.model_dump(mode="json", exclude={"max_cost_usd"})
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> RunConfig:
        if isinstance(text, dict):
            return cls.model_validate(text)
        return cls.model_validate_json(text)
