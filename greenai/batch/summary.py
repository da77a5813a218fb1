"""The summary of a batch: one plain dict, the contract between `greenai batch` and its readers.

`--format json` writes it as it is; the terminal, Markdown and CSV renderers
(greenai.render.batch) and the HTML report (greenai.render.batch_html.render(summary) -> str)
read it and never recompute a figure. Keys may be added, never renamed. Its shape:

    {"greenai": {"version": str, "command": "batch"},
     "cluster": {"name": str | null, "file": str},
     "logs": [str],
     "jobs": {"rows_read": int, "jobs": int, "priced": int, "malformed": int, "unpriced": int,
              "malformed_examples": [{"file": str, "line": int, "reason": str}]},
     "totals": {"energy_kwh": B, "co2e_kg": B, "electricity_cost_usd": B, "cpu_hours": float,
                "gpu_hours": float, "measured_energy_kwh": float | null, "measured_jobs": int,
                "measured_over_estimated": float | null},
     "waste": {"failed": {"jobs": int, "energy_kwh": B, "co2e_kg": B, "electricity_cost_usd": B},
               "unused_memory": {"gb_hours": float, "energy_kwh": B, "co2e_kg": B}},
     "groups": {"<by>": [{"key": str, "jobs": int, "energy_kwh": B, "co2e_kg": B,
                          "electricity_cost_usd": B, "waste_energy_kwh": float}]},
     "assumptions": [{"subject": str, "text": str, "source": str}],
     "notices": [str]}

where B = {"value": float, "low": float, "high": float}, and a B of electricity cost is null
where no electricity price is known. `groups` always holds "month", "partition", "user" and
"state" (and "account" when asked with --by), each sorted by CO2e value, highest first, except
"month" (chronological, every month: a decade is 120 rows), the others at most `top` entries
each (20 unless --top). A group's
`waste_energy_kwh` is the energy of its failed jobs plus the unused memory of its other jobs.
`jobs.jobs` counts jobs (a heterogeneous job once, each array task once), `priced` those whose
partition the cluster file lists, `unpriced` the others; `malformed` counts log rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from greenai import __version__
from greenai.batch.cluster import Cluster, Note
from greenai.batch.engine import Result
from greenai.batch.price import DIMENSIONS, SUMS, TOTALS, WASTE_STATES

ALWAYS = ("month", "partition", "user", "state")
TOP = 20
BOUNDS = ("value", "low", "high")


def _bound(values: np.ndarray, names: Sequence[str], prefix: str) -> dict[str, float]:
    return {b: float(values[list(names).index(f"{prefix}_{b}")]) for b in BOUNDS}


def build(
    result: Result,
    cluster: Cluster,
    logs: Sequence[Path],
    by: Sequence[str] = (),
    top: int = TOP,
    notices: Sequence[str] = (),
) -> dict[str, Any]:
    """The summary dict of an engine's result (see the module's docstring for its shape)."""
    acc = result.accumulator
    t = acc.totals
    cost_known = not acc.nan_cost

    def cost(values: np.ndarray, names: Sequence[str], prefix: str) -> dict[str, float] | None:
        return _bound(values, names, prefix) if cost_known else None

    measured_jobs = round(float(t[TOTALS.index("measured_jobs")]))
    measured = float(t[TOTALS.index("measured_kwh")])
    estimated = float(t[TOTALS.index("measured_estimate_kwh")])
    jobs_total = round(float(t[TOTALS.index("jobs")]))
    totals = {
        "energy_kwh": _bound(t, TOTALS, "energy"),
        "co2e_kg": _bound(t, TOTALS, "co2e"),
        "electricity_cost_usd": cost(t, TOTALS, "cost"),
        "cpu_hours": float(t[TOTALS.index("cpu_hours")]),
        "gpu_hours": float(t[TOTALS.index("gpu_hours")]),
        "measured_energy_kwh": measured if measured_jobs else None,
        "measured_jobs": measured_jobs,
        "measured_over_estimated": measured / estimated if measured_jobs and estimated else None,
    }
    waste = {
        "failed": {
            "jobs": round(float(t[TOTALS.index("failed_jobs")])),
            "energy_kwh": _bound(t, TOTALS, "failed_energy"),
            "co2e_kg": _bound(t, TOTALS, "failed_co2e"),
            "electricity_cost_usd": cost(t, TOTALS, "failed_cost"),
        },
        "unused_memory": {
            "gb_hours": float(t[TOTALS.index("unused_gb_hours")]),
            "energy_kwh": _bound(t, TOTALS, "unused_energy"),
            "co2e_kg": _bound(t, TOTALS, "unused_co2e"),
        },
    }
    wanted = [d for d in DIMENSIONS if d in ALWAYS or d in by]
    groups = {dim: _groups(acc.groups[dim], dim, top, cost_known) for dim in wanted}
    unpriced = acc.unpriced + result.orphan_steps
    summary = {
        "greenai": {"version": __version__, "command": "batch"},
        "cluster": {"name": cluster.name, "file": cluster.file},
        "logs": [str(p) for p in logs],
        "jobs": {
            "rows_read": result.rows_read,
            "jobs": jobs_total + unpriced,
            "priced": jobs_total,
            "malformed": result.malformed,
            "unpriced": unpriced,
            "malformed_examples": list(result.examples),
        },
        "totals": totals,
        "waste": waste,
        "groups": groups,
        "assumptions": [n.as_dict() for n in _method(cluster, result)],
        "notices": [*notices, *_notices(result, cluster, cost_known)],
    }
    return summary


def _groups(
    found: dict[str, np.ndarray], dim: str, top: int, cost_known: bool
) -> list[dict[str, Any]]:
    entries = []
    for key, sums in found.items():
        jobs = round(float(sums[SUMS.index("jobs")]))
        if jobs == 0 and not sums[SUMS.index("energy_value")]:
            continue  # only jobs of partitions the cluster file does not list
        entries.append(
            {
                "key": key,
                "jobs": jobs,
                "energy_kwh": _bound(sums, SUMS, "energy"),
                "co2e_kg": _bound(sums, SUMS, "co2e"),
                "electricity_cost_usd": _bound(sums, SUMS, "cost") if cost_known else None,
                "waste_energy_kwh": float(sums[SUMS.index("waste_energy")]),
            }
        )
    if dim == "month":
        entries.sort(key=lambda e: (e["key"] == "unknown", e["key"]))
        return entries  # every month: a trend cut to its last `top` months would hide its start
    entries.sort(key=lambda e: (-e["co2e_kg"]["value"], e["key"]))
    return entries[:top]


def _method(cluster: Cluster, result: Result) -> list[Note]:
    """What the figures rest on: the method, then the cluster file's figures."""
    method = [
        Note(
            "method",
            "power = NCPUS x W per core x CPU utilization (TotalCPU / (Elapsed x NCPUS), capped "
            "at 1) + GPUs of AllocTRES x W per GPU + ReqMem x memory W/GB; energy = PUE x "
            "Elapsed x power; CO2e = energy x intensity; cost = energy x price",
            "Lannelongue et al. 2021, Green Algorithms (as GA4HPC applies it to SLURM jobs); "
            "greenai DESIGN.md; greenai.core.calculate",
        ),
        Note(
            "steps",
            "steps (123.batch, 123.extern, 123.0) fold into their job: the job line gives "
            "Elapsed, TotalCPU (SLURM sums the steps' CPU time into it), ConsumedEnergyRaw, "
            "NCPUS, NNodes, ReqMem, AllocTRES, State, Partition, User, Account and the month; "
            "the steps give MaxRSS (the largest) and are otherwise not read. Array tasks "
            "(123_4) are jobs of their own; a heterogeneous job (123+0, 123+1) counts once, "
            "each component priced",
            "sacct(1); GA4HPC folds steps by the same JobID prefix",
        ),
        Note(
            "memory",
            "ReqMem and MaxRSS in GiB (SLURM's K/M/G/T are 1024-based); ReqMem with n is per "
            "node, with c per CPU (SLURM before 21.08), else the job's total",
            "slurm.conf(5) (MEMORY units), sacct(1)",
        ),
        Note(
            "waste",
            f"failed: every figure of jobs that ended {', '.join(WASTE_STATES)} after starting "
            "(Elapsed > 0); unused memory: (ReqMem - MaxRSS) x memory power x Elapsed x PUE",
            "greenai; GA4HPC reports failed jobs and memory over-allocation alike",
        ),
    ]
    if result.accumulator.totals[TOTALS.index("measured_jobs")]:
        method.append(
            Note(
                "measured energy",
                "ConsumedEnergyRaw (J, the nodes' energy counters: IT energy) x PUE, beside the "
                "estimate of the same jobs; the ratio is measured / estimated over those jobs",
                "sacct(1) ConsumedEnergyRaw (acct_gather_energy plugin)",
            )
        )
    return [*method, *cluster.notes, *result.notes]


