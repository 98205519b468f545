"""The console in headless Chromium against a real server: submit a file and watch the batch
finish live, read an indicator's stages and LLM exchanges, correct a field from the review
queue and see the correction survive a forced re-run, and never a request off 127.0.0.1."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from browser_support import Console, indicator_rows, write_jsonl

expect = pytest.importorskip("playwright.sync_api", reason="the browser extra").expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def _submit(page: Any, tmp_path: Path, prefix: str, n: int = 12) -> str:
    """Submit a JSONL file through the Submit page; returns the batch's trace_id."""
    upload = write_jsonl(tmp_path / f"{prefix}.jsonl", indicator_rows(prefix, n))
    page.goto("/ui/submit")
    page.set_input_files("input[name=upload]", str(upload))
    page.select_option("select[name=provider]", "local")
    page.fill("input[name=trace_id]", f"{prefix}/batch")
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(re.compile(r"/ui/batch\?id="))
    return unquote(page.url.split("id=", 1)[1])


def test_submit_a_file_and_watch_the_batch_finish_live(
    page: Any, console: Console, tmp_path: Path
) -> None:
    trace = _submit(page, tmp_path, "live", 16)
    seen = [page.inner_text("#batch-status")]
    assert seen[0] in ("queued", "running"), seen
    assert page.get_attribute("#summary", "data-live")  # the summary streams over SSE
    deadline = time.monotonic() + 90
    while "completed" not in seen[-1] and time.monotonic() < deadline:
        page.wait_for_timeout(150)
        seen.append(page.locator("#batch-status").inner_text())
    assert seen[-1] == "completed", seen
    progress = [s for s in seen if s == "running"]
    assert progress, f"never saw the batch running: {seen}"
    page.wait_for_selector("#members tbody tr")  # the page reloads itself once it is done
    assert page.locator("#members tbody tr").count() == 16
    assert "16 of 16" in page.inner_text("#batch-completed")
    assert page.locator("svg.chart").count() >= 3
    page.goto("/")
    row = page.locator(f"tr[data-trace='{trace}']")
    assert "completed" in row.inner_text()


def test_an_indicator_shows_its_stages_and_llm_exchanges(
    page: Any, console: Console, tmp_path: Path
) -> None:
    _submit(page, tmp_path, "read", 4)
    page.wait_for_selector("#members tbody tr a", timeout=60_000)
    _finished(page)
    page.click("#members tbody tr a >> nth=0")
    page.wait_for_url(re.compile(r"/ui/indicator\?id="))
    stages = page.locator("#stages tr.stage td:first-child").all_inner_texts()
    assert {"normalize", "time", "family", "type", "boolean-review"} <= set(stages), stages
    assert page.locator("svg.sparkline").count() == 1
    calls = page.locator("details.call")
    assert calls.count() >= 3
    first = calls.nth(0)
    first.locator("summary").click()
    assert "local" in first.locator("summary").inner_text()
    assert first.locator("pre").nth(0).inner_text().strip()  # the system prompt
    reply = first.locator("pre.reply").inner_text()
    assert reply.startswith("{") and "confidence" in reply


def test_a_correction_from_the_review_queue_survives_a_forced_rerun(
    page: Any, console: Console, tmp_path: Path
) -> None:
    trace = _submit(page, tmp_path, "fix", 6)
    _finished(page)
    page.goto(f"/ui/review?batch={trace}&below=1")
    rows = page.locator("#review tbody tr[data-id]")
    before = rows.count()
    assert before >= 3, before
    page.keyboard.press("j")
    target = page.locator("#review tr.selected").get_attribute("data-id")
    assert target == rows.nth(1).get_attribute("data-id")
    page.keyboard.press("c")
    selected = page.locator("#review tr.selected")
    selected.locator("select[name=field]").select_option("scale")
    selected.locator("input[name=value]").fill("billions")
    selected.locator("input[name=value]").press("Enter")
    expect(rows).to_have_count(before - 1)
    assert target not in page.inner_text("#review")
    page.keyboard.press("a")  # accept the first one as it is
    expect(rows).to_have_count(before - 2)
    assert console.sql("SELECT scale FROM classifications WHERE indicator_id = ?", target) == [
        ("billions",)
    ]
    (source,) = console.sql(
        "SELECT name, units, periodicity FROM source_indicators WHERE indicator_id = ?", target
    )
    indicator = dict(zip(("name", "units", "periodicity"), source, strict=True))
    with console.client() as http:  # the forced re-run: engine.submit(..., force=True)
        body = {"indicators": [{"id": target, **indicator}], "force": True}
        rerun = http.post("/classify/batch", json=body).json()["trace_id"]
        _wait_done(http, rerun)
    assert console.sql(
        "SELECT scale, trace_id FROM classifications WHERE indicator_id = ?", target
    ) == [("billions", rerun)]
    page.goto(f"/ui/indicator?id={target}")
    scale = page.locator("dd[data-field=scale]").inner_text()
    assert scale.startswith("billions") and "override by" in scale


def _finished(page: Any) -> None:
    """Wait until the live summary says completed (locators: the page's CSP forbids eval)."""
    expect(page.locator("#batch-status")).to_have_text("completed", timeout=60_000)


def _wait_done(http: Any, trace: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if http.get(f"/batches/{trace}").json()["done"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"batch {trace} not done")


def test_api_docs_render_offline(page: Any, console: Console) -> None:
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "indiclass" in page.inner_text(".swagger-ui .info .title")
    page.goto("/redoc")
    page.wait_for_selector("redoc h1, [role=main] h1, h1", timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert not console.foreign_requests(), console.foreign_requests()
