"""SLURM accounting text (`sacct --parsable2`): the header, and each field read two ways.

Run on the cluster (one line; any period, any user set):

    sacct --allusers --parsable2 --starttime 2026-01-01 --endtime 2026-02-01
      --format=JobID,User,Account,Partition,State,Elapsed,TotalCPU,NCPUS,NNodes,ReqMem,MaxRSS,
               AllocTRES,Submit,Start,End,NodeList,ConsumedEnergyRaw > jobs.txt

Every field has a reference reader in Python here (used by the pandas and Dask engines and by
the property tests) and the same rule as a DuckDB SQL expression (the default engine); a test
checks that the two agree on generated text. A field that neither reads is a malformed row:
counted, reported with its line, and left out of its job, never guessed.

The forms, as SLURM writes them (slurm/src/common/parse_time.c secs2time_str, sacct(1)):
- Elapsed, TotalCPU: `[D-]HH:MM:SS`, `MM:SS`, with `.mmm` for TotalCPU under an hour.
- ReqMem: a number and a unit K/M/G/T (1024-based, as slurm.conf(5) defines them); SLURM before
  21.08 appends `n` (per node) or `c` (per CPU), multiplied here by NNodes or NCPUS; without
  the suffix the figure is the job's total.
- MaxRSS: the same units without the suffix; a bare number takes the cluster file's
  `default_unit_rss` (GA4HPC's `default_unit_RSS`), and is refused without it.
- AllocTRES: `gres/gpu=4`, or only typed counts `gres/gpu:a100=4` (summed); both may appear,
  and then the untyped total is the count.
- State: the first word (`CANCELLED by 123` is CANCELLED).
- JobID: `123`, array task `123_4` (its own job), pending array `123_[5-9]`, heterogeneous
  component `123+0`, step `123.batch`, `123.extern`, `123.0` (folded into its job).
"""

from __future__ import annotations

import math
import re

SEPARATOR = "|"
# the fields greenai reads; the first five are required, the others refine the figures
REQUIRED = ("JobID", "Partition", "State", "Elapsed", "NCPUS")
OPTIONAL = (
    "User",
    "Account",
    "TotalCPU",
    "NNodes",
    "ReqMem",
    "MaxRSS",
    "AllocTRES",
    "Submit",
    "Start",
    "End",
    "NodeList",
    "ConsumedEnergyRaw",
)
FIELDS = REQUIRED + OPTIONAL
FORMAT = (
    "JobID,User,Account,Partition,State,Elapsed,TotalCPU,NCPUS,NNodes,ReqMem,MaxRSS,AllocTRES,"
    "Submit,Start,End,NodeList,ConsumedEnergyRaw"
)
SACCT_LINE = (
    f"sacct --allusers --parsable2 --starttime 2026-01-01 --endtime 2026-02-01 --format={FORMAT}"
)

# Values past these are refused per row: no job runs a year, and no allocation holds more
# cores, nodes, GPUs or memory than the largest machines have (Frontier: 9,408 nodes,
# 606,208 cores; a 10x margin).
MAX_SECONDS = 366 * 86400
MAX_CPUS = 10_000_000
MAX_NODES = 1_000_000
MAX_GPUS = 1_000_000
MAX_MEMORY_GB = 1e7
# ConsumedEnergyRaw past this (about 278 GWh for one job) is SLURM's NO_VAL sentinel or a
# counter wrap, not a reading: the job counts as not measured
MAX_ENERGY_J = 1e15

UNITS_GB = {"K": 1 / 1024**2, "M": 1 / 1024, "G": 1.0, "T": 1024.0, "P": 1024.0**2}

# JobID: job, array task or pending array, het component; then an optional .step
JOB = r"^([0-9]+(?:_[0-9]+|_\[[0-9,\-%:]+\])?(?:\+[0-9]+)?)(?:\.([A-Za-z0-9_+\-]+))?$"
ELAPSED = r"^(?:([0-9]{1,6})-([0-9]{1,2}):|([0-9]{1,7}):)?([0-9]{1,7}):([0-9]{1,2})(\.[0-9]{1,6})?$"
MEMORY = r"^([0-9]+(?:\.[0-9]+)?)([KMGTP]?)([nc]?)$"
COUNT = r"^[0-9]{1,12}$"
_JOB, _ELAPSED, _MEMORY, _COUNT = (re.compile(p) for p in (JOB, ELAPSED, MEMORY, COUNT))
_GPU = re.compile(r"(?:^|,)gres/gpu=([0-9]{1,12})(?:,|$)")
_TYPED_GPU = re.compile(r"(?:^|,)gres/gpu:[^=,]+=([0-9]{1,12})(?=,|$)")


# ----------------------------------------------------------------------------- reference


def job_and_step(text: str) -> tuple[str, str] | None:
    """(job, step) of a JobID ("123_4.batch" -> ("123_4", "batch")); None for anything else."""
    match = _JOB.match(text.strip())
    return (match.group(1), match.group(2) or "") if match else None


