"""``indiclass classify`` and ``indiclass eval`` through Typer's CliRunner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indiclass.cli.app import app
from indiclass.stages import DEFAULT_STAGES

CLASSIFICATION_FIELDS = DEFAULT_STAGES.classification_fields

runner = CliRunner()
DESIGN_FIELDS = {
    "indicator_id",
    "name",
    "family",
    "indicator_type",
    "temporal_aggregation",
    "heat_map_orientation",
    "time_basis",
    "reporting_frequency",
    "scale",
    "is_currency_denominated",
    "detected_currency",
    "is_cumulative",
    "cumulative_pattern_type",
    "parsed_unit_type",
    "review_status",
    "overall_confidence",
    "provider",
    "model",
}


def test_classify_one_as_json_uses_the_design_field_names() -> None:
    r = runner.invoke(
        app,
        [
            "classify",
            "GDP Annual Growth Rate",
            "--units",
            "%",
            "--periodicity",
            "Quarterly",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) >= DESIGN_FIELDS
    assert {f"{s}_confidence" for s in ("normalization", "time", "family", "type")} <= set(data)
    assert (data["family"], data["indicator_type"], data["scale"]) == (
        "change-movement",
        "rate",
        "percent",
    )


def test_classify_one_as_a_table() -> None:
    r = runner.invoke(app, ["classify", "Trade Balance", "--units", "USD Hundred Million"])
    assert r.exit_code == 0 and "balance" in r.stdout and "millions" in r.stdout


def _rows(n: int) -> list[dict]:
    return [
        {"id": f"r{i}", "name": "Civilian Unemployment Rate", "units": "Percent"} for i in range(n)
    ]


def test_classify_file_to_jsonl_and_csv(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in _rows(3)))
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["classify", "--file", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["indicator_id"] for x in lines] == ["r0", "r1", "r2"]
    out_csv = tmp_path / "out.csv"
    r = runner.invoke(app, ["classify", "--file", str(src), "--out", str(out_csv)])
    assert r.exit_code == 0
    rows = list(csv.DictReader(out_csv.open()))
    assert list(rows[0]) == list(CLASSIFICATION_FIELDS) and len(rows) == 3


def test_classify_file_without_out_prints_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps(_rows(2)))
    r = runner.invoke(app, ["classify", "--file", str(src)])
    assert r.exit_code == 0 and len(r.stdout.strip().splitlines()) == 2


def test_a_bad_row_names_row_and_field_and_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    bad = {"id": "b", "name": "x", "sample_values": [{"date": "2020-01-01", "value": "abc"}]}
    src.write_text("\n".join(json.dumps(r) for r in [*_rows(2), bad]))
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["classify", "--file", str(src), "--out", str(out)])
    assert r.exit_code == 2
    assert "row 3" in r.output and "sample_values.0.value" in r.output
    assert "Traceback" not in r.output
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["classify"], "name"),
        (["classify", "x" * 1_000_000], "name"),
        (["classify", "x", "--description", "d" * 1_000_000], "description"),
        (
            ["classify", "x", "--values", '[{"date": "2020-01-01", "value": NaN}]'],
            "sample_values.0.value",
        ),
        (
            ["classify", "x", "--values", '[{"date": "2020-01-01", "value": Infinity}]'],
            "sample_values.0.value",
        ),
        (
            ["classify", "x", "--values", '[{"date": "1066-13-01", "value": 1}]'],
            "sample_values.0.date",
        ),
        (["classify", "x", "--values", "not json"], "values"),
        (["classify", "x", "--scale", "zillions"], "scale"),
        (["classify", "x", "--currency-code", "dollars"], "currency_code"),
        (["classify", "x", "--strategy", "magic"], "strategy"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(args: list[str], field: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert field in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_llm_provider_without_its_key_names_the_variable() -> None:
    r = runner.invoke(app, ["classify", "x", "--provider", "openai"])
    assert r.exit_code == 3 and "OPENAI_API_KEY" in r.output  # configuration: exit 3


def test_eval_reports_accuracy_and_confusions(tmp_path: Path) -> None:
    src = tmp_path / "i.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in _rows(2)))
    labels = tmp_path / "l.jsonl"
    labels.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"id": "r0", "family": "numeric-measurement", "indicator_type": "percentage"},
                {"id": "r1", "family": "numeric-measurement", "indicator_type": "ratio"},
            ]
        )
    )
    r = runner.invoke(app, ["eval", str(src), str(labels), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["accuracy"]["family"] == 1.0 and data["accuracy"]["indicator_type"] == 0.5
    assert data["confusions"][0]["examples"] == ["r1"]
    table = runner.invoke(app, ["eval", str(src), str(labels)])
    assert table.exit_code == 0 and "indicator_type" in table.stdout


def test_eval_reports_groups_calibration_hybrid_and_a_plot(tmp_path: Path) -> None:
    src = tmp_path / "i.jsonl"
    rows = [
        {"id": "p:1", "name": "Civilian Unemployment Rate", "units": "Percent"},
        {"id": "p:2", "name": "Xyzzy plugh", "publisher": "q", "language": "en"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows))
    labels = tmp_path / "l.jsonl"
    labels.write_text(
        "\n".join(
            json.dumps({"id": i, "family": f})
            for i, f in (("p:1", "numeric-measurement"), ("p:2", "temporal"))
        )
    )
    png = tmp_path / "r.png"
    args = ["eval", str(src), str(labels), "--json", "--min-confidence", "0.6", "--plot", str(png)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["min_confidence"] == 0.6 and data["llm_share_at_min_confidence"] == 0.5
    assert data["family_misses_below_min_confidence"] == 1.0
    assert set(data["groups"]) == {"prefix", "publisher", "language"}
    assert data["calibration"]["fields"]["family"]["n"] == 2
    assert data["accuracy_ci95"]["family"][0] < 0.5 < data["accuracy_ci95"]["family"][1]
    assert png.exists()
    table = runner.invoke(app, ["eval", str(src), str(labels)])
    assert table.exit_code == 0 and "Calibration" in table.stdout and "hybrid" in table.stdout


def test_help_texts() -> None:
    for args in (["--help"], ["classify", "--help"], ["eval", "--help"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0 and "Usage" in r.stdout


def test_classify_imports_neither_dbos_nor_the_sdks() -> None:
    """A rules classification from the CLI stays a short-lived process (issue 10, start-up)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from indiclass.cli import main\n"
        "sys.argv = ['indiclass', 'classify', 'GDP Growth Rate', '--units', '%', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('dbos', 'openai', 'anthropic', 'sqlalchemy', 'fastapi')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"family"' in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"
