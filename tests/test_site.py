"""Where it runs and what else draws power: `site:` and its PUE, the host of a cloud instance,
and warnings for values far below anything real (issues 12.4, 12.5, 12.6).

Figures are computed here by hand from the table rows they come from (data/sites.csv,
data/instances.csv, data/hardware.csv), each quoted next to its use.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import pytest

from greenai import experiment
from tests.conftest import CONFIGS, ROOT

DATA = ROOT / "data"
SOURCES = ROOT.parent / "shared" / "sources"
TODAY = CONFIGS / "today" / "finetune_8xh100_gcp.yaml"
V100_TDP = 300.0  # data/hardware.csv, v100
H100_TDP = 700.0  # data/hardware.csv, h100-sxm5-80gb
# data/instances.csv, gcp a3-highgpu-8g and a3-edgegpu-8g: 208 vCPUs, 1,872 GB, 0.678719 ..
# 3.77046 W per vCPU (median of the GCP coefficients; Sapphire Rapids is not among them)
A3_W_PER_VCPU = 0.678719 + 0.5 * (3.77046 - 0.678719)  # CPU at 50 % (CCF's default)
A3_CPU = 208 * A3_W_PER_VCPU
A3_DRAM = 1872 * 0.3725
# data/instances.csv, aws p4d.24xlarge: 96 vCPUs, 1,152 GB; Teads package watts 57.93 idle ..
# 626.76 at 100 % over 96 vCPUs = 0.603437 .. 6.52875 W per vCPU
P4D_W_PER_VCPU = 0.603437 + 0.5 * (6.52875 - 0.603437)


def row(name: str, **match: str) -> dict[str, str]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        found = [r for r in csv.DictReader(handle) if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (name, match)
    return found[0]


def priced(cli, path: Path | str, *args: str) -> tuple[dict, str]:
    result = cli("estimate", str(path), "--format", "json", *args)
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)
    return item, result.err


def said(item: dict, what: str) -> dict:
    (found,) = [a for a in item["assumptions"] if a["what"].startswith(what)]
    return found


def test_the_table_rows_used_here() -> None:
    for name in ("a3-highgpu-8g", "a3-edgegpu-8g"):
        a3 = row("instances.csv", provider="gcp", instance=name)
        assert (a3["vcpus"], a3["memory_gb"], a3["gpu_count"]) == ("208", "1872", "8")
        assert (a3["min_w_per_vcpu"], a3["max_w_per_vcpu"]) == ("0.678719", "3.77046")
        assert "cloud.google.com" in a3["source"] and "2026" in a3["year"]
    p4d = row("instances.csv", provider="aws", instance="p4d.24xlarge")
    assert (p4d["vcpus"], p4d["memory_gb"], p4d["gpu_count"]) == ("96", "1152", "8")
    assert (p4d["min_w_per_vcpu"], p4d["max_w_per_vcpu"]) == ("0.603437", "6.52875")
    assert float(p4d["min_w_per_vcpu"]) == pytest.approx(57.93 / 96, abs=1e-5)
    assert float(p4d["max_w_per_vcpu"]) == pytest.approx(626.76 / 96, abs=1e-5)
    pues = {r["site"]: r for r in csv.DictReader((DATA / "sites.csv").open(encoding="utf-8"))}
    assert {k: float(r["pue"]) for k, r in pues.items()} == {
        "cloud:aws": 1.2,
        "cloud:azure": 1.12,
        "cloud:gcp": 1.12,
        "datacenter": 1.56,
        "desktop": 1.0,
        "laptop": 1.0,
        "server-room": 1.8,
    }
    assert all(r["source"] and r["year"].isdigit() for r in pues.values())
    assert "uptimeinstitute.com" in pues["datacenter"]["source"]
    assert "lbl.gov" in pues["server-room"]["source"]


# ----------------------------------------------------------------------------- 12.5: site


@pytest.mark.parametrize(
    ("site", "pue"),
    [("laptop", 1.0), ("desktop", 1.0), ("workstation", 1.0), ("server-room", 1.8),
     ("Server room", 1.8), ("datacenter", 1.56), ("data centre", 1.56)],
)  # fmt: skip
def test_site_sets_the_pue(cli, write, site: str, pue: float) -> None:
    path = write(f"hardware: 8 x V100\nhours: 10\nregion: fr\nsite: {site}\n")
    item, err = priced(cli, path)
    assert err == ""
    assert item["pue"] == pue
    assert item["energy_kwh"] == pytest.approx(8 * V100_TDP * 10 * pue / 1000)
    assert said(item, "PUE")["value"].startswith(f"{pue:g} (site: ")


def test_no_site_keeps_1_58_and_says_so(cli, write) -> None:
    item, _ = priced(cli, write("hardware: 8 x V100\nhours: 10\nregion: fr\n"))
    assert item["pue"] == 1.58
    assert item["energy_kwh"] == pytest.approx(8 * V100_TDP * 10 * 1.58 / 1000)
    pue = said(item, "PUE")
    assert pue["value"] == "1.58 (site not given: a data-centre average)"
    assert "Strubell" in pue["source"] and "site: desktop" in pue["source"]


def test_site_cloud_takes_the_region_or_the_provider_default(cli, write) -> None:
    item, _ = priced(
        cli, write("hardware: 8 x V100\nhours: 1\nregion: aws:us-east-1\nsite: cloud\n")
    )
    assert item["pue"] == 1.15  # the region row's own PUE (AWS, us-east-1, 2024)
    text = "hardware: 8 x V100\nhours: 1\nregion: us\nsite: cloud\ncloud: gcp\n"
    item, _ = priced(cli, write(text))
    assert item["pue"] == 1.12  # data/sites.csv, cloud:gcp
    path = write("hardware: 8 x V100\nhours: 1\nregion: us\nsite: cloud\n")
    result = cli("estimate", path)
    assert result.code == 2
    assert result.err.startswith(f"error: {path}: site: site: cloud takes the provider's PUE")


def test_pue_given_wins_over_site(cli, write) -> None:
    item, _ = priced(
        cli, write("hardware: 1 x V100\nhours: 1\nregion: fr\nsite: laptop\npue: 1.3\n")
    )
    assert item["pue"] == 1.3


def test_an_unknown_site_is_one_error_line(cli, write) -> None:
    path = write("hardware: 1 x V100\nhours: 1\nregion: fr\nsite: desktp\n")
    result = cli("estimate", path)
    assert result.code == 2
    assert result.err == f"error: {path}:4: site: unknown site 'desktp'; did you mean 'desktop'?\n"


def test_compare_varies_the_site(cli, write) -> None:
    path = write("hardware: 8 x V100\nhours: 10\nregion: fr\n")
    result = cli("compare", path, "--vary", "site=laptop,datacenter", "--format", "json")
    assert result.code == 0, result.err
    grid = json.loads(result.out)
    assert [g["pue"] for g in grid] == [1.0, 1.56]


# ----------------------------------------------------------------------------- 12.6: host


def test_a_known_cloud_instance_adds_its_host_cpu(cli) -> None:
    item, _ = priced(cli, TODAY)
    # 8 x 700 W x 0.7 + 2,000 GB x 0.3725 W/GB (the file's memory) + a3-edgegpu-8g's CPU
    assert item["power_w"] == pytest.approx(3920 + 745 + A3_CPU)
    assert round(A3_CPU, 2) == 462.71
    host = said(item, "host power")
    assert host["what"] == "host power (CPU)"  # the file gives memory: DRAM is not added twice
    assert host["value"].startswith("462.7 W = a3-edgegpu-8g: 208 vCPU x 2.225 W")
    assert "CCF" in host["source"] or "Cloud Carbon Footprint" in host["source"]


def test_a_named_instance_is_shared_by_the_devices_used(cli, write) -> None:
    text = (
        "hardware: 4 x H100\nhours: 10\nregion: gcp:us-central1\n"
        "cloud:\n  provider: gcp\n  instance: a3-highgpu-8g\n"
    )
    item, _ = priced(cli, write(text))
    # half the instance: 4 of its 8 GPUs; CPU and DRAM (the file gives no memory)
    assert item["power_w"] == pytest.approx(4 * H100_TDP + 0.5 * (A3_CPU + A3_DRAM))
    assert said(item, "host power (CPU and DRAM)")["value"].startswith(
        "580 W = 0.5 x a3-highgpu-8g"
    )


def test_the_instance_is_picked_from_the_devices_when_unambiguous(cli, write) -> None:
    text = "hardware: 16 x A100\nhours: 10\nregion: aws:us-east-1\n"
    item, _ = priced(cli, write(text))
    host = 2 * (96 * P4D_W_PER_VCPU + 1152 * 0.3725)  # two p4d.24xlarge
    assert item["power_w"] == pytest.approx(16 * 400 + host)
    text = "hardware: 8 x V100\nhours: 10\nregion: aws:us-east-1\n"
    item, _ = priced(cli, write(text))
    assert item["power_w"] == 8 * V100_TDP  # p3.16xlarge and p3dn.24xlarge both have 8
    value = said(item, "host power")["value"]
    assert value.startswith("not counted") and "name one in cloud: instance:" in value


def test_measured_power_means_no_host(cli) -> None:
    item, _ = priced(cli, CONFIGS / "strubell2019" / "bert_base_v100.yaml")
    assert item["power_w"] == 12041.51
    assert not [a for a in item["assumptions"] if a["what"].startswith("host")]


def test_elsewhere_the_output_says_the_host_is_not_counted(cli, write) -> None:
    item, _ = priced(cli, write("hardware: 8 x V100\nhours: 10\nregion: fr\n"))
    host = said(item, "host power (CPU and DRAM)")
    assert host["value"].startswith("not counted")
    assert "memory:" in host["source"] and "power:" in host["source"]
    text = "hardware:\n  - 8 x V100\n  - 2 x AMD EPYC 7763\nmemory: 512 GB\nhours: 10\nregion: fr\n"
    item, _ = priced(cli, write(text))
    assert not [a for a in item["assumptions"] if a["what"].startswith("host")]


def test_an_unknown_instance_is_one_error_line(cli, write) -> None:
    text = (
        "hardware: 8 x V100\nhours: 1\nregion: us\ncloud:\n  provider: aws\n  instance: p3.16xl\n"
    )
    path = write(text)
    result = cli("estimate", path)
    assert result.code == 2
    assert result.err.startswith(
        f"error: {path}:6: cloud.instance: unknown aws instance type 'p3.16xl'; "
        "did you mean 'p3.16xlarge'"
    )


@pytest.mark.skipif(not SOURCES.is_dir(), reason="needs ../shared/sources")
def test_host_tables_rebuild_byte_identical(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_instances

    shutil.copytree(DATA / "manual", tmp_path / "manual")
    build_instances.build(SOURCES, tmp_path)
    for name in ("instances.csv", "sites.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


# ----------------------------------------------------------------------------- 12.4: low side


def test_an_intensity_in_kg_read_as_g_is_questioned(cli, write) -> None:
    path = write("hardware: 1 x V100\nhours: 1\ncarbon_intensity: 0.4\n")
    item, err = priced(cli, path)
    assert item["carbon_intensity_g_per_kwh"] == 0.4  # the documented unit, with a warning
    assert err.startswith(f"warning: {path}:3: carbon_intensity: 0.4 g/kWh is below the usual")
    assert "Quebec" in err and "did you mean 0.4 kg/kWh = 400 g/kWh?" in err
    for fine in ("0.4 kg/kWh", "1.2", "0"):
        _, err = priced(cli, write(f"hardware: 1 x V100\nhours: 1\ncarbon_intensity: {fine}\n"))
        assert err == "", fine


def test_a_machine_power_below_the_gpus_idle_is_questioned(cli, write) -> None:
    path = write("hardware: 8 x H100\npower: 450 W\nhours: 1\nregion: fr\n")
    item, err = priced(cli, path)
    assert item["power_w"] == 450  # read as the whole machine, as documented
    assert err.startswith(f"warning: {path}:2: power: 450 W for 8 x H100 SXM5 80GB is 56.2 W per")
    assert "idle draw (~80 W: 11.4% of its 700 W TDP" in err  # 700 x 0.114 = 79.8
    assert "put it under hardware: - power: 450 W" in err
    _, err = priced(cli, write("hardware: 8 x H100\npower: 4500 W\nhours: 1\nregion: fr\n"))
    assert err == ""


def test_a_device_power_below_its_idle_is_questioned(cli, write) -> None:
    text = "hardware:\n  - device: H100\n    count: 8\n    power: 50 W\nhours: 1\nregion: fr\n"
    path = write(text)
    _, err = priced(cli, path)
    assert err.startswith(f"warning: {path}:4: hardware.0.power: 50 W per H100 SXM5 80GB is below")
    assert "one device's measured average" in err


@pytest.mark.skipif(not SOURCES.is_dir(), reason="needs ../shared/sources")
def test_the_gpu_idle_share_is_the_teads_ratio() -> None:
    path = SOURCES / "cloud-carbon-coefficients" / "aws-instances.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        ratios = [
            float(r["GPUWatt @ Idle"].replace(",", "."))
            / float(r["GPUWatt @ 100%"].replace(",", "."))
            for r in csv.DictReader(handle)
            if r["GPUWatt @ 100%"] not in ("", "N/A", "0,0")
        ]
    assert ratios and all(
        r == pytest.approx(experiment.GPU_IDLE_FRACTION, abs=0.001) for r in ratios
    )


def test_the_schema_says_which_power_is_per_device() -> None:
    from greenai import schema, tables

    props = schema.experiment_schema(tables.load())["properties"]
    assert "WHOLE machine" in props["power"]["description"]
    group = props["hardware"]["anyOf"][1]["properties"]
    assert "ONE device" in group["power"]["description"]
    assert "site" in props and "instance" in props["cloud"]["anyOf"][1]["properties"]
