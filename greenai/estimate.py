"""One experiment's price tag: resolve it into one row of columns, calculate, and keep the figures.

The arithmetic lives in `greenai.core.calculate` (one pure function over numpy arrays, for one
row as for a what-if grid's millions); the columns and their assumptions come from
`greenai.core.resolve`. This module holds what a single estimate hands to its readers: the
`Figures` (each with its low..high range) and the `Estimate`. No I/O, no printing, no pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from greenai import units
from greenai.core import calculate as calculator
from greenai.core.resolve import (
    DEFAULT_MFU,
    DEFAULT_PRECISIONS,
    DEFAULT_PUE,
    FILE,
    Assumption,
    Work,
    implausible,
    mixed_bases,
    peak_flops,
    resolve,
    resolve_cloud_prices,
    resolve_electricity_price,
    resolve_fpo,
    resolve_host,
    resolve_intensity,
    resolve_power,
    resolve_pue,
    resolve_schedule,
    stack,
)
from greenai.errors import InputError
from greenai.experiment import Experiment
from greenai.notice import Notice
from greenai.tables import Tables

__all__ = [
    "DEFAULT_MFU",
    "DEFAULT_PRECISIONS",
    "DEFAULT_PUE",
    "FILE",
    "PER",
    "Assumption",
    "Estimate",
    "Figures",
    "PerUnit",
    "Work",
    "estimate",
    "implausible",
    "mixed_bases",
    "peak_flops",
    "resolve_cloud_prices",
    "resolve_electricity_price",
    "resolve_fpo",
    "resolve_host",
    "resolve_intensity",
    "resolve_power",
    "resolve_pue",
    "resolve_schedule",
    "total",
]

# figures that have a range in `Figures.ranges`: the calculator's, less the exact ones (hours,
# device-hours and FPO are as given or derived, with no spread)
EXACT = ("hours", "device_hours", "fpo")
RANGED = tuple(name for name in calculator.FIGURES if name not in EXACT)

# The functional units of `--per` (the R of the Software Carbon Intensity, SCI); pflop: 10^15 FPO
PER = ("token", "example", "pflop", "run", "parameter")


@dataclass(frozen=True, slots=True)
class PerUnit:
    """R of the SCI (Green Software Foundation, ISO/IEC 21031:2024): what one functional unit is
    (`per`, one of PER), how many of them the figures cover (`units`) and how that count was
    read from the file (`counted`, said beside the figure so the R is declared, as the SCI asks).
    `embodied`: whether M (the hardware's embodied CO2e) is known, hence in the SCI."""

    per: str
    units: float
    counted: str
    embodied: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "per": self.per,
            "units": self.units,
            "counted": self.counted,
            "embodied_included": self.embodied,
        }


