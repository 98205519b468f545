"""A fake LLM server on 127.0.0.1 speaking the OpenAI chat-completions and Anthropic messages
wire formats over real HTTP, for tests, benchmarks and demos (``indiclass fake-llm``).

* Answers are valid for the request's JSON schema (``response_format``, a forced tool, Anthropic
  ``output_config.format``, or the schema quoted in the system prompt), with realistic content
  from the offline rules when the indicator can be read back from the user prompt.
* Usage is estimated as ceil(characters / 4) per part (schema, system, each message). Cached
  tokens follow provider prefix caching: the longest run of leading parts (schema, system,
  messages…) seen before in a request to the same model.
* Faults are scripted (constructor ``faults=`` or ``POST /_admin/faults``): each fault applies to
  the next ``times`` matching calls (``times=-1``: forever), optionally only for one stage.
* ``GET /_admin/stats`` (or ``server.stats()``) counts calls per stage and model and sums the
  usage it reported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from indiclass.providers._wire import compact_json, estimate_tokens
from indiclass.testing import answers
from indiclass.testing.wire import Exchange, parse_anthropic, parse_openai

FaultKind = Literal[
    "429", "500", "slow", "invalid_json", "out_of_enum", "truncated", "empty", "reply"
]


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1
    """How many matching calls get this fault; -1 for every one."""
    stage: str | None = None
    """Only calls of this stage (``time``, ``family``, ``type``, ``boolean-review``, ...)."""
    retry_after: float | None = 0.01
    """Seconds sent in the Retry-After header of a 429 or 500 (None: no header)."""
    delay_ms: int = 1000
    content: str = ""
    """For ``reply``: the exact reply text to send (e.g. a review that fails)."""

    def matches(self, stage: str | None) -> bool:
        return self.times != 0 and (self.stage is None or self.stage == stage)


@dataclass
class Stats:
    calls: int = 0
    answered: int = 0
    faults: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    by_stage: Counter[str] = field(default_factory=Counter)
    by_model: Counter[str] = field(default_factory=Counter)
    by_api: Counter[str] = field(default_factory=Counter)
    prompt_tokens_by_stage: Counter[str] = field(default_factory=Counter)


class FakeLLM:
    """The server's state: fault script, prefix cache and counters (thread-safe)."""

    def __init__(
        self, *, latency_ms: int = 0, faults: list[Fault] | None = None, cache_min_tokens: int = 0
    ) -> None:
        self.latency_ms = latency_ms
        self.cache_min_tokens = cache_min_tokens
        """Prompts shorter than this get no cached tokens (OpenAI and Anthropic: 1024)."""
        self._lock = threading.Lock()
        self.faults = list(faults or [])
        self.stats = Stats()
        self._seen: set[str] = set()
        self.requests: list[dict[str, Any]] = []

    def set_faults(self, faults: list[Fault]) -> None:
        with self._lock:
            self.faults = list(faults)

    def reset(self, *, forget_cache: bool = True) -> None:
        with self._lock:
            self.stats, self.requests, self.faults = Stats(), [], []
            if forget_cache:
                self._seen = set()

    def take_fault(self, stage: str | None) -> Fault | None:
        with self._lock:
            self.stats.calls += 1
            for fault in self.faults:
                if fault.matches(stage):
                    fault.times -= 1 if fault.times > 0 else 0
                    self.stats.faults += 1
                    return fault
            return None

    def cached_prefix(self, model: str, parts: list[str]) -> int:
        """Tokens of the longest run of leading parts seen before; records this request's runs."""
        digest, cached, hit = hashlib.sha256(model.encode()), 0, True
        with self._lock:
            for part in parts:
                digest.update(hashlib.sha256(part.encode()).digest())
                key = digest.hexdigest()
                hit = hit and key in self._seen
                cached += estimate_tokens(part) if hit else 0
                self._seen.add(key)
        return cached

    def record(self, ex: Exchange, prompt: int, completion: int, cached: int) -> None:
        with self._lock:
            s = self.stats
            s.answered += 1
            s.prompt_tokens += prompt
            s.completion_tokens += completion
            s.cached_tokens += cached
            stage = ex.stage or "unknown"
            s.by_stage[stage] += 1
            s.by_model[ex.model] += 1
            s.by_api[ex.api] += 1
            s.prompt_tokens_by_stage[stage] += prompt
            self.requests.append(ex.body)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {f.name: _plain(getattr(self.stats, f.name)) for f in fields(self.stats)}

    # ------------------------------------------------------------ one exchange

    def handle(self, ex: Exchange) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, body) for one parsed request."""
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        fault = self.take_fault(ex.stage)
        if fault is not None and fault.kind in ("429", "500"):
            return _error(ex.api, fault)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_ms / 1000)
        content, truncated = self._content(ex, fault)
        parts = ex.prompt_parts()
        prompt = sum(estimate_tokens(p) for p in parts)
        cached = self.cached_prefix(ex.model, parts)
        cached = cached if prompt >= self.cache_min_tokens else 0
        completion = max(1, estimate_tokens(content))
        self.record(ex, prompt, completion, cached)
        builder = _anthropic_body if ex.api == "anthropic" else _openai_body
        usage = {
            "prompt": prompt,
            "completion": completion,
            "cached": cached,
            "prefix": sum(estimate_tokens(p) for p in parts[: ex.prefix_parts]),
        }
        return 200, {}, builder(ex, content, truncated, usage)

    def _content(self, ex: Exchange, fault: Fault | None) -> tuple[str, bool]:
        obj = answers.answer(ex.stage, ex.schema, ex.user)
        kind = fault.kind if fault else None
        if kind == "out_of_enum":
            obj = answers.break_enum(obj, ex.schema)
        text = compact_json(obj)
        if kind == "invalid_json":
            return text[:-1] + ",}", False
        if kind == "truncated":
            return text[: len(text) // 2], True
        if kind == "empty":
            return "", False
        if kind == "reply" and fault is not None:
            return fault.content, False
        return text, False


def _object_or_none(content: str) -> dict[str, Any] | None:
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Counter) else value


def _error(api: str, fault: Fault) -> tuple[int, dict[str, str], dict[str, Any]]:
    status = int(fault.kind)
    kind = "rate_limit_error" if status == 429 else "api_error"
    headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after else {}
    message = {"message": f"fake {status}", "type": kind}
    body = {"type": "error", "error": message} if api == "anthropic" else {"error": message}
    return status, headers, body


def _openai_body(ex: Exchange, content: str, truncated: bool, u: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if ex.tool_name:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_fake",
                    "type": "function",
                    "function": {"name": ex.tool_name, "arguments": content},
                }
            ],
        }
    finish = "length" if truncated else ("tool_calls" if ex.tool_name else "stop")
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": ex.model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": u["prompt"],
            "completion_tokens": u["completion"],
            "total_tokens": u["prompt"] + u["completion"],
            "prompt_tokens_details": {"cached_tokens": u["cached"]},
        },
    }


def _anthropic_body(
    ex: Exchange, content: str, truncated: bool, u: dict[str, int]
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": content}
    tool_input = _object_or_none(content) if ex.tool_name and not truncated else None
    if tool_input is not None:  # broken JSON cannot be a tool input: it is sent as text
        block = {"type": "tool_use", "id": "toolu_fake", "name": ex.tool_name, "input": tool_input}
    read = u["cached"]
    created = u["prefix"] if ex.cache_control and read < u["prefix"] else 0
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": ex.model,
        "content": [block],
        "stop_reason": "max_tokens"
        if truncated
        else ("tool_use" if block["type"] == "tool_use" else "end_turn"),
        "stop_sequence": None,
        "usage": {
            "input_tokens": u["prompt"] - read - created,
            "output_tokens": u["completion"],
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": created,
        },
    }


# ---------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per reply (flushed per request): no Nagle/delayed-ACK stalls
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/_admin/stats":
            return self._send(200, {}, self.server.fake.snapshot())
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            models = [{"id": "fake", "object": "model"}]
            return self._send(200, {}, {"object": "list", "data": models})
        return self._send(404, {}, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        body = self._body()
        fake, path = self.server.fake, self.path.split("?")[0].rstrip("/")
        if path == "/_admin/faults":
            fake.set_faults([Fault(**f) for f in body.get("faults", [])])
            return self._send(200, {}, {"ok": True})
        if path == "/_admin/reset":
            fake.reset(forget_cache=bool(body.get("forget_cache", True)))
            return self._send(200, {}, {"ok": True})
        if path.endswith("/chat/completions"):
            return self._send(*fake.handle(parse_openai(body)))
        if path.endswith("/messages"):
            return self._send(*fake.handle(parse_anthropic(body)))
        return self._send(404, {}, {"error": {"message": f"no route {self.path}"}})

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        data = json.loads(raw or b"{}")
        return data if isinstance(data, dict) else {}

    def _send(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLM


class FakeLLMServer:
    """The HTTP server around a :class:`FakeLLM`, run in a background thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency_ms: int = 0,
        faults: list[Fault] | None = None,
        cache_min_tokens: int = 0,
    ) -> None:
        self.fake = FakeLLM(latency_ms=latency_ms, faults=faults, cache_min_tokens=cache_min_tokens)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self.fake
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for the Anthropic SDK; the OpenAI SDK wants :attr:`openai_url`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> FakeLLMServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, daemon=True, name="fake-llm"
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop_listening(self) -> None:
        """Close the socket of a server run with :meth:`serve_forever` in this thread."""
        self._httpd.server_close()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def stats(self) -> dict[str, Any]:
        return self.fake.snapshot()

    def set_faults(self, *faults: Fault) -> None:
        self.fake.set_faults(list(faults))

    def reset(self, *, forget_cache: bool = True) -> None:
        self.fake.reset(forget_cache=forget_cache)


@contextlib.contextmanager
def running_fake_llm(
    *,
    latency_ms: int = 0,
    faults: list[Fault] | None = None,
    port: int = 0,
    cache_min_tokens: int = 0,
) -> Iterator[FakeLLMServer]:
    """A started fake server on 127.0.0.1 (a free port by default), stopped on exit."""
    server = FakeLLMServer(
        port=port, latency_ms=latency_ms, faults=faults, cache_min_tokens=cache_min_tokens
    ).start()
    try:
        yield server
    finally:
        server.stop()
