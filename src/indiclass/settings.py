"""One settings object, from the environment and ``.env``, with the seed's variable names.

Built explicitly (``Settings()``) by the CLI or the app factory and passed in; nothing here is
read at import time. Per-stage overrides (``LLM_PROVIDER_<STAGE>``, ``LLM_MODEL_<STAGE>``) are
collected for any stage name; the providers' composition root checks them against the
pipeline it builds (a variable naming no LLM stage is an error, not silently ignored).
Provider names are open strings, checked against the provider registry where they are used
(plugins included).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from indiclass.domain.enums import Strategy

StructuredMode = Literal["json_schema", "json_object", "tools", "prompted"]
MaxTokensField = Literal["max_tokens", "max_completion_tokens"]

_STAGE_VARS = ("llm_provider_", "llm_model_")


class StageOverride(BaseModel):
    """``LLM_PROVIDER_<STAGE>`` / ``LLM_MODEL_<STAGE>`` of one stage."""

    model_config = ConfigDict(frozen=True)

    provider: str | None = None
    model: str | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- batching (seed names)
    internal_emit_batch: int = Field(10, ge=1, le=10_000, alias="INTERNAL_EMIT_BATCH")
    internal_emit_delay_ms: int = Field(100, ge=0, le=600_000, alias="INTERNAL_EMIT_DELAY_MS")
    startup_warm_ms: int = Field(0, ge=0, le=600_000, alias="STARTUP_WARM_MS")
    concurrency: int = Field(20, ge=1, le=5_000, alias="INDICLASS_CONCURRENCY")
    """Indicators in flight in one worker process (each has at most one LLM call in flight)."""
    chunk_size: int = Field(100, ge=1, le=10_000, alias="INDICLASS_CHUNK_SIZE")
    """Members per durable chunk workflow (the unit a worker takes from the queue)."""
    max_batch_size: int = Field(50_000, ge=1, alias="INDICLASS_MAX_BATCH_SIZE")
    max_body_bytes: int = Field(64 * 2**20, ge=1_024, alias="INDICLASS_MAX_BODY_BYTES")
    """Largest HTTP request body the API reads (413 above it)."""
    degraded_share: float = Field(0.05, ge=0, le=1, alias="INDICLASS_DEGRADED_SHARE")
    fewshot_examples: int = Field(0, ge=0, le=20, alias="INDICLASS_FEWSHOT_EXAMPLES")
    """Corrections teach: this many people's overrides of similar indicators are added to each
    LLM request (after the cacheable prefix); 0 = off."""
    """A batch whose share of indicators with a ``rules-fallback`` stage exceeds this closes
    ``degraded`` instead of ``completed``."""

    # --- databases
    classify_db_local_dev: str = Field(
        "./data/classify-workflow-local-dev.db", alias="CLASSIFY_DB_LOCAL_DEV"
    )
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("INDICLASS_DATABASE_URL", "DATABASE_URL")
    )
    system_database_url: str | None = Field(None, alias="INDICLASS_SYSTEM_DATABASE_URL")
    """DBOS system database; default a SQLite file beside the results DB, or the PG database."""
    worker_id: str | None = Field(None, alias="INDICLASS_WORKER_ID")
    log_file: str | None = Field(None, alias="INDICLASS_LOG_FILE")
    """Where DBOS and library logs go (default: ``<results db dir>/indiclass.log``)."""

    # --- API
    api_key: SecretStr | None = Field(None, alias="API_KEY")

    # --- providers
    llm_provider: str = Field("rules", alias="LLM_PROVIDER")
    strategy: Strategy | None = Field(None, alias="INDICLASS_STRATEGY")
    """None: ``rules`` for the rules provider, ``llm`` otherwise."""
    min_confidence: float = Field(
        0.75,
        ge=0,
        le=1,
        validation_alias=AliasChoices("INDICLASS_MIN_CONFIDENCE", "INDICLASS_HYBRID_THRESHOLD"),
    )
    """Hybrid asks the LLM below it; a classification with a field below it needs review. 0.75
    is chosen from the calibration of the field confidences (docs/quality.md: about a quarter
    of indicators asked leave-one-publisher-out, three quarters of the family misses below)."""
    max_reasks: int = Field(2, ge=0, le=10, alias="INDICLASS_MAX_REASKS")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_model: str = Field("gpt-4o-mini", alias="OPENAI_MODEL")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    anthropic_api_key: SecretStr | None = Field(None, alias="ANTHROPIC_API_KEY")
    anthropic_model: str = Field("claude-3-5-haiku-latest", alias="ANTHROPIC_MODEL")
    anthropic_base_url: str | None = Field(None, alias="ANTHROPIC_BASE_URL")
    anthropic_structured_output: Literal["tools", "json_schema"] = Field(
        "tools", alias="ANTHROPIC_STRUCTURED_OUTPUT"
    )
    lm_studio_url: str = Field("http://127.0.0.1:1234/v1", alias="LM_STUDIO_URL")
    lm_studio_model: str = Field("local-model", alias="LM_STUDIO_MODEL")
    local_structured_output: StructuredMode = Field("json_schema", alias="LOCAL_STRUCTURED_OUTPUT")
    local_max_tokens_field: MaxTokensField = Field("max_tokens", alias="LOCAL_MAX_TOKENS_FIELD")
    llm_timeout_s: float = Field(60.0, gt=0, alias="LLM_TIMEOUT_S")
    llm_max_retries: int = Field(4, ge=0, le=20, alias="LLM_MAX_RETRIES")
    llm_retry_base_s: float = Field(0.5, ge=0, le=60, alias="LLM_RETRY_BASE_S")
    """First backoff delay; doubles per retry (a server's Retry-After wins)."""
    llm_rpm: int | None = Field(None, ge=1, alias="LLM_RPM")
    llm_tpm: int | None = Field(None, ge=1, alias="LLM_TPM")
    llm_cache: bool = Field(True, alias="LLM_CACHE")
    llm_cache_file: str | None = Field(None, alias="LLM_CACHE_FILE")
    """SQLite file for the response cache (kept across runs); in memory only when unset."""
    llm_prices_file: str | None = Field(None, alias="LLM_PRICES_FILE")

    stage_overrides: dict[str, StageOverride] = Field(default_factory=dict)
    """Stage name → its ``LLM_PROVIDER_<STAGE>`` / ``LLM_MODEL_<STAGE>`` (read from the
    environment and .env for every declared LLM stage)."""

    @field_validator("llm_provider")
    @classmethod
    def _provider_name(cls, value: str) -> str:
        value = value.strip().lower()
        if not value:
            raise ValueError("LLM_PROVIDER is empty")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        stage_vars = _StageVariables(settings_cls, env_settings, dotenv_settings, init_settings)
        return init_settings, env_settings, dotenv_settings, stage_vars, file_secret_settings

    def stage_provider(self, stage: str) -> str | None:
        found = self.stage_overrides.get(str(stage))
        return found.provider if found else None

    def stage_model(self, stage: str) -> str | None:
        found = self.stage_overrides.get(str(stage))
        return found.model if found else None

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url and self.database_url.startswith(("postgresql", "postgres:")))

    def effective_strategy(self, provider: str | None = None) -> Strategy:
        if self.strategy is not None:
            return self.strategy
        return Strategy.RULES if (provider or self.llm_provider) == "rules" else Strategy.LLM

    def env_section(self, prefix: str) -> dict[str, str]:
        """Every environment variable starting with ``prefix`` (e.g. ``MYPROVIDER_``), for a
        plugin provider's own settings; names without the prefix, lower case."""
        prefix = prefix.upper()
        return {k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}


