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
  eia-state-electricity-prices/eia_state_residential_price_2025-01.csv, ..._by_sector.csv
      U.S. EIA API v2 electricity/retail-sales (residential, 2025-01); EIA Electric Power
      Annual 2023, average revenue per kWh by sector (Table 2.10).
  eccc-canada-electricity-intensity/a13_intensity_long.csv
      ECCC National Inventory Report 2022, Annex 13 (open.canada.ca), provincial intensities.
  gsf-real-time-cloud/cloud_region_facts.csv
      Green-Software-Foundation/real-time-cloud Cloud_Region_Metadata.csv, facts only: cloud
      region -> Electricity Maps zone, providers' per-region PUE and WUE.
  eurostat-nonhousehold-electricity-prices/..._Groups_Europe.csv
      Eurostat nrg_pc_205 (via Qery-Data/Energy), non-household prices by band, 2024-S2.
  ecb-euro-reference-rates/eurofxref-hist-2020-2026.csv
      ECB euro foreign exchange reference rates, daily (eurofxref-hist.zip).

Figures that must be typed (a price from a pricing page, a datasheet value the sources lack, a
published equivalent) live in data/manual/*.csv, each row with its citation; this script merges
them. The output is deterministic: the same inputs give byte-identical tables.

One basis for every row by default (recorded and argued in data/SOURCES.md): lifecycle,
consumption-based where Electricity Maps covers the zone, Ember/OWID (lifecycle, generation)
where it does not; the direct-combustion figure (EPA eGRID, ECCC, MEE) and Google's own region
figure in columns of their own. Cloud regions take their grid zone's figures.

Each intensity keeps its range beside it, within its own basis and source:
`intensity_low_g_per_kwh`, `intensity_high_g_per_kwh`, `intensity_range_years` (and the same
for `direct_` and `provider_`) are the lowest and highest of that source's yearly figures over
the last five calendar years up to and including the figure's own year (RANGE_YEARS), and the
years it had in that window ("2021–2025"; "2023" where the source gives one year, so low = high
= the figure). Google's files changed basis in 2021, so its range spans only the years on the
basis of the latest figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
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
    "intensity_low_g_per_kwh",
    "intensity_high_g_per_kwh",
    "intensity_range_years",
    "direct_g_per_kwh",
    "direct_year",
    "direct_source",
    "direct_basis",
    "direct_license",
    "direct_low_g_per_kwh",
    "direct_high_g_per_kwh",
    "direct_range_years",
    "provider_g_per_kwh",
    "provider_year",
    "provider_source",
    "provider_basis",
    "provider_low_g_per_kwh",
    "provider_high_g_per_kwh",
    "provider_range_years",
    "grid",
    "grid_source",
    "electricity_price_usd_per_kwh",
    "price_year",
    "price_source",
    "price_basis",
    "pue",
    "pue_year",
    "pue_source",
    "wue_l_per_kwh",
    "wue_year",
    "wue_source",
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
CURRENCY_COLUMNS = [
    "currency",
    "usd_per_unit",
    "per_eur",
    "period",
    "first_date",
    "last_date",
    "days",
    "source",
]

OWID_SOURCE = (
    "Our World in Data, carbon-intensity-electricity (Ember 2025; Energy Institute Statistical "
    "Review 2024)"
)
EM_SOURCE = "Electricity Maps yearly average, via co2.js (ODbL, attribution Electricity Maps)"
EGRID_SOURCE = "EPA eGRID2023 state CO2e total output emission rate (STC2ERTA), via CodeCarbon"
EGRID_US_SOURCE = "EPA eGRID2023 US CO2e total output emission rate, via CodeCarbon"
CHINA_SOURCE = (
    "MEE/NBS Announcement 2025 No. 47, provincial average electricity CO2 emission factors "
    "2023, via CodeCarbon"
)
ECCC_SOURCE = (
    "ECCC National Inventory Report 1990-2020 (2022), Annex 13, {table}: consumption "
    "intensity (Open Government Licence - Canada)"
)
GOOGLE_SOURCE = "Google Cloud region-carbon-info, grid carbon intensity (location-based)"
EPOCH_SOURCE = "Epoch AI, Data on Machine Learning Hardware (Dec 2025), CC BY 4.0"
GA_CPU_SOURCE = "Green Algorithms v3.0 TDP_cpu.csv (CC BY 4.0)"
CC_CPU_SOURCE = "CodeCarbon hardware/cpu_power.csv (Intel ARK / AMD specs), MIT"
EIA_SOURCE = "U.S. EIA retail sales API, residential average price, 2025-01"
EIA_ANNUAL_SOURCE = (
    "U.S. EIA Electric Power Annual 2023, average revenue per kWh, commercial sector (Table 2.10)"
)
EUROSTAT_SOURCE = (
    "Eurostat nrg_pc_205 (CC BY 4.0), non-household, 2024-S2, band {band}, excl. VAT and "
    "recoverable taxes: {eur} EUR/kWh at {rate} USD/EUR ({rate_source})"
)
ECB_SOURCE = "ECB euro reference rates (source: European Central Bank), mean of {days} daily rates"
SKYPILOT_AS_OF = "2026-11-22"
# The range kept beside each intensity: the low and high of the same source's yearly figures
# over the last RANGE_YEARS calendar years up to and including the figure's own year (so the
# figure lies within it). Five: Electricity Maps' whole series here (2021-2025); a source with
# one year (eGRID2023, MEE 2023) has low = high = the figure. data/SOURCES.md says why.
RANGE_YEARS = 5

# The basis labels of the intensity columns (DESIGN.md, "Intensity basis").
LIFECYCLE_GENERATION = "lifecycle, generation"
LIFECYCLE_CONSUMPTION = "lifecycle, consumption"
DIRECT_GENERATION = "direct combustion, generation"
DIRECT_CONSUMPTION = "direct combustion, consumption"
CHINA_BASIS = "direct combustion (CO2 only), consumption (inter-provincial transfers)"
# Eurostat band for compute: ID (2,000-19,999 MWh a year, 0.23-2.3 MW on average) is a GPU
# cluster or a data hall; IC (500-1,999 MWh) is the headline band, used where ID is withheld.
EUROSTAT_BANDS = ("ID", "IC")
EUROSTAT_PERIOD = ("2024-07-01", "2024-12-31")  # 2024-S2, the semester of the prices
# Eurostat's English labels (as renamed by the re-hosting script) that pycountry does not know.
EUROSTAT_NAMES = {
    "Bosnia and Herz.": "ba",
    "Czech Rep.": "cz",
    "Kosovo": "xk",
    "Turkey": "tr",
    "Moldova": "md",
}
ECCC_PROVINCES = {
    "Canada": "ca",
    "Newfoundland and Labrador": "ca-nl",
    "Prince Edward Island": "ca-pe",
    "Nova Scotia": "ca-ns",
    "New Brunswick": "ca-nb",
    "Quebec": "ca-qc",
    "Ontario": "ca-on",
    "Manitoba": "ca-mb",
    "Saskatchewan": "ca-sk",
    "Alberta": "ca-ab",
    "British Columbia": "ca-bc",
    "Yukon": "ca-yt",
    "the Northwest Territories": "ca-nt",
    "Table A11-13: the Nunavut": "ca-nu",
}
# The providers' names for their own figures (PUE, WUE), as the region rows cite them.
PROVIDER_NAMES = {
    "Amazon Web Services": ("aws", "Amazon Web Services, per-region PUE/WUE (AWS sustainability)"),
    "Microsoft Azure": ("azure", "Microsoft Azure, datacenter fact sheets"),
    "Google Cloud": ("gcp", "Google, environmental report / data-centre efficiency"),
}

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


def year_runs(years: Iterable[int]) -> str:
    """Years as runs: "2021–2025"; "2023" alone; "2019, 2021–2024" where a year is missing."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def spread(
    series: dict[int, float], year: int, prefix: str, digits: int | None = None
) -> dict[str, object]:
    """The `prefix`_low/_high/_range_years columns: the lowest and highest of a source's yearly
    figures over the RANGE_YEARS years ending at `year` (the figure's own year, which is in
    `series`), rounded as the figure is."""
    window = {y: v for y, v in series.items() if year - RANGE_YEARS < y <= year}
    if year not in window:
        raise SystemExit(f"{prefix}: the figure's year {year} is not in its series")
    low, high = min(window.values()), max(window.values())
    if digits is not None:
        low, high = round(low, digits), round(high, digits)
    return {
        f"{prefix}_low_g_per_kwh": low,
        f"{prefix}_high_g_per_kwh": high,
        f"{prefix}_range_years": year_runs(window),
    }


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


def em_figure(row: dict[str, str], series: dict[int, float]) -> dict[str, object]:
    """An Electricity Maps zone-year as the default-basis columns of a region row, with the
    range of the zone's yearly figures (`series`)."""
    return dict(
        carbon_intensity_g_per_kwh=float(row["carbon_intensity_gco2eq_per_kwh"]),
        intensity_year=int(row["year"]),
        intensity_source=f"{EM_SOURCE}, zone {row['zone']}",
        intensity_basis=LIFECYCLE_CONSUMPTION,
        intensity_license="ODbL",
        **spread(series, int(row["year"]), "intensity"),
    )


def eccc_direct(src: Path) -> dict[str, dict[str, object]]:
    """ECCC's consumption intensity (direct combustion) per province, latest final year: the
    inventory marks its last year preliminary ("2020a"), so the year before it is taken; the
    range spans the final years before it (a suppressed "x" is no figure)."""
    found: dict[str, dict[str, object]] = {}
    series: dict[str, dict[int, float]] = {}
    for row in read_csv(src / "eccc-canada-electricity-intensity/a13_intensity_long.csv"):
        key = ECCC_PROVINCES.get(row["region"])
        value = number(row["g_co2e_per_kwh"])
        if key is None or row["basis"] != "consumption" or not row["year"].isdigit():
            continue
        year = int(row["year"])
        if value is None:
            continue
        series.setdefault(key, {})[year] = value
        if key in found and int(str(found[key]["direct_year"])) > year:
            continue
        found[key] = dict(
            direct_g_per_kwh=value,
            direct_year=year,
            direct_source=ECCC_SOURCE.format(table=row["table"]),
            direct_basis=DIRECT_CONSUMPTION,
            direct_license="Open Government Licence - Canada",
        )
    for key, fields in found.items():
        fields.update(spread(series[key], int(str(fields["direct_year"])), "direct"))
    return found


def ecb_mean(src: Path, first: str, last: str) -> dict[str, tuple[float, int]]:
    """The mean of the ECB's daily reference rates (units per EUR) over [first, last], per
    currency, and how many days it averages: the ECB computes its period averages this way."""
    sums: dict[str, list[float]] = {}
    for row in read_csv(src / "ecb-euro-reference-rates/eurofxref-hist-2020-2026.csv"):
        if not first <= row["Date"] <= last:
            continue
        for code, text in row.items():
            if code and code != "Date":
                value = number(text)
                if value is not None:
                    sums.setdefault(code.strip(), []).append(value)
    return {code: (sum(values) / len(values), len(values)) for code, values in sums.items()}


def electricity_prices(src: Path) -> dict[str, dict[str, object]]:
    """USD/kWh per region key: Eurostat for Europe (EUR at the ECB mean of the same
    semester), EIA's 2023 commercial average for US states, EIA's January 2025 residential
    rate where the annual table lacks the state (Wyoming) or the nation."""
    found: dict[str, dict[str, object]] = {}
    states = {s.name: s.code for s in pycountry.subdivisions.get(country_code="US")}
    for row in read_csv(
        src / "eia-state-electricity-prices/eia_state_residential_price_2025-01.csv"
    ):
        key = "us" if row["state"] == "US" else f"us-{row['state'].lower()}"
        found[key] = dict(
            electricity_price_usd_per_kwh=round(float(row["price"]) / 100, 4),
            price_year=row["period"][:4],
            price_source=EIA_SOURCE,
            price_basis="residential, January 2025 (no annual commercial figure in the source)",
        )
    for row in read_csv(
        src / "eia-state-electricity-prices/eia_epa2023_average_revenue_by_sector.csv"
    ):
        cents = number(row["commercial_cents_per_kwh"])
        code = states.get(row["state"].strip())
        if cents is None or code is None:
            continue
        found[code.lower()] = dict(
            electricity_price_usd_per_kwh=round(cents / 100, 4),
            price_year=2023,
            price_source=EIA_ANNUAL_SOURCE,
            price_basis="commercial, annual average 2023",
        )
    rates = ecb_mean(src, *EUROSTAT_PERIOD)
    usd, days = rates["USD"]
    rate_source = ECB_SOURCE.format(days=days) + f", {EUROSTAT_PERIOD[0]}..{EUROSTAT_PERIOD[1]}"
    groups = src / "eurostat-nonhousehold-electricity-prices"
    for row in read_csv(groups / "Electricity_Prices_Non_Household_Consumers_Groups_Europe.csv"):
        name = row["Geopolitical entity (reporting)"].strip()
        key = EUROSTAT_NAMES.get(name) or country_by_name(name)
        if key is None or name in ("EU27", "Euro area"):
            continue
        for band in EUROSTAT_BANDS:
            column = next(c for c in row if c.endswith(f"band {band}"))
            eur = number(row[column])
            if eur:  # 0.0 is Eurostat's confidential / not available, not a price
                break
        else:
            continue
        found[key] = dict(
            electricity_price_usd_per_kwh=round(eur * usd, 4),
            price_year=2024,
            price_source=EUROSTAT_SOURCE.format(
                band=band, eur=f"{eur:g}", rate=f"{usd:.4f}", rate_source=rate_source
            ),
            price_basis=f"non-household band {band}, 2024-S2, excl. VAT",
        )
    return found


def build_currencies(src: Path) -> list[dict[str, object]]:
    """USD per unit of each currency the ECB quotes: the mean of the last full calendar year in
    the file (for prices an experiment file gives in EUR, GBP, ...) and of 2024-S2 (the period
    of Eurostat's prices), each row dated by its first and last day."""
    dates = [
        row["Date"]
        for row in read_csv(src / "ecb-euro-reference-rates/eurofxref-hist-2020-2026.csv")
    ]
    year = str(int(max(dates)[:4]) - (0 if max(dates)[5:] == "12-31" else 1))
    periods = [(year, f"{year}-01-01", f"{year}-12-31"), ("2024-S2", *EUROSTAT_PERIOD)]
    rows: list[dict[str, object]] = []
    for period, first, last in periods:
        rates = ecb_mean(src, first, last)
        usd, days = rates["USD"]
        within = sorted(d for d in dates if first <= d <= last)
        common = dict(
            period=period,
            first_date=within[0],
            last_date=within[-1],
            days=days,
            source=ECB_SOURCE.format(days=days) + f", {first}..{last}",
        )
        rows.append(dict(currency="USD", usd_per_unit=1, per_eur=round(usd, 6), **common))
        rows.append(dict(currency="EUR", usd_per_unit=round(usd, 6), per_eur=1, **common))
        for code, (per_eur, count) in sorted(rates.items()):
            if code == "USD" or count != days:
                continue  # a currency the ECB stopped quoting within the period
            rows.append(
                dict(currency=code, usd_per_unit=round(usd / per_eur, 8), per_eur=per_eur, **common)
            )
    return rows


def build_regions(src: Path, manual: Path) -> list[dict[str, object]]:
    """Every region with its default-basis figure (lifecycle; consumption-based where Electricity
    Maps has the zone) and, where a source gives it, its direct-combustion figure (data/SOURCES.md
    says why lifecycle is the default)."""
    regions: dict[str, dict[str, object]] = {}

    def add(row: dict[str, object]) -> None:
        if row["key"] not in regions:
            regions[str(row["key"])] = row

    # Countries and the world: OWID/Ember, latest year per entity (lifecycle, generation-based).
    latest: dict[str, tuple[int, float, str]] = {}
    owid: dict[str, dict[int, float]] = {}
    for row in read_csv(src / "owid-carbon-intensity/carbon-intensity-electricity.csv"):
        code, value = row["Code"], number(row["Carbon intensity of electricity per kWh"])
        if not code or value is None:
            continue
        year = int(row["Year"])
        owid.setdefault(code, {})[year] = value
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
            intensity_basis=LIFECYCLE_GENERATION,
            intensity_license="CC BY 4.0",
            **spread(owid["OWID_WRL"], year, "intensity", 2),
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
                intensity_basis=LIFECYCLE_GENERATION,
                intensity_license="CC BY 4.0",
                **spread(owid[code], year, "intensity", 2),
            )
        )

    # Electricity Maps, latest year per zone (lifecycle, consumption-based: imports counted).
    # A country zone replaces OWID's generation-based figure, so that a country and the
    # sub-national zones inside it are on one basis; OWID stays for the countries it lacks.
    em_latest: dict[str, dict[str, str]] = {}
    em: dict[str, dict[int, float]] = {}
    for row in read_csv(src / "electricitymaps-yearly-co2js/electricitymaps_yearly_2021_2025.csv"):
        zone = row["zone"]
        em.setdefault(zone, {})[int(row["year"])] = float(row["carbon_intensity_gco2eq_per_kwh"])
        if zone not in em_latest or int(row["year"]) > int(em_latest[zone]["year"]):
            em_latest[zone] = row
    for zone, row in sorted(em_latest.items()):
        if "-" in zone:
            continue  # sub-national zones come after the US states and Chinese provinces
        key = zone.lower()
        if key in regions and regions[key]["kind"] == "country":
            regions[key].update(em_figure(row, em[zone]))

    # US states: EPA eGRID2023 (direct combustion, generation-based), lb/MWh -> g/kWh through
    # pint. No lifecycle source covers a state, so these rows hold the direct figure only.
    usa = json.loads((src / "codecarbon/private_infra__2023__usa_emissions.json").read_text())
    egrid_year = usa["_source"]["year"]
    for state, entry in usa.items():
        if state.startswith("_"):
            continue
        grams = round(units.convert(entry["emissions"], "lb/MWh", "g/kWh"), 2)
        direct = dict(
            direct_g_per_kwh=grams,
            direct_year=egrid_year,
            direct_source=EGRID_SOURCE if state != "usa" else EGRID_US_SOURCE,
            direct_basis=DIRECT_GENERATION,
            direct_license="public domain (EPA); compilation MIT",
            **spread({egrid_year: grams}, egrid_year, "direct"),  # one year in the source
        )
        if len(entry["regionCode"]) != 2:
            regions["us"].update(direct)  # the national total, next to the lifecycle figure
            continue
        code = entry["regionCode"].lower()
        name = pycountry.subdivisions.get(code=f"US-{code.upper()}")
        add(
            dict(
                key=f"us-{code}",
                name=name.name if name else state.title(),
                kind="subdivision",
                parent="us",
                iso_code=f"US-{code.upper()}",
                **direct,
            )
        )

    # Chinese provinces: MEE/NBS 2023 provincial factors (CO2 only, no upstream: direct).
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
                direct_g_per_kwh=round(entry["emission_factor"], 2),
                direct_year=entry["year"],
                direct_source=CHINA_SOURCE,
                direct_basis=CHINA_BASIS,
                direct_license="MIT (compilation of MEE/NBS figures)",
                **spread(  # one year in the source
                    {entry["year"]: round(entry["emission_factor"], 2)}, entry["year"], "direct"
                ),
            )
        )

    # Other sub-national grids: Electricity Maps (lifecycle, consumption-based).
    for zone, row in sorted(em_latest.items()):
        if "-" not in zone:
            continue
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
                **em_figure(row, em[zone]),
            )
        )

    # Canada and its provinces: ECCC's inventory gives the direct-combustion figure next to
    # Electricity Maps' lifecycle one (Québec: 1.5 against ~35-41 g/kWh).
    for key, fields in eccc_direct(src).items():
        if key in regions:
            regions[key].update(fields)

    for key, fields in electricity_prices(src).items():
        if key in regions:
            regions[key].update(fields)

    for row in build_cloud_regions(src, manual, regions):
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
    src: Path, manual: Path, regions: dict[str, dict[str, object]]
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

    # Google publishes its own grid intensity per region: kept under its own basis label
    # ("provider"), next to the Electricity Maps figure of the region's zone.
    # Its files changed what they measure in 2021 (lifecycle before, operational since): the
    # range spans only the years on the basis of the region's latest figure.
    google: dict[str, tuple[int, float, str, str]] = {}
    google_years: dict[tuple[str, str], dict[int, float]] = {}
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
                google_years.setdefault((region, basis), {})[year] = value
    for region, (year, value, location, basis) in google.items():
        key = f"gcp:{region}"
        place("gcp", region, 3, [location], "Google Cloud region-carbon-info")
        if key not in found:
            parent = us_states.get(location.lower()) or country_by_name(location)
            put("gcp", region, region, parent, "Google region-carbon-info Location")
        if key in found:
            found[key].update(
                provider_g_per_kwh=round(value, 2),
                provider_year=year,
                provider_source=f"{GOOGLE_SOURCE}, Apache-2.0 (Google LLC)",
                provider_basis=f"Google's own: {basis}, location-based grid average",
                **spread(google_years[(region, basis)], year, "provider", 2),
            )

    defaults = {
        row["provider"].strip().lower(): (float(row["PUE"]), row["source"].strip())
        for row in read_csv(src / "green-algorithms/defaults_PUE.csv", skip=1)
    }
    facts = cloud_facts(src, manual)
    for key, row in found.items():
        provider = key.split(":")[0]
        pue, source = ga_pue.get(key) or defaults[provider]
        kind = "site" if key in ga_pue else "provider fleet average"
        row.update(pue=pue, pue_source=f"{source} ({kind}, via Green Algorithms v3.0)")
        row.update(facts.get(key, {}))
        on_grid(row, regions)
        row.pop("location_source")
        if key in places:
            row.update(location=places[key][1], location_source=places[key][2])
    return list(found.values())


def cloud_facts(src: Path, manual: Path) -> dict[str, dict[str, object]]:
    """Per cloud region: its Electricity Maps zone, and the provider's own latest PUE and WUE,
    from the GSF extract; data/manual/cloud_zones.csv corrects zones the extract has wrong and
    says which of its rows describe the region (`facts_from`: all, none, or one zone)."""
    fixes = {row["key"].strip(): row for row in read_csv(manual / "cloud_zones.csv")}
    latest: dict[str, dict[str, object]] = {}
    for row in sorted(
        read_csv(src / "gsf-real-time-cloud/cloud_region_facts.csv"), key=lambda r: r["year"]
    ):
        provider, cited = PROVIDER_NAMES[row["cloud-provider"]]
        key = f"{provider}:{cloud_region_id(provider, row['cloud-region'])}"
        year = int(row["year"])
        zone = row["em-zone-id"].strip()
        entry = latest.setdefault(key, {})
        if key in fixes:
            keep = fixes[key]["facts_from"].strip()
            if keep == "none" or keep not in ("all", zone):
                continue
        if zone:
            entry.update(
                grid=zone.lower(),
                grid_source=f"Electricity Maps zone of the region (GSF Real Time Cloud, {year})",
            )
        pue = number(row["power-usage-effectiveness"])
        wue = number(row["water-usage-effectiveness"])
        if pue:
            entry.update(pue=pue, pue_year=year, pue_source=f"{cited}, {year}")
        if wue is not None:
            entry.update(wue_l_per_kwh=wue, wue_year=year, wue_source=f"{cited}, {year}")
    for key, row in fixes.items():
        latest.setdefault(key, {}).update(
            grid=row["zone"].strip().lower(), grid_source=row["source"].strip()
        )
    return latest


def on_grid(row: dict[str, object], regions: dict[str, dict[str, object]]) -> None:
    """A cloud region on a known zone takes the zone's figures as its own and names the zone.
    A region in a place that Electricity Maps covers as one zone (DE, NL, SG, CA-QC) is on that
    zone; in one it splits (JP, IN, a US state) without a known zone, the row keeps no figure of
    its own and inherits its parent's at run time, which the output says. The direct figure
    comes from the zone, else from the state or country the region sits in (eGRID has no
    figure per zone)."""
    parent = regions[str(row["parent"])]
    if not row.get("grid") and parent.get("intensity_license") == "ODbL":
        split = any(
            str(k).startswith(f"{parent['key']}-") and r.get("intensity_license") == "ODbL"
            for k, r in regions.items()
        )
        if not split:  # the state, province or country is one Electricity Maps zone
            row.update(grid=parent["key"], grid_source="the zone the region sits in")
    zone = regions.get(str(row.get("grid") or ""))
    if row.get("grid") and zone is None:
        raise SystemExit(f"{row['key']}: zone {row['grid']!r} is not a region row")
    if zone is not None and zone.get("carbon_intensity_g_per_kwh") is not None:
        for column in (
            "carbon_intensity_g_per_kwh",
            "intensity_year",
            "intensity_source",
            "intensity_basis",
            "intensity_license",
            "intensity_low_g_per_kwh",
            "intensity_high_g_per_kwh",
            "intensity_range_years",
        ):
            row[column] = zone[column]
    for place in (zone, parent):
        if place is not None and place.get("direct_g_per_kwh") is not None:
            for column in (
                "direct_g_per_kwh",
                "direct_year",
                "direct_basis",
                "direct_license",
                "direct_low_g_per_kwh",
                "direct_high_g_per_kwh",
                "direct_range_years",
            ):
                row[column] = place[column]
            row["direct_source"] = f"{place['direct_source']} ({place['name']})"
            break


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
        "currencies.csv": write_csv(
            out / "currencies.csv", CURRENCY_COLUMNS, build_currencies(sources)
        ),
        "equivalents.csv": write_csv(
            out / "equivalents.csv", EQUIVALENT_COLUMNS, read_csv(manual / "equivalents.csv")
        ),
    }
    return counts


def command(
    build_tables: Callable[[Path, Path], dict[str, int]], doc: str, argv: list[str] | None
) -> int:
    """The command line every build script has: SOURCES [--out DATA], then a line a table."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("sources", type=Path, help="folder of raw public files (see docstring)")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="where data/ is")
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        parser.error(f"{args.sources}: not a folder of raw sources")
    for name, count in build_tables(args.sources, args.out).items():
        print(f"{args.out / name}: {count} rows")
    return 0


def main(argv: list[str] | None = None) -> int:
    return command(build, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
