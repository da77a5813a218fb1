"""Resolve: what an experiment file gives, with the tables, turned into the calculator's columns.

Each input of `greenai.core.calculate` is resolved here once, by one function, for a single
estimate and for every part of a what-if grid alike: the machine's power (devices, host share)
and embodied carbon per device-hour, the schedule (hours, runs, FPO), the site (PUE, water usage
effectiveness, carbon intensity, electricity price) and the cloud rate. Each figure used is
noted as an `Assumption`, keyed by the column it explains and saying whether it was given,
measured, published or defaulted, with its source, and with the range that goes with it
(low..high, each bound sourced). No printing; pint only at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from greenai import embodied, units
from greenai.errors import InputError
from greenai.experiment import FPO_MODES, PRECISIONS, DeviceGroup, Experiment
from greenai.notice import Notice
from greenai.tables import (
    DEFAULT_BASIS,
    Instance,
    Price,
    Region,
    Resolved,
    Tables,
    instance,
    instances_of,
    sites,
)

# Method parameters (not data): Strubell et al. 2019 use the Uptime Institute 2018 global
# average PUE; Green Algorithms (Lannelongue et al. 2021) estimate DRAM power per GB.
DEFAULT_PUE = 1.58
DEFAULT_PUE_SOURCE = "Strubell et al. 2019 (Uptime Institute 2018 global average)"
# Host CPU power of a cloud instance: min + utilisation x (max - min) watts per vCPU, with the
# average CPU utilisation that Cloud Carbon Footprint assumes when none is measured
# (AVG_CPU_UTILIZATION_2020 = 50 in its cloud constants; ComputeEstimator's formula).
HOST_CPU_UTILIZATION = 0.5
HOST_CPU_SOURCE = (
    "CPU at 50 % load: Cloud Carbon Footprint's default average CPU utilisation "
    "(AVG_CPU_UTILIZATION_2020), average W = min + 0.5 x (max - min)"
)
MEMORY_W_PER_GB = 0.3725
MEMORY_SOURCE = "Lannelongue et al. 2021, Green Algorithms (referenceValues: memoryPower)"
FILE = "experiment file"
# Hours from FPO: a model FLOP utilisation (MFU) is the share of the peak that training achieves.
# Meta reports 38-43% for Llama 3 pre-training on 16,384 H100s (Dubey et al. 2024).
DEFAULT_MFU = 0.4
DEFAULT_MFU_SOURCE = (
    "greenai default; Llama 3 pre-training reached 38-43% MFU (Dubey et al. 2024, The Llama 3 "
    "Herd of Models; via https://www.glennklockwood.com/garden/mfu, read 2026-11-23)"
)
# Without fpo.precision, the first of these that every working device has a peak for.
DEFAULT_PRECISIONS = ("bf16", "fp16", "tf32", "fp32")
# A defaulted utilization keeps TDP x 1.0 as its value (so that no figure moves), with a range:
# low, the floor of the power that GPUs drew while OLMo trained ("fluctuating between ~15% and
# ~85% of our hardware's maximum power draw", Morrison et al. 2025, Holistically Evaluating the
# Environmental Impact of Creating Language Models, ICLR 2025, arXiv 2503.05804); high, the
# rated TDP itself (the value: a device does not average above it).
UTILIZATION_LOW = 0.15
UTILIZATION_RANGE_SOURCE = (
    "range: low 0.15 of TDP, the floor of GPU power during OLMo training (Morrison et al. 2025, "
    "arXiv 2503.05804: ~15% to ~85% of maximum draw); high 1.0, the rated TDP"
)
NO_RANGE = "no range in the source"
# Sites with no facility of their own (data/sites.csv: PUE 1.0 by definition) have no cooling
# plant to evaporate water: on-site water is 0 there, by the same reading of the definitions
# (WUE = site water / IT energy, The Green Grid, White Paper #35, 2011).
NO_FACILITY_SITES = ("desktop", "laptop")
WUE_DEFINITION = (
    "WUE = annual site water usage / IT equipment energy, L/kWh (The Green Grid, White Paper "
    "#35, Water Usage Effectiveness, 2011)"
)

Bound = tuple[float, float, float]  # (value, low, high)


def exact(value: float) -> Bound:
    return (value, value, value)


def plus(a: Bound, b: Bound) -> Bound:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@dataclass(frozen=True, slots=True)
class Assumption:
    """One figure an estimate used: what it is, its value, its source. `column` is the
    calculator input it explains (empty for notes about the method); `basis` says how it was
    known: given (the file), measured (a measured power in the file), published (a data table
    row), defaulted (a greenai method parameter) or derived."""

    what: str
    value: str
    source: str
    column: str = ""
    basis: str = ""
    # for a carbon intensity: what the figure measures ("lifecycle, consumption") and the basis
    # it fell back to when the one asked for was missing; kept as fields for compare's note
    measures: str = ""
    fallback: str = ""

    def as_dict(self) -> dict[str, str]:
        found = {"what": self.what, "value": self.value, "source": self.source}
        if self.column:
            found["column"] = self.column
        if self.basis:
            found["basis"] = self.basis
        return found


@dataclass(frozen=True, slots=True)
class Work:
    """Green AI's price tag in FPO: E (per example) x D (examples per run) x H (runs), and the
    throughput (peak FLOP/s x MFU) that links the FPO to the hours."""

    per_run: float
    runs: int
    per_example: float | None = None  # E; for parameters x tokens, FPO per token (6 N or 2 N)
    examples: float | None = None  # D per run
    example: str = "example"  # what D counts: "example" or "token"
    mode: str | None = None  # training / inference, for parameters x tokens
    precision: str | None = None
    peak_flop_per_s: float | None = None  # the whole machine's dense peak at `precision`
    mfu: float | None = None
    mfu_from: str | None = None  # "default", "file" (both used to derive hours) or "implied"
    hours_derived: bool = False

    @property
    def total(self) -> float:
        return self.per_run * self.runs

    def as_dict(self) -> dict[str, Any]:
        return {
            "per_example": self.per_example,
            "examples_per_run": self.examples,
            "example": self.example,
            "runs": self.runs,
            "per_run": self.per_run,
            "total": self.total,
            "mode": self.mode,
            "precision": self.precision,
            "peak_flop_per_s": self.peak_flop_per_s,
            "mfu": self.mfu,
            "mfu_from": self.mfu_from,
            "hours_derived": self.hours_derived,
        }


def memory_power_w(memory_gb: Any) -> Any:
    # GB x W/GB in W, by the units table (an array of memory sizes works too)
    return units.convert(memory_gb * MEMORY_W_PER_GB, "GB*W/GB", "W")


def resolve_draw(
    experiment: Experiment, notes: list[Assumption]
) -> tuple[float | None, Bound | None, float | None, float | None]:
    """(hours per run, the machine's IT power W, IT energy per run kWh as published,
    device-hours per run as published), each None where the file does not give it. Published
    reports give energy (OLMo) or GPU-hours (Llama 2) rather than hours x power, so either may
    stand in for the product."""
    count = sum(g.count for g in experiment.hardware)
    given = experiment.device_hours
    hours = experiment.hours
    if given is not None:
        notes.append(Assumption("device-hours per run", f"{_amount(given)} h", FILE))
        if experiment.count_given:
            hours = given / count
            notes.append(
                Assumption(
                    "hours per run (derived)",
                    f"{hours:,.6g} h = {_amount(given)} device-hours / {count} devices",
                    "greenai: every device busy for the whole run",
                )
            )
    if experiment.energy_kwh is not None:
        energy = experiment.energy_kwh
        notes.append(
            Assumption(
                "IT energy per run (before PUE)", f"{_amount(energy)} kWh", f"{FILE}; PUE on top"
            )
        )
        power = None
        if hours is not None:
            power = float(units.convert(energy / hours, "kWh/h", "W"))
            notes.append(
                Assumption(
                    "power (implied)",
                    f"{power:,.6g} W = {_amount(energy)} kWh / {hours:,.6g} h",
                    "greenai: energy / hours, both from the file",
                )
            )
        if given is not None:
            per_device = float(units.convert(energy / given, "kWh/h", "W"))
            notes.append(
                Assumption(
                    "power per device (implied)",
                    f"{per_device:,.6g} W = {_amount(energy)} kWh / {_amount(given)} device-hours",
                    "greenai: energy / device-hours, both from the file",
                )
            )
        return hours, None, energy, given
    if given is not None:
        (group,) = experiment.hardware  # validation allows one device group with device_hours
        per_device = _device_power(group, notes)
        energy = float(units.convert(per_device[0] * given, "W*h", "kWh"))
        notes.append(
            Assumption(
                "IT energy per run",
                f"{_amount(energy)} kWh = {_amount(given)} device-hours x {per_device[0]:g} W",
                "greenai: device-hours x power per device",
                basis="derived",
            )
        )
        return (
            hours,
            (count * per_device[0], count * per_device[1], count * per_device[2]),
            None,
            given,
        )
    return hours, resolve_power(experiment, notes), None, None


def _amount(value: float) -> str:
    """A published figure as written (184,320; 1,038,336), not in exponent form."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def implausible(experiment: Experiment, work: Work | None) -> tuple[Notice, ...]:
    """An implied MFU above 1 means the hardware cannot do the FPO in the hours given."""
    if work is None or work.mfu_from != "implied" or work.mfu is None or work.mfu <= 1:
        return ()
    message = (
        f"the FPO need {work.mfu:.3g} x the peak {work.precision} FLOP/s of the hardware for "
        "the hours given (an implied MFU above 1); check hours, fpo and hardware"
    )
    return (Notice(experiment.file, None, "fpo", message),)


