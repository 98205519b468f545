"""One settings object, from the environment and ``.env``, with the seed's variable names.

Built explicitly (``Settings()``) by the CLI or the app factory and passed in; nothing here is
read at import time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from indiclass.domain.enums import ProviderName, StageName, Strategy

StructuredMode = Literal["json_schema", "json_object", "tools", "prompted"]
MaxTokensField = Literal["max_tokens", "max_completion_tokens"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- batching (seed names)
    internal_emit_batch: int = Field(10, ge=1, le=10_000, alias="INTERNAL_EMIT_BATCH")
    internal_emit_delay_ms: int = Field(100, ge=0, le=600_000, alias="INTERNAL_EMIT_DELAY_MS")
    startup_warm_ms: int = Field(0, ge=0, le=600_000, alias="STARTUP_WARM_MS")
    concurrency: int = Field(20, ge=1, le=1_000, alias="INDICLASS_CONCURRENCY")
    """Indicators in flight across all workers (the DBOS queue's concurrency)."""
    max_batch_size: int = Field(1_000, ge=1, alias="INDICLASS_MAX_BATCH_SIZE")

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

    # --- API
    api_key: SecretStr | None = Field(None, alias="API_KEY")

    # --- providers
    llm_provider: ProviderName = Field(ProviderName.RULES, alias="LLM_PROVIDER")
    strategy: Strategy | None = Field(None, alias="INDICLASS_STRATEGY")
    """None: ``rules`` for the rules provider, ``llm`` otherwise."""
    hybrid_threshold: float = Field(0.75, ge=0, le=1, alias="INDICLASS_HYBRID_THRESHOLD")
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

    # --- per-stage overrides (LLM_PROVIDER_<STAGE>, LLM_MODEL_<STAGE>)
    llm_provider_time: ProviderName | None = Field(None, alias="LLM_PROVIDER_TIME")
    llm_provider_family: ProviderName | None = Field(None, alias="LLM_PROVIDER_FAMILY")
    llm_provider_type: ProviderName | None = Field(None, alias="LLM_PROVIDER_TYPE")
    llm_provider_boolean_review: ProviderName | None = Field(
        None, alias="LLM_PROVIDER_BOOLEAN_REVIEW"
    )
    llm_provider_final_review: ProviderName | None = Field(None, alias="LLM_PROVIDER_FINAL_REVIEW")
    llm_model_time: str | None = Field(None, alias="LLM_MODEL_TIME")
    llm_model_family: str | None = Field(None, alias="LLM_MODEL_FAMILY")
    llm_model_type: str | None = Field(None, alias="LLM_MODEL_TYPE")
    llm_model_boolean_review: str | None = Field(None, alias="LLM_MODEL_BOOLEAN_REVIEW")
    llm_model_final_review: str | None = Field(None, alias="LLM_MODEL_FINAL_REVIEW")

    def stage_provider(self, stage: StageName) -> ProviderName | None:
        value: ProviderName | None = getattr(self, f"llm_provider_{_key(stage)}", None)
        return value

    def stage_model(self, stage: StageName) -> str | None:
        value: str | None = getattr(self, f"llm_model_{_key(stage)}", None)
        return value

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url and self.database_url.startswith(("postgresql", "postgres:")))

    def effective_strategy(self, provider: ProviderName | None = None) -> Strategy:
        if self.strategy is not None:
            return self.strategy
        return (
            Strategy.RULES
            if (provider or self.llm_provider) is ProviderName.RULES
            else Strategy.LLM
        )


def _key(stage: StageName) -> str:
    return stage.value.replace("-", "_")
