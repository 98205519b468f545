"""Runner backends: the in-process engine (default) and a running server (``--api URL``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from indiclass.cli.runner import BatchProgress
from indiclass.domain.errors import ConfigError, EngineError
from indiclass.domain.models import Indicator
from indiclass.domain.store import BatchStats


class EmbeddedBackend:
    """Submits to the engine of this process; progress is the batch's stored state."""

    def __init__(
        self,
        engine: Any,
        *,
        strategy: str | None = None,
        model: str | None = None,
        force: bool = False,
    ) -> None:
        self.engine = engine
        self.strategy, self.model, self.force = strategy, model, force

    def submit(self, indicators: Sequence[Indicator], provider: str) -> str:
        trace: str = self.engine.submit(
            list(indicators), provider, strategy=self.strategy, model=self.model, force=self.force
        )
        return trace

    def progress(self, trace_id: str) -> BatchProgress:
        stats: BatchStats | None = self.engine.status(trace_id)
        if stats is None:
            raise EngineError(f"unknown batch {trace_id!r}")
        return BatchProgress(
            stats.successful_indicators + stats.failed_indicators,
            stats.total_indicators,
            stats.done,
            stats.failed_indicators,
        )


class HttpBackend:
    """Exactly what the seed's scripts do: ``POST /classify/batch``, then poll the batch."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
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
        self.options: dict[str, Any] = {
            k: v
            for k, v in (("strategy", strategy), ("model", model), ("force", force or None))
            if v
        }

    def submit(self, indicators: Sequence[Indicator], provider: str) -> str:
        body = {
            "indicators": [i.model_dump(mode="json", exclude_none=True) for i in indicators],
            "llm_provider": provider,
            **self.options,
        }
        reply = self._request("POST", "/classify/batch", json=body)
        return str(reply["trace_id"])

    def progress(self, trace_id: str) -> BatchProgress:
        batch = self._request("GET", f"/batches/{trace_id}")
        p = batch["progress"]
        return BatchProgress(
            p["completed"] + p["failed"], p["total"], bool(batch["done"]), p["failed"]
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        import httpx

        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ConfigError(f"cannot reach {self.client.base_url}: {exc}") from None
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
