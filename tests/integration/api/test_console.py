"""The console on the real engine and store: pages, the key rule, CSRF, the forms (retry,
cancel, corrections, accept, submit) and the exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from api_support import World, unique
from console_support import csrf, post
from fastapi.testclient import TestClient

from indiclass.domain.models import Indicator
from indiclass.testing.batches import stored_batch

SHAPES = [
    ("GDP Annual Growth Rate", "%", "Quarterly"),
    ("Exports", "USD Million", "Monthly"),
    ("Consumer Price Index", "Index 2015=100", "Monthly"),
    ("10-Year Bond Yield", "%", "Daily"),
]


def _batch(world: World, n: int = 4, fail: int = 0) -> tuple[str, list[Indicator]]:
    prefix = unique("W")
    inds = [
        Indicator(
            indicator_id=f"{prefix}/{k}",
            name=SHAPES[k % 4][0],
            units=SHAPES[k % 4][1],
            periodicity=SHAPES[k % 4][2],
            sample_values=[
                {"date": f"2024-{m:02d}-01", "value": k + m * 1.5} for m in range(1, 13)
            ],
        )
        for k in range(n)
    ]
    failures = {inds[k].indicator_id: ("family", f"scripted failure {k}") for k in range(fail)}
    return stored_batch(world.engine.store, inds, failures=failures), inds


def test_the_pages_show_a_batch(client: TestClient, world: World) -> None:
    trace, inds = _batch(world, 4, fail=1)
    home = client.get("/")
    assert home.status_code == 200 and trace in home.text
    assert 'data-live="/ui/live/batches' in home.text
    page = client.get(f"/ui/batch?id={trace}").text
    assert "degraded" in page and "scripted failure 0" in page
    assert page.count("<svg") >= 3 and "Stage timeline" in page
    assert "Retry failed" in page and 'data-confirm="' in page
    indicator = client.get(f"/ui/indicator?id={inds[1].indicator_id}").text
    assert "Exports" in indicator and 'class="chart sparkline"' in indicator
    for stage in ("normalize", "family", "type", "boolean-review"):
        assert f"<td>{stage}</td>" in indicator
    assert client.get("/ui/review").status_code == 200
    assert client.get("/ui/submit").status_code == 200
    assert client.get("/ui/batch?id=nope").status_code == 404
    assert client.get("/ui/indicator?id=nope").status_code == 404


def test_filters_and_pagination_of_batches(client: TestClient, world: World) -> None:
    trace, _ = _batch(world, 1)
    assert trace in client.get("/?status=completed&provider=rules").text
    assert trace not in client.get("/?status=failed").text
    assert client.get("/?page=0").status_code == 422


def test_every_asset_is_local(client: TestClient, world: World) -> None:
    trace, inds = _batch(world, 2)
    for path in (
        "/",
        f"/ui/batch?id={trace}",
        f"/ui/indicator?id={inds[0].indicator_id}",
        "/ui/review",
        "/ui/submit",
    ):
        r = client.get(path)
        policy = r.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        html = r.text
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), (path, url)
            if url.startswith("/ui/static/"):
                assert client.get(url).status_code == 200


def test_the_key_rule(world: World) -> None:
    with world.client(API_KEY="k3y") as c:
        refused = c.get("/")
        assert refused.status_code == 401 and 'name="key"' in refused.text
        assert c.get("/ui/review").status_code == 401
        assert c.get("/", headers={"x-api-key": "k3y"}).status_code == 200
        wrong = post(c, "/ui/login", {"key": "nope", "next": "/ui/review"})
        assert wrong.status_code == 401 and "wrong key" in wrong.text
        ok = post(c, "/ui/login", {"key": "k3y", "next": "/ui/review"})
        assert ok.status_code == 303 and ok.headers["location"] == "/ui/review"
        cookie = ok.headers["set-cookie"]
        assert "ic_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "k3y" not in cookie
        assert c.get("/ui/review").status_code == 200
        assert post(c, "/ui/logout", {}).status_code == 303
        assert c.get("/").status_code == 401


def test_forms_need_their_csrf_token(client: TestClient, world: World) -> None:
    trace, _ = _batch(world, 2, fail=1)
    csrf(client)
    for data in ({"id": trace}, {"id": trace, "csrf": "0" * 64}):
        r = client.post("/ui/batch/retry", data=data, follow_redirects=False)
        assert r.status_code == 403 and "reload the page" in r.text
    other = TestClient(client.app)  # another browser: its own cookie, so not this token
    token = csrf(client)
    stolen = other.post("/ui/batch/cancel", data={"id": trace, "csrf": token})
    assert stolen.status_code == 403


def test_retry_failed_and_cancel(client: TestClient, world: World) -> None:
    trace, _ = _batch(world, 3, fail=1)
    r = post(client, "/ui/batch/retry", {"id": trace})
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/batch?id=")
    world.engine.wait(trace, timeout=60)
    assert world.engine.store.batch_stats(trace).status == "completed"
    from test_api_batches import _open_batch

    open_trace = _open_batch(world, 2)
    assert "Cancel batch" in client.get(f"/ui/batch?id={open_trace}").text
    assert post(client, "/ui/batch/cancel", {"id": open_trace}).status_code == 303
    assert world.engine.store.batch_stats(open_trace).status == "cancelled"


def test_correct_accept_and_restore(client: TestClient, world: World) -> None:
    trace, inds = _batch(world, 2)
    ident = inds[0].indicator_id
    r = post(
        client,
        "/ui/overrides",
        {
            "id": ident,
            "field": ["family", "indicator_type"],
            "value": ["price-value", "price"],
            "reason": "a price",
            "who": "cy",
            "reviewed": "true",
        },
    )
    assert r.status_code == 303, r.text
    row = world.engine.store.get_classification(ident)
    assert (row["family"], row["indicator_type"], row["needs_review"]) == (
        "price-value",
        "price",
        False,
    )
    page = client.get(f"/ui/indicator?id={ident}").text
    assert "override by cy" in page and "a price" in page
    bad = post(client, "/ui/overrides", {"id": ident, "field": "family", "value": "temporal"})
    assert bad.status_code == 422 and "not a type of family" in bad.text
    queue = client.get(f"/ui/review?batch={trace}&below=1").text
    assert ident not in queue and inds[1].indicator_id in queue
    assert post(client, "/ui/review/accept", {"id": inds[1].indicator_id}).status_code == 303
    assert inds[1].indicator_id not in client.get(f"/ui/review?batch={trace}&below=1").text
    assert post(client, "/ui/overrides/delete", {"id": ident, "field": "family"}).status_code == 303
    assert world.engine.store.get_classification(ident)["family"] != "price-value"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_submit_a_file(client: TestClient, world: World, suffix: str) -> None:
    prefix = unique("U")
    rows = [{"id": f"{prefix}-{k}", "name": n, "units": u} for k, (n, u, _) in enumerate(SHAPES)]
    if suffix == ".jsonl":
        content = "\n".join(json.dumps(r) for r in rows).encode()
    else:
        content = (
            "id,name,units\n" + "".join(f"{r['id']},{r['name']},{r['units']}\n" for r in rows)
        ).encode()
    r = client.post(
        "/ui/submit",
        data={"provider": "function", "strategy": "llm", "csrf": csrf(client)},
        files={"upload": (f"indicators{suffix}", content)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    trace = r.headers["location"].split("id=", 1)[1]
    from urllib.parse import unquote

    stats = world.engine.wait(unquote(trace), timeout=60)
    assert stats.successful_indicators == 4 and stats.provider == "function"


def test_submit_refuses_bad_files_and_providers(client: TestClient) -> None:
    bad = client.post(
        "/ui/submit",
        data={"provider": "rules", "csrf": csrf(client)},
        files={"upload": ("x.jsonl", b'{"id": "a"}\n')},
    )
    assert bad.status_code == 422 and "name" in bad.text
    unknown = client.post(
        "/ui/submit",
        data={"provider": "openia", "csrf": csrf(client)},
        files={"upload": ("x.jsonl", b'{"id": "a", "name": "GDP"}\n')},
    )
    assert unknown.status_code == 422 and "did you mean" in unknown.text
    suffix = client.post(
        "/ui/submit", data={"csrf": csrf(client)}, files={"upload": ("x.exe", b"MZ")}
    )
    assert suffix.status_code == 422


def test_exports_carry_the_effective_values(client: TestClient, world: World) -> None:
    trace, inds = _batch(world, 3)
    world.engine.store.add_overrides(
        inds[0].indicator_id, {"scale": "billions"}, reason="", who="t"
    )
    text = client.get(f"/ui/batch/export?id={trace}&format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert {r["indicator_id"]: r["scale"] for r in rows}[inds[0].indicator_id] == "billions"
    lines = client.get(f"/ui/batch/export?id={trace}&format=jsonl").text.splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["indicator_id"]
    parquet = client.get(f"/ui/batch/export?id={trace}&format=parquet")
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == 3 and "scale" in table.column_names


def test_live_streams_push_fragments_then_done(client: TestClient, world: World) -> None:
    trace, _ = _batch(world, 2)
    with client.stream("GET", f"/ui/live/batch?id={trace}") as r:
        lines = list(r.iter_lines())
    assert "event: summary" in lines and "event: done" in lines
    assert any(line.startswith("data: ") and "completed" in line for line in lines)
