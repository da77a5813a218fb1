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
  component `123+0`, step `123.batch`, `123.extern`, `123.0` (folded into its job: a step
  gives its MaxRSS, and the job line everything else, JOB_LINE_FIELDS).
"""

from __future__ import annotations

import math
import re

SEPARATOR = "|"
# the fields greenai reads; the first five are required, the others refine the figures
# the fields greenai reads, in the order of the documented `sacct --format=` line
FIELDS = (
    "JobID",
    "User",
    "Account",
    "Partition",
    "State",
    "Elapsed",
    "TotalCPU",
    "NCPUS",
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
REQUIRED = ("JobID", "Partition", "State", "Elapsed", "NCPUS")
OPTIONAL = tuple(name for name in FIELDS if name not in REQUIRED)
# what a job line gives; a step line (123.batch) gives its MaxRSS and is otherwise not read
JOB_LINE_FIELDS = tuple(name for name in FIELDS if name not in ("JobID", "MaxRSS"))
FORMAT = ",".join(FIELDS)
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
JOULES = r"^[0-9]{1,20}$"
_JOULES = re.compile(JOULES)
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
    """A whole number field (NCPUS, NNodes); None for anything else."""
    text = text.strip()
    return int(text) if _COUNT.match(text) else None


def joules(text: str) -> float | None:
    """ConsumedEnergyRaw: whole joules, up to SLURM's 64-bit NO_VAL (read, then set aside as
    no reading by MAX_ENERGY_J); None for anything else."""
    text = text.strip()
    return float(text) if _JOULES.match(text) else None


# ----------------------------------------------------------------------------- SQL


# DuckDB does not share a subexpression between the branches of a CASE, so each parser is a
# few layers of named columns (`Layers`: the SELECT items of layer 1, 2, ...), every part
# computed once per row; a regex extraction per part would be 50 times slower.
Layers = list[list[str]]


def sql_seconds(field: str, name: str) -> Layers:
    """`seconds` in DuckDB SQL, as column `name` (NULL where `seconds` gives None). Once the
    form is checked, `D-HH:MM:SS` splits on '-' and ':' into 4 parts, `HH:MM:SS` into 3,
    `MM:SS` into 2; the fraction is what follows the '.'."""
    p = f"_{name}"
    return [
        [
            f"regexp_full_match({field}, '{ELAPSED}') AS {p}_ok",
            f"string_split(replace(split_part({field}, '.', 1), '-', ':'), ':') AS {p}_parts",
            f"split_part({field}, '.', 2) AS {p}_frac",
        ],
        [
            f"len({p}_parts) AS {p}_n",
            f"try_cast({p}_parts[-1] AS DOUBLE) AS {p}_s",
            f"try_cast({p}_parts[-2] AS DOUBLE) AS {p}_m",
            f"coalesce(try_cast({p}_parts[-3] AS DOUBLE), 0) AS {p}_h",
            f"coalesce(try_cast({p}_parts[-4] AS DOUBLE), 0) AS {p}_d",
            f"CASE WHEN {p}_frac = '' THEN 0 ELSE try_cast('0.' || {p}_frac AS DOUBLE) END"
            f" AS {p}_f",
        ],
        [
            f"{p}_d * 86400 + {p}_h * 3600 + {p}_m * 60 + {p}_s + {p}_f AS {p}_total",
        ],
        [
            f"""CASE
            WHEN NOT {p}_ok OR {p}_s >= 60 THEN NULL
            WHEN {p}_n = 4 AND ({p}_h >= 24 OR {p}_m >= 60) THEN NULL
            WHEN {p}_n = 3 AND {p}_m >= 60 THEN NULL
            WHEN {p}_total > {MAX_SECONDS} THEN NULL
            ELSE {p}_total END AS {name}"""
        ],
    ]


def sql_memory_gb(field: str, cpus: str, nodes: str, name: str, bare: str | None = "M") -> Layers:
    """`memory_gb` in DuckDB SQL, as column `name`."""
    p = f"_{name}"
    units = " ".join(f"WHEN '{u}' THEN {f!r}" for u, f in UNITS_GB.items())
    fallback = f"'{bare}'" if bare else "NULL"
    return [
        [
            f"regexp_full_match({field}, '{MEMORY}') AS {p}_ok",
            f"right({field}, 1) AS {p}_last",
            f"length({field}) - (right({field}, 1) IN ('n', 'c'))::INT AS {p}_core",
        ],
        [
            f"CASE WHEN substr({field}, {p}_core, 1) IN ('K', 'M', 'G', 'T', 'P') "
            f"THEN substr({field}, {p}_core, 1) END AS {p}_unit",
        ],
        [
            f"try_cast(left({field}, {p}_core - ({p}_unit IS NOT NULL)::INT) AS DOUBLE)"
            f" AS {p}_amount",
        ],
        [
            f"{p}_amount * (CASE coalesce({p}_unit, {fallback}) {units} ELSE NULL END)"
            f" * (CASE {p}_last WHEN 'n' THEN ({nodes})::DOUBLE WHEN 'c' THEN ({cpus})::DOUBLE"
            f" ELSE 1.0 END) AS {p}_value"
        ],
        [
            f"CASE WHEN NOT {p}_ok OR {p}_value > {MAX_MEMORY_GB} THEN NULL ELSE {p}_value END"
            f" AS {name}"
        ],
    ]


def select_layers(source: str, layers: list[Layers]) -> str:
    """`source` (a FROM item) with every parser's layers added, one SELECT per layer."""
    depth = max(len(item) for item in layers)
    query = source
    for level in range(depth):
        items = [column for item in layers if level < len(item) for column in item[level]]
        query = f"(SELECT *, {', '.join(items)} FROM {query})"
    return query


def sql_gpus(field: str) -> str:
    """`gpus` in DuckDB SQL."""
    untyped = _GPU.pattern
    typed = r"(?:^|,)gres/gpu:[^=,]+=([0-9]{1,12})(?:,|$)"
    return f"""CASE WHEN NOT contains({field}, 'gres/gpu') THEN 0 ELSE coalesce(
        try_cast(nullif(regexp_extract({field}, '{untyped}', 1), '') AS BIGINT),
        list_sum(CAST(
            regexp_extract_all(replace({field}, ',', ',,'), '{typed}', 1) AS BIGINT[])),
        0) END"""


def sql_state(field: str) -> str:
    return f"rtrim(upper(split_part(trim({field}), ' ', 1)), '+')"


def sql_joules(field: str) -> str:
    return f"CASE WHEN regexp_full_match(trim({field}), '{JOULES}') THEN trim({field})::DOUBLE END"


def sql_count(field: str) -> str:
    return f"CASE WHEN regexp_full_match(trim({field}), '{COUNT}') THEN trim({field})::BIGINT END"