def seconds(text: str) -> float | None:
    """Seconds of an Elapsed or TotalCPU value; None where it is not one of SLURM's forms."""
    match = _ELAPSED.match(text.strip())
    if match is None:
        return None
    days, day_hours, hours, minutes, secs, fraction = match.groups()
    if days is not None:
        if int(day_hours) >= 24 or int(minutes) >= 60:
            return None
        whole = int(days) * 86400 + int(day_hours) * 3600
    else:
        if hours is not None and int(minutes) >= 60:
            return None
        whole = int(hours or 0) * 3600
    if int(secs) >= 60:
        return None
    value = whole + int(minutes) * 60 + int(secs) + (float(fraction) if fraction else 0.0)
    return value if value <= MAX_SECONDS else None


def memory_gb(text: str, cpus: float, nodes: float, bare: str | None = "M") -> float | None:
    """GB (1024-based) of a ReqMem or MaxRSS value; a bare number takes `bare` (None: refused)."""
    match = _MEMORY.match(text.strip())
    if match is None:
        return None
    amount, unit, per = match.groups()
    unit = unit or bare
    if unit is None:
        return None
    value = float(amount) * UNITS_GB[unit]
    value *= nodes if per == "n" else cpus if per == "c" else 1.0
    return value if math.isfinite(value) and value <= MAX_MEMORY_GB else None


def gpus(tres: str) -> int:
    """GPUs of an AllocTRES value: the untyped total where given, else the typed counts summed."""
    found = _GPU.search(tres)
    if found:
        return int(found.group(1))
    return sum(int(m.group(1)) for m in _TYPED_GPU.finditer(tres))


def state(text: str) -> str:
    """The state's first word, upper case ("CANCELLED by 123" -> "CANCELLED")."""
    words = text.split()
    return words[0].upper().rstrip("+") if words else ""


def count(text: str) -> int | None:
    """A whole number field (NCPUS, NNodes, ConsumedEnergyRaw); None for anything else."""
    text = text.strip()
    return int(text) if _COUNT.match(text) else None


# ----------------------------------------------------------------------------- SQL


def sql_seconds(field: str) -> str:
    """`seconds` in DuckDB SQL (NULL where it is None)."""
    g = f"regexp_extract({field}, '{ELAPSED}', ['d', 'dh', 'h', 'm', 's', 'f'])"
    return f"""(CASE
        WHEN NOT regexp_full_match({field}, '{ELAPSED}') THEN NULL
        WHEN {g}.s::INT >= 60 THEN NULL
        WHEN {g}.d <> '' AND ({g}.dh::INT >= 24 OR {g}.m::INT >= 60) THEN NULL
        WHEN {g}.d = '' AND {g}.h <> '' AND {g}.m::INT >= 60 THEN NULL
        ELSE nullif(least(
            coalesce(try_cast(nullif({g}.d, '') AS DOUBLE), 0) * 86400
            + coalesce(try_cast(nullif({g}.dh, '') AS DOUBLE), 0) * 3600
            + coalesce(try_cast(nullif({g}.h, '') AS DOUBLE), 0) * 3600
            + {g}.m::DOUBLE * 60 + {g}.s::DOUBLE
            + coalesce(try_cast(nullif({g}.f, '') AS DOUBLE), 0), {MAX_SECONDS + 1}),
            {MAX_SECONDS + 1})
        END)"""


def sql_memory_gb(field: str, cpus: str, nodes: str, bare: str | None = "M") -> str:
    """`memory_gb` in DuckDB SQL."""
    g = f"regexp_extract({field}, '{MEMORY}', ['a', 'u', 'p'])"
    units = " ".join(f"WHEN '{u}' THEN {f!r}" for u, f in UNITS_GB.items())
    fallback = f"'{bare}'" if bare else "NULL"
    return f"""(CASE
        WHEN NOT regexp_full_match({field}, '{MEMORY}') THEN NULL
        ELSE nullif(least({g}.a::DOUBLE
            * (CASE coalesce(nullif({g}.u, ''), {fallback}) {units} ELSE NULL END)
            * (CASE {g}.p WHEN 'n' THEN ({nodes})::DOUBLE WHEN 'c' THEN ({cpus})::DOUBLE
               ELSE 1.0 END),
            {MAX_MEMORY_GB * 2}), {MAX_MEMORY_GB * 2})
        END)"""


def sql_gpus(field: str) -> str:
    """`gpus` in DuckDB SQL."""
    untyped = _GPU.pattern
    typed = r"(?:^|,)gres/gpu:[^=,]+=([0-9]{1,12})(?:,|$)"
    return f"""coalesce(
        try_cast(nullif(regexp_extract({field}, '{untyped}', 1), '') AS BIGINT),
        list_sum(CAST(
            regexp_extract_all(replace({field}, ',', ',,'), '{typed}', 1) AS BIGINT[])),
        0)"""


def sql_state(field: str) -> str:
    return f"rtrim(upper(split_part(trim({field}), ' ', 1)), '+')"


def sql_count(field: str) -> str:
    return f"CASE WHEN regexp_full_match(trim({field}), '{COUNT}') THEN trim({field})::BIGINT END"
