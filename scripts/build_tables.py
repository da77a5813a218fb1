"""Build greenai's data tables (data/*.csv) from raw public files.

    python scripts/build_tables.py PATH/TO/sources [--out data]

PATH/TO/sources holds the raw files, one folder per origin, copied unchanged from their public
homes (refresh them from there, rerun this script, and commit the new tables):

  owid-carbon-intensity/carbon-intensity-electricity.csv
      Our World in Data grapher export "carbon-intensity-electricity"
      (https://ourworldindata.org/grapher/carbon-intensity-electricity; Ember + Energy Institute).
  electricitymaps-yearly-co2js/electricitymaps_yearly_2021_2025.csv
      Electricity Maps yearly averages, as republished by thegreenwebfoundation/co2.js
      (data/output/electricity-maps/yearly_YYYY.json), flattened to one CSV.
  codecarbon/private_infra__2023__usa_emissions.json, ..._china_provincial_emissions.json
      mlco2/codecarbon, codecarbon/data/private_infra/2023/ (EPA eGRID2023 state rates; Chinese
      provincial grid factors). codecarbon/cloud__impact.csv: cloud regions and their countries.
      codecarbon/hardware__cpu_power.csv: CPU TDPs.
  google-region-carbon-info/YYYY.csv
      GoogleCloudPlatform/region-carbon-info, data/yearly/.
  green-algorithms/*.csv
      GreenAlgorithms/green-algorithms-tool, data/v3.0/ (cloud data-centre locations and PUE,
      CPU TDPs).
  cloud-carbon-coefficients/grid-emissions-factors-{aws,azure,gcp}.csv
      cloud-carbon-footprint/cloud-carbon-coefficients, data/ (cloud region -> country).
  mlco2-impact/impact.csv
      mlco2/impact, data/ (cloud regions and their countries).
  epoch-ml-hardware/ml_hardware_tflops.csv
      Epoch AI, "Data on Machine Learning Hardware" (https://epoch.ai/data/machine-learning-hardware).
  skypilot-catalog-excerpts/*.csv
      skypilot-org/skypilot-catalog, catalogs/v6/<cloud>/vms.csv (providers' list prices).
  eia-state-electricity-prices/eia_state_residential_price_2025-01.csv
      U.S. EIA API v2 electricity/retail-sales, residential price by state.

Figures that must be typed (a price from a pricing page, a datasheet value the sources lack, a
published equivalent) live in data/manual/*.csv, each row with its citation; this script merges
them. The output is deterministic: the same inputs give byte-identical tables.

One rule picks among sources (recorded in data/SOURCES.md): for each region, the most recent
annual figure from the most authoritative source that covers it — national statistics compiled
by Ember/OWID for countries, EPA eGRID for US states, the provider's own figure for a cloud
region, Electricity Maps for other sub-national grids, CodeCarbon's compilation for Chinese
provinces.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from greenai import units  # noqa: E402  (the one place unit conversions live)

REGION_COLUMNS = [
    "key",
    "name",
    "kind",
    "parent",
    "iso_code",
    "carbon_intensity_g_per_kwh",
    "intensity_year",
    "intensity_source",
    "intensity_basis",
    "intensity_license",
    "electricity_price_usd_per_kwh",
    "price_year",
    "price_source",
    "pue",
    "pue_source",
    "aliases",
    "location",
    "location_source",
]
HARDWARE_COLUMNS = [
    "key",
    "name",
    "aliases",
    "kind",
    "vendor",
    "tdp_w",
    "fp32_tflops",
    "tf32_tflops",
    "bf16_tflops",
    "fp16_tflops",
    "fp8_tflops",
    "memory_gb",
    "cores",
    "release_year",
    "source",
]
PRICE_COLUMNS = [
    "provider",
    "device",
    "instance",
    "pricing",
    "usd_per_device_hour",
    "as_of",
    "region",
    "scope",
    "source",
]
EQUIVALENT_COLUMNS = ["key", "name", "co2e_lb", "year", "source"]
TPU_SLICE_COLUMNS = ["prefix", "device", "counts", "per_chip", "source"]

OWID_SOURCE = (
    "Our World in Data, carbon-intensity-electricity (Ember 2025; Energy Institute Statistical "
    "Review 2024)"
)
EM_SOURCE = "Electricity Maps yearly average, via co2.js (ODbL, attribution Electricity Maps)"
EGRID_SOURCE = "EPA eGRID2023 state CO2e total output emission rate (STC2ERTA), via CodeCarbon"
CHINA_SOURCE = "Chinese provincial grid emission factors 2023, via CodeCarbon"
GOOGLE_SOURCE = "Google Cloud region-carbon-info, grid carbon intensity (location-based)"
EPOCH_SOURCE = "Epoch AI, Data on Machine Learning Hardware (Dec 2025), CC BY 4.0"
GA_CPU_SOURCE = "Green Algorithms v3.0 TDP_cpu.csv (CC BY 4.0)"
CC_CPU_SOURCE = "CodeCarbon hardware/cpu_power.csv (Intel ARK / AMD specs), MIT"
EIA_SOURCE = "U.S. EIA retail sales, residential average price, 2025-01"
SKYPILOT_AS_OF = "2026-11-22"

# Cloud providers whose regions greenai lists, and how their region names become keys.
PROVIDERS = ("aws", "azure", "gcp")


# ----------------------------------------------------------------------------- helpers


def read_csv(path: Path, skip: int = 0) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for _ in range(skip):
            handle.readline()
        return list(csv.DictReader(handle))


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, object]]) -> int:
    rows = list(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: fmt(row.get(c)) for c in columns})
    return len(rows)


def fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.6g}" if abs(value) < 1e6 else f"{value:.10g}"
        return text
    return str(value)


def number(text: str | None) -> float | None:
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def alpha2(alpha3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2.lower() if country else None


def country_by_name(name: str) -> str | None:
    name = {
        "England": "United Kingdom",
        "South Korea": "Korea, Republic of",
        "Hong Kong": "Hong Kong",
        "Taiwan": "Taiwan",
    }.get(name, name)
    try:
        return pycountry.countries.lookup(name).alpha_2.lower()
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(name)[0].alpha_2.lower()
        except LookupError:
            return None


def subdivision_code(code: str) -> bool:
    return pycountry.subdivisions.get(code=code.upper()) is not None


# ----------------------------------------------------------------------------- regions


def country_names(alpha2_code: str, shown: str) -> list[str]:
    """ISO 3166 names of a country other than the one shown ("United Kingdom of Great Britain
    and Northern Ireland", "Korea, Republic of", "Viet Nam"), so the names people copy from
    forms and standards resolve."""
    country = pycountry.countries.get(alpha_2=alpha2_code.upper())
    if country is None:
        return []
    names = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
    return sorted({n for n in names if n and n != shown})


def build_regions(src: Path, manual: Path) -> list[dict[str, object]]:
    regions: dict[str, dict[str, object]] = {}

    def add(row: dict[str, object]) -> None:
        if row["key"] not in regions:
            regions[str(row["key"])] = row

    # Countries and the world: OWID/Ember, latest year per entity (lifecycle, generation-based).
    latest: dict[str, tuple[int, float, str]] = {}
    for row in read_csv(src / "owid-carbon-intensity/carbon-intensity-electricity.csv"):
        code, value = row["Code"], number(row["Carbon intensity of electricity per kWh"])
        if not code or value is None:
            continue
        year = int(row["Year"])
        if code not in latest or year > latest[code][0]:
            latest[code] = (year, value, row["Entity"])
    year, value, _ = latest["OWID_WRL"]
    add(
        dict(
            key="world",
            name="World",
            kind="world",
            parent="",
            iso_code="",
            carbon_intensity_g_per_kwh=round(value, 2),
            intensity_year=year,
            intensity_source=OWID_SOURCE,
            intensity_basis="lifecycle, generation",
            intensity_license="CC BY 4.0",
        )
    )
    for code, (year, value, entity) in sorted(latest.items()):
        key = alpha2(code)
        if key is None:
            continue
        add(
            dict(
                key=key,
                name=entity,
                kind="country",
                parent="",
                iso_code=code,
                aliases=";".join(country_names(key, entity)),
                carbon_intensity_g_per_kwh=round(value, 2),
                intensity_year=year,
                intensity_source=OWID_SOURCE,
                intensity_basis="lifecycle, generation",
                intensity_license="CC BY 4.0",
            )
        )

    # US states: EPA eGRID2023 (combustion, generation-based), lb/MWh -> g/kWh through pint.
    usa = json.loads((src / "codecarbon/private_infra__2023__usa_emissions.json").read_text())
    for state, entry in usa.items():
        if state.startswith("_") or len(entry["regionCode"]) != 2:
            continue  # the national total: countries come from OWID/Ember
        grams = units.convert(entry["emissions"], "lb/MWh", "g/kWh")
        code = entry["regionCode"].lower()
        name = pycountry.subdivisions.get(code=f"US-{code.upper()}")
        add(
            dict(
                key=f"us-{code}",
                name=name.name if name else state.title(),
                kind="subdivision",
                parent="us",
                iso_code=f"US-{code.upper()}",
                carbon_intensity_g_per_kwh=round(grams, 2),
                intensity_year=usa["_source"]["year"],
                intensity_source=EGRID_SOURCE,
                intensity_basis="direct combustion, generation",
                intensity_license="public domain (EPA); compilation MIT",
            )
        )

    # Chinese provinces: CodeCarbon's compilation of provincial grid factors.
    china = json.loads(
        (src / "codecarbon/private_infra__2023__china_provincial_emissions.json").read_text()
    )
    for code, entry in china["data"].items():
        add(
            dict(
                key=code.lower(),
                name=entry["description"],
                kind="subdivision",
                parent="cn",
                iso_code=code,
                carbon_intensity_g_per_kwh=round(entry["emission_factor"], 2),
                intensity_year=entry["year"],
                intensity_source=CHINA_SOURCE,
                intensity_basis="grid emission factor (CO2)",
                intensity_license="MIT (compilation)",
            )
        )

    # Other sub-national grids: Electricity Maps, latest year (lifecycle, consumption-based).
    em_latest: dict[str, dict[str, str]] = {}
    for row in read_csv(src / "electricitymaps-yearly-co2js/electricitymaps_yearly_2021_2025.csv"):
        zone = row["zone"]
        if "-" not in zone:
            continue  # countries come from OWID/Ember
        if zone not in em_latest or int(row["year"]) > int(em_latest[zone]["year"]):
            em_latest[zone] = row
    for zone, row in sorted(em_latest.items()):
        country = zone.split("-")[0].lower()
        if country not in regions:
            continue
        kind = "subdivision" if subdivision_code(zone) else "grid"
        add(
            dict(
                key=zone.lower(),
                name=row["display_name"] or row["zone_name"],
                kind=kind,
                parent=country,
                iso_code=zone if kind == "subdivision" else "",
                carbon_intensity_g_per_kwh=float(row["carbon_intensity_gco2eq_per_kwh"]),
                intensity_year=int(row["year"]),
                intensity_source=EM_SOURCE,
                intensity_basis="lifecycle, consumption",
                intensity_license="ODbL",
            )
        )

    # US electricity prices: EIA, cents/kWh -> USD/kWh.
    for row in read_csv(
        src / "eia-state-electricity-prices/eia_state_residential_price_2025-01.csv"
    ):
        key = "us" if row["state"] == "US" else f"us-{row['state'].lower()}"
        if key in regions:
            regions[key].update(
                electricity_price_usd_per_kwh=round(float(row["price"]) / 100, 4),
                price_year=row["period"][:4],
                price_source=EIA_SOURCE,
            )

    for row in build_cloud_regions(src, regions):
        add(row)

    # Names people type that no source gives ("UK", "Holland"), each with its reason. A name
    # listed for two keys ("Korea") is refused by the lookup as ambiguous, by design.
    for row in read_csv(manual / "region_aliases.csv"):
        key = row["key"].strip()
        if key not in regions:
            raise SystemExit(f"data/manual/region_aliases.csv: unknown region key {key!r}")
        aliases = [a for a in str(regions[key].get("aliases") or "").split(";") if a]
        regions[key]["aliases"] = ";".join(sorted({*aliases, row["alias"].strip()}))

    order = {"world": 0, "country": 1, "subdivision": 2, "grid": 3, "cloud": 4}
    return sorted(regions.values(), key=lambda r: (order[str(r["kind"])], str(r["key"])))


def build_cloud_regions(
    src: Path, regions: dict[str, dict[str, object]]
) -> list[dict[str, object]]:
    """AWS, Azure and Google Cloud regions, each on the grid it sits on (its parent)."""
    us_states = {
        str(r["name"]).lower(): str(r["key"])
        for r in regions.values()
        if str(r["key"]).startswith("us-") and r["kind"] == "subdivision"
    }

    def parent_of(location: str) -> str | None:
        """A Green Algorithms location code (US-OR, CN-HK, BE) as a key of ours."""
        key = location.strip().lower()
        if key == "cn-hk":
            key = "hk"
        if key not in regions and "-" in key:  # a subdivision without a grid figure of its own
            key = key.split("-")[0]
        return key if key in regions else None

    found: dict[str, dict[str, object]] = {}
    places: dict[str, tuple[int, str, str]] = {}

    def place(provider: str, region: str, rank: int, parts: Iterable[str], source: str) -> None:
        """Where a cloud region is, as its sources say it (city, state, country); the best-ranked
        source wins. Searched by `greenai regions`, never used to pick a grid."""
        text = ", ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
        key = f"{provider}:{cloud_region_id(provider, region)}"
        if text and (key not in places or rank < places[key][0]):
            places[key] = (rank, text, source)

    def put(provider: str, region: str, name: str, parent: str | None, how: str) -> None:
        key = f"{provider}:{cloud_region_id(provider, region)}"
        if not parent and key not in found:  # "Qatar Central", "Finland Central": the country
            words = re.sub(r"\(.*\)", "", name).split()
            for size in range(len(words), 0, -1):
                parent = country_by_name(" ".join(words[:size]))
                if parent in regions:
                    break
                parent = None
        if key in found or not parent:
            if key not in found and not parent:
                print(f"  no grid found for {key}; left out", file=sys.stderr)
            return
        found[key] = dict(
            key=key,
            name=name,
            kind="cloud",
            parent=parent,
            iso_code="",
            intensity_source="",
            aliases=region if region != key else "",
            location_source=how,
        )

    # Green Algorithms maps each data centre to a grid location (US state, province, country).
    ga = read_csv(src / "green-algorithms/cloudProviders_datacenters.csv", skip=1)
    ga_pue: dict[str, tuple[float, str]] = {}
    for row in ga:
        provider = row["provider"].strip().lower()
        if provider not in PROVIDERS:
            continue
        parent = parent_of(row["location"]) if row["location"] else None
        put(provider, row["Name"].strip(), row["Name"].strip(), parent, "Green Algorithms")
        place(
            provider,
            row["Name"].strip(),
            2,
            [row["Extra_details"] or row["location_freeForm"]],
            "Green Algorithms v3.0 cloudProviders_datacenters.csv",
        )
        if number(row["PUE"]):
            key = f"{provider}:{cloud_region_id(provider, row['Name'].strip())}"
            ga_pue[key] = (float(row["PUE"]), row["source_PUE"].strip())

    # CodeCarbon and ML CO2 Impact give display names with the US state ("US East (Ohio)"),
    # city and country; Cloud Carbon Footprint gives a country or state per region.
    listed = [
        (row, "CodeCarbon cloud/impact.csv")
        for row in read_csv(src / "codecarbon/cloud__impact.csv")
    ]
    listed += [
        (row, "ML CO2 Impact impact.csv") for row in read_csv(src / "mlco2-impact/impact.csv")
    ]
    for row, how in listed:
        provider = row["provider"].strip().lower()
        if provider not in PROVIDERS:
            continue
        region = _REGION_TYPOS.get(row["region"].strip(), row["region"].strip())
        parent = None
        match = re.search(r"\(([^)]*)\)", row["regionName"])
        if match:
            parent = us_states.get(re.sub(r"^N\.\s*", "", match.group(1)).strip().lower())
        if parent is None and row.get("state"):
            parent = us_states.get(row["state"].strip().lower())
        if parent is None and row["city"].strip() == "Hong Kong":
            parent = "hk"
        if parent is None and row.get("countryIsoCode"):
            parent = alpha2(row["countryIsoCode"].strip())
        if parent is None and row.get("country"):
            parent = country_by_name(row["country"].strip())
        put(provider, region, row["regionName"].strip() or region, parent, how)
        country = row.get("country_name") or row.get("country") or ""
        rank = 0 if how.startswith("CodeCarbon") else 1
        place(provider, region, rank, [row["city"], row.get("state") or "", country], how)
    for provider in PROVIDERS:
        for row in read_csv(
            src / f"cloud-carbon-coefficients/grid-emissions-factors-{provider}.csv"
        ):
            region = row["Region"].strip()
            location = (row.get("Country") or row.get("Location") or "").strip()
            parent = us_states.get(location.lower()) or (
                country_by_name(location) if location else None
            )
            put(provider, region, region, parent, "Cloud Carbon Footprint coefficients")
            place(provider, region, 4, [location], "Cloud Carbon Footprint coefficients")

    # Google publishes its own grid intensity per region: the provider's figure wins.
    google: dict[str, tuple[int, float, str, str]] = {}
    for path in sorted((src / "google-region-carbon-info").glob("*.csv")):
        year = int(path.stem)
        rows = read_csv(path)
        column = next(c for c in rows[0] if "carbon intensity" in c.lower())
        basis = "lifecycle" if column.lower().startswith("lifecycle") else "operational"
        for row in rows:
            value = number(row[column])
            region = _REGION_TYPOS.get(
                row["Google Cloud Region"].strip(), row["Google Cloud Region"].strip()
            )
            if value is not None:
                google[region] = (year, value, row["Location"].strip(), basis)
    for region, (year, value, location, basis) in google.items():
        key = f"gcp:{region}"
        place("gcp", region, 3, [location], "Google Cloud region-carbon-info")
        if key not in found:
            parent = us_states.get(location.lower()) or country_by_name(location)
            put("gcp", region, region, parent, "Google region-carbon-info Location")
        if key in found:
            found[key].update(
                carbon_intensity_g_per_kwh=round(value, 2),
                intensity_year=year,
                intensity_source=GOOGLE_SOURCE,
                intensity_basis=f"{basis}, location-based grid average",
                intensity_license="Apache-2.0 (Google LLC)",
            )

    defaults = {
        row["provider"].strip().lower(): (float(row["PUE"]), row["source"].strip())
        for row in read_csv(src / "green-algorithms/defaults_PUE.csv", skip=1)
    }
    for key, row in found.items():
        provider = key.split(":")[0]
        pue, source = ga_pue.get(key) or defaults[provider]
        kind = "site" if key in ga_pue else "provider fleet average"
        row.update(pue=pue, pue_source=f"{source} ({kind}, via Green Algorithms v3.0)")
        row.pop("location_source")
        if key in places:
            row.update(location=places[key][1], location_source=places[key][2])
    return list(found.values())


# Misspelt region ids in the sources, as found (the region's real id on the right).
_REGION_TYPOS = {"me-cenrtal1": "me-central1"}


def cloud_region_id(provider: str, region: str) -> str:
    """Azure's programmatic names drop spaces ("West Europe" -> westeurope)."""
    region = region.strip()
    if provider == "azure":
        return re.sub(r"[^a-z0-9]", "", region.lower())
    return region.lower()


# ----------------------------------------------------------------------------- hardware

_VENDOR_WORDS = r"^(nvidia|amd|google|intel|habana|tesla|geforce|radeon|instinct|data center)\s+"


def hardware_key(name: str) -> str:
    text = name.strip()
    previous = None
    while previous != text:
        previous = text
        text = re.sub(_VENDOR_WORDS, "", text, flags=re.IGNORECASE)
    text = re.sub(r"(\d+)\s*GB\b", r"\1gb", text, flags=re.IGNORECASE)
    text = text.replace("PCle", "PCIe")  # a typo in Epoch's names ("L2 PCle")
    return slug(text)


def build_hardware(src: Path, manual: Path) -> list[dict[str, object]]:
    devices: dict[str, dict[str, object]] = {}
    extra_aliases: dict[str, set[str]] = {}

    for row in read_csv(src / "epoch-ml-hardware/ml_hardware_tflops.csv"):
        name = row["hardware_name"].strip()
        key = hardware_key(name)
        kind = (row["type"] or "accelerator").strip().lower()
        if "gaudi" in name.lower():
            kind = "accelerator"
        tensor = number(row["tensor_fp16_bf16_tflops"])
        sheet = row["link_to_datasheet"].strip()
        year = row["release_date"][:4]
        # Epoch has one "Tensor-FP16/BF16" column. NVIDIA's tensor cores gained BF16 with Ampere
        # (A100, 2020; NVIDIA Ampere architecture whitepaper); Volta and Turing parts (V100, T4,
        # Quadro RTX) run FP16 only, so their figure there is an FP16 peak and not a BF16 one.
        bf16 = tensor
        if row["manufacturer"].strip() == "NVIDIA" and year.isdigit() and int(year) < 2020:
            bf16 = None
        candidate = dict(
            key=key,
            name=name,
            kind=kind,
            vendor=row["manufacturer"].strip(),
            tdp_w=number(row["tdp_w"]),
            fp32_tflops=number(row["fp32_tflops"]),
            tf32_tflops=number(row["tf32_tflops"]),
            bf16_tflops=bf16,
            fp16_tflops=tensor if tensor is not None else number(row["fp16_tflops"]),
            fp8_tflops=number(row["fp8_tflops"]),
            memory_gb=number(row["memory_gb"]),
            cores=None,
            release_year=row["release_date"][:4] or None,
            source=EPOCH_SOURCE + (f"; datasheet {sheet}" if sheet else ""),
        )
        if key in devices:
            # Duplicates in Epoch's list: keep the row that says more, remember the other name.
            kept = devices[key]
            filled = sum(v is not None for v in candidate.values())
            if filled > sum(v is not None for v in kept.values()):
                devices[key] = candidate
                candidate = kept
            extra_aliases.setdefault(key, set()).add(str(candidate["name"]))
            continue
        devices[key] = candidate

    cpus: list[tuple[str, dict[str, object]]] = []
    for row in read_csv(src / "green-algorithms/TDP_cpu.csv", skip=1):
        name = row["model"].strip()
        if name.lower() == "any":
            continue
        cpus.append(
            (
                name,
                dict(
                    tdp_w=number(row["TDP"]),
                    cores=number(row["n_cores"]),
                    release_year=row["Release_year"].strip() or None,
                    source=f"{GA_CPU_SOURCE}; {row['source'].strip()}",
                ),
            )
        )
    for row in read_csv(src / "codecarbon/hardware__cpu_power.csv"):
        cpus.append(
            (
                row["Name"].strip(),
                dict(tdp_w=number(row["TDP"]), cores=None, release_year=None, source=CC_CPU_SOURCE),
            )
        )
    for name, fields in cpus:
        key = "cpu-" + slug(name)
        if key in devices or not fields["tdp_w"] or fields["tdp_w"] < 1:
            continue  # no TDP, or a sub-watt embedded part (no use for ML work)
        vendor = (
            "AMD"
            if re.search(r"\b(ryzen|epyc|athlon|opteron|threadripper|a\d+-)", name, re.IGNORECASE)
            else "Intel"
        )
        cores = fields["cores"]
        devices[key] = dict(
            key=key,
            name=name,
            kind="cpu",
            vendor=vendor,
            tdp_w=fields["tdp_w"],
            cores=int(cores) if cores else None,
            release_year=fields["release_year"],
            source=fields["source"],
        )

    # Devices the sources lack, typed from the vendor's datasheet, each with its citation.
    for row in read_csv(manual / "hardware_rows.csv"):
        key = row["key"].strip()
        if key in devices:
            raise SystemExit(f"data/manual/hardware_rows.csv: {key!r} is already in the sources")
        devices[key] = {
            column: (
                number(row[column]) if column.endswith(("_w", "_tflops", "_gb")) else row[column]
            )
            for column in HARDWARE_COLUMNS
            if column not in ("aliases", "cores")
        }
        devices[key]["cores"] = None

    # Hand-kept corrections and gaps (datasheet values the sources lack), with their citation.
    for row in read_csv(manual / "hardware.csv"):
        key = row["key"].strip()
        if key not in devices:
            raise SystemExit(f"data/manual/hardware.csv: unknown hardware key {key!r}")
        value = row["value"].strip()
        devices[key][row["column"].strip()] = float(value) if number(value) is not None else value
        devices[key]["source"] = f"{devices[key]['source']}; {row['column']}: {row['source']}"
    for row in read_csv(manual / "hardware_aliases.csv"):
        key = row["key"].strip()
        if key not in devices:
            raise SystemExit(f"data/manual/hardware_aliases.csv: unknown hardware key {key!r}")
        extra_aliases.setdefault(key, set()).add(row["alias"].strip())

    for key, device in devices.items():
        aliases = sorted(extra_aliases.get(key, set()) - {str(device["name"]), key})
        device["aliases"] = ";".join(aliases)
        for column in ("tdp_w", "memory_gb"):
            value = device.get(column)
            if isinstance(value, float) and value.is_integer():
                device[column] = int(value)
    order = {"gpu": 0, "tpu": 1, "accelerator": 2, "cpu": 9}
    return sorted(devices.values(), key=lambda d: (order.get(str(d["kind"]), 3), str(d["key"])))


# ----------------------------------------------------------------------------- prices


class DeviceNames:
    """Resolve the device names used by price catalogues to hardware keys."""

    def __init__(self, hardware: list[dict[str, object]]) -> None:
        self.index: dict[str, str] = {}
        for device in hardware:
            key = str(device["key"])
            names = [key, str(device["name"]), *str(device["aliases"]).split(";")]
            for name in names:
                if name:
                    self.index.setdefault(norm(name), key)
                    self.index.setdefault(norm(hardware_key(name)), key)

    def __call__(self, name: str) -> str | None:
        return self.index.get(norm(name)) or self.index.get(norm(hardware_key(name)))


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_TPU = re.compile(r"^tpu-(v\d+[a-z]*)-(\d+)$")
_GCP_FAMILY = {
    "a2-highgpu": "A100",
    "a2-ultragpu": "A100-80GB",
    "a2-megagpu": "A100",
    "a3-highgpu": "H100",
    "a3-edgegpu": "H100",
    "a3-megagpu": "H100-MEGA",
}


def build_tpu_slices(manual: Path, hardware: list[dict[str, object]]) -> list[dict[str, object]]:
    """Google Cloud's TPU slice names ("v5p-64", "v5litepod-16") -> chip and what the number
    counts: TensorCores for v2-v4 and v5p (2 per chip), chips for v5e and v6e (Google's docs,
    cited per row in data/manual/tpu_slices.csv)."""
    keys = {str(d["key"]) for d in hardware}
    rows = read_csv(manual / "tpu_slices.csv")
    for row in rows:
        if row["device"] not in keys:
            raise SystemExit(f"data/manual/tpu_slices.csv: unknown hardware key {row['device']!r}")
    return rows


def tpu_chips(slice_name: str, slices: list[dict[str, object]]) -> tuple[str, int] | None:
    """The hardware key and chip count of a catalog TPU name ("tpu-v5p-12288")."""
    match = _TPU.match(slice_name)
    if not match:
        return None
    version, count = match.group(1), int(match.group(2))
    for row in slices:
        if row["prefix"] == version:
            return str(row["device"]), max(count // int(str(row["per_chip"])), 1)
    return None


def build_prices(
    src: Path, manual: Path, hardware: list[dict[str, object]], slices: list[dict[str, object]]
) -> list[dict[str, object]]:
    resolve = DeviceNames(hardware)
    rows: list[dict[str, object]] = []
    skipped: set[str] = set()
    sky = src / "skypilot-catalog-excerpts"

    def add(
        provider: str,
        device_name: str,
        instance: str,
        price: float | None,
        spot: float | None,
        per: int,
        region: str,
        scope: str,
        source: str,
    ) -> None:
        device = resolve(device_name)
        if device is None:
            skipped.add(f"{provider}:{device_name}")
            return
        for pricing, value in (("on_demand", price), ("spot", spot)):
            if value is not None and value > 0:
                rows.append(
                    dict(
                        provider=provider,
                        device=device,
                        instance=instance,
                        pricing=pricing,
                        usd_per_device_hour=round(value / per, 5),
                        as_of=SKYPILOT_AS_OF,
                        region=region,
                        scope=scope,
                        source=source,
                    )
                )

    gcp_source = "SkyPilot catalog v6 gcp/vms.csv @0489582 (Google Cloud pricing API)"
    gcp = read_csv(sky / "gcp_accelerators_excerpt.csv")
    attach: dict[tuple[str, str, int], tuple[float, float | None]] = {}
    for row in gcp:
        if row["InstanceType"]:
            continue
        name, count, region = row["AcceleratorName"], int(row["AcceleratorCount"]), row["Region"]
        price, spot = number(row["Price"]), number(row["SpotPrice"])
        attach[(name, region, count)] = (price or 0.0, spot)
        tpu = tpu_chips(name, slices)
        if tpu:
            device, chips = tpu
            add(
                "gcp",
                device,
                f"{name} ({chips} chips)",
                price,
                spot,
                chips,
                region,
                "instance",
                gcp_source,
            )
        else:
            add(
                "gcp",
                name,
                f"{count} x {name} (GPU only; VM billed separately)",
                price,
                spot,
                count,
                region,
                "accelerator",
                gcp_source,
            )
    for row in gcp:
        instance = row["InstanceType"]
        if not instance:
            continue
        family, count = instance.rsplit("-", 1)[0], int(instance.rsplit("-", 1)[1].rstrip("g"))
        accelerator = _GCP_FAMILY.get(family)
        parts = attach.get((accelerator, row["Region"], count)) if accelerator else None
        if parts is None and accelerator and (accelerator, row["Region"], 1) in attach:
            one = attach[(accelerator, row["Region"], 1)]
            parts = (one[0] * count, one[1] * count if one[1] is not None else None)
        if parts is None:
            continue
        vm, vm_spot = number(row["Price"]) or 0.0, number(row["SpotPrice"])
        spot = vm_spot + parts[1] if vm_spot is not None and parts[1] is not None else None
        add(
            "gcp",
            accelerator,
            f"{instance} (VM + {count} x {accelerator})",
            vm + parts[0],
            spot,
            count,
            row["Region"],
            "instance",
            gcp_source,
        )

    others = [
        (
            "lambda",
            "lambda_gpu_us-east-1_excerpt.csv",
            "SkyPilot catalog v6 lambda/vms.csv @098741e",
        ),
        ("oci", "oci_gpu_eu-amsterdam-1_excerpt.csv", "SkyPilot catalog v6 oci/vms.csv @6e3a02d"),
        ("ovhcloud", "ovhcloud_vms.csv", "SkyPilot catalog v6 ovhcloud/vms.csv @8a258f5"),
        ("scaleway", "scaleway_vms.csv", "SkyPilot catalog v6 scaleway/vms.csv @1fbe733"),
    ]
    for provider, filename, source in others:
        for row in read_csv(sky / filename):
            name = row["AcceleratorName"]
            match = re.search(r"'Name': '([^']+)'", row.get("GpuInfo") or "")
            if match and resolve(match.group(1)):
                name = match.group(1)
            count = int(float(row["AcceleratorCount"]))
            add(
                provider,
                name,
                row["InstanceType"],
                number(row["Price"]),
                number(row["SpotPrice"]),
                count,
                row["Region"],
                "instance",
                source,
            )

    for row in read_csv(manual / "prices.csv"):
        device = resolve(row["device"])
        if device is None:
            raise SystemExit(f"data/manual/prices.csv: unknown device {row['device']!r}")
        per = int(row["devices_per_instance"])
        rows.append(
            dict(
                provider=row["provider"],
                device=device,
                instance=row["instance"],
                pricing=row["pricing"],
                usd_per_device_hour=round(float(row["usd_per_instance_hour"]) / per, 5),
                as_of=row["as_of"],
                region=row["region"],
                scope=row["scope"],
                source=row["source"],
            )
        )
    if skipped:
        print(f"  prices left out (device not in hardware.csv): {sorted(skipped)}", file=sys.stderr)
    unique = {tuple(fmt(r[c]) for c in PRICE_COLUMNS): r for r in rows}
    return sorted(
        unique.values(),
        key=lambda r: (
            str(r["provider"]),
            str(r["device"]),
            str(r["region"]),
            str(r["as_of"]),
            str(r["instance"]),
            str(r["pricing"]),
        ),
    )


# ----------------------------------------------------------------------------- main


def build(sources: Path, out: Path) -> dict[str, int]:
    manual = out / "manual"
    hardware = build_hardware(sources, manual)
    slices = build_tpu_slices(manual, hardware)
    counts = {
        "regions.csv": write_csv(
            out / "regions.csv", REGION_COLUMNS, build_regions(sources, manual)
        ),
        "hardware.csv": write_csv(out / "hardware.csv", HARDWARE_COLUMNS, hardware),
        "prices.csv": write_csv(
            out / "prices.csv", PRICE_COLUMNS, build_prices(sources, manual, hardware, slices)
        ),
        "tpu_slices.csv": write_csv(out / "tpu_slices.csv", TPU_SLICE_COLUMNS, slices),
        "equivalents.csv": write_csv(
            out / "equivalents.csv", EQUIVALENT_COLUMNS, read_csv(manual / "equivalents.csv")
        ),
    }
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", type=Path, help="folder of raw public files (see docstring)")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="where data/ is")
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        parser.error(f"{args.sources}: not a folder of raw sources")
    for name, count in build(args.sources, args.out).items():
        print(f"{args.out / name}: {count} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
