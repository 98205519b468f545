"""The console with an API key on the server: refused without it, the key form opens it and
leaves an HttpOnly, SameSite=Strict session cookie that never holds the key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import Console, running_console

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
KEY = "console-s3cret"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with running_console(tmp_path_factory.mktemp("keyed"), None, API_KEY=KEY) as c:
        yield c
    assert not c.foreign_requests(), c.foreign_requests()


def test_the_console_refuses_without_the_key_and_opens_with_it(
    browser: Any, console: Console
) -> None:
    context = browser.new_context(base_url=console.url)
    page = console.watch(context.new_page())
    refused = page.goto("/ui/review")
    assert refused.status == 401 and page.locator("#login-form").count() == 1
    page.fill("input[name=key]", "not it")
    page.click("#login-form button")
    assert "wrong key" in page.inner_text("main")
    page.fill("input[name=key]", KEY)
    page.click("#login-form button")
    page.wait_for_url("**/ui/review")
    assert page.inner_text("h1") == "Review queue"
    (session,) = [c for c in context.cookies() if c["name"] == "ic_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert KEY not in session["value"]
    assert page.goto("/").status == 200
    context.close()
    stranger = browser.new_context(base_url=console.url)
    other = console.watch(stranger.new_page())
    assert other.goto("/").status == 401
    assert other.goto("/ui/submit").status == 401
    stranger.close()