def resolve_power(experiment: Experiment, notes: list[Assumption]) -> Bound:
    """The machine's IT power (value, low, high) in W, before the host the file leaves out."""
    if experiment.power_w is not None:
        notes.append(
            Assumption(
                "power (whole machine, measured)",
                f"{experiment.power_w:g} W",
                FILE,
                "power_w",
                "measured",
            )
        )
        return exact(experiment.power_w)
    total = exact(0.0)
    for group in experiment.hardware:
        each = _device_power(group, notes)
        total = plus(total, (group.count * each[0], group.count * each[1], group.count * each[2]))
    if experiment.memory_gb is not None:
        memory = float(memory_power_w(experiment.memory_gb))
        notes.append(
            Assumption(
                "memory power",
                f"{experiment.memory_gb:g} GB x {MEMORY_W_PER_GB} W/GB = {memory:g} W",
                MEMORY_SOURCE,
                "power_w",
                "given",
            )
        )
        total = plus(total, exact(memory))
    return total


def _device_power(group: DeviceGroup, notes: list[Assumption]) -> Bound:
    """Watts per device: measured, or TDP x utilization (given: exact; defaulted: TDP, with the
    sourced range of what training draws)."""
    device = group.device
    if group.power_w is not None:
        notes.append(
            Assumption(
                f"{device.name} power (measured)",
                f"{group.power_w:g} W",
                FILE,
                "power_w",
                "measured",
            )
        )
        return exact(group.power_w)
    if device.tdp_w is None:
        raise InputError(
            f"no TDP known for {device.name} in data/hardware.csv; give a measured "
            f"power for it (device:, power:)",
            key="hardware",
        )
    utilization = group.utilization if group.utilization is not None else 1.0
    source = (
        device.source if group.utilization is None else f"TDP: {device.source}; utilization: {FILE}"
    )
    value = device.tdp_w * utilization
    if group.utilization is not None:
        notes.append(
            Assumption(
                f"{device.name} power",
                f"{device.tdp_w:g} W TDP x {utilization:g}",
                source,
                "power_w",
                "given",
            )
        )
        return exact(value)
    source += (
        f"; utilization 1.0 (greenai default: TDP as the power draw); {UTILIZATION_RANGE_SOURCE}"
    )
    low = device.tdp_w * UTILIZATION_LOW
    notes.append(
        Assumption(
            f"{device.name} power",
            f"{device.tdp_w:g} W TDP x {utilization:g} (range {low:g}-{value:g} W)",
            source,
            "power_w",
            "defaulted",
        )
    )
    return (value, low, value)


def resolve_pue(experiment: Experiment, notes: list[Assumption]) -> float:
    """The file's PUE; else that of the place it runs in (`site:`, or a cloud region's own);
    else Strubell's data-centre average, said out loud: a workstation has no facility."""
    if experiment.pue is not None:
        notes.append(Assumption("PUE", f"{experiment.pue:g}", FILE, "pue", "given"))
        return experiment.pue
    region = experiment.region
    site = experiment.site
    if site not in (None, "cloud"):
        row = sites()[site]
        notes.append(
            Assumption(
                "PUE",
                f"{row.pue:g} (site: {site}, {row.name})",
                f"{row.source}; {NO_RANGE}",
                "pue",
                "published",
            )
        )
        return row.pue
    if region is not None and region.pue is not None:
        notes.append(
            Assumption(
                "PUE",
                f"{region.pue:g} ({region.key})",
                f"{region.pue_source}; {NO_RANGE}",
                "pue",
                "published",
            )
        )
        return region.pue
    provider = experiment.cloud.provider if experiment.cloud is not None else None
    if site == "cloud":
        row = sites().get(f"cloud:{provider}") if provider else None
        if row is None:
            raise InputError(
                "site: cloud takes the provider's PUE, but no provider is known; give a cloud "
                "region (e.g. region: gcp:us-central1), cloud: provider, or pue",
                key="site",
            )
        where = f" (no figure for {region.key})" if region is not None else ""
        notes.append(
            Assumption(
                "PUE",
                f"{row.pue:g} (site: cloud, {provider} default{where})",
                f"{row.source}; {NO_RANGE}",
                "pue",
                "published",
            )
        )
        return row.pue
    notes.append(
        Assumption(
            "PUE",
            f"{DEFAULT_PUE:g} (site not given: a data-centre average)",
            f"{DEFAULT_PUE_SOURCE}; set site: desktop or laptop (1.0), server-room or "
            f"datacenter for the place it runs in, or pue; {NO_RANGE}",
            "pue",
            "defaulted",
        )
    )
    return DEFAULT_PUE


def resolve_wue(experiment: Experiment, notes: list[Assumption]) -> float | None:
    """Litres of on-site water per kWh of IT energy, by the order of the PUE: the file's `wue:`;
    0 at a desk (no facility, no cooling water); the cloud region's own published figure; else
    unknown (None, said in a note), never a silent 0. The providers publish one figure a year,
    so it has no range."""
    if experiment.wue_l_per_kwh is not None:
        notes.append(
            Assumption(
                "water usage effectiveness (WUE)",
                f"{experiment.wue_l_per_kwh:g} L/kWh of IT energy",
                FILE,
                "wue_l_per_kwh",
                "given",
            )
        )
        return experiment.wue_l_per_kwh
    site, region = experiment.site, experiment.region
    if site in NO_FACILITY_SITES:
        notes.append(
            Assumption(
                "water usage effectiveness (WUE)",
                f"0 L/kWh (site: {site}: no facility, so no on-site cooling water)",
                f"greenai's reading of the definition: {WUE_DEFINITION}; {NO_RANGE}",
                "wue_l_per_kwh",
                "defaulted",
            )
        )
        return 0.0
    if site in (None, "cloud") and region is not None and region.wue_l_per_kwh is not None:
        year = f", {region.wue_year}" if region.wue_year else ""
        notes.append(
            Assumption(
                "water usage effectiveness (WUE)",
                f"{region.wue_l_per_kwh:g} L/kWh of IT energy ({region.key}{year})",
                f"{region.wue_source}; {NO_RANGE}",
                "wue_l_per_kwh",
                "published",
            )
        )
        return region.wue_l_per_kwh
    where = (
        f"site: {site}"
        if site not in (None, "cloud")
        else f"region {region.key}"
        if region is not None
        else "this experiment"
    )
    notes.append(
        Assumption(
            "water usage effectiveness (WUE)",
            "unknown: on-site water not computed",
            f"no published WUE for {where} (data/regions.csv has the providers' per-region "
            "figures for AWS and Azure); give wue (e.g. wue: 1.8 L/kWh)",
            "wue_l_per_kwh",
        )
    )
    return None


def resolve_embodied(experiment: Experiment, notes: list[Assumption]) -> Bound | None:
    """Embodied kg CO2e per device-hour of the machine (value, low, high), from
    data/embodied.csv through greenai.embodied, at the file's `embodied:` settings or the
    sourced defaults; None where an accelerator has no row (unknown, said in a note: a 0 would
    understate the total).

    The calculator multiplies it by all devices' hours, so it is the count-weighted mean over
    every device listed. A CPU listed beside accelerators is their host: its footprint is the
    server's share that `embodied: host: true` adds (BLOOM's per-GPU share of an 8-GPU server),
    not a row of its own; CPUs alone have no row."""
    settings = experiment.embodied
    lifetime = settings.lifetime_years if settings is not None else None
    share = settings.use_share if settings is not None else None
    host = settings.host if settings is not None else False
    accelerators = [g for g in experiment.hardware if g.device.kind != "cpu"]
    rows = embodied.table()
    missing = sorted({g.device.name for g in accelerators if g.device.key not in rows})
    if not accelerators or missing:
        what = ", ".join(missing) or ", ".join(sorted({g.device.name for g in experiment.hardware}))
        notes.append(
            Assumption(
                "embodied CO2e",
                f"unknown: no manufacturing footprint for {what} in data/embodied.csv; total "
                "CO2e is the operational figure alone",
                f"data/embodied.csv covers {len(rows)} accelerators (Boavizta, BLOOM, "
                "LLMCarbon; see data/SOURCES.md)",
                "embodied_kg_per_device_hour",
            )
        )
        return None
    count = sum(g.count for g in experiment.hardware)
    total = exact(0.0)
    said: set[str] = set()
    for group in accelerators:
        rate = embodied.rate_kg_per_device_hour(
            group.device.key, lifetime, share, include_host=host
        )
        total = plus(
            total, (group.count * rate.value, group.count * rate.low, group.count * rate.high)
        )
        for item in rate.assumptions:
            key = item.what if item.what.startswith(("device lifetime", "share of")) else ""
            if key in said:
                continue  # one lifetime and one use share for the whole machine
            if key:
                said.add(key)
            notes.append(
                Assumption(
                    item.what,
                    item.value,
                    item.source or FILE,
                    "embodied_kg_per_device_hour",
                    item.basis,
                )
            )
        if host and rows[group.device.key].host_kg_co2e is None:
            notes.append(
                Assumption(
                    f"host server share per {group.device.name}",
                    "not counted: data/embodied.csv has no host share for it",
                    "embodied: host: true adds it where the table has one",
                    "embodied_kg_per_device_hour",
                )
            )
    rate = (total[0] / count, total[1] / count, total[2] / count)
    cpus = [g for g in experiment.hardware if g.device.kind == "cpu"]
    per = " per device-hour"
    notes.append(
        Assumption(
            "embodied CO2e rate",
            f"{rate[0]:.4g} kg{per} (range {rate[1]:.4g}-{rate[2]:.4g})"
            + (
                f"; {', '.join(g.device.name for g in cpus)} as host, "
                + ("in the host share" if host else "not counted (embodied: host: true adds it)")
                if cpus
                else ""
            ),
            f"greenai.embodied: kg / (lifetime x {embodied.HOURS_PER_YEAR:,.0f} h x use share); "
            + (
                "range: the table's low over the longest lifetime .. its high over the shortest"
                if lifetime is None
                else "range: the table's low .. high over the lifetime given"
            ),
            "embodied_kg_per_device_hour",
            "derived",
        )
    )
    return rate


def resolve_host(experiment: Experiment, tables: Tables, notes: list[Assumption]) -> Bound:
    """Watts of the host (CPU, DRAM) that the hardware list leaves out, from the cloud instance
    type it runs on: Strubell et al. counted CPU and DRAM, and a GPU-only figure reads low.

    A measured whole-machine power includes the host; a CPU under hardware: or a `memory:`
    counts that part already. Where no instance is known, the note says the host is left out
    and how to add it."""
    if experiment.power_w is not None:
        return exact(0.0)
    cpu_given = any(g.device.kind == "cpu" for g in experiment.hardware)
    memory_given = experiment.memory_gb is not None
    if cpu_given and memory_given:
        return exact(0.0)
    cloud = experiment.cloud
    provider = cloud.provider if cloud is not None else None
    accelerators = [g for g in experiment.hardware if g.device.kind != "cpu"]
    parts: list[tuple[Instance, float]] = []  # (instance, share of it used)
    missing: list[str] = []
    if cloud is not None and cloud.instance is not None and provider is not None:
        chosen = instance(provider, cloud.instance)
        assert chosen is not None  # validated
        count = sum(g.count for g in accelerators)
        parts.append((chosen, count / chosen.gpu_count if chosen.gpu_count and count else 1.0))
    elif provider is not None:
        for group in accelerators:
            found, why = _instance_for(group, provider, tables)
            if found is None:
                missing.append(f"{group.count} x {group.device.name}: {why}")
            else:
                parts.append((found, group.count / found.gpu_count))
    else:
        missing.append("no cloud instance type known (not a cloud region, no cloud: provider)")
    left_out = " and ".join(
        what for what, given in (("CPU", cpu_given), ("DRAM", memory_given)) if not given
    )
    total = exact(0.0)
    for chosen, share in parts:
        watts = chosen.min_w_per_vcpu + HOST_CPU_UTILIZATION * (
            chosen.max_w_per_vcpu - chosen.min_w_per_vcpu
        )
        terms, value, low, high = [], 0.0, 0.0, 0.0
        if not cpu_given:  # the range: idle .. full load, the same rows' min and max
            value += chosen.vcpus * watts
            low += chosen.vcpus * chosen.min_w_per_vcpu
            high += chosen.vcpus * chosen.max_w_per_vcpu
            terms.append(f"{chosen.vcpus} vCPU x {watts:.4g} W")
        if not memory_given and chosen.memory_gb is not None:
            memory = float(memory_power_w(chosen.memory_gb))
            value, low, high = value + memory, low + memory, high + memory
            terms.append(f"{chosen.memory_gb:g} GB x {MEMORY_W_PER_GB} W/GB")
        value, low, high = value * share, low * share, high * share
        total = plus(total, (value, low, high))
        said = [
            f"{share:g} x {chosen.name}" if share != 1 else chosen.name,
            " + ".join(terms),
        ]
        kept = [w for w, given in (("CPU", cpu_given), ("memory", memory_given)) if given]
        notes.append(
            Assumption(
                f"host power ({left_out})",
                f"{value:,.4g} W = {said[0]}: {said[1]}"
                + (f"; {' and '.join(kept)} as in the file" if kept else "")
                + (
                    f" (range {low:,.4g}-{high:,.4g} W: CPU idle to full load)"
                    if low != high
                    else ""
                ),
                f"{chosen.source}; W per vCPU ({chosen.min_w_per_vcpu:g} idle .. "
                f"{chosen.max_w_per_vcpu:g} full): {chosen.watts_basis}; {HOST_CPU_SOURCE}"
                + (f"; {MEMORY_SOURCE}" if not memory_given else ""),
                "power_w",
                "published",
            )
        )
    if missing:
        notes.append(
            Assumption(
                f"host power ({left_out})",
                "not counted: " + "; ".join(missing),
                "add it: memory: GB, a CPU entry under hardware: (e.g. - 2 x AMD EPYC 7763), "
                "cloud: instance: for a known instance type, or a measured power: of the whole "
                "machine",
            )
        )
    return total


def _instance_for(group: DeviceGroup, provider: str, tables: Tables) -> tuple[Instance | None, str]:
    """The instance type the price list pairs with this device, when that is unambiguous: the
    one with exactly `count` devices, or any of them when all give the same host per device."""
    known: dict[str, Instance] = {}
    for price in tables.prices_for(provider, group.device.key):
        found = instance(provider, price.instance)
        if found is not None and found.gpu_count:
            known.setdefault(found.name, found)
    for found in instances_of(provider):  # and those whose GPU model the hardware table knows
        try:
            same = found.gpu_name and tables.device(found.gpu_name).key == group.device.key
        except InputError:
            same = False
        if same and found.gpu_count:
            known.setdefault(found.name, found)
    if not known:
        return None, f"no {provider} instance type with it in data/instances.csv"

    def host(i: Instance, per: int) -> tuple[float, ...]:
        return (i.vcpus / per, (i.memory_gb or 0.0) / per, i.min_w_per_vcpu, i.max_w_per_vcpu)

    exact = [i for i in known.values() if i.gpu_count == group.count]
    if len({host(i, 1) for i in exact}) == 1:
        return exact[0], ""
    if not exact and len({host(i, i.gpu_count) for i in known.values()}) == 1:
        return next(iter(known.values())), ""
    names = ", ".join(sorted(known))
    return None, f"several {provider} instance types fit ({names}); name one in cloud: instance:"


def resolve_intensity(experiment: Experiment, tables: Tables, notes: list[Assumption]) -> Bound:
    """The carbon intensity (value, low, high): the file's `carbon_intensity:` exactly as given;
    else the region's (or its grid's) figure on the chosen basis, with the low and high of the
    same source's yearly figures over its last years (data/regions.csv, `*_range_years`).

    The range stays within the chosen basis: it does not stretch to the other bases (direct
    combustion, the provider's own figure), which measure something else, so that choosing a
    basis means something (DESIGN.md, "Intensity basis"); `--basis` shows another's figure."""
    region = experiment.region
    given = experiment.carbon_intensity_g_per_kwh
    if given is not None or region is None:
        found = None
    else:
        found = tables.carbon_intensity(region, experiment.basis or DEFAULT_BASIS)
    value = _given_or_inherited(
        "carbon intensity",
        "g/kWh",
        given,
        found,
        region,
        notes,
        "carbon_intensity_g_per_kwh",
        _spread(found) if found is not None else None,
    )
    if value is None:  # validation requires a region or an intensity, so region is set here
        raise InputError(
            f"no carbon intensity for region {region.key if region else '?'} or its grid; "
            "give carbon_intensity",
            key="region",
        )
    if found is None:
        return exact(value)
    notes[-1] = _with_basis(notes[-1], found, experiment.basis)
    return found.bounds


def _spread(found: Resolved) -> tuple[str, str]:
    """What an intensity note adds for its range: to its value, and to its source where the
    range comes from (the same source's yearly figures, within the basis)."""
    low, high, years = found.low, found.high, found.range_years
    if low is None or high is None:
        return "", f"{NO_RANGE} (no yearly figures for this row in data/regions.csv)"
    if low == high:
        if years.isdigit():
            return "", f"{NO_RANGE}: it gives one year ({years})"
        return "", f"no range: the source's yearly figures {years} are all {low:g} g/kWh"
    return (
        f" (range {low:g}–{high:g}, {years})",
        f"range {low:g}–{high:g} g/kWh: the lowest and highest of this source's yearly figures "
        f"{years} (within this basis; the other bases are not spanned)",
    )


def _with_basis(note: Assumption, found: Resolved, chosen: str | None) -> Assumption:
    """The intensity note with its basis, and the basis asked for when the row lacks it: a
    figure on another basis is used, never silently (DESIGN.md, "Intensity basis")."""
    basis = chosen or DEFAULT_BASIS
    said = f"{basis} basis" + ("" if chosen else ", greenai's default")
    if found.fallback:
        said = f"{found.fallback} only: {found.region.key} has no {basis} figure ({said})"
    label = f"; {found.basis}" if found.basis else ""
    return replace(
        note,
        value=f"{note.value} [{said}{label}]",
        measures=found.basis or "",
        fallback=found.fallback or "",
    )


def resolve_electricity_price(
    experiment: Experiment, tables: Tables, notes: list[Assumption]
) -> float | None:
    region = experiment.region
    given = experiment.electricity_price_usd_per_kwh
    found = tables.electricity_price(region) if region is not None and given is None else None
    value = _given_or_inherited(
        "electricity price", "USD/kWh", given, found, region, notes, "electricity_price_usd_per_kwh"
    )
    if value is None:
        where = f"region {region.key}" if region is not None else "this experiment"
        notes.append(
            Assumption(
                "electricity price",
                "unknown: electricity cost not computed",
                f"no price for {where} in data/regions.csv; give electricity_price",
            )
        )
    elif found is not None and found.basis:
        notes[-1] = replace(notes[-1], value=f"{notes[-1].value} ({found.basis})")
    _conversions(experiment, notes)
    return value


def mixed_bases(notes: Iterable[Assumption]) -> str | None:
    """A note for a grid whose intensities are not all on one basis (lifecycle against direct
    combustion, generation- against consumption-based), None when they are: the rows then
    compare different quantities, and a reader must be told (DESIGN.md, "Intensity basis")."""
    found: dict[str, set[str]] = {}
    for note in notes:
        if note.what == "carbon intensity" and note.measures:
            said = note.measures + (f" ({note.fallback} only)" if note.fallback else "")
            found.setdefault(note.measures, set()).add(said)
    if len(found) < 2:
        return None
    listed = "; ".join(sorted(s for group in found.values() for s in group))
    return (
        f"Note: the rows' carbon intensities are on different bases ({listed}); they measure "
        "different things. --assumptions shows each row's; --basis picks one where the data has it."
    )


def _conversions(experiment: Experiment, notes: list[Assumption]) -> None:
    """Money the file gave in another currency, with the rate used: the electricity price's
    own note says it; a cloud price gets a note of its own."""
    for key, how, source in experiment.conversions:
        if key == "electricity_price":
            for i, note in enumerate(notes):
                if note.what == "electricity price" and note.source == FILE:
                    notes[i] = replace(
                        note, value=f"{note.value} ({how})", source=f"{FILE}; {source}"
                    )
        else:
            notes.append(Assumption(f"{key} in USD", how, f"{FILE}; {source}", basis="given"))


def _given_or_inherited(
    what: str,
    unit: str,
    given: float | None,
    found: Resolved | None,
    region: Region | None,
    notes: list[Assumption],
    column: str,
    spread: tuple[str, str] | None = None,
) -> float | None:
    """The experiment file's figure, else the region's (or its grid's), noted with its source.
    `spread`: what the note says of the figure's range (after its value; in its source); without
    it, data/regions.csv holds one figure, so it has no range (low = high)."""
    if given is not None:
        notes.append(Assumption(what, f"{given:.6g} {unit}", FILE, column, "given"))
        return given
    if found is None or region is None:
        return None
    via = (
        ""
        if found.region.key == region.key
        else f" (from {found.region.key}, the grid of {region.key})"
    )
    after, ranged = spread or ("", f"{NO_RANGE} (one year per region in data/regions.csv)")
    notes.append(
        Assumption(
            what,
            f"{found.value:g} {unit}, {found.year}{via}{after}",
            f"{found.source}; {ranged}",
            column,
            "published",
        )
    )
    return found.value


def resolve_cloud_prices(
    experiment: Experiment, tables: Tables, notes: list[Assumption]
) -> list[tuple[DeviceGroup, tuple[float, float]]] | None:
    cloud = experiment.cloud
    if cloud is None:
        return None
    if cloud.price_usd_per_device_hour is not None:
        low, high = cloud.price_usd_per_device_hour
        notes.append(
            Assumption(
                "cloud price per device-hour",
                _range(low, high, "USD/h"),
                f"{FILE}; value and high: {high:g} (on-demand), low: {low:g} (spot)",
                "cloud_usd_per_hour",
                "given",
            )
        )
        return [(group, (low, high)) for group in experiment.hardware]
    assert cloud.provider is not None
    priced = []
    for group in experiment.hardware:
        rows = tables.prices_for(cloud.provider, group.device.key)
        chosen, how = select_prices(rows, experiment, cloud.as_of)
        if not chosen:
            known = sorted({p.device for p in tables.prices if p.provider == cloud.provider})
            message = (
                f"no {cloud.provider} price for {group.device.key}{how}; priced devices: "
                f"{', '.join(known)}"
            )
            if cloud.inferred:
                notes.append(Assumption("cloud price", "unknown: cloud cost not computed", message))
                return None
            raise InputError(message, key="cloud")
        on_demand = [p.usd_per_device_hour for p in chosen if p.pricing == "on_demand"]
        low = min(p.usd_per_device_hour for p in chosen)
        high = max(on_demand or [p.usd_per_device_hour for p in chosen])
        sources = sorted({p.source for p in chosen})
        dated = chosen[0].as_of.isoformat()
        instances = sorted({p.instance for p in chosen})
        notes.append(
            Assumption(
                f"cloud price, {group.device.name}",
                f"{_range(low, high, 'USD per device-hour')} ({cloud.provider}, "
                f"{'; '.join(instances)}{how}; as of {dated})",
                "; ".join(sources) + "; value and high: on-demand, low: spot (or lowest listed)",
                "cloud_usd_per_hour",
                "published",
            )
        )
        priced.append((group, (low, high)))
    return priced


def machine_rate(priced: Sequence[tuple[DeviceGroup, tuple[float, float]]]) -> Bound:
    """The whole machine's cloud price per hour: value and high on-demand (the bill a plan
    takes at most), low spot (the cheapest listed)."""
    spot = sum(g.count * cheapest for g, (cheapest, _) in priced)
    on_demand = sum(g.count * listed for g, (_, listed) in priced)
    return (on_demand, spot, on_demand)


def select_prices(
    rows: Sequence[Price], experiment: Experiment, as_of: Any
) -> tuple[list[Price], str]:
    """The price rows that apply: dated on or before `as_of` (latest such date), in the
    experiment's cloud region when it has rows there, whole instances before GPU-only rates."""
    if as_of is not None:
        rows = [p for p in rows if p.as_of <= as_of]
    if not rows:
        return [], f" dated on or before {as_of}" if as_of else ""
    latest = max(p.as_of for p in rows)
    rows = [p for p in rows if p.as_of == latest]
    how = ""
    region = experiment.region
    provider_region = (
        region.provider_region if region is not None and region.kind == "cloud" else None
    )
    local = [p for p in rows if provider_region and p.region == provider_region]
    if local:
        rows = local
    elif any(not p.region for p in rows):
        rows = [p for p in rows if not p.region]
    elif provider_region:
        how = f"; none listed in {provider_region}, range over all regions"
    else:
        how = "; range over all regions"
    whole = [p for p in rows if p.scope == "instance"]
    return (whole or rows), how


def resolve_fpo(experiment: Experiment, notes: list[Assumption]) -> float | None:
    fpo = experiment.fpo
    if fpo is None:
        return None
    if fpo.total is not None:
        notes.append(Assumption("FPO per run", f"{fpo.total:.4g} FLOP", FILE))
        return fpo.total
    if fpo.per_example is not None and fpo.examples is not None:
        value = fpo.per_example * fpo.examples
        notes.append(
            Assumption(
                "FPO per run",
                f"{fpo.per_example:.4g} FLOP/example x {fpo.examples:.4g} examples",
                f"{FILE} (Schwartz et al., Green AI: E x D)",
            )
        )
        return value
    assert fpo.parameters is not None and fpo.tokens is not None
    factor = FPO_MODES[fpo.mode]
    notes.append(
        Assumption(
            "FPO per run",
            f"{factor:g} x {fpo.parameters:.4g} parameters x {fpo.tokens:.4g} tokens ({fpo.mode})",
            f"{FILE}; Kaplan et al. 2020 ({factor:g} N D)",
        )
    )
    return factor * fpo.parameters * fpo.tokens


def resolve_schedule(
    experiment: Experiment, notes: list[Assumption]
) -> tuple[float | None, Work | None]:
    """Hours per run and the FPO breakdown: hours as given (with the MFU they imply), or
    derived from the FPO at the hardware's peak FLOP/s x MFU when the file gives no hours."""
    per_run = resolve_fpo(experiment, notes)
    fpo = experiment.fpo
    published = experiment.energy_kwh is not None or experiment.device_hours is not None
    if per_run is None or fpo is None:
        if experiment.hours is None and not published:  # validation requires hours or fpo
            raise InputError("missing key 'hours'", key="hours")
        return experiment.hours, None
    breakdown = _breakdown(experiment, per_run)
    derive = experiment.hours is None and not published
    found = peak_flops(experiment, fpo.precision, notes, required=derive)
    precision, peak = found if found is not None else (None, None)
    if not derive:
        # the machine-hours the FPO ran in: given, or device-hours over the devices (the
        # peak is the machine's); energy alone says nothing of time, so no MFU is implied
        basis = experiment.hours
        if basis is None and experiment.device_hours is not None:
            basis = experiment.device_hours / sum(g.count for g in experiment.hardware)
        mfu = per_run / (peak * basis * 3600) if peak and basis else None
        if fpo.mfu is not None:
            notes.append(
                Assumption(
                    "fpo.mfu", f"{fpo.mfu:g}: not used, the file gives the time or energy", FILE
                )
            )
        implied = "implied" if mfu is not None else None
        return experiment.hours, Work(
            **breakdown, precision=precision, peak_flop_per_s=peak, mfu=mfu, mfu_from=implied
        )
    assert peak is not None and precision is not None
    mfu, mfu_from = (fpo.mfu, "file") if fpo.mfu is not None else (DEFAULT_MFU, "default")
    notes.append(
        Assumption(
            "model FLOP utilisation (MFU)", f"{mfu:g}", FILE if fpo.mfu else DEFAULT_MFU_SOURCE
        )
    )
    hours = per_run / (peak * mfu) / 3600
    notes.append(
        Assumption(
            "hours per run (derived)",
            f"{hours:,.4g} h = {per_run:.4g} FLOP / ({peak / 1e12:,.6g} TFLOP/s x {mfu:g}) / 3600",
            "greenai: FPO / (peak FLOP/s x MFU); the file gives no hours",
        )
    )
    return hours, Work(
        **breakdown,
        precision=precision,
        peak_flop_per_s=peak,
        mfu=mfu,
        mfu_from=mfu_from,
        hours_derived=True,
    )


def _breakdown(experiment: Experiment, per_run: float) -> dict[str, Any]:
    fpo = experiment.fpo
    assert fpo is not None
    found: dict[str, Any] = {"per_run": per_run, "runs": experiment.runs}
    if fpo.per_example is not None:
        found.update(per_example=fpo.per_example, examples=fpo.examples)
    elif fpo.parameters is not None:
        found.update(
            per_example=FPO_MODES[fpo.mode] * fpo.parameters,
            examples=fpo.tokens,
            example="token",
            mode=fpo.mode,
        )
    return found


def peak_flops(
    experiment: Experiment, precision: str | None, notes: list[Assumption], required: bool = True
) -> tuple[str, float] | None:
    """(precision, FLOP/s): the machine's dense peak. Devices with no peak figure at all (CPUs
    in data/hardware.csv) are taken to host the work, not to do it. None (unless `required`)
    when no device or no common precision has a figure."""
    working = [g for g in experiment.hardware if any(g.device.peak_tflops(p) for p in PRECISIONS)]
    hosts = [g for g in experiment.hardware if g not in working]
    names = ", ".join(sorted({g.device.name for g in experiment.hardware}))
    if not working:
        if not required:
            return None
        raise InputError(
            f"cannot derive hours from fpo: no peak FLOP/s for {names} in data/hardware.csv; "
            "give hours",
            key="hours",
        )
    chosen = precision or next(
        (p for p in DEFAULT_PRECISIONS if all(g.device.peak_tflops(p) for g in working)), None
    )
    lacking = [g.device.name for g in working if not chosen or not g.device.peak_tflops(chosen)]
    if chosen is None or lacking:
        if not required and precision is None:
            return None
        known = sorted(
            {p for p in PRECISIONS if all(g.device.peak_tflops(p) for g in working)},
            key=PRECISIONS.index,
        )
        raise InputError(
            f"no dense {chosen or 'common'} peak FLOP/s for {', '.join(sorted(set(lacking)))} in "
            f"data/hardware.csv; set fpo.precision to one of: {', '.join(known) or 'none known'}"
            + ("" if known else "; give hours"),
            key="fpo.precision",
        )
    peak = sum(g.count * (g.device.peak_tflops(chosen) or 0.0) for g in working) * 1e12
    parts = " + ".join(f"{g.count} x {g.device.peak_tflops(chosen):g}" for g in working)
    sources = "; ".join(sorted({g.device.source for g in working}))
    how = FILE if precision else "greenai default: the first of bf16, fp16, tf32, fp32 known"
    notes.append(
        Assumption(
            "peak FLOP/s",
            f"{peak / 1e12:,.6g} TFLOP/s dense {chosen} ({parts} TFLOP/s)"
            + (f"; {', '.join(g.device.name for g in hosts)} as host" if hosts else ""),
            f"{sources}; precision: {how}",
        )
    )
    return chosen, peak


def _range(low: float, high: float, unit: str) -> str:
    return f"{low:g} {unit}" if low == high else f"{low:g}-{high:g} {unit}"


# ----------------------------------------------------------------------------- one row


@dataclass(frozen=True, slots=True)
class Row:
    """One experiment resolved: the calculator's inputs (each a number or a (value, low, high)
    bound; NaN where the file does not determine it) and the assumptions behind them."""

    columns: dict[str, float | Bound]
    assumptions: tuple[Assumption, ...]
    work: Work | None
    pue: float
    carbon_intensity_g_per_kwh: float  # the value (its range is in `columns`)


def resolve(experiment: Experiment, tables: Tables) -> Row:
    """The columns of one (unstaged) experiment, by the same functions a what-if grid uses."""
    notes: list[Assumption] = []
    nan = math.nan
    try:
        run_hours, power, it_kwh, device_hours = resolve_draw(experiment, notes)
        embodied_rate = resolve_embodied(experiment, notes)  # the machine's, after its power
        pue = resolve_pue(experiment, notes)
        wue = resolve_wue(experiment, notes)
        intensity = resolve_intensity(experiment, tables, notes)
        price = resolve_electricity_price(experiment, tables, notes)
        cloud = resolve_cloud_prices(experiment, tables, notes)
        if power is not None:  # a given IT energy holds the host already
            power = plus(power, resolve_host(experiment, tables, notes))
        hours_given, work = resolve_schedule(experiment, notes)
    except InputError as error:  # name the file: the data cannot answer for this experiment
        raise error.located(experiment.file, None, error.key) from None
    if run_hours is None and it_kwh is None and device_hours is None:  # hours from the FPO
        run_hours = hours_given
    if cloud is not None and run_hours is None and device_hours is None:
        notes.append(
            Assumption(
                "cloud cost",
                "not computed: the file gives energy without hours or device_hours",
                "give hours (with the device count) or device_hours to price the compute",
            )
        )
        cloud = None
    if experiment.runs != 1:
        notes.append(Assumption("runs", str(experiment.runs), FILE, "runs", "given"))
    rate: float | Bound = nan if cloud is None else machine_rate(cloud)
    if embodied_rate is not None and run_hours is None and device_hours is None:
        notes.append(
            Assumption(
                "embodied CO2e",
                "unknown: the file gives energy without hours or device_hours",
                "give hours (with the device count) or device_hours to count device-hours",
            )
        )
    columns: dict[str, float | Bound] = {
        "power_w": power if power is not None else nan,
        "devices": float(sum(g.count for g in experiment.hardware)),
        "hours": nan if run_hours is None else run_hours,
        "runs": float(experiment.runs),
        "pue": pue,
        "carbon_intensity_g_per_kwh": intensity,
        "electricity_price_usd_per_kwh": nan if price is None else price,
        "cloud_usd_per_hour": rate,
        "fpo_per_run": work.per_run if work is not None else nan,
        "it_energy_kwh": nan if it_kwh is None else it_kwh,
        "device_hours": nan if device_hours is None else device_hours,
        "embodied_kg_per_device_hour": nan if embodied_rate is None else embodied_rate,
        "wue_l_per_kwh": nan if wue is None else wue,
    }
    return Row(columns, tuple(notes), work, pue, intensity[0])


def stack(rows: Sequence[dict[str, float | Bound]]) -> dict[str, Any]:
    """Rows of columns as the calculator's arrays: shape (rows, 3) where any row has a range,
    else (rows, 1)."""
    import numpy as np

    arrays = {}
    for name in rows[0]:
        items = [row[name] for row in rows]
        if any(isinstance(item, tuple) for item in items):
            arrays[name] = np.array([x if isinstance(x, tuple) else exact(x) for x in items])
        else:
            arrays[name] = np.array(items, dtype=float)[:, None]
    return arrays
