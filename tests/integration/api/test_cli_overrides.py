"""``indiclass override`` / ``indiclass overrides``: the CLI and the API see the same
corrections in the same database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_support import World, unique
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from indiclass.cli import app
from indiclass.domain.models import Indicator
from indiclass.testing.batches import stored_batch


@pytest.fixture
def cli_env(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in world.env.items():
        monkeypatch.setenv(key, str(value))


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_override_list_export_and_remove(
    cli_env: None, client: TestClient, world: World, tmp_path: Path
) -> None:
    ident = f"{unique('C')}/cpi"
    stored_batch(
        world.engine.store,
        [Indicator(indicator_id=ident, name="Consumer Price Index", units="Index 2015=100")],
    )
    done = _cli(
        "override",
        ident,
        "heat_map_orientation=lower-is-positive",
        "--reason",
        "inflation",
        "--who",
        "bo",
    )
    assert done.exit_code == 0, done.output
    assert "heat_map_orientation = lower-is-positive" in done.output
    row = client.get(f"/classifications/{ident}").json()["classification"]
    assert row["heat_map_orientation"] == "lower-is-positive"
    listed = _cli("overrides", "list", "--id", ident, "--json")
    (record,) = [json.loads(line) for line in listed.output.splitlines()]
    assert (record["who"], record["reason"], record["active"]) == ("bo", "inflation", True)
    out = tmp_path / "overrides.csv"
    exported = _cli("overrides", "export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert ident in out.read_text() and out.read_text().startswith("id,indicator_id,field,value")
    removed = _cli("override", ident, "--remove", "all", "--who", "bo")
    assert removed.exit_code == 0 and "removed 1 override" in removed.output
    history = _cli("overrides", "list", "--id", ident, "--history")
    assert "removed" in history.output and "by bo" in history.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["family=temporal"], "not a type of family temporal"),
        (["scale=zillions"], "is not one of"),
        (["family"], "expected field=value"),
        ([], "give field=value pairs"),
    ],
)
def test_bad_overrides_exit_2(cli_env: None, world: World, args: list[str], needle: str) -> None:
    ident = unique("C")
    stored_batch(
        world.engine.store, [Indicator(indicator_id=ident, name="GDP Growth Rate", units="%")]
    )
    done = _cli("override", ident, *args)
    assert done.exit_code == 2, done.output
    assert needle in done.output


def test_an_unknown_indicator_exits_2(cli_env: None) -> None:
    done = _cli("override", "nobody-here", "family=temporal")
    assert done.exit_code == 2 and "no classification" in done.output
