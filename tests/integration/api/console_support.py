"""Helpers for the console tests: the CSRF token of a page, a logged-in form post."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def csrf(client: TestClient, path: str = "/ui/submit") -> str:
    """The CSRF token of a page (getting it also sets this browser's ``ic_csrf`` cookie)."""
    html = client.get(path).text
    found = re.search(r'name="csrf" content="([0-9a-f]+)"', html)
    assert found, html[:500]
    return found.group(1)


def post(client: TestClient, path: str, data: dict, **kwargs):
    return client.post(path, data={**data, "csrf": csrf(client)}, follow_redirects=False, **kwargs)
