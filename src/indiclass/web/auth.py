"""The console's access rule, the API's: when the server has ``API_KEY``, a person gives the key
once in a form and gets a session cookie (HttpOnly, SameSite=Strict; its value is an HMAC of the
key, never the key); the ``x-api-key`` header works too. No key on the server: no login.

Every state-changing form carries a CSRF token: an HMAC, under the console's secret, of a random
per-browser cookie (``ic_csrf``, HttpOnly, SameSite=Strict). The secret is derived from the key
(stable across restarts) or, without a key, random per process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

SESSION_COOKIE = "ic_session"
CSRF_COOKIE = "ic_csrf"
CSRF_FIELD = "csrf"


def keys_match(given: str | None, expected: str) -> bool:
    """True when ``given`` is the key, in constant time: SHA-256 digests of both (equal
    lengths) are compared with ``hmac.compare_digest``."""
    left = hashlib.sha256((given or "").encode("utf-8", "surrogatepass")).digest()
    right = hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(left, right) and given is not None


class NeedsKey(Exception):
    """A console page asked without the key: answered with the key form (401)."""


class BadCsrf(Exception):
    """A form posted without a valid CSRF token (403)."""


@dataclass(frozen=True)
class Gate:
    """The console's key and secret (``app.state.console_gate``)."""

    api_key: str | None
    secret: bytes

    @classmethod
    def for_key(cls, api_key: str | None) -> Gate:
        if api_key:
            return cls(
                api_key, hmac.new(api_key.encode(), b"indiclass-console-1", "sha256").digest()
            )
        return cls(None, secrets.token_bytes(32))

    def session_value(self) -> str:
        assert self.api_key is not None
        return hmac.new(self.secret, b"session", "sha256").hexdigest()

    def allowed(self, request: Request) -> bool:
        if not self.api_key:
            return True
        if keys_match(request.headers.get("x-api-key"), self.api_key):
            return True
        return keys_match(request.cookies.get(SESSION_COOKIE), self.session_value())

    def csrf_token(self, browser: str) -> str:
        return hmac.new(self.secret, f"csrf:{browser}".encode(), "sha256").hexdigest()

    def check_csrf(self, request: Request, token: str | None) -> None:
        browser = request.cookies.get(CSRF_COOKIE)
        if not browser or not keys_match(token, self.csrf_token(browser)):
            raise BadCsrf("the form is stale or came from elsewhere: reload the page and retry")


def gate(request: Request) -> Gate:
    found: Gate = request.app.state.console_gate
    return found


def require_key(request: Request) -> None:
    """FastAPI dependency of every console route but the key form."""
    if not gate(request).allowed(request):
        raise NeedsKey()


def browser_id(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie value, and whether it is new (to be set on the response)."""
    found = request.cookies.get(CSRF_COOKIE)
    if found and len(found) == 32:
        return found, False
    return secrets.token_hex(16), True


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/")


def login(response: Response, g: Gate) -> None:
    set_cookie(response, SESSION_COOKIE, g.session_value(), max_age=30 * 24 * 3600)


def logout(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
