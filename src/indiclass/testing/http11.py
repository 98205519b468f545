"""A lean asyncio HTTP/1.1 server for the fake LLM: one coroutine per connection, keep-alive,
``content-length`` and chunked request bodies, ``Expect: 100-continue``; no TLS, no upgrades.

Why not uvicorn: with h11 (uvicorn's pure-Python parser, as installed here) the HTTP layer costs
several times the fake's own answer per request; this server reads a request head with one
``readuntil`` and writes a response with one ``write`` (see docs/benchmarks.md, "Fake LLM server").
"""

from __future__ import annotations

import asyncio
import socket
import time
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote

from indiclass.testing.routing import Request, Response, Router

BACKLOG = 2048
"""Listen backlog: connections the kernel queues before the server accepts them."""
IDLE_TIMEOUT_S = 120.0
"""A keep-alive connection idle this long is closed (longer than client pools keep one idle, so
a client never reuses a connection the server is closing)."""
MAX_HEAD = 1 << 16

_REASONS = {s.value: s.phrase for s in HTTPStatus}


class BadRequest(Exception):
    """The bytes on a connection are not an HTTP/1.1 request: answered 400, then closed."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket (backlog :data:`BACKLOG`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


class HTTPServer:
    """Serves ``router`` on an already listening socket until :meth:`serve`'s event is set."""

    def __init__(self, router: Router, sock: socket.socket) -> None:
        self.router = router
        self.sock = sock
        self._open: dict[asyncio.StreamWriter, float] = {}
        """Every open connection and when it last finished a request (0 while one runs)."""
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self, stop: asyncio.Event) -> None:
        server = await asyncio.start_server(
            self._connection, sock=self.sock, backlog=BACKLOG, limit=MAX_HEAD
        )
        sweeper = asyncio.create_task(self._close_idle())
        try:
            await stop.wait()
        finally:
            sweeper.cancel()
            server.close()
            await self._close_connections()

    async def _close_connections(self) -> None:
        """Close every connection and let its coroutine end (in-flight replies are dropped)."""
        for writer in list(self._open):
            writer.close()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._open[writer] = time.monotonic()
        try:
            await self._requests(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the server is stopping
        except (BadRequest, asyncio.LimitOverrunError, ValueError):
            writer.write(_encode(Response(400, b'{"error":{"message":"bad request"}}'), False))
        finally:
            self._open.pop(writer, None)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _requests(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            self._open[writer] = 0.0
            request, keep_alive = _parse_head(head)
            if request.headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.body = await _read_body(reader, request.headers)
            response = await self.router.dispatch(request)
            writer.write(_encode(response, keep_alive))
            await writer.drain()
            if not keep_alive:
                return
            self._open[writer] = time.monotonic()

    async def _close_idle(self) -> None:
        while True:
            await asyncio.sleep(IDLE_TIMEOUT_S / 4)
            cutoff = time.monotonic() - IDLE_TIMEOUT_S
            for writer, since in list(self._open.items()):
                if 0 < since < cutoff:
                    writer.close()


def _parse_head(head: bytes) -> tuple[Request, bool]:
    lines = head[:-4].decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise BadRequest(lines[0]) from None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise BadRequest(line)
        headers[name.strip().lower()] = value.strip()
    path, _, query = target.partition("?")
    connection = headers.get("connection", "").lower()
    keep_alive = connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"
    request = Request(method, unquote(path), dict(parse_qsl(query)), headers, b"")
    return request, keep_alive


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    length = int(headers.get("content-length") or 0)
    return await reader.readexactly(length) if length else b""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _encode(response: Response, keep_alive: bool) -> bytes:
    reason = _REASONS.get(response.status, "")
    lines = [
        f"HTTP/1.1 {response.status} {reason}",
        f"content-type: {response.content_type}",
        f"content-length: {len(response.body)}",
        "connection: keep-alive" if keep_alive else "connection: close",
        *(f"{name}: {value}" for name, value in response.headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body
