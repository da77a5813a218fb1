"""Issue 15: one intensity basis by default, cloud regions on their zones, prices beyond the US.

The sample checks read the raw files under ../shared/sources, so that a rebuild that shifts a
value, a year or a basis fails here and not in a user's paper.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from statistics import mean

import pytest

from greenai import currency, tables
from tests.conftest import ROOT

SOURCES = ROOT.parent / "shared" / "sources"
needs_sources = pytest.mark.skipif(not SOURCES.is_dir(), reason="needs ../shared/sources")


@pytest.fixture(scope="module")
def data() -> tables.Tables:
    return tables.load()


def raw(path: str) -> list[dict[str, str]]:
    with (SOURCES / path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# ----------------------------------------------------------------------------- against the raw


@needs_sources
@pytest.mark.parametrize(
    ("key", "zone"),
    [("fr", "FR"), ("us", "US"), ("ca-qc", "CA-QC"), ("us-mida-pjm", "US-MIDA-PJM"), ("in", "IN")],
)
def test_default_basis_rows_are_electricity_maps_latest_year(data, key, zone) -> None:
    years = [r for r in raw("electricitymaps-yearly-co2js/electricitymaps_yearly_2021_2025.csv")]
    latest = max((r for r in years if r["zone"] == zone), key=lambda r: int(r["year"]))
    row = data.regions[key]
    assert row.carbon_intensity_g_per_kwh == float(latest["carbon_intensity_gco2eq_per_kwh"])
    assert row.intensity_year == latest["year"] == "2025"
    assert row.intensity_basis == "lifecycle, consumption"
    assert f"zone {zone}" in row.intensity_source


@needs_sources
def test_world_and_countries_electricity_maps_lacks_are_owid(data) -> None:
    owid = raw("owid-carbon-intensity/carbon-intensity-electricity.csv")
    world = max((r for r in owid if r["Code"] == "OWID_WRL"), key=lambda r: int(r["Year"]))
    assert data.regions["world"].carbon_intensity_g_per_kwh == round(
        float(world["Carbon intensity of electricity per kWh"]), 2
    )
    assert data.regions["world"].intensity_basis == "lifecycle, generation"
    generation = [r for r in data.regions.values() if r.intensity_basis == "lifecycle, generation"]
    assert 10 <= len(generation) <= 20  # the few countries Electricity Maps has no zone for


@needs_sources
def test_direct_rows_match_egrid_and_eccc(data) -> None:
    egrid = json.loads(
        (SOURCES / "codecarbon/private_infra__2023__usa_emissions.json").read_text(encoding="utf-8")
    )
    # eGRID2023 Virginia, lb/MWh -> g/kWh (453.59237 g/lb, 1000 kWh/MWh)
    virginia = next(
        v for k, v in egrid.items() if not k.startswith("_") and v["regionCode"] == "VA"
    )
    assert data.regions["us-va"].direct_g_per_kwh == pytest.approx(
        virginia["emissions"] * 0.45359237, abs=0.01
    )
    assert data.regions["us-va"].direct_year == "2023"
    assert data.regions["us-va"].direct_basis == "direct combustion, generation"
    eccc = raw("eccc-canada-electricity-intensity/a13_intensity_long.csv")
    quebec = next(
        r
        for r in eccc
        if r["region"] == "Quebec" and r["year"] == "2019" and r["basis"] == "consumption"
    )
    row = data.regions["ca-qc"]
    assert row.direct_g_per_kwh == float(quebec["g_co2e_per_kwh"]) == 1.5
    assert (row.direct_year, row.direct_basis) == ("2019", "direct combustion, consumption")
    # the two bases of one hydro grid, twenty-odd-fold apart
    assert row.carbon_intensity_g_per_kwh / row.direct_g_per_kwh > 20


@needs_sources
def test_google_figures_stay_under_their_own_basis(data) -> None:
    google = {r["Google Cloud Region"]: r for r in raw("google-region-carbon-info/2024.csv")}
    column = next(c for c in next(iter(google.values())) if "carbon intensity" in c.lower())
    row = data.regions["gcp:europe-west4"]
    assert row.provider_g_per_kwh == float(google["europe-west4"][column])
    assert row.provider_year == "2024" and row.provider_basis.startswith("Google's own")
    assert row.carbon_intensity_g_per_kwh == data.regions["nl"].carbon_intensity_g_per_kwh


@needs_sources
def test_prices_match_eurostat_eia_and_the_ecb(data) -> None:
    ecb = raw("ecb-euro-reference-rates/eurofxref-hist-2020-2026.csv")
    usd = mean(float(r["USD"]) for r in ecb if "2024-07-01" <= r["Date"] <= "2024-12-31")
    assert usd == pytest.approx(1.0835, abs=1e-4)  # the ECB's 2024-S2 mean, as SOURCE.md says
    groups = {
        r["Geopolitical entity (reporting)"]: r
        for r in raw(
            "eurostat-nonhousehold-electricity-prices/"
            "Electricity_Prices_Non_Household_Consumers_Groups_Europe.csv"
        )
    }
    band_id = "Consumption from 2 000 MWh to 19 999 MWh - band ID"
    for key, name in (("de", "Germany"), ("fr", "France"), ("se", "Sweden"), ("ie", "Ireland")):
        row = data.regions[key]
        assert row.electricity_price_usd_per_kwh == round(float(groups[name][band_id]) * usd, 4)
        assert row.price_year == "2024" and "band ID" in row.price_basis
    # Germany: 0.2076 EUR/kWh x 1.0835 = 0.2249 USD/kWh
    assert data.regions["de"].electricity_price_usd_per_kwh == 0.2249
    eia = {
        r["state"]: r
        for r in raw("eia-state-electricity-prices/eia_epa2023_average_revenue_by_sector.csv")
    }
    assert data.regions["us-va"].electricity_price_usd_per_kwh == round(
        float(eia["Virginia"]["commercial_cents_per_kwh"]) / 100, 4
    )
    assert data.regions["us-va"].price_basis == "commercial, annual average 2023"
    assert data.regions["us-wy"].price_basis.startswith("residential")  # not in the annual copy


@needs_sources
def test_cloud_pue_and_wue_are_the_providers_latest(data) -> None:
    facts = raw("gsf-real-time-cloud/cloud_region_facts.csv")
    row = next(r for r in facts if r["cloud-region"] == "ca-central-1" and r["year"] == "2024")
    region = data.regions["aws:ca-central-1"]
    assert region.pue == float(row["power-usage-effectiveness"]) == 1.19
    assert region.wue_l_per_kwh == float(row["water-usage-effectiveness"])
    assert (region.pue_year, region.wue_year) == ("2024", "2024")
    assert region.pue_source.startswith("Amazon Web Services") and "GSF" not in region.pue_source


# ----------------------------------------------------------------------------- coverage


def test_default_basis_coverage(data) -> None:
    lifecycle = [r for r in data.regions.values() if r.carbon_intensity_g_per_kwh is not None]
    countries = [r for r in lifecycle if r.kind == "country"]
    sub_national = [r for r in lifecycle if r.kind in ("subdivision", "grid")]
    assert len(countries) >= 200
    assert len(sub_national) >= 140
    assert {r.intensity_basis for r in lifecycle} <= {
        "lifecycle, consumption",
        "lifecycle, generation",
    }
    for region in data.regions.values():
        if region.kind == "cloud" and region.grid:  # every region with a zone is on it
            zone = data.regions[region.grid]
            assert region.carbon_intensity_g_per_kwh == zone.carbon_intensity_g_per_kwh, region.key
    clouds = [r for r in data.regions.values() if r.kind == "cloud"]
    assert sum(bool(r.grid) for r in clouds) >= 120


def test_no_cloud_region_silently_takes_a_country_average(data) -> None:
    for region in data.regions.values():
        if region.kind != "cloud" or region.grid:
            continue
        found = data.carbon_intensity(region)
        # no zone known: the state it sits in, on eGRID's direct figure, said as "direct only"
        assert found.region.kind != "country" or found.region.key == region.parent, region.key
        assert found.fallback == "direct", region.key


def test_cloud_regions_sit_on_their_zones(data) -> None:
    assert data.regions["aws:ca-central-1"].grid == "ca-qc"
    assert data.regions["aws:ca-central-1"].carbon_intensity_g_per_kwh == 41
    assert data.regions["aws:us-west-2"].grid == "us-nw-bpat"
    assert data.regions["azure:westus"].grid == "us-cal-ciso"  # California, not Washington
    assert data.regions["azure:westus"].wue_l_per_kwh is None  # its GSF rows describe West US 2
    assert data.regions["azure:northcentralus"].grid == "us-mida-pjm"  # Chicago is PJM
    assert data.regions["azure:northeurope"].grid == "ie"
    assert data.regions["gcp:europe-north2"].grid == "se-se3"


def test_european_prices_cover_35_countries_and_their_cloud_regions(data) -> None:
    priced = [
        r for r in data.regions.values() if r.kind == "country" and "Eurostat" in r.price_source
    ]
    assert len(priced) >= 35
    keys = {r.key for r in priced}
    in_europe = [
        r
        for r in data.regions.values()
        if r.kind == "cloud" and any(p.key in keys for p in data.lineage(r))
    ]
    assert len(in_europe) >= 25
    for region in in_europe:
        price = data.electricity_price(region)
        assert price is not None and "Eurostat" in price.source, region.key


def test_odbl_rows_say_so(data) -> None:
    with (ROOT / "data" / "regions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if "Electricity Maps" in row["intensity_source"]:
            assert row["intensity_license"] == "ODbL", row["key"]


# ----------------------------------------------------------------------------- using them


def test_aws_ca_central_1_is_priced_on_quebecs_grid(cli, write) -> None:
    path = write("hardware: 8 x H100\nhours: 10\nregion: aws:ca-central-1\n")
    result = cli("estimate", path, "--format", "json")
    (row,) = json.loads(result.out)
    assert row["carbon_intensity_g_per_kwh"] == 41
    note = next(a for a in row["assumptions"] if a["what"] == "carbon intensity")
    assert "lifecycle basis, greenai's default" in note["value"] and "zone CA-QC" in note["source"]
    (direct,) = json.loads(cli("estimate", path, "--format", "json", "--basis", "direct").out)
    assert direct["carbon_intensity_g_per_kwh"] == 1.5
    assert direct["co2e_kg"] == pytest.approx(row["co2e_kg"] * 1.5 / 41)


def test_a_row_without_the_basis_says_direct_only(cli, write) -> None:
    path = write("hardware: 8 x H100\nhours: 10\nregion: us-va\n")
    (row,) = json.loads(cli("estimate", path, "--format", "json").out)
    assert row["carbon_intensity_g_per_kwh"] == 244.76
    note = next(a for a in row["assumptions"] if a["what"] == "carbon intensity")
    assert "direct only: us-va has no lifecycle figure" in note["value"]


def test_basis_key_in_the_file_and_its_errors(cli, write) -> None:
    path = write("hardware: 8 x H100\nhours: 10\nregion: ca-qc\nbasis: direct\n")
    (row,) = json.loads(cli("estimate", path, "--format", "json").out)
    assert row["carbon_intensity_g_per_kwh"] == 1.5
    bad = write("hardware: 8 x H100\nhours: 10\nregion: ca-qc\nbasis: direkt\n")
    result = cli("estimate", bad)
    assert result.code == 2
    assert result.err.strip() == (
        f"error: {bad}:4: basis: unknown basis 'direkt'; did you mean 'direct'? expected one "
        "of: lifecycle, direct, provider"
    )


def test_strubell_keeps_the_papers_epa_figure(cli) -> None:
    path = ROOT / "configs" / "strubell2019" / "transformer_base.yaml"
    for basis in ("lifecycle", "direct"):
        (row,) = json.loads(cli("estimate", path, "--format", "json", "--basis", basis).out)
        assert row["carbon_intensity_g_per_kwh"] == pytest.approx(0.954 * 453.59237)


def test_prices_in_other_currencies(cli, write) -> None:
    eur = currency.rates()["EUR"]
    gbp = currency.rates()["GBP"]
    assert eur.period == gbp.period == "2025" and eur.source.startswith("ECB")
    path = write(
        "hardware: 1 x H100\nhours: 10\nregion: fr\nelectricity_price: 0.25 EUR/kWh\n"
        "cloud:\n  provider: gcp\n  price: 2 GBP/h\n"
    )
    result = cli("estimate", path, "--format", "json")
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)
    assert row["electricity_cost_usd"] == pytest.approx(row["energy_kwh"] * 0.25 * eur.usd_per_unit)
    assert row["cloud_cost_usd"]["high"] == pytest.approx(10 * 2 * gbp.usd_per_unit)
    notes = {a["what"]: a for a in row["assumptions"]}
    assert "0.25 EUR/kWh at" in notes["electricity price"]["value"]
    assert "ECB" in notes["cloud.price in USD"]["source"]
    bad = write("hardware: 1 x H100\nhours: 10\nregion: fr\nelectricity_price: 3 TWD/kWh\n")
    result = cli("estimate", bad)
    assert result.code == 2
    assert result.err.startswith(f"error: {bad}:4: electricity_price: no exchange rate for TWD")


def test_regions_listing_shows_the_basis(cli) -> None:
    result = cli("regions", "virginia", "--format", "json")
    rows = {r["key"]: r for r in json.loads(result.out)}
    assert rows["us-va"]["basis"] == "direct only: direct combustion, generation"
    assert rows["aws:us-east-1"]["basis"] == "lifecycle, consumption"
    assert rows["aws:us-east-1"]["intensity_from"] == "us-mida-pjm"


def test_compare_notes_a_grid_that_mixes_bases(cli) -> None:
    h100 = ROOT / "configs" / "today" / "finetune_8xh100_gcp.yaml"
    mixed = cli("compare", h100, "--vary", "region=ca-qc,us-va")
    assert "carbon intensities are on different bases" in mixed.out
    same = cli("compare", h100, "--vary", "region=ca-qc,fr")
    assert "different bases" not in same.out
    assert Path(h100).is_file()
