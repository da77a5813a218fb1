"""Listings of the data tables for the browse commands (`greenai regions|hardware|prices`).

Pure functions from the tables to rows (dicts of plain values), so that every listing has the
same table, JSON and CSV forms. A query matches case-insensitively anywhere in a row's names.
"""

from __future__ import annotations

from typing import Any

from greenai.tables import DEFAULT_BASIS, Region, Resolved, Tables, normalize


def _matches(query: str | None, *fields: str) -> bool:
    if not query:
        return True
    compact = normalize(query)
    wanted = query.strip().lower()
    return any(wanted in f.lower() or (compact and compact in normalize(f)) for f in fields if f)


def regions(
    tables: Tables, query: str | None = None, basis: str = DEFAULT_BASIS
) -> list[dict[str, Any]]:
    """Regions, greenest first on `basis`; a region without a figure of its own shows its
    grid's, and one without a figure on `basis` shows another, with the basis it is on.

    A cloud region also matches its place ("Frankfurt"), its grid zone ("Québec" finds
    aws:ca-central-1) and the grids and countries it sits on ("germany" finds
    gcp:europe-west3, "iowa" gcp:us-central1): its own name is often a bare id.
    """
    rows = []
    for region in tables.regions.values():
        places: list[str] = []
        if region.kind == "cloud":
            zone = tables.regions.get(region.grid)
            places = [
                region.location,
                *((zone.name,) if zone else ()),
                *(r.name for r in tables.lineage(region)),
            ]
        names = (region.key, region.name, region.iso_code, *region.aliases, *places)
        if not _matches(query, *names):
            continue
        found = tables.carbon_intensity(region, basis)
        price = tables.electricity_price(region)
        direct = tables.carbon_intensity(region, "direct")
        rows.append(
            {
                "key": region.key,
                "name": region.name,
                "kind": region.kind,
                "parent": region.parent,
                "carbon_intensity_g_per_kwh": found.value if found else None,
                "intensity_year": found.year if found else "",
                # the low and high of the same source's yearly figures (data/regions.csv)
                "intensity_low_g_per_kwh": found.low if found else None,
                "intensity_high_g_per_kwh": found.high if found else None,
                "intensity_range_years": found.range_years if found else "",
                "basis": (f"{found.fallback} only: " if found and found.fallback else "")
                + (found.basis if found else ""),
                "intensity_from": _source_region(region, found),
                "intensity_source": found.source if found else "",
                "direct_g_per_kwh": direct.value if direct and not direct.fallback else None,
                "electricity_price_usd_per_kwh": price.value if price else None,
                "price_basis": price.basis if price else "",
                "price_source": price.source if price else "",
                "grid": region.grid,
                "pue": region.pue,
                "wue_l_per_kwh": region.wue_l_per_kwh,
                "location": region.location,
            }
        )
    rows.sort(
        key=lambda r: (
            r["carbon_intensity_g_per_kwh"] is None,
            r["carbon_intensity_g_per_kwh"] or 0.0,
            r["key"],
        )
    )
    return rows


def _source_region(region: Region, found: Resolved | None) -> str:
    """The row the figure comes from: the grid a region inherits it from, or the zone a cloud
    region's own figure was taken from."""
    if found is None:
        return ""
    if found.region.key != region.key:
        return found.region.key
    return region.grid if region.grid != region.key else ""


def hardware(tables: Tables, query: str | None = None) -> list[dict[str, Any]]:
    """Devices: accelerators first (newest first), then CPUs."""
    rows = []
    for device in tables.devices.values():
        if not _matches(query, device.key, device.name, *device.aliases):
            continue
        rows.append(
            {
                "key": device.key,
                "name": device.name,
                "kind": device.kind,
                "vendor": device.vendor,
                "tdp_w": device.tdp_w,
                "bf16_tflops": device.bf16_tflops,
                "fp32_tflops": device.fp32_tflops,
                "memory_gb": device.memory_gb,
                "cores": device.cores,
                "release_year": device.release_year,
                "aliases": ";".join(device.aliases),
                "source": device.source,
            }
        )
    rows.sort(key=lambda r: (r["kind"] == "cpu", -(int(r["release_year"] or 0)), r["key"]))
    return rows


def prices(tables: Tables, query: str | None = None) -> list[dict[str, Any]]:
    """Price rows, cheapest per device-hour first within each device."""
    rows = [
        {
            "provider": p.provider,
            "device": p.device,
            "instance": p.instance,
            "pricing": p.pricing,
            "usd_per_device_hour": p.usd_per_device_hour,
            "as_of": p.as_of.isoformat(),
            "region": p.region,
            "scope": p.scope,
            "source": p.source,
        }
        for p in tables.prices
        if _matches(query, p.provider, p.device, p.instance, p.region)
    ]
    rows.sort(key=lambda r: (r["device"], r["usd_per_device_hour"], r["provider"], r["region"]))
    return rows


# Columns shown in the terminal table, with their headers (JSON and CSV carry every field).
COLUMNS = {
    "regions": [
        ("key", "key"),
        ("name", "name"),
        ("kind", "kind"),
        ("carbon_intensity_g_per_kwh", "g CO2e/kWh"),
        ("intensity_year", "year"),
        ("basis", "basis"),
        ("intensity_from", "grid"),
        ("electricity_price_usd_per_kwh", "USD/kWh"),
        ("pue", "PUE"),
    ],
    "hardware": [
        ("key", "key"),
        ("name", "name"),
        ("kind", "kind"),
        ("tdp_w", "TDP (W)"),
        ("bf16_tflops", "BF16 TFLOPS"),
        ("fp32_tflops", "FP32 TFLOPS"),
        ("memory_gb", "memory (GB)"),
        ("cores", "cores"),
        ("release_year", "year"),
    ],
    "prices": [
        ("provider", "provider"),
        ("device", "device"),
        ("instance", "instance"),
        ("pricing", "pricing"),
        ("usd_per_device_hour", "USD/device-h"),
        ("as_of", "as of"),
        ("region", "region"),
    ],
}