def _notices(result: Result, cluster: Cluster, cost_known: bool) -> list[str]:
    acc = result.accumulator
    said = []
    if result.malformed:
        said.append(
            f"{result.malformed:,} malformed row(s) left out (first: "
            + "; ".join(f"{e['file']}:{e['line']}: {e['reason']}" for e in result.examples[:3])
            + "); --strict makes them an error"
        )
    if acc.unknown_partitions:
        listed = ", ".join(
            f"{name or '(none)'} ({n:,} job{'s' if n != 1 else ''})"
            for name, n in sorted(acc.unknown_partitions.items())
        )
        said.append(
            f"jobs of partitions not in {cluster.file} are not priced: {listed}; add them "
            "under partitions:"
        )
    if result.orphan_steps:
        said.append(
            f"{result.orphan_steps:,} job(s) have steps but no job line (an sacct period that "
            "cut them); not priced"
        )
    if not cost_known:
        said.append(
            f"no electricity price for the cluster ({cluster.file}); electricity cost not "
            "computed (give electricity_price)"
        )
    capped = int(acc.totals[TOTALS.index("util_capped")])
    if capped:
        said.append(f"{capped:,} job(s) report TotalCPU above Elapsed x NCPUS; utilization 1 used")
    unknown = int(acc.totals[TOTALS.index("rss_unknown")])
    if unknown:
        said.append(f"{unknown:,} job(s) without MaxRSS: their unused memory is not counted")
    return said


