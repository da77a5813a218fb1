"""Build greenai's host tables (data/instances.csv, data/sites.csv) from raw public files.

    python scripts/build_instances.py PATH/TO/sources [--out data]

PATH/TO/sources holds the raw files, one folder per origin, copied unchanged:

  cloud-carbon-coefficients/{aws,azure,gcp}-instances.csv
      cloud-carbon-footprint/cloud-carbon-coefficients, data/ @dda7621 (2023-05-08), Apache-2.0:
      instance type -> vCPUs, memory, CPU microarchitecture, GPU model and count; for AWS also
      the Teads "AWS EC2 Carbon Footprint Dataset" CPU package watts at idle and at 100 % load.
  cloud-carbon-coefficients/output_coefficients-{aws,azure,gcp}-use.csv
      the same repository, output/: min and max watts per vCPU by CPU microarchitecture
      (SPECpower_ssj2008).
  green-algorithms/defaults_PUE.csv
      GreenAlgorithms/green-algorithms-tool, data/v3.0/ @30df2fe, CC BY 4.0: the Uptime
      Institute 2024 survey average PUE and the cloud providers' default PUE, with sources.

Why a separate script from build_tables.py: the host tables have their own sources and are read
only when an estimate needs them (a cloud instance, a `site:`), never by a plain lookup.

instances.csv keeps accelerator instances only (GPU count > 0): greenai prices the host that
comes with an accelerator. Watts per vCPU, in CCF's order of preference: the instance's own
measured watts (AWS, Teads: package watts at idle and 100 % / vCPUs); else the row of the
instance's microarchitecture in the provider's coefficients; else, for a microarchitecture the
coefficients lack, the median over the provider's microarchitectures (CCF's rule for an unknown
one: GCP_CLOUD_CONSTANTS.MIN_WATTS_MEDIAN / MAX_WATTS_MEDIAN).

Typed figures live in data/manual/instances.csv (instance types newer than the CCF snapshot,
each row with the provider's documentation page and the day it was read) and
data/manual/sites.csv (PUE of places that are not data centres). The output is deterministic.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from build_tables import (  # one CSV reader and writer for every build script
    command,
    read_csv,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = ("aws", "azure", "gcp")
CCF = "cloud-carbon-coefficients"
CCF_SOURCE = (
    "Cloud Carbon Footprint, cloud-carbon-coefficients @dda7621 (2023-05-08, Apache-2.0), {file}"
)
CCF_YEAR = "2023"
INSTANCE_COLUMNS = [
    "provider",
    "instance",
    "vcpus",
    "memory_gb",
    "gpu_name",
    "gpu_count",
    "microarchitecture",
    "min_w_per_vcpu",
    "max_w_per_vcpu",
    "watts_basis",
    "year",
    "source",
]
SITE_COLUMNS = ["site", "name", "pue", "year", "source"]


def number(text: str | None) -> float | None:
    """A figure as the sources write it: '1.5', '0,29' (Teads' decimal comma), 'N/A' (none)."""
    text = (text or "").strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def arch_key(name: str) -> str:
    """Microarchitecture names compared without spaces or case ('Sky Lake' == 'Skylake')."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


# ----------------------------------------------------------------------------- instances


def coefficients(src: Path, provider: str) -> tuple[dict[str, tuple[float, float]], str]:
    """Watts per vCPU (min, max) by microarchitecture, with the median under key ''."""
    name = f"output_coefficients-{provider}-use.csv"
    rows = read_csv(src / CCF / name)
    found = {
        arch_key(r["Architecture"]): (float(r["Min Watts"]), float(r["Max Watts"])) for r in rows
    }
    found[""] = (
        statistics.median(low for low, _ in found.values()),
        statistics.median(high for _, high in found.values()),
    )
    return found, name


def watts(
    table: dict[str, tuple[float, float]], file: str, provider: str, microarchitecture: str
) -> tuple[float, float, str]:
    key = arch_key(microarchitecture)
    if key and key in table:
        return *table[key], f"{file}: {microarchitecture} row"
    return (
        *table[""],
        f"{file}: median over {provider}'s microarchitectures ({microarchitecture or 'none'} "
        "not listed; CCF's rule for an unknown one)",
    )


def build_instances(src: Path, manual: Path) -> list[dict[str, object]]:
    rows: dict[tuple[str, str], dict[str, object]] = {}

    def put(row: dict[str, object]) -> None:
        rows.setdefault((str(row["provider"]), str(row["instance"]).lower()), row)

    for provider in PROVIDERS:
        table, coefficient_file = coefficients(src, provider)
        file = f"{provider}-instances.csv"
        for raw in read_csv(src / CCF / file):
            if provider == "aws":
                gpus = number(raw["Instance Number of GPU"])
                vcpus = number(raw["Instance vCPU"])
                if not gpus or not vcpus:
                    continue
                idle, full = number(raw["PkgWatt @ Idle"]), number(raw["PkgWatt @ 100%"])
                assert idle is not None and full is not None, raw["Instance type"]
                put(
                    {
                        "provider": provider,
                        "instance": raw["Instance type"],
                        "vcpus": int(vcpus),
                        "memory_gb": number(raw["Instance Memory (in GB)"]),
                        "gpu_name": raw["Platform GPU Name"],
                        "gpu_count": int(gpus),
                        "microarchitecture": raw["Platform CPU Name"],
                        "min_w_per_vcpu": idle / vcpus,
                        "max_w_per_vcpu": full / vcpus,
                        "watts_basis": f"{file}: Teads PkgWatt @ Idle and @ 100% / vCPUs",
                        "year": CCF_YEAR,
                        "source": CCF_SOURCE.format(file=file),
                    }
                )
                continue
            gpus = number(raw["Instance GPUs"])
            if not gpus:
                continue
            name = raw["Machine type"] if provider == "gcp" else raw["Virtual Machine"]
            if provider == "azure":  # the API name, as price lists write it
                name = "Standard_" + name.replace(" ", "_")
            low, high, basis = watts(table, coefficient_file, provider, raw["Microarchitecture"])
            put(
                {
                    "provider": provider,
                    "instance": name,
                    "vcpus": int(float(raw["Instance vCPUs"])),
                    "memory_gb": number(raw["Instance Memory"]),
                    "gpu_name": "",
                    "gpu_count": int(gpus),
                    "microarchitecture": raw["Microarchitecture"],
                    "min_w_per_vcpu": low,
                    "max_w_per_vcpu": high,
                    "watts_basis": basis,
                    "year": CCF_YEAR,
                    "source": CCF_SOURCE.format(file=file),
                }
            )
    for raw in read_csv(manual / "instances.csv"):
        provider = raw["provider"]
        table, coefficient_file = coefficients(src, provider)
        low, high, basis = watts(table, coefficient_file, provider, raw["microarchitecture"])
        put(
            {
                **raw,
                "vcpus": int(raw["vcpus"]),
                "memory_gb": float(raw["memory_gb"]),
                "gpu_count": int(raw["gpu_count"]),
                "min_w_per_vcpu": low,
                "max_w_per_vcpu": high,
                "watts_basis": basis,
                "source": f"{raw['source']}; watts: {CCF_SOURCE.format(file=coefficient_file)}",
            }
        )
    return sorted(rows.values(), key=lambda r: (str(r["provider"]), str(r["instance"]).lower()))


# ----------------------------------------------------------------------------- sites


def build_sites(src: Path, manual: Path) -> list[dict[str, object]]:
    """The PUE of each kind of place: a data centre (the Uptime Institute survey average), each
    cloud provider's default, and the hand-kept rows (no facility, server rooms)."""
    found: list[dict[str, object]] = []
    for raw in read_csv(src / "green-algorithms" / "defaults_PUE.csv", skip=1):
        year, _, url = raw["source"].partition(" ")
        if raw["provider"] == "Unknown":
            found.append(
                {
                    "site": "datacenter",
                    "name": "data centre (industry average)",
                    "pue": float(raw["PUE"]),
                    "year": year if url else "2024",
                    "source": "Uptime Institute Global Data Center Survey 2024, average annual "
                    f"PUE ({url or raw['source']}), via Green Algorithms v3.0 defaults_PUE.csv "
                    "(CC BY 4.0)",
                }
            )
        elif raw["provider"].lower() in PROVIDERS:
            found.append(
                {
                    "site": f"cloud:{raw['provider'].lower()}",
                    "name": f"{raw['provider'].lower()} data centres (provider default)",
                    "pue": float(raw["PUE"]),
                    "year": "2023",
                    "source": f"{raw['source']} (2023-05-04), via Green Algorithms v3.0 "
                    "defaults_PUE.csv (CC BY 4.0)",
                }
            )
    found += [{**r, "pue": float(r["pue"])} for r in read_csv(manual / "sites.csv")]
    return sorted(found, key=lambda r: str(r["site"]))


def build(sources: Path, out: Path) -> dict[str, int]:
    manual = out / "manual"
    return {
        "instances.csv": write_csv(
            out / "instances.csv", INSTANCE_COLUMNS, build_instances(sources, manual)
        ),
        "sites.csv": write_csv(out / "sites.csv", SITE_COLUMNS, build_sites(sources, manual)),
    }


def main(argv: list[str] | None = None) -> int:
    return command(build, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
