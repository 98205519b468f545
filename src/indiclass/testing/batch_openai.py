"""The fake OpenAI Files and Batch APIs over HTTP (``/v1/files``, ``/v1/batches``), in the
shapes the ``openai`` SDK reads. The state machine is :mod:`fake_batches`."""

from __future__ import annotations

import email.policy
import json
from collections.abc import Sequence
from email.parser import BytesParser
from typing import Any

from indiclass.testing.batch_http import DAY_S, call, page, page_limit, seconds
from indiclass.testing.fake_batches import (
    ENDPOINTS,
    Batch,
    BatchError,
    BatchRequest,
    BatchStore,
    Result,
    StoredFile,
)
from indiclass.testing.routing import HTTPError, Request, Response, Route, json_response

FILE_PURPOSES = frozenset({"batch", "assistants", "fine-tune", "vision", "user_data", "evals"})


def routes(store: BatchStore) -> list[Route]:
    async def upload(request: Request) -> Response:
        fields = form_fields(request.headers.get("content-type", ""), request.body)
        purpose = fields.get("purpose", (None, b""))[1].decode()
        if "file" not in fields or purpose not in FILE_PURPOSES:
            raise HTTPError(400, f"a file and a purpose ({', '.join(sorted(FILE_PURPOSES))})")
        name, content = fields["file"]
        stored = await call(store.add_file, name or "upload.jsonl", purpose, content)
        return json_response(200, file_object(stored))

    async def files(request: Request) -> Response:
        purpose = request.query.get("purpose")
        listed = [f for f in reversed(list(store.files.values())) if purpose in (None, f.purpose)]
        data, more = page(listed, page_limit(request, 10_000), request.query.get("after"), None)
        return json_response(200, _openai_list([file_object(f) for f in data], more))

    async def file(request: Request) -> Response:
        return json_response(200, file_object(await call(store.file, request.params["id"])))

    async def delete_file(request: Request) -> Response:
        stored = await call(store.delete_file, request.params["id"])
        return json_response(200, {"id": stored.id, "object": "file", "deleted": True})

    async def content(request: Request) -> Response:
        data = await call(store.download, request.params["id"])
        return Response(200, data, content_type="application/octet-stream")

    async def create(request: Request) -> Response:
        batch = await call(_create_openai, store, request.json())
        return json_response(200, openai_batch(batch, store.clock()))

    async def retrieve(request: Request) -> Response:
        batch = await call(store.retrieve, "openai", request.params["id"])
        return json_response(200, openai_batch(batch, store.clock()))

    async def listing(request: Request) -> Response:
        batches = await call(store.listing, "openai")
        data, more = page(batches, page_limit(request, 100), request.query.get("after"), None)
        now = store.clock()
        return json_response(200, _openai_list([openai_batch(b, now) for b in data], more))

    async def cancel(request: Request) -> Response:
        batch = await call(store.cancel, "openai", request.params["id"])
        return json_response(200, openai_batch(batch, store.clock()))

    one_file, one_batch = r"(/v1)?/files/(?P<id>[^/]+)", r"(/v1)?/batches/(?P<id>[^/]+)"
    return [
        ("POST", r"(/v1)?/files", upload),
        ("GET", r"(/v1)?/files", files),
        ("GET", one_file, file),
        ("DELETE", one_file, delete_file),
        ("GET", one_file + "/content", content),
        ("POST", r"(/v1)?/batches", create),
        ("GET", r"(/v1)?/batches", listing),
        ("GET", one_batch, retrieve),
        ("POST", one_batch + "/cancel", cancel),
    ]


def _create_openai(store: BatchStore, body: dict[str, Any]) -> Batch:
    if body.get("endpoint") != ENDPOINTS["openai"]:
        raise BatchError(400, f"endpoint must be {ENDPOINTS['openai']} (the fake serves no other)")
    if body.get("completion_window") != "24h":
        raise BatchError(400, "completion_window must be '24h'")
    metadata = _metadata(body.get("metadata"))
    stored = store.file(str(body.get("input_file_id")))
    if stored.purpose != "batch":
        raise BatchError(400, f"file {stored.id} has purpose {stored.purpose!r}, not 'batch'")
    requests, invalid = read_openai_input(stored.content, ENDPOINTS["openai"])
    return store.create(
        "openai", requests, metadata=metadata, input_file_id=stored.id, invalid=invalid
    )


def read_openai_input(
    content: bytes, endpoint: str
) -> tuple[list[BatchRequest], list[dict[str, Any]]]:
    """The requests of an input file, and its errors (any error fails the whole batch)."""
    requests: list[BatchRequest] = []
    errors: list[dict[str, Any]] = []
    for number, line in enumerate(content.decode(errors="replace").splitlines(), 1):
        if line.strip():
            request, error = _input_line(line, number, endpoint, {r.custom_id for r in requests})
            requests += [request] if request else []
            errors += [error] if error else []
    models = {str(r.body.get("model")) for r in requests}
    if not requests and not errors:
        errors.append(_line_error("empty_file", None, "The input file has no requests."))
    if len(models) > 1:
        message = f"A batch may use one model; the file uses {', '.join(sorted(models))}."
        errors.append(_line_error("mismatched_model", None, message, "body.model"))
    return requests, errors