@dataclass(frozen=True, slots=True)
class Figures:
    """The price tag of one run, or of all runs together. Hours and power are None where the
    file gives energy or device-hours without the wall-clock time (published figures often do).

    Each figure is the value; `ranges` holds its (low, high) where it has one. The cloud cost is
    kept as (spot, on-demand) as before; its value is the on-demand price (see `cost_usd`).

    `co2e_kg` is operational CO2e (the electricity), as every published figure is; embodied CO2e
    (manufacturing, amortised) is None where a device has no footprint in data/embodied.csv, and
    `total_co2e_kg` is operational + embodied where embodied is known, else operational alone.
    `water_l` (on-site, IT energy x WUE) is None where no WUE is known. They come after `ranges`
    with defaults, so that code building Figures by keyword keeps working."""

    hours: float | None
    power_w: float | None
    energy_kwh: float
    co2e_kg: float
    electricity_cost_usd: float | None
    cloud_cost_usd: tuple[float, float] | None
    device_hours: float | None
    fpo: float | None
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    embodied_co2e_kg: float | None = None
    total_co2e_kg: float | None = None
    water_l: float | None = None
    # the SCI: (operational + embodied CO2e) / R in g CO2e per functional unit (`per_unit`);
    # None unless asked for (--per); its low..high in `ranges` as "sci_g"
    per_unit: PerUnit | None = None
    sci_g: float | None = None

    @property
    def cost_usd(self) -> float | None:
        """The one cost rule (calculator.cost): cloud on-demand where priced, else electricity."""
        if self.cloud_cost_usd is not None:
            return self.cloud_cost_usd[1]
        return self.electricity_cost_usd

    @property
    def cost_basis(self) -> str | None:
        if self.cloud_cost_usd is not None:
            return "cloud cost (on-demand)"
        return "electricity cost" if self.electricity_cost_usd is not None else None

    def bound(self, name: str, which: str = "value") -> float | None:
        """A figure's value, low or high (`which`); None where the figure is unknown."""
        value = self.cost_usd if name == "cost_usd" else getattr(self, name)
        if name == "cloud_cost_usd" and value is not None:
            value = value[1]
        if value is None or which == "value":
            return value
        low, high = self.ranges.get(name, (value, value))
        return low if which == "low" else high

    @classmethod
    def from_arrays(cls, figures: Mapping[str, Any], index: Any) -> Figures:
        """Row `index` of the calculator's output (NaN: unknown -> None)."""

        def known(name: str, which: int = calculator.VALUE) -> float | None:
            value = float(figures[name][index][which])
            return None if math.isnan(value) else value

        cloud = known("cloud_cost_usd")
        ranges = {}
        for name in RANGED:
            value = known(name)
            if value is not None:
                ranges[name] = (known(name, calculator.LOW), known(name, calculator.HIGH))
        return cls(
            hours=known("hours"),
            power_w=known("power_w"),
            energy_kwh=float(figures["energy_kwh"][index][calculator.VALUE]),
            co2e_kg=float(figures["co2e_kg"][index][calculator.VALUE]),
            electricity_cost_usd=known("electricity_cost_usd"),
            cloud_cost_usd=None if cloud is None else ranges["cloud_cost_usd"],  # type: ignore[arg-type]
            device_hours=known("device_hours"),
            fpo=known("fpo"),
            ranges=ranges,
            embodied_co2e_kg=known("embodied_co2e_kg"),
            total_co2e_kg=known("total_co2e_kg"),
            water_l=known("water_l"),
        )

    def as_dict(self) -> dict[str, Any]:
        cloud = self.cloud_cost_usd
        return {
            "hours": self.hours,
            "power_w": self.power_w,
            "energy_kwh": self.energy_kwh,
            "co2e_kg": self.co2e_kg,
            "embodied_co2e_kg": self.embodied_co2e_kg,
            "total_co2e_kg": self.total_co2e_kg,
            "water_l": self.water_l,
            "electricity_cost_usd": self.electricity_cost_usd,
            "cloud_cost_usd": {"low": cloud[0], "high": cloud[1]} if cloud else None,
            "device_hours": self.device_hours,
            "fpo": self.fpo,
        }

    def ranges_dict(self) -> dict[str, dict[str, float]]:
        """{figure: {low, high}} for JSON; the cloud cost has its own {low, high} already."""
        return {
            name: {"low": low, "high": high}
            for name, (low, high) in self.ranges.items()
            if name != "cloud_cost_usd"
        }


