"""Embodied carbon: figures by hand from the raw sources, the amortised rate, a rebuild."""

from __future__ import annotations

import csv
import math
import shutil
import sys
from pathlib import Path

import pytest

from greenai import embodied
from greenai.errors import InputError, UnknownNameError
from tests.conftest import ROOT

DATA = ROOT / "data"
SOURCES = ROOT.parent / "shared" / "sources"
needs_sources = pytest.mark.skipif(not SOURCES.is_dir(), reason="needs ../shared/sources")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


TABLE = {row["device"]: row for row in rows(DATA / "embodied.csv")}


def test_every_device_is_a_hardware_key_and_every_row_is_sourced() -> None:
    keys = {row["key"] for row in rows(DATA / "hardware.csv")}
    assert set(TABLE) <= keys
    for device, row in TABLE.items():
        assert row["source"] and row["method"], device
        assert 2020 <= int(row["year"]) <= 2026, device
        assert bool(row["host_kg_co2e"]) == bool(row["host_source"]) == bool(row["host_year"])


def test_common_training_devices_are_covered() -> None:
    for device in [
        "v100",
        "v100-sxm2-32gb",
        "a100",
        "a100-sxm4-40gb",
        "a100-sxm4-80gb",
        "h100-sxm5-80gb",
        "h100-pcie",
        "h200-sxm",
        "tpu-v3",
        "tpu-v4",
    ]:
        assert device in TABLE, device


def test_bounds_hold_and_the_value_is_one_of_the_methods() -> None:
    for device, row in TABLE.items():
        value, low, high = (float(row[k]) for k in ("kg_co2e", "kg_co2e_low", "kg_co2e_high"))
        assert 0 < low <= value <= high, device
        methods = [float(row[k]) for k in ("boavizta_kg", "published_kg", "llmcarbon_kg") if row[k]]
        assert value in methods and low == min(methods) and high == max(methods), device


def test_h100_llmcarbon_by_hand_from_the_raw_table() -> None:
    # llmcarbon-embodied/hardware.csv: H100 "TSMC4nm" 8.14 cm2 x 1.8 kg/cm2; DRAM 0.4 kg/GB; 80 GB.
    assert float(TABLE["h100-sxm5-80gb"]["llmcarbon_kg"]) == round(8.14 * 1.8 + 80 * 0.4, 2)
    assert float(TABLE["h100-sxm5-80gb"]["llmcarbon_kg"]) == 46.65
    # TPU v3: 7 cm2 x 1.0 (TSMC 16nm) + 32 GB x 0.4 = 19.8; V100 16 GB: 8.15 x 1.2 + 6.4.
    assert float(TABLE["tpu-v3"]["kg_co2e"]) == 19.80
    assert float(TABLE["v100"]["llmcarbon_kg"]) == round(8.15 * 1.2 + 16 * 0.4, 2) == 16.18
    # A100: Epoch's 826 mm2 die on TSMC 7 nm, LLMCarbon's 7 nm CPA (TPUv4 row) 1.6; 40 GB.
    assert float(TABLE["a100-sxm4-40gb"]["llmcarbon_kg"]) == round(8.26 * 1.6 + 40 * 0.4, 2)


def test_h100_boavizta_card_by_hand() -> None:
    # factors.yml gpu.*.gwp x gpu_specs.csv "NVIDIA H100 SXM 80GB"; VRAM: 6 dies of 80 x 15.5 / 6
    # mm2, each on a 300 mm wafer with 0.2 mm kerf, usable ratio exp(-sqrt(area cm2 x 0.1)).
    die = 80 * 15.5 / 6
    with_kerf = (math.sqrt(die) + 0.2) ** 2
    wafer = math.pi * 150**2
    per_wafer = wafer / with_kerf - math.pi * 300 / math.sqrt(2 * with_kerf)
    vram = 6 * wafer / per_wafer / math.exp(-math.sqrt(with_kerf / 100 * 0.1))
    assert vram == pytest.approx(2343.2, abs=0.1)  # boavizta-embodied/SOURCE.md's 2,343 mm2
    mass = 1.69
    kg = (
        2810.4 * 0.042592
        + vram * 0.18379
        + 296.37 * 0.032549
        + 0.78923 * 8.2542
        + 0.90077 * 5.7412
        + mass * (0.25955 + 19000 * 1.33e-5 + 1000 * 5.04e-5 + 1.5062)
    )
    assert float(TABLE["h100-sxm5-80gb"]["boavizta_kg"]) == round(kg, 2) == 575.18
    assert TABLE["h100-sxm5-80gb"]["kg_co2e"] == TABLE["h100-sxm5-80gb"]["boavizta_kg"]


