"""Embodied carbon: a device's manufacturing footprint, spread over the hours it is used.

Operational CO2e counts the electricity; the device was built first, and its factory emissions
belong, in part, to every hour it serves. This module turns data/embodied.csv (kg CO2e per device,
with a low and a high across sources; built by scripts/build_embodied.py) into kg CO2e per
device-hour, for the calculator to show apart from the operational figure and add to a total.

    rate = kg / (lifetime years x 8,760 h x use share)

The value takes the table's value at the lifetime given (default 5 years); unless a lifetime is
given, the range runs from the table's low over 6 years to its high over 3 years, so it spans
both the sources and the usual service lives. Every function here is pure but the lazy CSV loader.
"""

from __future__ import annotations

import csv
import difflib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from greenai.errors import DataError, InputError, UnknownNameError

HOURS_PER_YEAR = 8760.0  # 365 days x 24 h, as LLMCarbon's 5 x 365-day lifespan counts them

# LLMCarbon (Faiz et al., ICLR 2024), SotaroKaneda/MLCarbon@b54d8fe embodied.py:
# `self.lifespan = 5 * 365` days; the middle of the range below.
DEFAULT_LIFETIME_YEARS = 5.0
DEFAULT_LIFETIME_SOURCE = "LLMCarbon (Faiz et al., ICLR 2024): lifespan 5 x 365 days"

# Low end: Boavizta's default GPU archetype ("Large GPU", archetypes/components/gpu.csv, 2026)
# lives USAGE.hours_life_time = 26,280 h = 3 years. High end: Luccioni et al., "Estimating the
# Carbon Footprint of BLOOM" (JMLR 2023, Sec. 4.1), IDRIS's 6-year replacement rate for Jean Zay.
LIFETIME_RANGE_YEARS = (3.0, 6.0)
LIFETIME_RANGE_SOURCE = (
    "3 years: Boavizta API GPU archetype (26,280 h); "
    "6 years: IDRIS replacement rate, Luccioni et al. 2023 (BLOOM), Sec. 4.1"
)

# Luccioni et al. 2023 (BLOOM), Sec. 4.1: "85% average usage", IDRIS's figure for the Jean Zay
# cluster; 150 kg / (6 y x 8,760 h x 0.85) = 0.0034 kg per GPU-hour, the paper's "0.003 kg".
# use_share=1.0 (every lifetime hour a use hour) is the least-charging reading.
DEFAULT_USE_SHARE = 0.85
DEFAULT_USE_SHARE_SOURCE = (
    "IDRIS's average usage of Jean Zay, Luccioni et al. 2023 (BLOOM), Sec. 4.1; "
    "1.0 would be the least-charging reading"
)

Basis = Literal["given", "published", "defaulted"]


@dataclass(frozen=True)
class Assumption:
    """One input of an embodied figure, as the output's assumptions list shows it."""

    what: str
    value: str
    source: str
    basis: Basis

    def as_dict(self) -> dict[str, str]:
        return {"what": self.what, "value": self.value, "source": self.source, "basis": self.basis}


@dataclass(frozen=True)
class Footprint:
    """One row of data/embodied.csv: kg CO2e to make one device, and its host share."""

    device: str
    kg_co2e: float
    kg_co2e_low: float
    kg_co2e_high: float
    method: str
    year: int
    source: str
    host_kg_co2e: float | None
    host_method: str
    host_source: str


class Rate(NamedTuple):
    """kg CO2e per device-hour (or per job, scaled), with its bounds and its assumptions."""

    value: float
    low: float
    high: float
    assumptions: tuple[Assumption, ...]


def data_dir() -> Path:
    """Where the tables are: inside the installed wheel, or data/ of a source checkout.

    A copy of greenai.tables.data_dir's rule, so this module does not depend on a module that
    is being reorganised; it looks for embodied.csv, the file this module reads.
    """
    packaged = Path(__file__).parent / "data"  # what importlib.resources.files("greenai") is
    if (packaged / "embodied.csv").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "data"
    if (checkout / "embodied.csv").is_file():
        return checkout
    raise DataError(f"greenai's embodied table is missing (looked in {packaged} and {checkout})")


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.cache
def table() -> dict[str, Footprint]:
    """data/embodied.csv by device key, read once per process."""
    path = data_dir() / "embodied.csv"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}") from None
    return {
        row["device"]: Footprint(
            device=row["device"],
            kg_co2e=float(row["kg_co2e"]),
            kg_co2e_low=float(row["kg_co2e_low"]),
            kg_co2e_high=float(row["kg_co2e_high"]),
            method=row["method"],
            year=int(row["year"]),
            source=row["source"],
            host_kg_co2e=_float(row["host_kg_co2e"]),
            host_method=row["host_method"],
            host_source=row["host_source"],
        )
        for row in rows
    }


