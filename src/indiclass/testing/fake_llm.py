"""A fake LLM server on 127.0.0.1 speaking the OpenAI chat-completions and Anthropic messages
wire formats over real HTTP, for tests, benchmarks and demos (``indiclass fake-llm``).

* Answers are valid for the request's JSON schema (``response_format``, a forced tool, Anthropic
  ``output_config.format``, or the schema quoted in the system prompt), with realistic content
  from the offline rules when the indicator can be read back from the user prompt.
* Usage is estimated as ceil(characters / 4) per part (schema, system, each message). Cached
  tokens follow each provider's prompt caching (:mod:`indiclass.testing.prompt_cache`): OpenAI's
  automatic prefix cache in 128-token blocks, Anthropic's ``cache_control`` breakpoints, with a
  minimum cacheable prompt per model (``cache_min_tokens="per-model"``), one for every model (an
  int; the default 0 caches any repeated prefix) or no caching at all (None).
* Faults are scripted (constructor ``faults=`` or ``POST /_admin/faults``): each fault applies to
  the next ``times`` matching calls (``times=-1``: forever), optionally only for one stage.
* Batch APIs (:mod:`indiclass.testing.fake_batches`): OpenAI Files + Batch and Anthropic
  Message Batches, each request answered by the same code as a synchronous call; settings
  (``batches=BatchSettings(...)`` or ``POST /_admin/batches``) for a processing delay,
  per-request errors and expiry, shuffled results.
* ``GET /_admin/stats`` (or ``server.stats()``) counts calls per stage, model and API, sums the
  usage it reported, and counts batches, files, requests per batch, cancels under ``batches``.

The server is asyncio (:mod:`indiclass.testing.http11`: listen backlog 2,048, keep-alive, one
event loop in one thread): a waiting request is a sleeping coroutine, not a thread, so hundreds of
connections in flight cost no CPU while they wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

from indiclass.testing import batch_anthropic, batch_openai
from indiclass.testing.fake_batches import BatchSettings, BatchStore
from indiclass.testing.fake_model import FakeLLM, Fault, FaultKind, Reply
from indiclass.testing.http11 import HTTPServer, listening_socket
from indiclass.testing.prompt_cache import PER_MODEL, CacheMinimum
from indiclass.testing.routing import HTTPError, Request, Response, Route, Router, json_response
from indiclass.testing.wire import error_body, parse_anthropic, parse_openai

__all__ = [
    "BatchSettings",
    "FakeLLM",
    "FakeLLMServer",
    "Fault",
    "FaultKind",
    "cache_minimum",
    "running_fake_llm",
]


def routes(fake: FakeLLM, batches: BatchStore) -> list[Route]:
    """Chat completions, messages, models, the batch APIs and the admin routes."""

    async def chat(request: Request) -> Response:
        return _reply(await fake.respond(parse_openai(request.json())))

    async def messages(request: Request) -> Response:
        return _reply(await fake.respond(parse_anthropic(request.json())))

    async def models(request: Request) -> Response:
        return json_response(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    async def stats(request: Request) -> Response:
        return json_response(200, {**fake.snapshot(), "batches": batches.counters.snapshot()})

    async def faults(request: Request) -> Response:
        fake.set_faults([Fault(**f) for f in request.json().get("faults", [])])
        return json_response(200, {"ok": True})

    async def cache(request: Request) -> Response:
        fake.cache.minimum = cache_minimum(request.json().get("min_tokens", 0))
        return json_response(200, {"ok": True, "min_tokens": fake.cache.minimum})

    async def batch_settings(request: Request) -> Response:
        if request.method == "POST":
            try:
                batches.settings = dataclasses.replace(batches.settings, **request.json())
            except (TypeError, ValueError) as exc:
                raise HTTPError(400, f"batch settings: {exc}") from None
        return json_response(200, {"settings": dataclasses.asdict(batches.settings)})

    async def reset(request: Request) -> Response:
        body = request.json()
        fake.reset(forget_cache=bool(body.get("forget_cache", True)))
        batches.reset(forget_batches=bool(body.get("forget_batches", True)))
        return json_response(200, {"ok": True})

    return [
        ("POST", r".*/chat/completions", chat),
        ("POST", r".*/messages", messages),
        ("GET", r"(/v1)?/models", models),
        ("GET", r"/_admin/stats", stats),
        ("POST", r"/_admin/faults", faults),
        ("POST", r"/_admin/reset", reset),
        ("POST", r"/_admin/cache", cache),
        ("GET", r"/_admin/batches", batch_settings),
        ("POST", r"/_admin/batches", batch_settings),
        *batch_openai.routes(batches),
        *batch_anthropic.routes(batches),
    ]


def cache_minimum(value: Any) -> CacheMinimum:
    """``"per-model"``, None / ``"off"`` (no caching), or a token count (int or digits)."""
    if value is None or value == "off":
        return None
    if value == PER_MODEL:
        return PER_MODEL
    try:
        return int(value)
    except (TypeError, ValueError):
        message = f"min_tokens must be an integer, 'per-model' or 'off': {value!r}"
        raise HTTPError(400, message) from None


def _reply(reply: Reply) -> Response:
    return json_response(reply.status, reply.body, reply.headers)


def _error(request: Request, exc: HTTPError) -> Response:
    api = "anthropic" if "anthropic-version" in request.headers else "openai"
    return json_response(exc.status, error_body(api, exc.status, exc.message))


class FakeLLMServer:
    """The HTTP server around a :class:`FakeLLM`; :meth:`start` runs it in a background thread,
    :meth:`serve_forever` in this one. The port is bound (and listening) on construction."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency_ms: int = 0,
        faults: list[Fault] | None = None,
        cache_min_tokens: CacheMinimum = 0,
        batches: BatchSettings | None = None,
    ) -> None:
        self.fake = FakeLLM(latency_ms=latency_ms, faults=faults, cache_min_tokens=cache_min_tokens)
        self.batches = BatchStore(self.fake, batches)
        """Batches and files (OpenAI Batch, Anthropic Message Batches); see :mod:`fake_batches`."""
        self._sock = listening_socket(host, port)
        self._port = int(self._sock.getsockname()[1])
        self._http = HTTPServer(Router(routes(self.fake, self.batches), _error), self._sock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """Base URL for the Anthropic SDK; the OpenAI SDK wants :attr:`openai_url`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> FakeLLMServer:
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self.serve_forever, args=(ready,), daemon=True, name="fake-llm"
        )
        self._thread.start()
        ready.wait(timeout=10)
        return self

    def serve_forever(self, ready: threading.Event | None = None) -> None:
        """Serve until :meth:`stop` (or Ctrl-C when run in the main thread)."""
        asyncio.run(self._serve(ready))

    async def _serve(self, ready: threading.Event | None) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        if ready is not None:
            ready.set()
        await self._http.serve(self._stop)

    def stop_listening(self) -> None:
        """Close the socket of a server run with :meth:`serve_forever` in this thread."""
        self._sock.close()

    def stop(self) -> None:
        """Stop serving: the port is closed, open connections are closed (in-flight replies
        are dropped)."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(timeout=5)
        self._sock.close()

    def stats(self) -> dict[str, Any]:
        """The counters of ``GET /_admin/stats`` (batch counters under ``batches``)."""
        return {**self.fake.snapshot(), "batches": self.batches.counters.snapshot()}

    def set_faults(self, *faults: Fault) -> None:
        self.fake.set_faults(list(faults))

    def set_cache_min_tokens(self, minimum: CacheMinimum) -> None:
        """Switch prompt caching: a minimum for every model, ``"per-model"``, or None (off)."""
        self.fake.cache.minimum = minimum

    def set_batch_settings(self, settings: BatchSettings) -> None:
        """Settings for the batches created from now on (a batch keeps those it was made with)."""
        self.batches.settings = settings

    def reset(self, *, forget_cache: bool = True, forget_batches: bool = True) -> None:
        """Clear counters, faults and recorded requests; the prompt cache and the stored batches
        and files too unless told otherwise. Cache and batch settings are kept."""
        self.fake.reset(forget_cache=forget_cache)
        self.batches.reset(forget_batches=forget_batches)


@contextlib.contextmanager
def running_fake_llm(
    *,
    latency_ms: int = 0,
    faults: list[Fault] | None = None,
    port: int = 0,
    cache_min_tokens: CacheMinimum = 0,
) -> Iterator[FakeLLMServer]:
    """A started fake server on 127.0.0.1 (a free port by default), stopped on exit."""
    server = FakeLLMServer(
        port=port, latency_ms=latency_ms, faults=faults, cache_min_tokens=cache_min_tokens
    ).start()
    try:
        yield server
    finally:
        server.stop()
