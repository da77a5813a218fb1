"""The calculator: resolved columns in, every figure out, for one row or ten million alike.

The method is DESIGN.md's (Strubell et al. 2019, eq. 1; Schwartz et al., Green AI, eq. 1). Each
input is a numpy array whose trailing axis holds (value, low, high); an input without a range
may have a trailing axis of 1 and broadcasts. Every factor is non-negative and the formula only
multiplies and adds them, so each bound goes through the same arithmetic as the value and stays a
bound: no sampling, no seed. NaN marks what a file does not determine (hours where a report gives
energy alone, a price nobody knows); it stays NaN through the arithmetic and means "unknown" to
every renderer, while an infinity (a misplaced exponent) is refused once, for all figures.

A new per-row factor is one more entry in `INPUTS` and one more line below. Embodied carbon
(manufacturing, per device-hour) and on-site water (per kWh of IT energy) came so (issue 14):
`co2e_kg` stays the operational figure, so every published figure is unchanged, and
`total_co2e_kg` adds the embodied part only where it is known (a device without a row in
data/embodied.csv leaves the total equal to the operational figure, never adds a silent 0).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from greenai.errors import InputError

VALUE, LOW, HIGH = 0, 1, 2
BOUNDS = ("value", "low", "high")

# name: what it holds (per row; "per run" where the runs multiply it)
INPUTS = {
    "power_w": "IT power of the whole machine while it runs, host share included (W)",
    "devices": "device count (to share the machine's power over device-hours)",
    "hours": "wall-clock hours per run (NaN: the file gives energy or device-hours instead)",
    "runs": "repeats of the run",
    "pue": "power usage effectiveness of the facility",
    "carbon_intensity_g_per_kwh": "carbon intensity of the electricity (g CO2e/kWh)",
    "electricity_price_usd_per_kwh": "electricity price (USD/kWh; NaN: unknown)",
    "cloud_usd_per_hour": "cloud price of the whole machine per hour (NaN: not in a cloud)",
    "fpo_per_run": "floating-point operations per run (NaN: not given)",
    "it_energy_kwh": "IT energy per run before PUE, where published (NaN: power x hours)",
    "device_hours": "device-hours per run, where published (NaN: devices x hours)",
    "embodied_kg_per_device_hour": "embodied CO2e per device-hour (kg; NaN: unknown)",
    "wue_l_per_kwh": "on-site water per kWh of IT energy, before PUE (L/kWh; NaN: unknown)",
}
# inputs a caller may leave out (older callers, benchmarks): absent means unknown (NaN)
OPTIONAL = ("embodied_kg_per_device_hour", "wue_l_per_kwh")
FIGURES = (
    "hours",
    "power_w",
    "energy_kwh",
    "co2e_kg",
    "electricity_cost_usd",
    "cloud_cost_usd",
    "cost_usd",
    "device_hours",
    "fpo",
    "embodied_co2e_kg",
    "total_co2e_kg",
    "water_l",
)
# every other figure is a product of these inputs (or of these figures), so an overflow shows here
_SUMS = (
    "energy_kwh",
    "co2e_kg",
    "electricity_cost_usd",
    "cloud_cost_usd",
    "device_hours",
    "fpo",
    "embodied_co2e_kg",
    "water_l",
)
COST_RULE = "cloud compute at on-demand prices where a cloud price is known, else electricity"


@functools.cache
def _factors() -> tuple[float, float]:
    """W x h -> kWh and g -> kg, from greenai's unit table (no hand-typed 1000): the factors
    pint gives for units.txt, checked against pint by tests/test_units_fast.py, so an estimate
    need not import pint."""
    from greenai import units

    return float(units.convert(1.0, "W*h", "kWh")), float(units.convert(1.0, "g", "kg"))


def exact(values: object) -> np.ndarray:
    """A column without a range: value = low = high (broadcasts as a trailing axis of 1)."""
    return np.asarray(values, dtype=float)[..., np.newaxis]


def bounded(value: object, low: object, high: object) -> np.ndarray:
    """A column with a range, stacked on the trailing axis."""
    return np.stack(np.broadcast_arrays(*(np.asarray(x, float) for x in (value, low, high))), -1)


def cost(cloud_cost_usd: np.ndarray, electricity_cost_usd: np.ndarray) -> np.ndarray:
    """The one cost rule (budgets, `--sort cost`, ratios, `check`): the cloud bill where there
    is one (value and high: on-demand; low: spot), else the electricity bill."""
    return np.where(np.isnan(cloud_cost_usd), electricity_cost_usd, cloud_cost_usd)


def calculate(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every figure of every row (totals over all runs), each with a trailing (value, low, high)
    axis; raises InputError once if any figure overflows."""
    kwh_per_wh, kg_per_g = _factors()
    unknown = np.full((1, 1), np.nan)
    c = {
        name: np.asarray(
            columns.get(name, unknown) if name in OPTIONAL else columns[name], dtype=float
        )
        for name in INPUTS
    }
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # the machine-hours of a run: the wall clock, else device-hours over the devices
        hours, given_hours = c["hours"], c["device_hours"]
        if np.isnan(given_hours).all():  # the usual case (and a grid's): hours x power
            machine_hours, device_hours = hours, c["devices"] * hours
        else:
            hours_known = ~np.isnan(hours)
            machine_hours = np.where(hours_known, hours, given_hours / c["devices"])
            device_hours = np.where(np.isnan(given_hours), c["devices"] * hours, given_hours)
        published = c["it_energy_kwh"]
        drawn = c["power_w"] * machine_hours * kwh_per_wh
        if np.isnan(published).all():
            it_energy = drawn
            power = c["power_w"] if not np.isnan(hours).any() else c["power_w"] + hours * 0
        else:
            it_energy = np.where(np.isnan(published), drawn, published)
            power = np.where(
                np.isnan(published),
                c["power_w"] + hours * 0,  # NaN where the hours are unknown
                published / hours / kwh_per_wh,  # implied; NaN without hours
            )
        energy = it_energy * c["pue"] * c["runs"]
        electricity = energy * c["electricity_price_usd_per_kwh"]
        cloud = machine_hours * c["runs"] * c["cloud_usd_per_hour"]
        operational = energy * c["carbon_intensity_g_per_kwh"] * kg_per_g
        all_device_hours = device_hours * c["runs"]
        rate, wue = c["embodied_kg_per_device_hour"], c["wue_l_per_kwh"]
        embodied = all_device_hours * rate
        # embodied CO2e counts in the total only where it is known: never a silent 0. The
        # shortcuts spare a grid two passes where every row is known, or none is
        if np.isnan(rate).all():
            total_co2e = operational
        elif np.isnan(embodied).any():
            total_co2e = np.where(np.isnan(embodied), operational, operational + embodied)
        else:
            total_co2e = operational + embodied
        # on-site water: IT energy (before PUE) x WUE, as providers define WUE
        water = wue if np.isnan(wue).all() else it_energy * c["runs"] * wue
        figures = {
            "hours": c["hours"] * c["runs"],
            "power_w": power,
            "energy_kwh": energy,
            "co2e_kg": operational,
            "electricity_cost_usd": electricity,
            "cloud_cost_usd": cloud,
            "cost_usd": cost(cloud, electricity),
            "device_hours": all_device_hours,
            "fpo": c["fpo_per_run"] * c["runs"],
            "embodied_co2e_kg": embodied,
            "total_co2e_kg": total_co2e,
            "water_l": water,
        }
    # before broadcasting: a figure holds an infinity if and only if its broadcast does
    if any(np.isinf(figures[name]).any() for name in _SUMS):
        raise InputError(
            "the figures are too large to compute (not finite); check hours, power, counts and "
            "runs for a misplaced exponent"
        )
    shape = (*np.broadcast_shapes(*(a.shape[:-1] for a in c.values())), 3)
    return {name: np.broadcast_to(array, shape) for name, array in figures.items()}
