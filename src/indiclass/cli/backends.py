"""Runner backends: the in-process engine (default) and a running server (``--api URL``)."""

from __future__ import annotations

import time
from typing import Any

from indiclass.cli.runner import BatchProgress
from indiclass.domain.errors import ConfigError, ConflictError, EngineError, InputError
from indiclass.domain.run import RunConfig
from indiclass.domain.store import BatchStats, RunBatch
from indiclass.domain.usage import Usage


class EmbeddedBackend:
    """Submits to the engine of this process (which runs the batches itself, with the run's
    configuration); completion is pushed by the engine, not polled."""

    def __init__(
        self, engine: Any, config: RunConfig, *, force: bool = False, run_id: str | None = None
    ) -> None:
        self.engine = engine
        self.config = config
        self.force = force
        self.run_id = run_id

    def submit(self, batch: RunBatch) -> str:
        indicators = self.engine.store.list_source_indicators(ids=list(batch.indicator_ids))
        trace: str = self.engine.submit(
            indicators,
            config=self.config,
            trace_id=batch.trace_id,
            force=self.force,
            run_id=self.run_id,
        )
        return trace

    def progress(self, trace_id: str) -> BatchProgress:
        stats: BatchStats | None = self.engine.status(trace_id)
        if stats is not None and not stats.settled:
            self.engine._raise_fault(trace_id)
        if stats is None:
            raise EngineError(f"unknown batch {trace_id!r}")
        return progress_of(stats)

    def wait_change(self, timeout: float) -> None:
        self.engine.wait_change(timeout)


def progress_of(stats: BatchStats) -> BatchProgress:
    return BatchProgress(
        finished=stats.successful_indicators + stats.failed_indicators + stats.cancelled_indicators,
        total=stats.total_indicators,
        done=stats.done,
        failed=stats.failed_indicators,
        status=stats.status,
        usage=stats.usage,
        fallback=stats.fallback_indicators,
    )


class HttpBackend:
    """Exactly what the seed's scripts do: ``POST /classify/batch``, then poll the batch."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        provider: str = "rules",
        strategy: str | None = None,
        model: str | None = None,
        force: bool = False,
        timeout_s: float = 60.0,
    ) -> None:
        import httpx

        headers = {"x-api-key": api_key} if api_key else {}
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s
        )
        self.provider = provider
        self.options: dict[str, Any] = {
            k: v
            for k, v in (("strategy", strategy), ("model", model), ("force", force or None))
            if v
        }
        self._store: Any = None

    def use_store(self, store: Any) -> None:
        """Where the indicators of a planned batch are read from (the local catalogue)."""
        self._store = store

    def submit(self, batch: RunBatch) -> str:
        indicators = self._store.list_source_indicators(ids=list(batch.indicator_ids))
        body = {
            "indicators": [i.model_dump(mode="json", exclude_none=True) for i in indicators],
            "llm_provider": self.provider,
            "trace_id": batch.trace_id,
            **self.options,
        }
        reply = self._request("POST", "/classify/batch", json=body)
        return str(reply["trace_id"])

    def progress(self, trace_id: str) -> BatchProgress:
        batch = self._request("GET", f"/batches/{trace_id}")
        p = batch["progress"]
        usage = batch.get("usage") or {}
        return BatchProgress(
            finished=p["completed"] + p["failed"] + p.get("cancelled", 0),
            total=p["total"],
            done=bool(batch["done"]),
            failed=p["failed"],
            status=batch.get("status", "running"),
            usage=Usage(
                requests=int(usage.get("llm_calls") or 0),
                input_tokens=int(usage.get("input_tokens") or 0),
                output_tokens=int(usage.get("output_tokens") or 0),
                cost_usd=usage.get("cost_usd"),
            ),
            fallback=int(p.get("fallback", 0)),
        )

    def wait_change(self, timeout: float) -> None:
        time.sleep(timeout)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        import httpx

        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ConfigError(f"cannot reach {self.client.base_url}: {exc}") from None
        if response.status_code == 409:
            raise ConflictError(f"{method} {path}: {_message(response)}")
        if response.status_code in (400, 413, 422):
            raise InputError(f"{method} {path} -> {response.status_code}: {_message(response)}")
        if response.status_code in (401, 403):
            raise ConfigError(f"{method} {path} -> {response.status_code}: check API_KEY")
        if response.status_code >= 400:
            raise EngineError(f"{method} {path} -> {response.status_code}: {_message(response)}")
        data: dict[str, Any] = response.json()
        return data

    def close(self) -> None:
        self.client.close()


def _message(response: Any) -> str:
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except Exception:
        return str(response.text)[:300]