class _StageVariables(PydanticBaseSettingsSource):
    """``LLM_PROVIDER_<STAGE>`` and ``LLM_MODEL_<STAGE>`` from the environment (winning) and
    .env, keyed by stage name (``BOOLEAN_REVIEW`` → ``boolean-review``)."""

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        env: PydanticBaseSettingsSource,
        dotenv: PydanticBaseSettingsSource,
        init: PydanticBaseSettingsSource,
    ) -> None:
        super().__init__(settings_cls)
        self._sources = (dotenv, env, init)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[str, str]] = {}
        for source in self._sources:
            for key, value in _variables(source).items():
                _collect(found, key.lower(), value)
        return {"stage_overrides": found} if found else {}


def _variables(source: PydanticBaseSettingsSource) -> Mapping[str, str | None]:
    values: Mapping[str, Any] = getattr(source, "env_vars", None) or getattr(
        source, "init_kwargs", {}
    )
    return {k: v for k, v in values.items() if isinstance(v, str)}


def _collect(found: dict[str, dict[str, str]], key: str, value: str | None) -> None:
    for var in _STAGE_VARS:
        if key.startswith(var) and value:
            stage = key[len(var) :].replace("_", "-")
            found.setdefault(stage, {})[var.removeprefix("llm_").rstrip("_")] = value.strip()