def _b_schema(nullable: bool = False) -> dict[str, Any]:
    bound = {
        "type": "object",
        "required": list(BOUNDS),
        "properties": {b: {"type": "number"} for b in BOUNDS},
    }
    return {"oneOf": [bound, {"type": "null"}]} if nullable else bound


# The contract as a JSON Schema (draft 2020-12): what readers of `--format json` may rely on.
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "greenai",
        "cluster",
        "logs",
        "jobs",
        "totals",
        "waste",
        "groups",
        "assumptions",
        "notices",
    ],
    "properties": {
        "greenai": {
            "type": "object",
            "required": ["version", "command"],
            "properties": {"version": {"type": "string"}, "command": {"const": "batch"}},
        },
        "cluster": {
            "type": "object",
            "required": ["name", "file"],
            "properties": {"name": {"type": ["string", "null"]}, "file": {"type": "string"}},
        },
        "logs": {"type": "array", "items": {"type": "string"}},
        "jobs": {
            "type": "object",
            "required": [
                "rows_read",
                "jobs",
                "priced",
                "malformed",
                "unpriced",
                "malformed_examples",
            ],
            "properties": {
                **{
                    k: {"type": "integer", "minimum": 0}
                    for k in ("rows_read", "jobs", "priced", "malformed", "unpriced")
                },
                "malformed_examples": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["file", "line", "reason"],
                        "properties": {
                            "file": {"type": "string"},
                            "line": {"type": "integer"},
                            "reason": {"type": "string"},
                        },
                    },
                },
            },
        },
        "totals": {
            "type": "object",
            "required": [
                "energy_kwh",
                "co2e_kg",
                "electricity_cost_usd",
                "cpu_hours",
                "gpu_hours",
                "measured_energy_kwh",
                "measured_jobs",
                "measured_over_estimated",
            ],
            "properties": {
                "energy_kwh": _b_schema(),
                "co2e_kg": _b_schema(),
                "electricity_cost_usd": _b_schema(nullable=True),
                "cpu_hours": {"type": "number"},
                "gpu_hours": {"type": "number"},
                "measured_energy_kwh": {"type": ["number", "null"]},
                "measured_jobs": {"type": "integer"},
                "measured_over_estimated": {"type": ["number", "null"]},
            },
        },
        "waste": {
            "type": "object",
            "required": ["failed", "unused_memory"],
            "properties": {
                "failed": {
                    "type": "object",
                    "required": ["jobs", "energy_kwh", "co2e_kg", "electricity_cost_usd"],
                    "properties": {
                        "jobs": {"type": "integer"},
                        "energy_kwh": _b_schema(),
                        "co2e_kg": _b_schema(),
                        "electricity_cost_usd": _b_schema(nullable=True),
                    },
                },
                "unused_memory": {
                    "type": "object",
                    "required": ["gb_hours", "energy_kwh", "co2e_kg"],
                    "properties": {
                        "gb_hours": {"type": "number"},
                        "energy_kwh": _b_schema(),
                        "co2e_kg": _b_schema(),
                    },
                },
            },
        },
        "groups": {
            "type": "object",
            "required": list(ALWAYS),
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "key",
                        "jobs",
                        "energy_kwh",
                        "co2e_kg",
                        "electricity_cost_usd",
                        "waste_energy_kwh",
                    ],
                    "properties": {
                        "key": {"type": "string"},
                        "jobs": {"type": "integer"},
                        "energy_kwh": _b_schema(),
                        "co2e_kg": _b_schema(),
                        "electricity_cost_usd": _b_schema(nullable=True),
                        "waste_energy_kwh": {"type": "number"},
                    },
                },
            },
        },
        "assumptions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["subject", "text", "source"],
                "properties": {k: {"type": "string"} for k in ("subject", "text", "source")},
            },
        },
        "notices": {"type": "array", "items": {"type": "string"}},
    },
}