def footprint(device_key: str) -> Footprint:
    """The row of a hardware key; callers resolve names and aliases through the hardware table."""
    rows = table()
    key = device_key.strip().lower()
    if key in rows:
        return rows[key]
    near = difflib.get_close_matches(key, list(rows), n=3, cutoff=0.6)
    raise UnknownNameError(
        "device with an embodied footprint",
        device_key,
        near,
        hint="data/embodied.csv covers " + str(len(rows)) + " devices",
    )


def amortise(
    kg: float, kg_low: float, kg_high: float, *, lifetime_years: float | None, use_share: float
) -> tuple[float, float, float]:
    """kg CO2e per use-hour: (value, low, high), the range widened to 3..6 years if no lifetime.

    Pure arithmetic, shared by the table lookup and by callers with a footprint of their own.
    """
    if lifetime_years is not None and not lifetime_years > 0:
        raise InputError(f"lifetime must be more than 0 years, not {lifetime_years:g}")
    if not 0 < use_share <= 1:
        raise InputError(f"use share must be more than 0 and at most 1, not {use_share:g}")
    years = DEFAULT_LIFETIME_YEARS if lifetime_years is None else lifetime_years
    shortest, longest = (years, years) if lifetime_years is not None else LIFETIME_RANGE_YEARS
    hours = HOURS_PER_YEAR * use_share
    return kg / (years * hours), kg_low / (longest * hours), kg_high / (shortest * hours)


def rate_kg_per_device_hour(
    device_key: str,
    lifetime_years: float | None = None,
    use_share: float | None = None,
    *,
    include_host: bool = False,
) -> Rate:
    """Embodied kg CO2e charged to one hour of one device, with what it rests on.

    `include_host` adds the device's share of its server (a GPU's eighth of an 8-GPU node in
    BLOOM's figures) where the table has one; the caller chooses, since a cloud instance's host is
    shared differently than a workstation's.
    """
    row = footprint(device_key)
    share = DEFAULT_USE_SHARE if use_share is None else use_share
    kg, low, high = row.kg_co2e, row.kg_co2e_low, row.kg_co2e_high
    assumptions = [
        Assumption(
            f"embodied CO2e of one {row.device} (low..high)",
            f"{kg:g} kg ({low:g}..{high:g})",
            f"{row.method} [{row.source}, {row.year}]",
            "published",
        )
    ]
    if include_host and row.host_kg_co2e is not None:
        kg, low, high = kg + row.host_kg_co2e, low + row.host_kg_co2e, high + row.host_kg_co2e
        assumptions.append(
            Assumption(
                f"host server share per {row.device}",
                f"{row.host_kg_co2e:g} kg",
                f"{row.host_method} [{row.host_source}]",
                "published",
            )
        )
    if lifetime_years is None:
        shortest, longest = LIFETIME_RANGE_YEARS
        assumptions.append(
            Assumption(
                "device lifetime",
                f"{DEFAULT_LIFETIME_YEARS:g} years (range {shortest:g}..{longest:g})",
                f"{DEFAULT_LIFETIME_SOURCE}; range: {LIFETIME_RANGE_SOURCE}",
                "defaulted",
            )
        )
    else:
        assumptions.append(Assumption("device lifetime", f"{lifetime_years:g} years", "", "given"))
    assumptions.append(
        Assumption(
            "share of lifetime hours in use",
            f"{share:g}",
            DEFAULT_USE_SHARE_SOURCE if use_share is None else "",
            "defaulted" if use_share is None else "given",
        )
    )
    value, low_rate, high_rate = amortise(
        kg, low, high, lifetime_years=lifetime_years, use_share=share
    )
    return Rate(value, low_rate, high_rate, tuple(assumptions))


def embodied_kg(
    device_key: str,
    device_hours: float,
    lifetime_years: float | None = None,
    use_share: float | None = None,
    *,
    include_host: bool = False,
) -> Rate:
    """Embodied kg CO2e of a job: device-hours x the hourly rate, bounds scaled alike."""
    if not device_hours >= 0:
        raise InputError(f"device-hours must be 0 or more, not {device_hours:g}")
    rate = rate_kg_per_device_hour(device_key, lifetime_years, use_share, include_host=include_host)
    return Rate(
        rate.value * device_hours,
        rate.low * device_hours,
        rate.high * device_hours,
        rate.assumptions,
    )
