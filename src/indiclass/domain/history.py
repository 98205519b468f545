"""Provenance and history: what every answer records about how it was made, and the store reads
behind runs, diffs and retention.

Per stage answer (``StageRecord``, set by the pipeline): rules version, prompt hash (the static
system part and reply schema), request hash (the whole first request), temperature, provider
and model. Per classification (derived here from its stages): the same, summarised, plus the
batch's strategy and run (added by the store from the batch).

Hashes are 16 hex digits of sha256 over canonical JSON: equal hashes mean byte-identical
prompts; they say nothing about the provider, which is recorded beside them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from indiclass.domain.models import StageOutcome, StageRecord
from indiclass.domain.ports import LLMRequest

PROVENANCE_COLUMNS: tuple[str, ...] = (
    "rules_version",
    "prompt_hash",
    "request_hash",
    "temperature",
    "strategy",
    "run_id",
)
"""Columns migration 011 adds to every stage table and to ``classifications``."""


def _digest(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def prompt_hash(request: LLMRequest) -> str:
    """The static part of a stage's prompt: system text, schema name and reply schema."""
    return _digest([request.system, request.schema_name, request.json_schema])


def request_hash(request: LLMRequest) -> str:
    """The whole request as the pipeline built it (not who answers it, not re-ask turns)."""
    return _digest(
        [
            request.system,
            request.user,
            request.schema_name,
            request.json_schema,
            request.temperature,
            request.max_output_tokens,
        ]
    )


def combined_hash(pairs: Iterable[tuple[str, str | None]]) -> str | None:
    """One hash of (stage, hash) pairs in pipeline order; None when no stage has one."""
    kept = [[stage, value] for stage, value in pairs if value]
    return _digest(kept) if kept else None


def classification_provenance(outcomes: Sequence[StageOutcome]) -> dict[str, Any]:
    """A classification's provenance from its stages' records: the rules version, one hash of
    the asked stages' prompt hashes and one of their request hashes, and their temperature
    when they share one (None: no stage asked an LLM, or they used several)."""
    records = [o.record for o in outcomes]
    asked = [r for r in records if r.prompt_hash]
    temperatures = {r.temperature for r in asked}
    return {
        "rules_version": next((r.rules_version for r in records if r.rules_version), None),
        "prompt_hash": combined_hash((r.stage, r.prompt_hash) for r in asked),
        "request_hash": combined_hash((r.stage, r.request_hash) for r in asked),
        "temperature": temperatures.pop() if len(temperatures) == 1 else None,
    }


def stage_summary(outcome: StageOutcome) -> dict[str, Any]:
    """What a history row keeps of one stage: who answered, how sure, with which prompt."""
    record: StageRecord = outcome.record
    out: dict[str, Any] = {
        "source": record.source.value,
        "provider": record.provider,
        "model": record.model,
        "attempts": record.attempts,
        "confidence": outcome.result.confidence,
        "rules_version": record.rules_version,
        "prompt_hash": record.prompt_hash,
        "request_hash": record.request_hash,
        "temperature": record.temperature,
    }
    corrections = getattr(outcome.result, "corrections", None)
    if corrections:
        out["corrections"] = sorted({c.field for c in corrections})
    return {k: v for k, v in out.items() if v is not None}


class HistoryStore(Protocol):
    """The store reads behind ``indiclass runs / diff / purge`` and provenance (``SqlStore``)."""

    def history_rows(self, run_key: str) -> dict[str, dict[str, Any]]:
        """Indicator → its history row in the run (or batch) ``run_key``."""

    def iter_history(self, run_key: str, *, page: int = 1_000) -> Iterator[dict[str, Any]]:
        """The same rows in ``indicator_id`` order, read page by page."""

    def indicator_history(self, indicator_id: str) -> list[dict[str, Any]]:
        """Every history row of one indicator, oldest first."""

    def run_info(self, run_key: str) -> dict[str, Any] | None:
        """A run (runs table) or a batch of no run, as ``runs_overview`` lists it."""

    def runs_overview(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """Runs and batches of no run, newest first, with how many they classified."""

    def provenance_rows(self, indicator_id: str) -> dict[str, Any] | None:
        """The current classification's provenance columns and its stage rows."""

    def purge_llm_text(self, cutoff_iso: str, *, prompts_only: bool = False) -> int:
        """Blank the prompt text, and the reply text unless the call's batch is still open, of
        calls created before ``cutoff_iso`` (``prompts_only``: prompts alone); returns how many
        calls changed."""

    def count_llm_text(self, cutoff_iso: str, *, prompts_only: bool = False) -> int:
        """How many calls :meth:`purge_llm_text` would change."""
