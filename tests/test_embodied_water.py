"""Embodied carbon and on-site water (issue 14): figures computed by hand from the table rows.

Every expected value here is read from data/embodied.csv or data/regions.csv with the csv
module and worked out in the test, not taken from greenai's own lookups.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from greenai import compare, tables
from greenai.core import calculate
from greenai.errors import InputError
from greenai.estimate import estimate, total
from greenai.experiment import load
from tests.conftest import CONFIGS, ROOT

DATA = tables.load()
H100 = CONFIGS / "today" / "finetune_8xh100_gcp.yaml"
QUEBEC = CONFIGS / "today" / "finetune_8xh100_quebec.yaml"
LLAMA = CONFIGS / "published" / "llama2_7b.yaml"
FAMILY = CONFIGS / "published" / "llama2_family.yaml"
OLMO = CONFIGS / "published" / "olmo_7b.yaml"
HOURS_PER_YEAR = 365 * 24  # LLMCarbon's lifespan counts 365-day years


def _rows(name: str, key: str) -> dict[str, dict[str, str]]:
    with (ROOT / "data" / name).open(encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


EMBODIED = _rows("embodied.csv", "device")
REGIONS = _rows("regions.csv", "key")


def kg(device: str) -> tuple[float, float, float]:
    row = EMBODIED[device]
    return float(row["kg_co2e"]), float(row["kg_co2e_low"]), float(row["kg_co2e_high"])


def rate(device: str, years: float | None = None, share: float = 0.85) -> tuple[float, ...]:
    """kg per device-hour by hand: value over 5 years, low over 6, high over 3 (or `years`)."""
    value, low, high = kg(device)
    per = HOURS_PER_YEAR * share
    if years is not None:
        return value / (years * per), low / (years * per), high / (years * per)
    return value / (5 * per), low / (6 * per), high / (3 * per)


def wue(region: str) -> float:
    return float(REGIONS[region]["wue_l_per_kwh"])


def priced(path, *sets: str):
    return estimate(load(path, DATA, list(sets)), DATA)


def notes(found, what: str) -> list:
    return [a for a in found.assumptions if a.what.startswith(what)]


# ----------------------------------------------------------------------------- embodied


def test_eight_h100_for_108_hours_in_us_central1() -> None:
    found = priced(H100)
    # 8 H100 x 36 h x 3 runs = 864 device-hours at H100 SXM5's 575.18 kg (46.65..575.18)
    assert found.total.device_hours == 8 * 108
    value, low, high = rate("h100-sxm5-80gb")
    assert value == pytest.approx(575.18 / (5 * 8760 * 0.85))  # 0.01545 kg per GPU-hour
    assert found.total.embodied_co2e_kg == pytest.approx(8 * 108 * value)  # 13.35 kg
    assert found.total.ranges["embodied_co2e_kg"] == pytest.approx((8 * 108 * low, 8 * 108 * high))
    assert found.per_run.embodied_co2e_kg == pytest.approx(8 * 36 * value)
    # operational CO2e is what it was; the total adds the embodied part, bounds and all
    assert found.total.total_co2e_kg == pytest.approx(found.total.co2e_kg + 8 * 108 * value)
    op_low, op_high = found.total.ranges["co2e_kg"]
    assert found.total.ranges["total_co2e_kg"] == pytest.approx(
        (op_low + 8 * 108 * low, op_high + 8 * 108 * high)
    )
    for name in ("embodied_co2e_kg", "total_co2e_kg"):
        low_, high_ = found.total.ranges[name]
        assert low_ <= found.total.bound(name) <= high_
    said = {a.what: a for a in found.assumptions}
    assert said["device lifetime"].basis == "defaulted"
    assert "LLMCarbon" in said["device lifetime"].source
    assert said["share of lifetime hours in use"].value == "0.85"
    row = said["embodied CO2e of one h100-sxm5-80gb (low..high)"]
    assert row.basis == "published" and "Boavizta" in row.source and "2026" in row.source
    assert row.column == "embodied_kg_per_device_hour"


def test_file_settings_lifetime_use_share_and_host() -> None:
    found = priced(
        H100, "embodied.lifetime=4 years", "embodied.use_share=1.0", "embodied.host=true"
    )
    host = float(EMBODIED["h100-sxm5-80gb"]["host_kg_co2e"])  # BLOOM: 2,500 kg / 8 GPUs
    assert host == 312.5
    value, low, high = kg("h100-sxm5-80gb")
    per = 4 * HOURS_PER_YEAR * 1.0
    hours = 8 * 108
    assert found.total.embodied_co2e_kg == pytest.approx(hours * (value + host) / per)
    assert found.total.ranges["embodied_co2e_kg"] == pytest.approx(
        (hours * (low + host) / per, hours * (high + host) / per)
    )
    said = {a.what: a for a in found.assumptions}
    assert said["device lifetime"].basis == "given"
    assert said["device lifetime"].value == "4 years"
    assert said["share of lifetime hours in use"].basis == "given"
    assert "host server share per h100-sxm5-80gb" in said


def test_lifetime_in_other_units_and_a_bare_number_is_years() -> None:
    months = priced(H100, "embodied.lifetime=48 months")
    bare = priced(H100, "embodied.lifetime=4")
    assert months.total.embodied_co2e_kg == pytest.approx(bare.total.embodied_co2e_kg)
    assert bare.total.embodied_co2e_kg == pytest.approx(8 * 108 * rate("h100-sxm5-80gb", 4)[0])


def test_a_device_without_a_footprint_is_unknown_and_the_total_is_operational() -> None:
    found = priced(H100, "hardware.0.device=B200")
    assert "b200" not in EMBODIED
    assert found.total.embodied_co2e_kg is None and found.per_run.embodied_co2e_kg is None
    assert found.total.total_co2e_kg == found.total.co2e_kg
    assert found.total.ranges["total_co2e_kg"] == found.total.ranges["co2e_kg"]
    assert "embodied_co2e_kg" not in found.total.ranges
    (note,) = notes(found, "embodied CO2e")
    assert note.value.startswith("unknown: no manufacturing footprint for NVIDIA B200")
    assert "operational figure alone" in note.value
    item = found.as_dict()
    assert item["embodied_co2e_kg"] is None and item["per_run"]["embodied_co2e_kg"] is None
    assert item["total_co2e_kg"] == item["co2e_kg"]
    assert "embodied_co2e_kg" not in item["ranges"]


def test_one_unknown_accelerator_makes_the_machine_unknown(write) -> None:
    path = write("hardware:\n  - 4 x H100\n  - 4 x B200\nhours: 10\nregion: aws:us-east-1\n")
    found = estimate(load(path, DATA), DATA)
    assert found.total.embodied_co2e_kg is None
    assert found.total.total_co2e_kg == found.total.co2e_kg


def test_a_cpu_beside_gpus_is_their_host(write) -> None:
    path = write("hardware:\n  - 8 x V100\n  - 2 x AMD EPYC 4124P\nhours: 10\nregion: fr\n")
    found = estimate(load(path, DATA), DATA)
    value = rate("v100")[0]
    assert found.total.embodied_co2e_kg == pytest.approx(8 * 10 * value)  # CPUs: host, not rows
    (note,) = notes(found, "embodied CO2e rate")
    assert "as host, not counted (embodied: host: true adds it)" in note.value
    hosted = estimate(load(path, DATA, ["embodied.host=true"]), DATA)
    with_host = (kg("v100")[0] + 312.5) / (5 * HOURS_PER_YEAR * 0.85)
    assert hosted.total.embodied_co2e_kg == pytest.approx(8 * 10 * with_host)


def test_published_figures_stay_and_gain_embodied_from_published_gpu_hours() -> None:
    llama = priced(LLAMA)
    # Meta's Llama 2 paper, Table 2: 184,320 GPU-hours, 31.22 t CO2eq for the 7B model
    assert round(llama.total.co2e_kg / 1000, 2) == 31.22
    assert llama.total.embodied_co2e_kg == pytest.approx(184320 * rate("a100-sxm4-80gb")[0])
    family = priced(FAMILY)
    hours = 184320 + 368640 + 1038336 + 1720320
    assert round(family.total.co2e_kg / 1000, 2) == 539.00
    assert family.total.embodied_co2e_kg == pytest.approx(hours * rate("a100-sxm4-80gb")[0])
    assert family.total.total_co2e_kg == pytest.approx(
        family.total.co2e_kg + family.total.embodied_co2e_kg
    )


def test_energy_alone_gives_no_device_hours_so_embodied_is_unknown() -> None:
    olmo = priced(OLMO)
    assert olmo.total.embodied_co2e_kg is None
    assert olmo.total.total_co2e_kg == olmo.total.co2e_kg
    assert any("without hours or device_hours" in a.value for a in notes(olmo, "embodied CO2e"))


# ----------------------------------------------------------------------------- water


def test_water_is_it_energy_times_the_regions_published_wue() -> None:
    found = priced(H100, "region=aws:us-east-1")
    assert wue("aws:us-east-1") == 0.12
    it_kwh = found.total.energy_kwh / found.pue  # water counts IT energy, before PUE
    assert found.total.water_l == pytest.approx(it_kwh * 0.12)
    low, high = found.total.ranges["energy_kwh"]
    assert found.total.ranges["water_l"] == pytest.approx((low / 1.15 * 0.12, high / 1.15 * 0.12))
    assert found.per_run.water_l == pytest.approx(found.total.water_l / 3)
    (note,) = notes(found, "water usage effectiveness")
    assert note.value == "0.12 L/kWh of IT energy (aws:us-east-1, 2024)"
    assert note.source.startswith(REGIONS["aws:us-east-1"]["wue_source"])
    assert note.basis == "published" and note.column == "wue_l_per_kwh"


def test_azure_wue_cites_its_year() -> None:
    found = priced(H100, "region=azure:westus3")
    row = REGIONS["azure:westus3"]
    assert found.total.water_l == pytest.approx(
        found.total.energy_kwh / found.pue * float(row["wue_l_per_kwh"])
    )
    (note,) = notes(found, "water usage effectiveness")
    assert f", {row['wue_year']})" in note.value and "Microsoft Azure" in note.source


def test_water_unknown_where_no_wue_is_published() -> None:
    found = priced(H100)  # gcp:us-central1: Google publishes no per-region WUE in the table
    assert REGIONS["gcp:us-central1"]["wue_l_per_kwh"] == ""
    assert found.total.water_l is None and found.as_dict()["water_l"] is None
    assert "water_l" not in found.total.ranges
    (note,) = notes(found, "water usage effectiveness")
    assert note.value == "unknown: on-site water not computed"
    assert "give wue" in note.source


def test_a_given_wue_in_any_volume_unit() -> None:
    found = priced(H100, "wue=1.8 L/kWh")
    # IT power as tests/test_outputs.py works it out: 8 x 0.7 x 700 W + 2 TB x 0.3725 W/GB +
    # the a3-edgegpu-8g host CPU, 208 vCPU x (0.678719 + 0.5 x (3.77046 - 0.678719)) W
    host = 208 * (0.678719 + 0.5 * (3.77046 - 0.678719))
    it_kwh = (8 * 700 * 0.7 + 2000 * 0.3725 + host) * 108 / 1000
    assert found.total.water_l == pytest.approx(it_kwh * 1.8)
    (note,) = notes(found, "water usage effectiveness")
    assert note.basis == "given"
    gallons = priced(H100, "wue=0.5 gal/kWh")
    assert gallons.total.water_l == pytest.approx(it_kwh * 0.5 * 3.785411784)


def test_water_at_a_desk_is_zero_by_definition(write) -> None:
    path = write("hardware: 1 x H100\nhours: 10\nregion: fr\nsite: desktop\n")
    found = estimate(load(path, DATA), DATA)
    assert found.total.water_l == 0.0
    (note,) = notes(found, "water usage effectiveness")
    assert note.value.startswith("0 L/kWh (site: desktop") and "Green Grid" in note.source
    server_room = estimate(load(path, DATA, ["site=server-room"]), DATA)
    assert server_room.total.water_l is None


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("wue=-1", "zero or more"),
        ("wue=1.8 kWh", "L/kWh"),
        ("embodied.lifetime=0", "greater than zero"),
        ("embodied.lifetime=5 kWh", "year"),
        ("embodied.use_share=1.5", "between 0 and 1"),
        ("embodied.host=yes", "true or false"),
        ("embodied.lifetim=5", "did you mean 'lifetime'"),
    ],
)
def test_bad_settings_are_refused_by_key(setting: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        load(H100, DATA, [setting])
    assert error.value.key.split(".")[0] == setting.split("=")[0].split(".")[0]


def test_a_unit_slip_in_wue_or_lifetime_is_warned() -> None:
    assert any("far above" in str(w) for w in load(H100, DATA, ["wue=1800"]).warnings)
    assert any(
        "a bare number is years" in str(w)
        for w in load(H100, DATA, ["embodied.lifetime=26280"]).warnings
    )


# ----------------------------------------------------------------------------- outputs


def test_json_carries_the_new_figures_top_level_per_run_and_ranges(cli) -> None:
    result = cli("estimate", str(H100), "--set", "region=aws:us-east-1", "--format", "json")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)
    for key in ("embodied_co2e_kg", "total_co2e_kg", "water_l"):
        assert item[key] == pytest.approx(3 * item["per_run"][key])
        assert item["ranges"][key]["low"] <= item[key] <= item["ranges"][key]["high"]
    assert item["total_co2e_kg"] == pytest.approx(item["co2e_kg"] + item["embodied_co2e_kg"])


def test_csv_carries_the_new_figures(cli) -> None:
    result = cli("estimate", str(H100), str(QUEBEC), "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(result.out.splitlines()))
    for row in rows:
        assert float(row["embodied_co2e_kg"]) == pytest.approx(8 * 108 * rate("h100-sxm5-80gb")[0])
        assert float(row["total_co2e_kg"]) == pytest.approx(
            float(row["co2e_kg"]) + float(row["embodied_co2e_kg"])
        )
        assert row["water_l"] == ""  # Google publishes no per-region WUE here: unknown
        assert float(row["embodied_co2e_kg_low"]) <= float(row["embodied_co2e_kg_high"])
    grid = cli("compare", str(H100), "--vary", "region=aws:us-east-1,gcp:us-central1",
               "--format", "csv", "--units", "imperial")  # fmt: skip
    assert grid.code == 0, grid.err
    east, central = csv.DictReader(grid.out.splitlines())
    pounds = 8 * 108 * rate("h100-sxm5-80gb")[0] / 0.45359237  # --units imperial: lb
    assert float(east["embodied_co2e_lb"]) == pytest.approx(pounds)
    assert float(east["water_l"]) == pytest.approx(float(east["energy_kwh"]) / 1.15 * 0.12)
    assert float(east["water_l_low"]) <= float(east["water_l"]) <= float(east["water_l_high"])
    assert central["water_l"] == "" and float(central["total_co2e_lb"]) > float(central["co2e_lb"])


def test_the_sum_of_estimates_keeps_the_rule() -> None:
    parts = [priced(H100, "region=aws:us-east-1"), priced(H100, "hardware.0.device=B200")]
    summed = total(parts)
    assert summed.embodied_co2e_kg is None  # one part unknown: the sum is unknown
    assert summed.water_l is None  # the second is in gcp:us-central1: no WUE
    assert summed.total_co2e_kg == pytest.approx(
        parts[0].total.total_co2e_kg + parts[1].total.co2e_kg
    )


# ----------------------------------------------------------------------------- compare


def test_compare_carries_embodied_per_machine_and_water_per_site() -> None:
    texts = ["hardware.device=H100,V100,B200", "region=aws:us-east-1,gcp:us-central1"]
    variations = [compare.parse_variation(text, DATA) for text in texts]
    grid = compare.compare([H100], variations, DATA, sort=compare.SortBy.none)
    by = {tuple(grid.scenario(row).values()): e for row, e in zip(
        grid.frame.itertuples(), grid.estimates(), strict=True)}  # fmt: skip
    h100 = by[("H100", "aws:us-east-1")]
    assert h100.total.embodied_co2e_kg == pytest.approx(8 * 108 * rate("h100-sxm5-80gb")[0])
    assert h100.total.water_l == pytest.approx(h100.total.energy_kwh / 1.15 * 0.12)
    v100 = by[("V100", "gcp:us-central1")]  # its hours follow from the FPO (--scale-hours-by)
    assert v100.total.device_hours != 8 * 108
    assert v100.total.embodied_co2e_kg == pytest.approx(v100.total.device_hours * rate("v100")[0])
    assert v100.total.water_l is None
    b200 = by[("B200", "aws:us-east-1")]
    assert b200.total.embodied_co2e_kg is None and b200.total.water_l is not None
    assert b200.total.total_co2e_kg == b200.total.co2e_kg
    assert np.isnan(grid.frame["embodied_co2e_kg"]).sum() == 2


def test_compare_varies_wue_and_lifetime() -> None:
    texts = ["wue=0.5,1.8", "embodied.lifetime=3,6"]
    variations = [compare.parse_variation(text, DATA) for text in texts]
    grid = compare.compare([H100], variations, DATA, sort=compare.SortBy.none)
    found = [
        (grid.scenario(row), e.total)
        for row, e in zip(grid.frame.itertuples(), grid.estimates(), strict=True)
    ]
    for scenario, figures in found:
        years = float(scenario["embodied.lifetime"])
        assert figures.embodied_co2e_kg == pytest.approx(8 * 108 * rate("h100-sxm5-80gb", years)[0])
        assert figures.water_l == pytest.approx(figures.energy_kwh / 1.1 * float(scenario["wue"]))


def test_calculator_total_adds_embodied_only_where_known() -> None:
    one = calculate.exact([1.0, 1.0])
    columns = {
        "power_w": calculate.exact([1000.0, 1000.0]),
        "devices": calculate.exact([2.0, 2.0]),
        "hours": calculate.exact([10.0, 10.0]),
        "runs": one,
        "pue": calculate.exact([1.5, 1.5]),
        "carbon_intensity_g_per_kwh": calculate.exact([100.0, 100.0]),
        "electricity_price_usd_per_kwh": one,
        "cloud_usd_per_hour": calculate.exact([np.nan, np.nan]),
        "fpo_per_run": calculate.exact([np.nan, np.nan]),
        "it_energy_kwh": calculate.exact([np.nan, np.nan]),
        "device_hours": calculate.exact([np.nan, np.nan]),
        "embodied_kg_per_device_hour": calculate.bounded(
            [0.01, np.nan], [0.005, np.nan], [0.02, np.nan]
        ),
        "wue_l_per_kwh": calculate.exact([2.0, np.nan]),
    }
    out = calculate.calculate(columns)
    assert out["co2e_kg"][0].tolist() == pytest.approx([1.5, 1.5, 1.5])  # 15 kWh x 100 g
    assert out["embodied_co2e_kg"][0].tolist() == pytest.approx([0.2, 0.1, 0.4])  # 20 dev-h
    assert out["total_co2e_kg"][0].tolist() == pytest.approx([1.7, 1.6, 1.9])
    assert out["water_l"][0].tolist() == pytest.approx([20.0, 20.0, 20.0])  # 10 kWh IT x 2
    assert np.isnan(out["embodied_co2e_kg"][1]).all() and np.isnan(out["water_l"][1]).all()
    assert out["total_co2e_kg"][1].tolist() == out["co2e_kg"][1].tolist()
    del columns["embodied_kg_per_device_hour"], columns["wue_l_per_kwh"]  # optional: unknown
    assert np.isnan(calculate.calculate(columns)["water_l"]).all()


# ----------------------------------------------------------------------------- budgets


def test_co2e_budget_stays_operational_and_co2e_total_adds_embodied(cli, write) -> None:
    found = priced(H100)
    between = (found.total.co2e_kg + found.total.total_co2e_kg) / 2  # 305.2 .. 318.5 kg
    limit = f"{between:.1f}kg"
    assert cli("estimate", str(H100), "--budget", f"co2e={limit}").code == 0
    over = cli("estimate", str(H100), "--budget", f"co2e_total={limit}")
    assert over.code == 1
    assert "over budget: total CO2e (operational + embodied) 318.5 kg" in over.err
    text = H100.read_text(encoding="utf-8") + f"budget:\n  co2e_total: {between:.1f} kg\n"
    assert cli("check", str(write(text))).code == 1
    high = cli("estimate", str(H100), "--budget", "co2e_total=340kg", "--budget-on", "high")
    assert high.code == 1 and "high end of its range" in high.err  # 346.6 kg at the high end


def test_the_model_card_says_the_embodied_share_beside_operational_emissions(cli) -> None:
    card = cli("estimate", str(H100), "--format", "model-card").out
    grams = 8 * 108 * rate("h100-sxm5-80gb")[0] * 1000
    assert "embodied CO2e of the hardware (manufacturing, amortised over its lifetime) " in card
    assert f"{grams:,.6g} g" in card
    assert "emissions: 305195\n" in card  # operational, as before


def test_compare_shows_water_where_a_row_has_a_published_wue(cli) -> None:
    grid = cli("compare", str(H100), "--vary", "region=aws:us-east-1,gcp:us-central1",
               "--no-ranges").out  # fmt: skip
    header = next(line for line in grid.splitlines() if "kWh·PUE" in line)
    assert "(L)" in header  # Water (L), on AWS's published WUE; "—" for Google's region
    alone = cli("compare", str(H100), "--vary", "region=gcp:us-central1,fr", "--no-ranges").out
    assert "Water" not in alone  # no row knows it: no column
