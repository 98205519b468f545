"""Shared fixtures. Tests never reach the real network; per-test state lives in tmp dirs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SHARED_EVAL = Path(
    os.environ.get("INDICLASS_SHARED_EVAL")
    or Path(__file__).resolve().parents[2] / "shared" / "eval"
)
"""../shared/eval beside the checkout; INDICLASS_SHARED_EVAL points elsewhere (a git worktree)."""


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    """../shared/eval (skips the test when the folder is absent)."""
    if not (SHARED_EVAL / "indicators.jsonl").exists():
        pytest.skip("../shared/eval is not present")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def eval_rows(eval_dir: Path) -> dict[str, dict]:
    return {r["id"]: r for r in load_jsonl(eval_dir / "indicators.jsonl")}


@pytest.fixture(scope="session")
def eval_labels(eval_dir: Path) -> dict[str, dict]:
    return {r["id"]: r for r in load_jsonl(eval_dir / "labels.jsonl")}


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own working dir and no provider keys from the host."""
    for var in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "API_KEY",
        "DATABASE_URL",
        "INDICLASS_DATABASE_URL",
        "LLM_PROVIDER",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