def test_h100_rate_at_five_years_by_hand() -> None:
    rate = embodied.rate_kg_per_device_hour("h100-sxm5-80gb")
    hours = 8760 * 0.85
    assert rate.value == pytest.approx(575.18 / (5 * hours))
    assert rate.value == pytest.approx(0.015449, abs=1e-6)
    assert rate.low == pytest.approx(46.65 / (6 * hours))
    assert rate.high == pytest.approx(575.18 / (3 * hours))
    assert rate.low <= rate.value <= rate.high
    bases = {a.what: a.basis for a in rate.assumptions}
    assert bases["device lifetime"] == "defaulted"
    assert bases["share of lifetime hours in use"] == "defaulted"
    _value, _low, _high, assumptions = rate  # unpacks as (value, low, high, assumptions)
    assert all(a.source for a in assumptions)


def test_bloom_published_rates_are_reproduced() -> None:
    # Luccioni et al. Sec. 4.1: 150 kg per GPU and 2,500 kg per server over 6 years at 85 % use
    # give "0.003 kg ... each hour of GPU time" and "0.056 kg ... each hour of server time".
    gpu, _, _ = embodied.amortise(150, 150, 150, lifetime_years=6, use_share=0.85)
    server, _, _ = embodied.amortise(2500, 2500, 2500, lifetime_years=6, use_share=0.85)
    assert round(gpu, 3) == 0.003 and round(server, 3) == 0.056


def test_given_lifetime_and_use_share_narrow_the_range_and_say_so() -> None:
    rate = embodied.rate_kg_per_device_hour("a100-sxm4-40gb", lifetime_years=4, use_share=1.0)
    assert rate.value == pytest.approx(273.39 / (4 * 8760))
    assert rate.low == pytest.approx(29.22 / (4 * 8760))
    assert rate.high == pytest.approx(273.39 / (4 * 8760))
    assert {a.what: a.basis for a in rate.assumptions}["device lifetime"] == "given"


def test_host_share_is_added_only_when_asked() -> None:
    bare = embodied.rate_kg_per_device_hour("v100", lifetime_years=6, use_share=0.85)
    host = embodied.rate_kg_per_device_hour("v100", 6, 0.85, include_host=True)
    assert host.value - bare.value == pytest.approx(2500 / 8 / (6 * 8760 * 0.85))
    assert any("host" in a.what for a in host.assumptions)
    tpu = embodied.rate_kg_per_device_hour("tpu-v4", include_host=True)
    assert not any("host" in a.what for a in tpu.assumptions)  # no host figure for TPUs


def test_job_total_scales_with_device_hours() -> None:
    job = embodied.embodied_kg("H100-SXM5-80GB", 1000.0)
    rate = embodied.rate_kg_per_device_hour("h100-sxm5-80gb")
    assert job.value == pytest.approx(1000 * rate.value)
    assert job.high == pytest.approx(1000 * rate.high)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(UnknownNameError) as caught:
        embodied.rate_kg_per_device_hour("h100-sxm5-80g")
    assert "h100-sxm5-80gb" in caught.value.suggestions
    with pytest.raises(InputError):
        embodied.rate_kg_per_device_hour("v100", lifetime_years=0)
    with pytest.raises(InputError):
        embodied.rate_kg_per_device_hour("v100", use_share=1.5)
    with pytest.raises(InputError):
        embodied.embodied_kg("v100", -1.0)


def test_manual_figures_carry_citations() -> None:
    for row in rows(DATA / "manual" / "embodied.csv"):
        assert row["citation"].strip(), row
    facts = {
        (r["section"], r["item"], r["field"]): r["value"]
        for r in rows(DATA / "manual" / "embodied.csv")
    }
    assert facts[("published", "bloom", "gpu_kg")] == "150"
    assert facts[("published", "bloom", "use_share")] == str(embodied.DEFAULT_USE_SHARE)
    assert (
        float(facts[("published", "llmcarbon", "lifetime_years")])
        == embodied.DEFAULT_LIFETIME_YEARS
    )
    assert (
        float(facts[("published", "boavizta", "lifetime_years")]),
        float(facts[("published", "bloom", "lifetime_years")]),
    ) == embodied.LIFETIME_RANGE_YEARS


@needs_sources
def test_embodied_rebuild_byte_identical(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_embodied

    shutil.copytree(DATA / "manual", tmp_path / "manual")
    shutil.copy(DATA / "hardware.csv", tmp_path / "hardware.csv")
    build_embodied.build(SOURCES, tmp_path)
    assert (tmp_path / "embodied.csv").read_bytes() == (DATA / "embodied.csv").read_bytes()


@needs_sources
def test_llmcarbon_raw_figures_are_the_ones_used() -> None:
    raw = {r["hardware"]: r for r in rows(SOURCES / "llmcarbon-embodied" / "hardware.csv")}
    assert (raw["H100"]["unit (cm2 or GB)"], raw["H100"]["CPA (kgCO2/cm2 or GB)"]) == (
        "8.14",
        "1.8",
    )
    assert raw["DRAM"]["CPA (kgCO2/cm2 or GB)"] == "0.4"
