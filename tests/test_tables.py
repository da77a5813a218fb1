"""The data tables: coverage, provenance, physical ranges, lookups, and a byte-identical rebuild."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenai import tables
from greenai.cli import app
from greenai.errors import UnknownNameError
from tests.conftest import ROOT

DATA = ROOT / "data"
SOURCES = ROOT.parent / "shared" / "sources"


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def data() -> tables.Tables:
    return tables.load()


def test_keys_are_unique_and_lowercase() -> None:
    for name in ("regions.csv", "hardware.csv"):
        keys = [r["key"] for r in rows(name)]
        assert len(keys) == len(set(keys)), name
        assert all(k == k.lower() and k.strip() == k for k in keys), name


def test_every_row_names_its_source_and_year() -> None:
    for region in rows("regions.csv"):
        for value, year, source, basis in (
            ("carbon_intensity_g_per_kwh", "intensity_year", "intensity_source", "intensity_basis"),
            ("direct_g_per_kwh", "direct_year", "direct_source", "direct_basis"),
            ("provider_g_per_kwh", "provider_year", "provider_source", "provider_basis"),
            ("wue_l_per_kwh", "wue_year", "wue_source", "wue_source"),
        ):
            if region[value]:
                assert region[source] and region[basis], (region["key"], value)
                assert region[year].isdigit(), (region["key"], value)
        if not region["carbon_intensity_g_per_kwh"] and not region["direct_g_per_kwh"]:
            assert region["kind"] == "cloud" and region["parent"], region["key"]
        if region["electricity_price_usd_per_kwh"]:
            assert region["price_source"] and region["price_year"].isdigit(), region["key"]
        if region["pue"]:
            assert region["pue_source"], region["key"]
    for device in rows("hardware.csv"):
        assert device["source"], device["key"]
    for price in rows("prices.csv"):
        assert price["source"] and len(price["as_of"]) == 10, price
    for item in rows("equivalents.csv"):
        assert item["source"] and item["year"], item


def test_values_are_in_physical_ranges() -> None:
    for region in rows("regions.csv"):
        if region["carbon_intensity_g_per_kwh"]:
            assert 0 <= float(region["carbon_intensity_g_per_kwh"]) <= 1500, region["key"]
        if region["pue"]:
            assert 1.0 <= float(region["pue"]) <= 3.0, region["key"]
        if region["electricity_price_usd_per_kwh"]:
            assert 0 < float(region["electricity_price_usd_per_kwh"]) < 2, region["key"]
    for device in rows("hardware.csv"):
        if device["tdp_w"]:
            assert 1 <= float(device["tdp_w"]) <= 2000, device["key"]
    for price in rows("prices.csv"):
        assert 0 < float(price["usd_per_device_hour"]) < 100, price


def test_every_parent_exists_and_every_cloud_region_has_an_intensity(data) -> None:
    for region in data.regions.values():
        if region.parent:
            assert region.parent in data.regions, region.key
        assert data.carbon_intensity(region) is not None, region.key


def test_coverage(data) -> None:
    kinds: dict[str, list[str]] = {}
    for region in data.regions.values():
        kinds.setdefault(region.kind, []).append(region.key)
    assert "world" in data.regions
    assert len(kinds["country"]) >= 200
    states = [k for k in kinds["subdivision"] if k.startswith("us-")]
    assert len(states) == 51  # 50 states and DC, EPA eGRID2023
    assert {"ca-qc", "ca-on", "au-nsw", "au-vic", "cn-bj"} <= set(kinds["subdivision"])
    assert {"se-se1", "no-no1", "dk-dk1"} <= set(kinds["grid"])
    assert len(kinds["cloud"]) >= 100
    assert {k.split(":")[0] for k in kinds["cloud"]} == {"aws", "azure", "gcp"}
    accelerators = [d for d in data.devices.values() if d.kind != "cpu"]
    assert {
        "k80",
        "v100",
        "a100-sxm4-80gb",
        "h100-sxm5-80gb",
        "b200",
        "mi300x",
        "tpu-v2",
        "tpu-v5p",
    } <= {d.key for d in accelerators}
    assert sum(d.kind == "cpu" for d in data.devices.values()) > 1000


def test_figures_match_their_sources(data) -> None:
    # OWID/Ember world average, 2025: 458.29 g/kWh
    assert data.regions["world"].carbon_intensity_g_per_kwh == 458.29
    # eGRID2023 Alabama: 713.976 lb/MWh = 323.86 g/kWh, direct combustion (no lifecycle figure)
    assert data.regions["us-al"].direct_g_per_kwh == pytest.approx(323.86, abs=0.01)
    assert data.regions["us-al"].carbon_intensity_g_per_kwh is None
    # us-central1: its zone's lifecycle figure (MISO, 2025) by default; Google's own (2024) kept
    assert data.regions["gcp:us-central1"].carbon_intensity_g_per_kwh == 501
    assert data.regions["gcp:us-central1"].provider_g_per_kwh == 412.72
    assert data.regions["gcp:us-central1"].parent == "us-ia"
    # AWS us-east-1 is on PJM (its zone), not on Virginia's direct eGRID state rate
    found = data.carbon_intensity(data.regions["aws:us-east-1"])
    assert (found.value, found.region.key, found.fallback) == (418, "aws:us-east-1", "")
    assert data.regions["aws:us-east-1"].grid == "us-mida-pjm"
    # EIA Electric Power Annual 2023, California commercial: 23.91 cents/kWh
    assert data.regions["us-ca"].electricity_price_usd_per_kwh == 0.2391
    # Epoch AI: H100 SXM5 700 W, 989.4 dense BF16 TFLOPS (not the sparsity-doubled 1979)
    h100 = data.device("H100 SXM")
    assert (h100.tdp_w, h100.bf16_tflops) == (700, 989.4)


def test_prices_cover_the_three_clouds_per_accelerator(data) -> None:
    prices = {p.provider for p in data.prices if p.as_of.year >= 2026}
    assert {"aws", "azure", "gcp"} <= prices
    by_instance = {
        (p.provider, p.instance.split(" ")[0], p.pricing, p.region): p for p in data.prices
    }
    # AWS p5.48xlarge, us-east-1, Linux on-demand: 55.04 USD per instance-hour for 8 x H100
    p5 = by_instance["aws", "p5.48xlarge", "on_demand", "us-east-1"]
    assert (p5.device, p5.usd_per_device_hour) == ("h100-sxm5-80gb", 6.88)
    # Azure ND96isr H100 v5, East US: 98.32 USD per instance-hour for 8 x H100
    nd = by_instance["azure", "Standard_ND96isr_H100_v5", "on_demand", "eastus"]
    assert nd.usd_per_device_hour == 12.29


def test_an_aws_estimate_is_priced_from_the_aws_row(cli, write) -> None:
    path = write("hardware: 8 x H100\nhours: 10\nregion: aws:us-east-1\n")
    result = cli("estimate", path, "--format", "json")
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)
    # 8 GPUs x 10 h x 6.88 USD (p5.48xlarge on-demand, no spot price listed)
    assert row["cloud_cost_usd"] == pytest.approx({"low": 550.4, "high": 550.4})


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("France", "fr"),
        ("fr", "fr"),
        ("FRA", "fr"),
        ("Québec", "ca-qc"),
        ("quebec", "ca-qc"),
        ("GCP:US-CENTRAL1", "gcp:us-central1"),
        ("azure:westeurope", "azure:westeurope"),
    ],
)
def test_region_names_resolve(data, name, key) -> None:
    assert data.region(name).key == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Tesla V100-SXM2-32GB", "v100-sxm2-32gb"),
        ("a100-80gb", "a100-sxm4-80gb"),
        ("H100 SXM", "h100-sxm5-80gb"),
        ("NVIDIA H100 PCIe", "h100-pcie"),
        ("tpu v3", "tpu-v3"),
        ("MI300X", "mi300x"),
        ("V100", "v100"),
    ],
)
def test_device_aliases_resolve(data, name, key) -> None:
    assert data.device(name).key == key


def test_unknown_names_suggest(data) -> None:
    with pytest.raises(UnknownNameError) as caught:
        data.device("A100 80G")
    assert "a100-sxm4-80gb" in caught.value.suggestions
    with pytest.raises(UnknownNameError) as caught:
        data.region("Frnace")
    assert "fr" in caught.value.suggestions


@pytest.mark.skipif(
    not SOURCES.is_dir() or importlib.util.find_spec("pycountry") is None,
    reason="needs ../shared/sources and pycountry",
)
def test_tables_rebuild_byte_identical(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import build_tables

    shutil.copytree(DATA / "manual", tmp_path / "manual")
    build_tables.build(SOURCES, tmp_path)
    names = ("regions.csv", "hardware.csv", "prices.csv", "equivalents.csv", "tpu_slices.csv")
    for name in (*names, "currencies.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def listing(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_regions_command_sorts_greenest_first() -> None:
    found = listing("regions", "gcp:")
    values = [r["carbon_intensity_g_per_kwh"] for r in found]
    assert values == sorted(values) and len(found) > 40
    assert found[0]["carbon_intensity_g_per_kwh"] < 25  # a Nordic region (SE-SE3: 20)
    found = listing("regions", "Québec")  # the province, and the cloud regions on its grid
    assert {r["key"] for r in found} == {
        "ca-qc",
        "aws:ca-central-1",
        "azure:canadaeast",
        "gcp:northamerica-northeast1",
    }
    assert {r["basis"] for r in found} == {"lifecycle, consumption"}


def test_hardware_and_prices_commands() -> None:
    found = listing("hardware", "h100")
    assert "h100-sxm5-80gb" in [d["key"] for d in found]
    prices = listing("prices", "tpu-v2")
    assert {p["as_of"] for p in prices} >= {"2019-06-05"}
    assert all(p["device"] == "tpu-v2" for p in prices)
    text = CliRunner().invoke(app, ["regions", "--format", "csv"]).stdout
    assert text.splitlines()[0].startswith("key,name,kind,parent,carbon_intensity_g_per_kwh")
