"""`greenai compare`: every scenario priced as `estimate` would price it, sorted, with ratios."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import CONFIGS

H100 = str(CONFIGS / "today" / "finetune_8xh100_gcp.yaml")
BERT = str(CONFIGS / "strubell2019" / "bert_base_v100.yaml")
ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")
FIGURES = ("hours", "power_w", "pue", "carbon_intensity_g_per_kwh", "energy_kwh", "co2e_kg",
           "electricity_cost_usd", "cloud_cost_usd", "device_hours", "fpo")  # fmt: skip


def as_json(cli, *args: str) -> list[dict]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_every_scenario_matches_estimate_with_the_same_values(cli) -> None:
    grid = as_json(
        cli, "compare", H100, "--vary", "hardware.device=H100,A100,V100",
        "--vary", "region=gcp:us-central1,ca-qc,us-va,gcp:europe-west4", "--sort", "none",
    )  # fmt: skip
    assert len(grid) == 12
    for item in grid:
        scenario = item["scenario"]
        (single,) = as_json(
            cli, "estimate", H100, "--set", f"hardware.device={scenario['hardware.device']}",
            "--set", f"region={scenario['region']}",
        )  # fmt: skip
        for key in FIGURES:
            if isinstance(single[key], dict):
                assert item[key] == pytest.approx(single[key]), (scenario, key)
            else:
                assert item[key] == pytest.approx(single[key], nan_ok=True), (scenario, key)
        assert item["assumptions"] == single["assumptions"]


def test_grid_order_baseline_first_and_ratios(cli) -> None:
    grid = as_json(
        cli, "compare", H100, "--vary", "region=gcp:us-central1,ca-qc", "--vary", "runs=1,3",
        "--sort", "none",
    )  # fmt: skip
    assert [(g["scenario"]["region"], g["scenario"]["runs"]) for g in grid] == [
        ("gcp:us-central1", "1"),
        ("gcp:us-central1", "3"),
        ("ca-qc", "1"),
        ("ca-qc", "3"),
    ]
    assert grid[0]["ratio"] == {"energy_kwh": 1.0, "co2e_kg": 1.0, "cost_usd": 1.0}
    assert grid[1]["ratio"]["co2e_kg"] == pytest.approx(3.0)
    quebec = grid[2]
    assert quebec["ratio"]["co2e_kg"] == pytest.approx(quebec["co2e_kg"] / grid[0]["co2e_kg"])
    # Québec has no cloud price here: its cost is not compared with a cloud bill
    assert quebec["cloud_cost_usd"] is None and quebec["ratio"]["cost_usd"] is None


def test_sorted_by_co2e_with_the_best_marked_and_top(cli) -> None:
    grid = as_json(cli, "compare", H100, "--vary", "region=pl,fr,us-va,ca-qc")
    co2e = [g["co2e_kg"] for g in grid]
    assert co2e == sorted(co2e)
    assert grid[0]["scenario"]["region"] == "ca-qc"
    result = cli("compare", H100, "--vary", "region=pl,fr,us-va,ca-qc", "--top", "2")
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert lines[2].startswith("* ca-qc")
    assert "2 of 4 scenarios shown" in result.out
    assert "* lowest CO2e of the 4 scenarios" in result.out
    by_energy = as_json(
        cli, "compare", H100, "--vary", "hardware.device=H100,A100,V100", "--sort", "energy"
    )
    assert [g["scenario"]["hardware.device"] for g in by_energy] == ["V100", "A100", "H100"]


def test_region_sets(cli) -> None:
    grid = as_json(cli, "compare", H100, "--vary", "region=@cloud:gcp")
    assert len(grid) == 44  # every Google Cloud region in data/regions.csv
    assert all(g["scenario"]["region"].startswith("gcp:") for g in grid)
    countries = as_json(cli, "compare", H100, "--vary", "region=@countries", "--top", "3")
    assert len(countries) == 3
    bad = cli("compare", H100, "--vary", "region=@continents")
    assert bad.code == 2 and "unknown region set '@continents'" in bad.err


def test_hardware_keeps_the_count_and_hours_rescale_only_when_asked(cli) -> None:
    kept = as_json(cli, "compare", H100, "--vary", "hardware=H100,A100", "--sort", "none")
    assert [g["device_hours"] for g in kept] == [8 * 36 * 3, 8 * 36 * 3]
    scaled = as_json(
        cli, "compare", H100, "--vary", "hardware=H100,A100", "--sort", "none",
        "--scale-hours-by", "peak_flops",
    )  # fmt: skip
    # Epoch AI dense BF16: H100 SXM5 989.4 TFLOP/s, A100 312 TFLOP/s
    assert scaled[0]["hours"] == pytest.approx(108)
    assert scaled[1]["hours"] == pytest.approx(108 * 989.4 / 312)
    table = cli("compare", H100, "--vary", "hardware=H100,A100", "--scale-hours-by", "peak_flops")
    assert "hours scaled by peak dense bf16 FLOP/s relative to H100 SXM5 80GB x8" in table.out


def test_a_measured_power_does_not_travel_to_other_hardware(cli) -> None:
    grid = as_json(cli, "compare", BERT, "--vary", "hardware=V100,TPU v3", "--sort", "none")
    assert grid[0]["power_w"] == 12041.51  # Strubell's measured figure, on its own V100s
    assert grid[1]["power_w"] == pytest.approx(64 * 450)  # 64 TPU v3 chips at Epoch's TDP
    assert any(a["what"] == "measured power left out" for a in grid[1]["assumptions"])


def test_a_varied_region_replaces_the_files_own_intensity(cli) -> None:
    grid = as_json(cli, "compare", ELMO, "--vary", "region=us,fr", "--sort", "none")
    assert grid[0]["carbon_intensity_g_per_kwh"] == pytest.approx(432.727, abs=1e-3)  # 0.954 lb
    assert grid[1]["carbon_intensity_g_per_kwh"] != grid[0]["carbon_intensity_g_per_kwh"]


def test_several_files_and_csv(cli) -> None:
    result = cli("compare", ELMO, BERT, "--vary", "region=us,fr", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 4
    assert {r["name"] for r in rows} == {"ELMo", "BERT base (V100)"}
    assert float(rows[0]["co2e_kg"]) <= float(rows[-1]["co2e_kg"])
    markdown = cli("compare", ELMO, BERT, "--vary", "region=us,fr", "--format", "markdown")
    assert markdown.out.startswith("| Model | region | Hardware |")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "regoin=fr"], "cannot vary 'regoin'; did you mean 'region'?"),
        (["--vary", "region"], "--vary expects KEY=V1,V2,..."),
        (["--vary", "region=fr,fr"], "region: fr given twice"),
        (["--vary", "region=fr,atlantis"], "(--vary region=atlantis): region: unknown region"),
        (["--vary", "hardware=H100,H900"], "(--vary hardware=H900)"),
        (["--vary", "runs=1,-2"], "(--vary runs=-2)"),
        (["--scale-hours-by", "vibes"], "--scale-hours-by expects peak_flops"),
    ],
)
def test_bad_variations_are_one_line_errors(cli, args, message) -> None:
    result = cli("compare", H100, *args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out == ""


def test_a_scenario_the_data_cannot_price_is_named(cli) -> None:
    # BERT pins Google Cloud's 2019 prices, which have no H100
    result = cli("compare", BERT, "--vary", "hardware=V100,H100")
    assert result.code == 2
    assert "(scenario hardware=H100): cloud: no gcp price for h100-sxm5-80gb" in result.err


def test_compare_and_check_through_typers_runner() -> None:
    from typer.testing import CliRunner

    from greenai.cli import app

    runner = CliRunner()
    grid = runner.invoke(app, ["compare", H100, "--vary", "runs=1,2", "-f", "json"])
    assert grid.exit_code == 0, grid.output
    one, two = json.loads(grid.stdout)
    assert two["co2e_kg"] == pytest.approx(2 * one["co2e_kg"])
    checked = runner.invoke(app, ["check", H100, "--budget", "co2e=1kg", "-f", "json"])
    assert checked.exit_code == 1
    (item,) = json.loads(checked.stdout)
    assert item["estimate"]["co2e_kg"] == pytest.approx(3 * one["co2e_kg"])  # the file: runs 3
    assert item["breaches"][0]["limit"] == 1.0
