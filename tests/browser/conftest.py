"""Browser fixtures: Debian's Chromium through Playwright (skipped with the reason where it
is missing; in CI, where ``.ci/run`` installs it, a missing browser is a failure)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import Console, chromium_missing, launch, running_console

from indiclass.testing import running_fake_llm


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module. Not for the session: Playwright's sync API keeps an event loop
    running on the main thread while it lives, and the rest of the suite (DBOS's sync API,
    asyncio.run) refuses to run under one."""
    if reason := chromium_missing():
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[Any]:
    with running_fake_llm(latency_ms=120) as server:
        yield server


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, fake_llm: Any) -> Iterator[Console]:
    with running_console(tmp_path_factory.mktemp("console"), fake_llm.openai_url) as c:
        yield c
    assert not c.foreign_requests(), c.foreign_requests()


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    context = browser.new_context(base_url=console.url)
    page = console.watch(context.new_page())
    page.set_default_timeout(30_000)
    yield page
    context.close()
