"""How tests/data/batch/summary.json was made: a RENDERING FIXTURE, not data about any cluster.

The page test (tests/test_batch_html.py) needs a `greenai batch` JSON summary whose figures
agree with each other the way real ones do: groups that add up to the totals, CO2e and cost in
proportion to energy, waste inside the energy it wastes. The jobs are invented (users,
partitions, counts, hours); the per-job power follows greenai's method with table figures:
A100 SXM4 80 GB 400 W and H100 SXM5 80 GB 700 W (data/hardware.csv, Epoch AI 2025), AMD EPYC
7763 280 W / 64 cores (data/hardware.csv, Green Algorithms v3.0), memory 0.3725 W/GB
(Lannelongue et al. 2021), Germany 342 gCO2e/kWh (data/regions.csv, Electricity Maps 2025) and
0.2249 USD/kWh (data/regions.csv, Eurostat 2024-S2), a PUE of 1.3 with a range of 1.2-1.4 as a
cluster file would give it. Rerun with `python tests/data/batch/make_summary.py` (it rewrites
the JSON); the golden page then changes too (see the test's docstring).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

PUE, PUE_LOW, PUE_HIGH = 1.3, 1.2, 1.4
INTENSITY_KG_PER_KWH = 0.342
PRICE_USD_PER_KWH = 0.2249
MEMORY_W_PER_GB = 0.3725
CORE_W = 280 / 64
# partition: cores, GPUs, GPU watts, memory GB requested, mean hours, share of memory unused
PARTITIONS = {
    "gpu-a100": (32, 4, 400, 256, 6.5, 0.45),
    "gpu-h100": (32, 4, 700, 512, 9.0, 0.35),
    "cpu": (64, 0, 0, 128, 3.2, 0.40),
    "bigmem": (64, 0, 0, 1024, 11.0, 0.60),
}
USERS = {  # user: (account, partitions used)
    "alice": ("nlp-lab", ["gpu-h100", "gpu-a100"]),
    "bkowalski": ("climate", ["cpu", "bigmem"]),
    "chen.wei": ("nlp-lab", ["gpu-a100"]),
    "dpatel": ("bio-seq", ["bigmem", "cpu"]),
    "emma_r": ("climate", ["cpu"]),
    "farid": ("vision", ["gpu-a100", "gpu-h100"]),
    "g.rossi": ("bio-seq", ["cpu"]),
    "hsato": ("vision", ["gpu-h100"]),
}
MONTHS = ["2026-01", "2026-02", "2026-03"]
STATES = {  # state: (share of jobs, share of the mean hours it ran)
    "COMPLETED": (0.78, 1.0),
    "FAILED": (0.09, 0.35),
    "TIMEOUT": (0.04, 1.6),
    "CANCELLED": (0.06, 0.5),
    "OUT_OF_MEMORY": (0.03, 0.2),
}


def cells() -> list[dict]:
    rng = random.Random(16)
    out = []
    for month in MONTHS:
        for user, (account, partitions) in USERS.items():
            for partition in partitions:
                cores, gpus, gpu_w, memory_gb, hours, unused = PARTITIONS[partition]
                jobs = rng.randint(20, 260) if gpus else rng.randint(150, 1400)
                for state, (share, length) in STATES.items():
                    n = round(jobs * share)
                    if n == 0:
                        continue
                    run_hours = n * hours * length * rng.uniform(0.8, 1.2)
                    watts = gpus * gpu_w + cores * CORE_W + memory_gb * MEMORY_W_PER_GB
                    energy = PUE * watts * run_hours / 1000
                    unused_gb_hours = memory_gb * unused * run_hours
                    memory_energy = PUE * unused_gb_hours * MEMORY_W_PER_GB / 1000
                    failed = state != "COMPLETED"
                    out.append(
                        {
                            "month": month,
                            "user": user,
                            "account": account,
                            "partition": partition,
                            "state": state,
                            "jobs": n,
                            "energy": energy,
                            "cpu_hours": cores * run_hours,
                            "gpu_hours": gpus * run_hours,
                            "failed": failed,
                            "unused_gb_hours": unused_gb_hours,
                            "memory_energy": memory_energy,
                            "waste": energy if failed else memory_energy,
                        }
                    )
    return out


def bounded(energy_kwh: float, factor: float = 1.0) -> dict:
    value = energy_kwh * factor
    return {
        "value": round(value, 3),
        "low": round(value * PUE_LOW / PUE, 3),
        "high": round(value * PUE_HIGH / PUE, 3),
    }


def priced(energy: float) -> dict:
    return {
        "energy_kwh": bounded(energy),
        "co2e_kg": bounded(energy, INTENSITY_KG_PER_KWH),
        "electricity_cost_usd": bounded(energy, PRICE_USD_PER_KWH),
    }


def summary() -> dict:
    rows = cells()
    groups: dict[str, list[dict]] = {}
    for by in ("month", "partition", "user", "account", "state"):
        sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for row in rows:
            for name in ("jobs", "energy", "waste"):
                sums[row[by]][name] += row[name]
        listed = [
            {
                "key": key,
                "jobs": int(s["jobs"]),
                **priced(s["energy"]),
                "waste_energy_kwh": round(s["waste"], 3),
            }
            for key, s in sums.items()
        ]
        if by == "month":
            listed.sort(key=lambda g: g["key"])
        else:
            listed.sort(key=lambda g: -g["co2e_kg"]["value"])
        groups[by] = listed
    energy = sum(r["energy"] for r in rows)
    failed = [r for r in rows if r["failed"]]
    failed_energy = sum(r["energy"] for r in failed)
    memory_energy = sum(r["memory_energy"] for r in rows)
    # SLURM's energy plugin on the H100 nodes since March: measured 0.87 x the estimate there
    measured = [r for r in rows if r["partition"] == "gpu-h100" and r["month"] == "2026-03"]
    measured_estimate = sum(r["energy"] for r in measured)
    jobs = sum(r["jobs"] for r in rows)
    unpriced = 3
    malformed = 2
    return {
        "greenai": {"version": "0.1.0", "command": "batch"},
        "cluster": {"name": "Example HPC (rendering fixture)", "file": "cluster.yaml"},
        "logs": ["sacct-2026-01.txt", "sacct-2026-02.txt", "sacct-2026-03.txt"],
        "jobs": {
            "rows_read": 3 * (jobs + unpriced) + malformed,
            "jobs": jobs + unpriced,
            "priced": jobs,
            "malformed": malformed,
            "unpriced": unpriced,
            "malformed_examples": [
                {
                    "file": "sacct-2026-02.txt",
                    "line": 18231,
                    "reason": "Elapsed '1-25:00:00': hours must be 0-23 in D-HH:MM:SS",
                },
                {
                    "file": "sacct-2026-03.txt",
                    "line": 402,
                    "reason": "19 fields where the header has 20 (separator '|')",
                },
            ],
        },
        "totals": {
            **priced(energy),
            "cpu_hours": round(sum(r["cpu_hours"] for r in rows), 3),
            "gpu_hours": round(sum(r["gpu_hours"] for r in rows), 3),
            "measured_energy_kwh": round(0.87 * measured_estimate, 3),
            "measured_jobs": sum(r["jobs"] for r in measured),
            "measured_over_estimated": 0.87,
        },
        "waste": {
            "failed": {"jobs": sum(r["jobs"] for r in failed), **priced(failed_energy)},
            "unused_memory": {
                "gb_hours": round(sum(r["unused_gb_hours"] for r in rows), 3),
                "energy_kwh": bounded(memory_energy),
                "co2e_kg": bounded(memory_energy, INTENSITY_KG_PER_KWH),
            },
        },
        "groups": groups,
        "assumptions": [
            {
                "subject": "GPU power",
                "text": "NVIDIA A100 SXM4 80 GB: 400 W TDP per GPU; NVIDIA H100 SXM5 80GB: 700 W",
                "source": "data/hardware.csv: Epoch AI, Data on Machine Learning Hardware "
                "(Dec 2025), CC BY 4.0; https://www.techpowerup.com/gpu-specs/"
                "a100-sxm4-80-gb.c3746",
            },
            {
                "subject": "CPU power",
                "text": "AMD EPYC 7763: 280 W TDP over 64 cores, 4.375 W per core",
                "source": "data/hardware.csv: Green Algorithms v3.0 TDP_cpu.csv (CC BY 4.0); "
                "https://www.amd.com/en/products/cpu/amd-epyc-7763",
            },
            {
                "subject": "memory power",
                "text": "0.3725 W per GB requested (ReqMem)",
                "source": "Lannelongue, Grealey, Inouye 2021, Green Algorithms, Advanced Science "
                "8(12); https://doi.org/10.1002/advs.202100707",
            },
            {
                "subject": "PUE",
                "text": "1.3 (1.2–1.4), given in the cluster file",
                "source": "cluster.yaml",
            },
            {
                "subject": "carbon intensity",
                "text": "342 gCO2e/kWh (Germany, 2025)",
                "source": "Electricity Maps yearly average, via co2.js (ODbL, attribution "
                "Electricity Maps), zone DE",
            },
            {
                "subject": "electricity price",
                "text": "0.2249 USD/kWh (Germany, 2024-S2)",
                "source": "Eurostat nrg_pc_205 (CC BY 4.0), non-household, band ID, excl. VAT",
            },
        ],
        "notices": [
            "3 jobs on partition 'debug' were not priced: the cluster file does not describe it.",
            "2 malformed rows were skipped (see Jobs read); --strict fails on them.",
        ],
    }


if __name__ == "__main__":
    path = Path(__file__).with_name("summary.json")
    path.write_text(json.dumps(summary(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
