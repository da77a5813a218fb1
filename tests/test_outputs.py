"""Output formats, --set, --assumptions and --output, on the shipped configs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from greenai.cli import app
from tests.conftest import CONFIGS

BERT = str(CONFIGS / "strubell2019" / "bert_base_v100.yaml")
ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")
H100 = str(CONFIGS / "today" / "finetune_8xh100_gcp.yaml")
# DESIGN.md's keys, with Green AI's E x D x H breakdown of the FPO after `fpo` (issue 5)
KEYS = ["name", "file", "runs", "hours", "power_w", "pue", "carbon_intensity_g_per_kwh",
        "energy_kwh", "co2e_kg", "embodied_co2e_kg", "total_co2e_kg", "water_l",
        "electricity_cost_usd", "cloud_cost_usd", "device_hours", "fpo",
        "fpo_breakdown", "per_run", "assumptions", "ranges", "provenance"]  # fmt: skip
# issue 14 added "ranges" ({figure: {low, high}}) last, so that every older key keeps its value;
# then embodied CO2e, the total (operational + embodied) and on-site water beside co2e_kg, which
# stays operational CO2e; issue 17 added "provenance" (version, data digests, inputs as read:
# what `greenai verify` recomputes from) after everything it vouches for


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["estimate", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_has_exactly_the_design_keys() -> None:
    (row,) = json.loads(invoke(H100, "--format", "json"))
    assert list(row) == KEYS
    assert set(row["per_run"]) == {
        "hours",
        "power_w",
        "energy_kwh",
        "co2e_kg",
        "embodied_co2e_kg",
        "total_co2e_kg",
        "water_l",
        "electricity_cost_usd",
        "cloud_cost_usd",
        "device_hours",
        "fpo",
    }
    assert row["runs"] == 3
    assert row["hours"] == 3 * row["per_run"]["hours"] == 108
    assert row["energy_kwh"] == pytest.approx(3 * row["per_run"]["energy_kwh"])
    # 8 H100 at 0.7 x 700 W TDP plus 2 TB x 0.3725 W/GB (Green Algorithms) = 4665 W, plus the
    # host CPU of GCP's a3-edgegpu-8g (data/instances.csv): 208 vCPU x (0.678719 + 0.5 x
    # (3.77046 - 0.678719)) W = 462.71 W
    host = 208 * (0.678719 + 0.5 * (3.77046 - 0.678719))
    assert row["power_w"] == pytest.approx(8 * 700 * 0.7 + 2000 * 0.3725 + host)
    # PUE 1.1 (Google's figure for us-central1, 2024) and the lifecycle intensity of the
    # region's grid zone, US-MIDW-MISO (Electricity Maps 2025), 501 g/kWh
    assert row["pue"] == 1.1
    assert row["carbon_intensity_g_per_kwh"] == 501
    assert row["energy_kwh"] == pytest.approx((4665 + host) * 108 * 1.1 / 1000)
    assert row["co2e_kg"] == pytest.approx(row["energy_kwh"] * 501 / 1000)
    # 6 N D (Kaplan et al. 2020): 6 x 8e9 x 2e9 per run, 3 runs
    assert row["fpo"] == pytest.approx(3 * 6 * 8e9 * 2e9)
    assert row["device_hours"] == 8 * 108
    whats = [a["what"] for a in row["assumptions"]]
    assert "PUE" in whats and "carbon intensity" in whats
    assert all(a["source"] for a in row["assumptions"])


def test_csv_round_trips_and_total_row_in_table() -> None:
    text = invoke(BERT, ELMO, "--format", "csv", "--units", "imperial")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["BERT base (V100)", "ELMo"]
    assert round(float(rows[0]["co2e_lb"])) == 1438
    table = invoke(BERT, ELMO, "--units", "imperial")
    assert "Total" in table and "1,700" in table  # 1438 + 262 lbs
    assert "American life, avg, 1 year" in table


def test_csv_is_safe_in_a_spreadsheet(write) -> None:
    path = write('name: =HYPERLINK("x")\nhardware: V100\nhours: 1\nregion: us\n')
    rows = list(csv.reader(io.StringIO(invoke(str(path), "--format", "csv"))))
    assert rows[1][0].startswith("'=")


def test_markdown_table() -> None:
    text = invoke(BERT, "--format", "markdown", "--units", "imperial")
    lines = text.splitlines()
    assert lines[0].startswith(
        "| Model | Hardware | Region | Power (W) | Hours (all runs) | kWh·PUE | CO2e (lbs)"
    )
    assert "| BERT base (V100) | V100x64 | us | 12,041.51 | 79.2 | 1,507 | 1,438 |" in text


def test_latex_is_a_booktabs_table() -> None:
    text = invoke(BERT, ELMO, "--format", "latex", "--units", "imperial")
    assert "\\begin{tabular}{ll" in text and "\\toprule" in text and "\\bottomrule" in text
    assert "CO$_2$e (lbs)" in text
    assert "\\$3,751--\\$12,571" in text
    body = [line for line in text.splitlines() if line.endswith("\\\\")]
    assert len({line.count("&") for line in body}) == 1  # every row has the header's columns


def test_set_overrides_like_the_file() -> None:
    (base,) = json.loads(invoke(ELMO, "--format", "json"))
    (more,) = json.loads(invoke(ELMO, "--format", "json", "--set", "hardware.count=6",
                                "--set", "runs=2", "--set", "power=1035.32 W"))  # fmt: skip
    assert more["runs"] == 2
    assert more["device_hours"] == 6 * 336 * 2
    assert more["energy_kwh"] == pytest.approx(base["energy_kwh"] * 4)


def test_set_region_changes_intensity() -> None:
    (row,) = json.loads(invoke(H100, "--format", "json", "--set", "region=fr"))
    # France, OWID/Ember latest (2025) — a number from data/regions.csv, not the GCP one
    assert row["carbon_intensity_g_per_kwh"] < 100
    assert any("fr" in a["value"] or "France" in a["source"] or a["what"] == "carbon intensity"
               for a in row["assumptions"])  # fmt: skip


def test_assumptions_are_listed() -> None:
    text = invoke(H100, "--assumptions")
    assert "Assumptions for" in text
    assert "Epoch AI" in text and "Electricity Maps" in text and "zone US-MIDW-MISO" in text


def test_output_is_written_atomically(tmp_path, cli) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    assert cli("estimate", BERT, "--format", "json", "--output", target).code == 0
    assert json.loads(target.read_text())[0]["name"] == "BERT base (V100)"
    bad = tmp_path / "bad.yaml"
    bad.write_text("hardware: 1 x V100\nhours: -1\nregion: us\n")
    assert cli("estimate", BERT, bad, "--format", "json", "--output", target).code == 2
    assert json.loads(target.read_text())[0]["name"] == "BERT base (V100)"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.json"]


def test_duration_in_days_and_python_api() -> None:
    from greenai import experiment, tables
    from greenai.estimate import estimate

    data = tables.load()
    exp = experiment.load(ELMO, data, ["duration=14 days"])
    assert exp.hours == 336
    assert round(estimate(exp, data).total.energy_kwh) == 275


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0 and result.out.startswith("greenai ")


@given(
    st.lists(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=4,
    )
)
def test_json_written_one_value_at_a_time_is_the_json_of_the_list(values) -> None:
    """compare's every-row JSON is written a row at a time (render.json.dumps_each): the bytes
    must be those of the whole list, text escapes included."""
    from greenai.render import json as rendered

    assert rendered.dumps_each(iter(values)) == rendered.dumps(values)