@dataclass(frozen=True, slots=True)
class Estimate:
    name: str
    file: str
    hardware: str
    runs: int
    pue: float
    carbon_intensity_g_per_kwh: float
    total: Figures
    per_run: Figures
    assumptions: tuple[Assumption, ...] = field(default=())
    work: Work | None = None  # FPO as E x D x H, when the experiment gives it
    warnings: tuple[Notice, ...] = ()  # e.g. an implied MFU above 1 (fields kept for CI)
    location: str | None = None  # where the region is, for a model card
    region: str | None = None  # the resolved region key (gcp:us-east1), for the table
    stages: tuple[Estimate, ...] = ()  # a staged file: its stages, which `total` sums
    groups: tuple[tuple[int, str], ...] = ()  # (count, device name); count 0: not published
    parameters: float | None = None  # fpo.parameters, where the file gives it (papers ask)

    def sci(self) -> dict[str, Any] | None:
        """The SCI of all runs with its R, for JSON (None without --per)."""
        unit = self.total.per_unit
        if unit is None or self.total.sci_g is None:
            return None
        low, high = self.total.ranges["sci_g"]
        return {
            **unit.as_dict(),
            "sci_g_per_unit": self.total.sci_g,
            "low": low,
            "high": high,
            "method": "SCI = (E x I + M) / R (Green Software Foundation, ISO/IEC 21031:2024)",
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of DESIGN.md, keys in its order."""
        total = self.total.as_dict()
        return {
            "name": self.name,
            "file": self.file,
            "runs": self.runs,
            "hours": total["hours"],
            "power_w": total["power_w"],
            "pue": self.pue,
            "carbon_intensity_g_per_kwh": self.carbon_intensity_g_per_kwh,
            "energy_kwh": total["energy_kwh"],
            "co2e_kg": total["co2e_kg"],
            # issue 14: operational CO2e stays `co2e_kg`; embodied is None where unknown, and
            # the total is operational + embodied where embodied is known, else operational
            "embodied_co2e_kg": total["embodied_co2e_kg"],
            "total_co2e_kg": total["total_co2e_kg"],
            "water_l": total["water_l"],
            "electricity_cost_usd": total["electricity_cost_usd"],
            "cloud_cost_usd": total["cloud_cost_usd"],
            "device_hours": total["device_hours"],
            "fpo": total["fpo"],
            "fpo_breakdown": self.work.as_dict() if self.work is not None else None,
            "per_run": self.per_run.as_dict(),
            "assumptions": [a.as_dict() for a in self.assumptions],
            # value..low..high of each figure with a range (every key above keeps its value)
            "ranges": self.total.ranges_dict(),
            # only for staged files, so that the JSON of every other file stays as it was
            **({"stages": [stage.as_dict() for stage in self.stages]} if self.stages else {}),
            # only with --per: the SCI over the declared functional unit R, value..low..high
            **({"sci": self.sci()} if self.total.per_unit is not None else {}),
        }


def per_unit(figures: Figures, unit: PerUnit) -> Figures:
    """`figures` with the SCI over `unit`: (E x I + M) / R, where E x I + M is `total_co2e_kg`
    (operational + embodied where embodied is known) and R is exact, so the bounds divide too."""
    grams = float(units.convert(1.0, "kg", "g"))
    total = figures.co2e_kg if figures.total_co2e_kg is None else figures.total_co2e_kg
    low, high = figures.ranges.get("total_co2e_kg", (total, total))
    ranges = {**figures.ranges, "sci_g": (low * grams / unit.units, high * grams / unit.units)}
    return replace(figures, per_unit=unit, sci_g=total * grams / unit.units, ranges=ranges)


def estimate(experiment: Experiment, tables: Tables) -> Estimate:
    """The price tag of `experiment`, with every figure it used listed as an assumption: one
    row through the calculator (with a second for one run, so per-run figures come from the
    same call)."""
    if experiment.stages:
        return _staged(experiment, tables)
    row = resolve(experiment, tables)
    try:
        figures = calculator.calculate(stack([{**row.columns, "runs": 1.0}, row.columns]))
    except InputError as error:
        raise error.located(experiment.file, None, error.key) from None
    # the device count is known unless a published total (energy, device-hours) came without it
    counted = experiment.count_given or not (experiment.energy_kwh or experiment.device_hours)
    return Estimate(
        name=experiment.name,
        file=experiment.file,
        hardware=experiment.label(),
        runs=experiment.runs,
        pue=row.pue,
        carbon_intensity_g_per_kwh=row.carbon_intensity_g_per_kwh,
        total=Figures.from_arrays(figures, 1),
        per_run=Figures.from_arrays(figures, 0),
        assumptions=row.assumptions,
        work=row.work,
        warnings=implausible(experiment, row.work),
        location=tables.location(experiment.region) if experiment.region else None,
        region=experiment.region.key if experiment.region else None,
        groups=tuple((g.count if counted else 0, g.device.name) for g in experiment.hardware),
        parameters=experiment.fpo.parameters if experiment.fpo is not None else None,
    )


def _staged(experiment: Experiment, tables: Tables) -> Estimate:
    """The file's estimate as the sum of its stages, each kept whole for the table and JSON."""
    parts = tuple(estimate(stage, tables) for stage in experiment.stages)
    summed = total(parts)
    summed = replace(summed, power_w=None)  # the powers of stages add up to nothing
    it_energy = sum(p.total.energy_kwh / p.pue for p in parts)
    pue = summed.energy_kwh / it_energy if it_energy else parts[0].pue
    grams = float(units.convert(summed.co2e_kg, "kg", "g"))
    intensity = (
        grams / summed.energy_kwh if summed.energy_kwh else parts[0].carbon_intensity_g_per_kwh
    )
    notes = [
        Assumption(f"{p.name}: {a.what}", a.value, a.source) for p in parts for a in p.assumptions
    ]
    notes.append(
        Assumption(
            "file total",
            f"sum of {len(parts)} stages; PUE and carbon intensity shown are the effective "
            f"ones ({pue:.4g}, {intensity:.4g} g/kWh)",
            "greenai: stages",
        )
    )
    locations = [p.location for p in parts if p.location]
    return Estimate(
        name=experiment.name,
        file=experiment.file,
        hardware=experiment.label(),
        runs=1,
        pue=pue,
        carbon_intensity_g_per_kwh=intensity,
        total=summed,
        per_run=summed,
        assumptions=tuple(notes),
        warnings=tuple(dict.fromkeys(w for p in parts for w in p.warnings)),
        location="; ".join(dict.fromkeys(locations)) or None,
        stages=parts,
        groups=tuple(dict.fromkeys(g for p in parts for g in p.groups)),
    )


# ----------------------------------------------------------------------------- several


def total(estimates: Iterable[Estimate]) -> Figures:
    """The sum over experiments (the total row); a figure is None if any part of it is unknown
    (money without a price, hours where a file gave energy or device-hours alone, embodied CO2e
    or water where a part has no footprint or WUE). The total CO2e is the sum of the parts'
    totals, each of which holds operational CO2e at least, so it is always known."""
    items = list(estimates)

    def summed(values: list[Any]) -> Any:
        return None if None in values else sum(values)

    clouds = [e.total.cloud_cost_usd for e in items]
    ranges = {}
    for name in RANGED:  # the sum of bounds bounds the sum
        parts = [e.total.ranges.get(name) for e in items]
        if None not in parts:
            ranges[name] = (sum(p[0] for p in parts), sum(p[1] for p in parts))  # type: ignore[index]
    totals = [  # each part's total: operational + embodied where known, else operational
        e.total.co2e_kg if e.total.total_co2e_kg is None else e.total.total_co2e_kg for e in items
    ]
    summed_figures = Figures(
        hours=summed([e.total.hours for e in items]),
        power_w=summed([e.total.power_w for e in items]),
        energy_kwh=sum(e.total.energy_kwh for e in items),
        co2e_kg=sum(e.total.co2e_kg for e in items),
        electricity_cost_usd=summed([e.total.electricity_cost_usd for e in items]),
        cloud_cost_usd=None
        if None in clouds
        else (sum(c[0] for c in clouds), sum(c[1] for c in clouds)),  # type: ignore[index]
        device_hours=summed([e.total.device_hours for e in items]),
        fpo=summed([e.total.fpo for e in items]),
        ranges=ranges,
        embodied_co2e_kg=summed([e.total.embodied_co2e_kg for e in items]),
        total_co2e_kg=sum(totals),
        water_l=summed([e.total.water_l for e in items]),
    )
    # the total's SCI: all the CO2e over all the functional units, where every part counts the
    # same unit; parameters do not add up across models (two 7B models are not one 14B model)
    parts = [e.total.per_unit for e in items]
    kinds = {p.per for p in parts if p is not None}
    if items and None not in parts and len(kinds) == 1 and kinds != {"parameter"}:
        unit = PerUnit(
            per=kinds.pop(),
            units=sum(p.units for p in parts if p is not None),
            counted="the sum over the files",
            embodied=all(p.embodied for p in parts if p is not None),
        )
        return per_unit(summed_figures, unit)
    return summed_figures