def _input_line(
    line: str, number: int, endpoint: str, seen: set[str]
) -> tuple[BatchRequest | None, dict[str, Any] | None]:
    try:
        item = json.loads(line)
    except ValueError:
        return None, _line_error("invalid_json_line", number, "This line is not valid JSON.")
    if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
        return None, _line_error("missing_required_parameter", number, "custom_id", "custom_id")
    problem = _line_problem(item, endpoint, seen)
    if problem is not None:
        code, message, param = problem
        return None, _line_error(code, number, message, param)
    return BatchRequest(item["custom_id"], item["body"]), None


def _line_problem(
    item: dict[str, Any], endpoint: str, seen: set[str]
) -> tuple[str, str, str] | None:
    """(code, message, param) of what is wrong with one input line, if anything."""
    if item["custom_id"] in seen:
        return "duplicate_custom_id", f"custom_id {item['custom_id']!r} is used twice", "custom_id"
    if item.get("method") != "POST":
        return "invalid_method", "method must be POST", "method"
    if item.get("url") != endpoint:
        return "invalid_url", f"url must be the batch endpoint {endpoint}", "url"
    if not isinstance(item.get("body"), dict):
        return "invalid_request", "body must be a JSON object", "body"
    return None


def _line_error(
    code: str, line: int | None, message: str, param: str | None = None
) -> dict[str, Any]:
    return {"code": code, "line": line, "message": message, "param": param}


def _metadata(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    ok = isinstance(value, dict) and len(value) <= 16
    ok = ok and all(isinstance(k, str) and len(k) <= 64 for k in value)
    ok = ok and all(isinstance(v, str) and len(v) <= 512 for v in value.values())
    if not ok:
        raise BatchError(400, "metadata: at most 16 string pairs, keys <= 64, values <= 512 chars")
    return dict(value)


def file_object(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.id,
        "object": "file",
        "bytes": len(stored.content),
        "created_at": int(stored.created_at),
        "filename": stored.filename,
        "purpose": stored.purpose,
        "status": "processed",
        "expires_at": None,
        "status_details": None,
    }


def openai_batch(batch: Batch, now: float) -> dict[str, Any]:
    """The Batch object as ``GET /v1/batches/{id}`` returns it."""
    phase, counts = batch.phase(now), batch.counts()
    ended = seconds(batch.ended_at)
    return {
        "id": batch.id,
        "object": "batch",
        "endpoint": ENDPOINTS["openai"],
        "model": batch.model,
        "errors": {"object": "list", "data": batch.invalid} if phase == "failed" else None,
        "input_file_id": batch.input_file_id,
        "completion_window": "24h",
        "status": phase,
        "output_file_id": batch.output_file_id,
        "error_file_id": batch.error_file_id,
        "created_at": int(batch.created_at),
        "in_progress_at": int(batch.created_at) if phase not in ("validating", "failed") else None,
        "expires_at": int(batch.created_at) + DAY_S,
        "finalizing_at": ended if phase in ("completed", "expired") else _finalizing(batch, now),
        "completed_at": ended if phase == "completed" else None,
        "failed_at": int(batch.created_at) if phase == "failed" else None,
        "expired_at": ended if phase == "expired" else None,
        "cancelling_at": seconds(batch.cancel_requested_at),
        "cancelled_at": ended if phase == "cancelled" else None,
        "request_counts": {
            "total": len(batch.requests),
            "completed": counts["succeeded"],
            "failed": counts["errored"] + counts["expired"],
        },
        "usage": _openai_usage(batch.results) if batch.results is not None else None,
        "metadata": batch.metadata,
    }


def _finalizing(batch: Batch, now: float) -> int | None:
    return int(now) if batch.phase(now) == "finalizing" else None


def _openai_usage(results: Sequence[Result]) -> dict[str, Any]:
    usages = [(r.body or {}).get("usage", {}) for r in results if r.kind == "succeeded"]
    prompt = sum(u.get("prompt_tokens", 0) for u in usages)
    output = sum(u.get("completion_tokens", 0) for u in usages)
    cached = sum(u.get("prompt_tokens_details", {}).get("cached_tokens", 0) for u in usages)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + output,
    }


def _openai_list(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
    return {
        "object": "list",
        "data": data,
        "first_id": first,
        "last_id": last,
        "has_more": has_more,
    }


def form_fields(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a multipart/form-data body: name -> (filename, content)."""
    head = f"content-type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise HTTPError(400, "expected a multipart/form-data body")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        fields[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields
