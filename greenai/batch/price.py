"""Job rows through greenai's calculator, a record batch at a time, and their sums by group.

Every engine (DuckDB, pandas, Dask) hands `price` the same columns per job; the figures come
from `greenai.core.calculate.calculate`, the one formula, so a job priced here and the same job
as an experiment file (`greenai estimate`) agree. The method is Green Algorithms' (Lannelongue
et al. 2021, as GA4HPC applies it to SLURM jobs), in DESIGN.md's terms:

    power_w = NCPUS x W per core x CPU utilization        (utilization = TotalCPU / (Elapsed x
                                                            NCPUS), measured, capped at 1)
            + GPUs of AllocTRES x W per GPU               (measured in the cluster file, else TDP
                                                            with the range 0.15-1.0 x TDP)
            + ReqMem (GB) x memory power (W/GB)            (memory allocated is powered)
    hours   = Elapsed;  then calculate(): kWh = PUE x hours x power_w / 1000, CO2e, cost.

Waste: all figures of jobs that ended FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY or NODE_FAIL
after they started (Elapsed > 0); and memory requested but never used, (ReqMem - MaxRSS) x
memory power x Elapsed, priced by the same calculator (GA4HPC's "memory needed only" figure).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from greenai import units
from greenai.batch.cluster import Cluster
from greenai.core.calculate import bounded, calculate, exact
from greenai.core.resolve import UTILIZATION_LOW

WASTE_STATES = ("FAILED", "TIMEOUT", "CANCELLED", "OUT_OF_MEMORY", "NODE_FAIL")
DIMENSIONS = ("user", "account", "partition", "state", "month")
# what every engine hands `price` per job (float arrays; `pidx` int: the partition's index
# in the profile, -1 where the cluster file does not list it)
JOB_COLUMNS = ("pidx", "cpus", "util", "gpus", "mem_gb", "rss_gb", "hours", "energy_j", "weight")
# the sums kept per group: the job count, three figures with their bounds, and waste
SUMS = (
    "jobs",
    "energy_value",
    "energy_low",
    "energy_high",
    "co2e_value",
    "co2e_low",
    "co2e_high",
    "cost_value",
    "cost_low",
    "cost_high",
    "waste_energy",
)
# and for the totals only
TOTALS = (
    *SUMS,
    "failed_jobs",
    *(f"failed_{f}_{b}" for f in ("energy", "co2e", "cost") for b in ("value", "low", "high")),
    *(f"unused_{f}_{b}" for f in ("energy", "co2e") for b in ("value", "low", "high")),
    "unused_gb_hours",
    "cpu_hours",
    "gpu_hours",
    "measured_kwh",
    "measured_estimate_kwh",
    "measured_jobs",
    "util_capped",
    "rss_unknown",
)


@dataclass(frozen=True, slots=True)
class Profiles:
    """Per partition, in the order of `names`: W per core, W per GPU and the carbon intensity
    (P, 3: value, low, high), memory W/GB, PUE and price (P,)."""

    names: tuple[str, ...]
    cpu_w: np.ndarray
    gpu_w: np.ndarray
    mem_w: np.ndarray
    pue: np.ndarray
    intensity: np.ndarray
    price: np.ndarray

    @classmethod
    def of(cls, cluster: Cluster) -> Profiles:
        parts = list(cluster.partitions.values())
        count = len(parts)
        return cls(
            tuple(p.name for p in parts),
            np.array([p.cpu_w for p in parts], dtype=float).reshape(count, 3),
            np.array([p.gpu_w for p in parts], dtype=float).reshape(count, 3),
            np.full(count, cluster.memory_w_per_gb),
            np.full(count, cluster.pue),
            np.array([cluster.carbon_intensity_g_per_kwh] * count, dtype=float).reshape(count, 3),
            np.full(count, cluster.electricity_price_usd_per_kwh),
        )


_UNKNOWN = np.full((1, 1), np.nan)
_ONE = np.ones((1, 1))


def _per_job(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A profile column for each job: one broadcast value where every profile has the same
    (one cluster, one site), else gathered by the jobs' profile index."""
    if len(values) and ((values == values[0]).all() or np.isnan(values).all()):
        return np.full((1, 1), values[0])
    return exact(values[at])


def _per_job_bounded(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A (P, 3) profile column for each job: one broadcast (1, 3) row where every profile has
    the same bounds, else gathered by the jobs' profile index."""
    if len(values) and (values == values[0]).all():
        return values[:1]
    return values[at]


def price(jobs: Mapping[str, np.ndarray], profiles: Profiles) -> dict[str, np.ndarray]:
    """Every figure of every job whose partition is known (`pidx` >= 0): energy, CO2e and
    electricity cost with their (value, low, high) axis, unused memory's share, and the
    measured energy where SLURM recorded it. Rows with `pidx` < 0 come out NaN."""
    pidx = np.asarray(jobs["pidx"], dtype=np.int64)
    known = pidx >= 0
    at = np.where(known, pidx, 0)
    hours = np.asarray(jobs["hours"], dtype=float)
    cpus = np.asarray(jobs["cpus"], dtype=float)
    gpus = np.asarray(jobs["gpus"], dtype=float)
    util = np.asarray(jobs["util"], dtype=float)
    mem_gb = np.asarray(jobs["mem_gb"], dtype=float)
    # the measured utilization, capped at 1 (TotalCPU above Elapsed x NCPUS is a counter's
    # artefact); unknown: the defaulted range of DESIGN.md (TDP, 0.15 x TDP .. TDP)
    capped = np.minimum(util, 1.0)
    measured = ~np.isnan(util)
    if measured.all():
        utilization = capped[:, None]
    else:
        utilization = bounded(
            np.where(measured, capped, 1.0),
            np.where(measured, capped, UTILIZATION_LOW),
            np.where(measured, capped, 1.0),
        )
    memory_w = np.nan_to_num(mem_gb) * profiles.mem_w[at]
    power = (
        cpus[:, None] * utilization * profiles.cpu_w[at]
        + gpus[:, None] * profiles.gpu_w[at]
        + units.convert(memory_w, "GB*W/GB", "W")[:, None]
    )
    if not known.all():
        power[~known] = np.nan
    pue = _per_job(profiles.pue, at)
    site = {
        "devices": _ONE,
        "hours": exact(hours),
        "runs": _ONE,
        "pue": pue,
        "carbon_intensity_g_per_kwh": _per_job_bounded(profiles.intensity, at),
        "electricity_price_usd_per_kwh": _per_job(profiles.price, at),
        "cloud_usd_per_hour": _UNKNOWN,
        "fpo_per_run": _UNKNOWN,
        "it_energy_kwh": _UNKNOWN,
        "device_hours": _UNKNOWN,
    }
    n = len(hours)
    found = calculate({**site, "power_w": power})
    figures = {k: np.broadcast_to(v, (n, 3)) for k, v in found.items()}
    rss = np.asarray(jobs["rss_gb"], dtype=float)
    rss_known = ~np.isnan(rss) & known
    zero = np.zeros((n, 3))
    unused_gb = np.zeros(n)
    unused = {"energy_kwh": zero, "co2e_kg": zero}
    if rss_known.any():  # (ReqMem - MaxRSS) x memory power, through the same calculator
        unused_gb = np.where(rss_known, np.clip(np.nan_to_num(mem_gb) - rss, 0.0, None), 0.0)
        unused_w = units.convert(unused_gb * profiles.mem_w[at], "GB*W/GB", "W")
        found = calculate({**site, "power_w": exact(unused_w)})
        unused = {k: np.broadcast_to(found[k], (n, 3)) for k in unused}
    joules = np.asarray(jobs["energy_j"], dtype=float)
    measured_kwh = np.full(n, np.nan)
    if not np.isnan(joules).all():
        facility = units.convert(joules, "J", "kWh") * np.broadcast_to(pue[:, 0], (n,))
        measured_kwh = np.where(known, facility, np.nan)
    return {
        "known": known,
        "energy_kwh": figures["energy_kwh"],
        "co2e_kg": figures["co2e_kg"],
        "electricity_cost_usd": figures["electricity_cost_usd"],
        "unused_energy_kwh": unused["energy_kwh"],
        "unused_co2e_kg": unused["co2e_kg"],
        "unused_gb_hours": unused_gb * hours,
        "cpu_hours": cpus * hours,
        "gpu_hours": gpus * hours,
        "measured_kwh": measured_kwh,
        "util_capped": measured & (util > 1.0),
        "rss_unknown": ~rss_known & known,
    }


def _sums(
    jobs: Mapping[str, np.ndarray], figures: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The TOTALS of a batch, and the SUMS of each job as rows of a (len(SUMS), n) matrix for
    the group sums (contiguous rows: np.bincount reads each at full speed). Unpriced rows count
    nowhere; an unknown electricity price counts as 0 (and is said). Masked sums are products
    with 0/1 vectors (BLAS), not copies."""
    known = figures["known"]
    kept = known.astype(float)
    failed = (np.asarray(jobs["failed"], dtype=bool) & known).astype(float)
    weight = np.asarray(jobs["weight"], dtype=float) * kept
    energy, co2e = figures["energy_kwh"], figures["co2e_kg"]
    cost = figures["electricity_cost_usd"]
    unused_e, unused_c = figures["unused_energy_kwh"], figures["unused_co2e_kg"]
    measured = figures["measured_kwh"]
    has = (~np.isnan(measured) & known).astype(float)
    rows = np.empty((len(SUMS), len(known)))
    rows[0] = weight
    for i in range(3):
        rows[1 + i] = energy[:, i]
        rows[4 + i] = co2e[:, i]
        rows[7 + i] = cost[:, i]
    rows[10] = np.where(failed > 0, energy[:, 0], unused_e[:, 0])
    if not known.all():
        rows[:, ~known] = 0.0
    # an unknown price: cost 0 here, said in the summary (no infinity reaches here: the
    # calculator refuses them), found in one pass rather than nan_to_num's four
    unknown = np.isnan(rows)
    if unknown.any():
        rows[unknown] = 0.0
    totals = np.zeros(len(TOTALS))
    totals[: len(SUMS)] = rows.sum(axis=1)
    at = len(SUMS)
    totals[at : at + 10] = rows[:10] @ failed  # failed jobs, energy, CO2e, cost
    at += 10
    for figure in (unused_e, unused_c):
        totals[at : at + 3] = kept @ np.ascontiguousarray(figure)
        at += 3
    totals[at:] = (
        kept @ figures["unused_gb_hours"],
        kept @ figures["cpu_hours"],
        kept @ figures["gpu_hours"],
        has @ np.nan_to_num(measured),
        has @ rows[1],
        has @ weight,
        figures["util_capped"].sum(),
        weight @ figures["rss_unknown"].astype(float),
    )
    return totals, rows


# the most cells a bundle of dimensions is summed over at once (see `_joint`)
JOINT_CELLS = 1 << 16


def _joint(keys: Mapping[str, tuple[np.ndarray, Sequence[str]]]) -> list[list[str]]:
    """The dimensions in bundles whose joint labels stay under JOINT_CELLS, smallest first
    (partition x state x month x account together; a thousand users alone)."""
    bundles: list[list[str]] = []
    cells = JOINT_CELLS + 1
    for dim in sorted(keys, key=lambda d: len(keys[d][1])):
        size = max(len(keys[dim][1]), 1)
        if bundles and cells * size <= JOINT_CELLS:
            bundles[-1].append(dim)
            cells *= size
        else:
            bundles.append([dim])
            cells = size
    return bundles


@dataclass
class Accumulator:
    """Sums of TOTALS over all jobs and of SUMS per group, merged batch by batch: memory holds
    one row per group, whatever the number of jobs."""

    totals: np.ndarray = field(default_factory=lambda: np.zeros(len(TOTALS)))
    groups: dict[str, dict[str, np.ndarray]] = field(
        default_factory=lambda: {d: {} for d in DIMENSIONS}
    )
    rows: int = 0
    unpriced: int = 0
    unknown_partitions: dict[str, int] = field(default_factory=dict)
    nan_cost: bool = False

    def add(
        self,
        jobs: Mapping[str, np.ndarray],
        keys: Mapping[str, tuple[np.ndarray, Sequence[str]]],
        profiles: Profiles,
    ) -> None:
        """One batch: `jobs` the JOB_COLUMNS and `failed`; `keys` per dimension the codes of
        each job and the labels they index."""
        self.merge(Accumulator.of(jobs, keys, profiles))

    @classmethod
    def of(
        cls,
        jobs: Mapping[str, np.ndarray],
        keys: Mapping[str, tuple[np.ndarray, Sequence[str]]],
        profiles: Profiles,
    ) -> Accumulator:
        """The sums of one batch alone (no shared state: a worker thread may compute it)."""
        self = cls()
        figures = price(jobs, profiles)
        known = figures["known"]
        if np.isnan(figures["electricity_cost_usd"][known, 0]).any():
            self.nan_cost = True
        totals, rows = _sums(jobs, figures)
        self.totals += totals
        self.rows += len(known)
        self.unpriced += int((~known).sum())
        if (~known).any():
            codes, labels = keys["partition"]
            missing = np.bincount(codes[~known], minlength=len(labels))
            for code in np.flatnonzero(missing):
                name = labels[code]
                self.unknown_partitions[name] = self.unknown_partitions.get(name, 0) + int(
                    missing[code]
                )
        for dims in _joint(keys):
            # dimensions with few labels (partition, state, month) are summed once, over
            # their joint code, and each one's sums read off that table: one pass over the jobs
            # per bundle, not per dimension
            sizes = [len(keys[d][1]) for d in dims]
            joint = np.zeros(len(known), dtype=np.int64)
            for dim, size in zip(dims, sizes, strict=True):
                joint *= size
                joint += np.asarray(keys[dim][0], dtype=np.int64)
            cells = math.prod(sizes)
            sums = np.stack([np.bincount(joint, weights=row, minlength=cells) for row in rows], 1)
            counts = np.bincount(joint, minlength=cells).reshape(sizes)
            table = sums.reshape(*sizes, len(rows))
            for axis, dim in enumerate(dims):
                others = tuple(a for a in range(len(dims)) if a != axis)
                by = table.sum(axis=others) if others else table
                used = np.flatnonzero(counts.sum(axis=others) if others else counts)
                labels, found = keys[dim][1], self.groups[dim]
                for code in used:
                    found[labels[code]] = by[code]
        return self

    def merge(self, other: Accumulator) -> None:
        """Another accumulator's sums (a Dask partition's) into this one."""
        self.totals += other.totals
        self.rows += other.rows
        self.unpriced += other.unpriced
        self.nan_cost |= other.nan_cost
        for name, n in other.unknown_partitions.items():
            self.unknown_partitions[name] = self.unknown_partitions.get(name, 0) + n
        for dim, found in other.groups.items():
            mine = self.groups[dim]
            for label, sums in found.items():
                mine[label] = mine[label] + sums if label in mine else sums.copy()
