"""The fake server's HTTP/1.1 layer over real sockets: hundreds of connections in flight, a deep
listen backlog, keep-alive, chunked bodies, ``Expect: 100-continue``, errors in the API's shape."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from indiclass.testing import running_fake_llm
from indiclass.testing.http11 import BACKLOG, listening_socket

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "name: GDP"}]}


def http(method: str, path: str, body: bytes = b"", *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "host: 127.0.0.1", *headers]
    if body and not any(h.lower().startswith("transfer-encoding") for h in headers):
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response from a blocking socket: (status, headers, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", 0)):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, body


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


async def one_call(port: int, body: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(http("POST", "/v1/chat/completions", body))
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status


async def many_calls(port: int, n: int) -> list[int]:
    body = json.dumps(CHAT).encode()
    return await asyncio.gather(*(one_call(port, body) for _ in range(n)))


def test_hundreds_of_connections_in_flight_are_all_answered():
    with running_fake_llm(latency_ms=1500) as server:
        statuses = asyncio.run(many_calls(server.port, 400))
        stats = server.stats()
    assert statuses == [200] * 400
    assert stats["answered"] == 400 and stats["in_flight"] == 0
    assert stats["peak_in_flight"] > 100  # they waited out the latency together, not in turn


def test_the_listen_backlog_queues_a_thousand_connections_before_any_accept():
    listener = listening_socket("127.0.0.1", 0)
    port = listener.getsockname()[1]
    clients = []
    try:
        for _ in range(1100):  # nobody accepts: each connect completes from the backlog
            sock = socket.socket()
            sock.settimeout(2)
            sock.connect(("127.0.0.1", port))
            clients.append(sock)
    finally:
        for sock in clients:
            sock.close()
        listener.close()
    assert BACKLOG >= 1024 and len(clients) == 1100


def test_keep_alive_answers_several_requests_on_one_connection():
    with running_fake_llm() as server, connect(server.port) as sock:
        for _ in range(3):
            sock.sendall(http("GET", "/_admin/stats"))
            status, headers, body = read_response(sock)
            assert status == 200 and headers["connection"] == "keep-alive"
            assert json.loads(body)["answered"] == 0


def test_connection_close_and_http_1_0_close_after_the_reply():
    with running_fake_llm() as server:
        for request in (
            http("GET", "/v1/models", b"", "connection: close"),
            b"GET /v1/models HTTP/1.0\r\n\r\n",
        ):
            with connect(server.port) as sock:
                sock.sendall(request)
                status, headers, _ = read_response(sock)
                assert (status, headers["connection"]) == (200, "close")
                assert sock.recv(10) == b""  # the server closed its side


def test_a_chunked_body_with_expect_continue_is_read_whole():
    body = json.dumps(CHAT).encode()
    parts = [body[i : i + 30] for i in range(0, len(body), 30)]
    chunks = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    with running_fake_llm() as server, connect(server.port) as sock:
        chunked = ("transfer-encoding: chunked", "expect: 100-continue")
        sock.sendall(http("POST", "/v1/chat/completions", b"", *chunked))
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(chunks)
        status, _, reply = read_response(sock)
    assert status == 200 and json.loads(reply)["object"] == "chat.completion"


@pytest.mark.parametrize(
    ("request_bytes", "status", "anthropic"),
    [
        (http("GET", "/v1/nowhere"), 404, False),
        (http("GET", "/v1/chat/completions"), 405, False),
        (http("POST", "/v1/messages", b"not json", "anthropic-version: 2023-06-01"), 400, True),
    ],
)
def test_errors_come_in_the_shape_of_the_api_asked(request_bytes, status, anthropic):
    with running_fake_llm() as server, connect(server.port) as sock:
        sock.sendall(request_bytes)
        got, _, body = read_response(sock)
    error = json.loads(body)
    assert got == status and error["error"]["message"]
    assert (error.get("type") == "error") is anthropic


def test_a_malformed_request_line_is_a_400_and_the_connection_closes():
    with running_fake_llm() as server, connect(server.port) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        status, headers, _ = read_response(sock)
        assert (status, headers["connection"]) == (400, "close")
        assert sock.recv(10) == b""
