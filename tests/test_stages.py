"""stages: one file for a report with phases (pre-training, then fine-tuning elsewhere).

The file's figures are the sum of its stages; each stage is a complete experiment body whose
missing keys come from the top level. Meta's Llama 2 card is the published case: four models'
GPU-hours that add up to its 539.00 tCO2eq total.
"""

from __future__ import annotations

import json

import pytest

from .conftest import CONFIGS

FAMILY = CONFIGS / "published" / "llama2_family.yaml"

TWO_PHASES = """\
name: Two phases
region: us
pue: 1.1
hours: 100
stages:
  - name: pre-training
    hardware: 64 x A100-80GB
  - name: fine-tuning
    hardware: 8 x H100
    region: fr
    duration: 1 day
    runs: 2
"""


def _json(cli, *args: object) -> dict:
    result = cli("estimate", *args, "--format", "json")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)
    return item


def test_llama2_family_adds_up_to_metas_539_tco2eq(cli) -> None:
    item = _json(cli, FAMILY)
    assert round(item["co2e_kg"] / 1000, 2) == 539.00
    assert item["device_hours"] == 3_311_616  # the card's total GPU-hours
    by_name = {stage["name"]: stage for stage in item["stages"]}
    assert list(by_name) == ["7B", "13B", "34B (not released)", "70B"]
    assert round(by_name["7B"]["co2e_kg"] / 1000, 2) == 31.22
    assert round(by_name["70B"]["co2e_kg"] / 1000, 2) == 291.42
    assert item["co2e_kg"] == pytest.approx(sum(s["co2e_kg"] for s in item["stages"]))


def test_json_keeps_the_files_totals_at_the_top_and_each_stage_whole(cli, write) -> None:
    item = _json(cli, write(TWO_PHASES))
    pre, tune = item["stages"]
    # pre-training: 64 x 400 W x 100 h x 1.1 (region, pue and hours inherited)
    assert pre["energy_kwh"] == pytest.approx(64 * 0.4 * 100 * 1.1)
    assert pre["carbon_intensity_g_per_kwh"] == pytest.approx(414)  # Electricity Maps US 2025
    # fine-tuning: its own region and duration (duration replaces the inherited hours), 2 runs
    assert tune["hours"] == pytest.approx(48)
    assert tune["runs"] == 2
    assert tune["energy_kwh"] == pytest.approx(8 * 0.7 * 48 * 1.1)
    assert tune["carbon_intensity_g_per_kwh"] != pre["carbon_intensity_g_per_kwh"]
    for key in ("energy_kwh", "co2e_kg", "hours", "device_hours"):
        assert item[key] == pytest.approx(pre[key] + tune[key])
    assert item["power_w"] is None  # the powers of two phases add up to nothing
    assert item["pue"] == pytest.approx(1.1)
    assert item["carbon_intensity_g_per_kwh"] == pytest.approx(
        item["co2e_kg"] * 1000 / item["energy_kwh"]
    )
    assert {"name", "file", "runs", "per_run", "assumptions", "fpo"} <= item.keys()
    whats = [a["what"] for a in item["assumptions"]]
    assert "fine-tuning: PUE" in whats


def test_the_table_shows_each_stage_and_the_files_subtotal(cli, write) -> None:
    result = cli("estimate", write(TWO_PHASES), "--format", "markdown")
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if line.startswith("| Two phases")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| Two phases: pre-training",
        "| Two phases: fine-tuning",
        "| Two phases",
    ]
    assert "| Runs |" in result.out  # a stage with 2 runs shows the column


def test_a_budget_applies_to_the_files_total(cli, write) -> None:
    # each stage is under 1,170 kg (2,816 kWh x 414 g/kWh = 1,166 kg and 9 kg); together over
    text = TWO_PHASES.replace("stages:", "budget: {co2e: 1170 kg}\nstages:")
    result = cli("estimate", write(text))
    assert result.code == 1
    assert "over budget: CO2e 1,175 kg > 1,170 kg" in result.err


def test_check_and_compare_price_a_staged_file(cli, write) -> None:
    path = write(TWO_PHASES)
    checked = cli("check", path, "--format", "json")
    assert checked.code == 0, checked.err
    compared = cli("compare", path, FAMILY, "--format", "json")
    assert compared.code == 0, compared.err
    first, second = json.loads(compared.out)
    assert first["co2e_kg"] == pytest.approx(_json(cli, path)["co2e_kg"])
    assert second["hours"] is None


def test_compare_refuses_vary_on_a_staged_file(cli, write) -> None:
    path = write(TWO_PHASES)
    result = cli("compare", path, "--vary", "region=fr,us")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"error: {path}: stages: --vary and --scale-hours-by need")


REFUSED = [
    # a stage's energy with a power inherited from the top level: both lines named
    (
        "region: fr\npower: 3 kW\nhours: 5\nstages:\n  - hardware: A100\n    energy: 1 MWh\n",
        6,
        "stages.0.energy",
        "give energy or power, not both (power: line 2, inherited from the top level)",
    ),
    (
        "region: fr\nhours: 5\nstages:\n  - hardware: A100\n"
        "  - hardware: A100\n    device_hours: 9\n",
        6,
        "stages.1.device_hours",
        "give device_hours or hours, not both (hours: line 2, inherited from the top level)",
    ),
    (
        "region: fr\nhours: 5\nstages:\n  - hardware: A100\n    pwer: 3 W\n",
        5,
        "stages.0.pwer",
        "did you mean 'power'?",
    ),
    (
        "region: fr\nhours: 5\nstages:\n  - hardware: A100\n    budget: {co2e: 1 kg}\n",
        5,
        "stages.0.budget",
        "unknown key",
    ),
    (
        "region: fr\nhours: 5\nstages:\n  - hardware: A100\n  - region: us\n",
        5,
        "stages.1.hardware",
        "missing key 'hardware'",
    ),
    (
        "region: fr\nhours: 5\nstages:\n  - 8 x A100\n",
        4,
        "stages.0",
        "expected a stage as a mapping",
    ),
    ("region: fr\nhours: 5\nstages: []\n", 3, "stages", "expected a list of stages"),
    (
        "region: fr\nhours: 5\nstages:\n  - hardware: A100\n    region: Frnce\n",
        5,
        "stages.0.region",
        "did you mean",
    ),
]


@pytest.mark.parametrize(("body", "line", "key", "words"), REFUSED)
def test_bad_stages_are_one_line(cli, write, body, line, key, words) -> None:
    path = write(body)
    result = cli("estimate", path)
    assert result.code == 2, result.out
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    if line is None:
        assert f": {key}: " in result.err
    else:
        assert result.err.startswith(f"error: {path}:{line}: {key}: "), result.err
    assert words in result.err


def test_a_stage_missing_hours_names_the_stage(cli, write) -> None:
    path = write("region: fr\nstages:\n  - hardware: A100\n    hours: 2\n  - hardware: H100\n")
    result = cli("estimate", path)
    assert result.code == 2
    assert result.err.startswith(f"error: {path}:5: stages.1.hours: missing key 'hours'")
