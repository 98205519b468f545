"""``make screenshots``: a PNG of each console page in docs/console/ (not a test).

Starts the fake LLM server and ``indiclass serve`` (LLM_PROVIDER=local) in a tmp dir, submits a
batch through the Submit page, corrects one field, and photographs every page in Debian's
Chromium. Usage: python tests/browser/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))

from browser_support import chromium_missing, indicator_rows, launch, running_console, write_jsonl

from indiclass.testing import Fault, running_fake_llm

PAGES = {
    "batches": "/",
    "batch": "/ui/batch?id={trace}",
    "indicator": "/ui/indicator?id={indicator}",
    "review": "/ui/review?below=0.95",
    "submit": "/ui/submit",
    "login": "/ui/login",
}


def main(out: Path) -> None:
    if reason := chromium_missing():
        sys.exit(reason)
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    faults = [Fault("invalid_json", times=6, stage="type"), Fault("500", times=4, stage="family")]
    with (
        tempfile.TemporaryDirectory() as work,
        running_fake_llm(latency_ms=60, faults=faults) as llm,
        running_console(Path(work), llm.openai_url) as console,
        sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        page = browser.new_page(base_url=console.url, viewport={"width": 1360, "height": 900})
        rows = indicator_rows("demo", 40)
        upload = write_jsonl(Path(work) / "indicators.jsonl", rows)
        page.goto("/ui/submit")
        page.set_input_files("input[name=upload]", str(upload))
        page.select_option("select[name=provider]", "local")
        page.fill("input[name=trace_id]", "demo/2026-q4")
        page.click("#submit-form button[type=submit]")
        page.wait_for_url(re.compile(r"/ui/batch"))
        expect(page.locator("#batch-status")).to_have_text(
            re.compile("completed|degraded"), timeout=120_000
        )
        time.sleep(1.0)
        indicator = rows[2]["id"]
        with console.client() as http:
            _more_batches(http, llm)
            http.post(
                f"/classifications/{quote(indicator, safe='')}/overrides",
                json={
                    "fields": {"heat_map_orientation": "lower-is-positive"},
                    "reason": "inflation: lower is better",
                    "who": "analyst",
                },
            )
        for name, path in PAGES.items():
            page.goto(path.format(trace=quote("demo/2026-q4", safe=""), indicator=indicator))
            page.wait_for_load_state("networkidle")
            if name == "indicator":
                page.locator("details.call >> nth=0").evaluate("d => d.open = true")
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(f"wrote {out / f'{name}.png'}")
        browser.close()
    foreign = console.foreign_requests()
    if foreign:
        sys.exit(f"requests left 127.0.0.1: {foreign}")


def _more_batches(http: Any, llm: Any) -> None:
    """A rules batch, and an LLM batch whose type stage keeps failing (rules fallbacks)."""
    http.post(
        "/classify/batch",
        json={
            "indicators": indicator_rows("rules", 25),
            "llm_provider": "rules",
            "trace_id": "nightly/rules",
        },
    )
    llm.fake.set_faults([Fault("500", times=-1, stage="type", retry_after=None)])
    trace = http.post(
        "/classify/batch",
        json={
            "indicators": indicator_rows("flaky", 10),
            "llm_provider": "local",
            "trace_id": "flaky/type-stage-down",
        },
    ).json()["trace_id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not http.get(f"/batches/{quote(trace)}").json()["done"]:
        time.sleep(0.5)
    llm.fake.set_faults([])


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/console"))
