"""Engines: read job logs, fold steps into jobs, and stream job rows through `price`.

- duckdb (default): the log is read out of core by DuckDB (sacct text, CSV, Parquet); steps
  fold into jobs with SQL (GROUP BY on the JobID before its `.step`); group labels become
  integer codes by a join; record batches of about a million jobs go through the calculator.
  Memory holds one batch and one row per group, whatever the log's size.
- pandas: the same rules with the reference parsers of greenai.batch.sacct, in memory (small
  logs, or where DuckDB is not installed).
- dask: the pandas rules on each partition of a dask.dataframe (`map_partitions`), steps folded
  with a grouped aggregation, figures from the same `price`, on a local or remote scheduler.

Two log formats: SLURM's `sacct --parsable2` text, and a table (CSV or Parquet) whose columns
are experiment keys: `hardware` (a name of `greenai hardware`), `count`, `hours`, `region` (or
the cluster file's site), and optionally `memory` (GB), `utilization`, `user`, `account`,
`partition`, `state`, `month` (YYYY-MM).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from greenai.batch import sacct
from greenai.batch.cluster import Cluster, Note
from greenai.batch.price import DIMENSIONS, WASTE_STATES, Accumulator, Profiles
from greenai.errors import InputError

BATCH_ROWS = 500_000
EXAMPLES = 5
TABLE_COLUMNS = ("hardware", "count", "hours", "region", "memory", "utilization")
LABEL_COLUMNS = ("user", "account", "partition", "state", "month")
# called with the rows of each priced batch; one that has an `expect(total)` method is told,
# before the first batch, how many rows are coming (the DuckDB engine knows: a bar can fill)
Progress = Callable[[int], None]


@dataclass
class Result:
    """What an engine found: the sums, and what it could not price and why."""

    accumulator: Accumulator = field(default_factory=Accumulator)
    rows_read: int = 0
    malformed: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    orphan_steps: int = 0
    # profiles of job tables' (hardware, region) pairs, after the cluster's partitions:
    # (name, cpu W, gpu W, memory W/GB, PUE, intensity, price, is_gpu)
    extra_profiles: list[tuple] = field(default_factory=list)


# ----------------------------------------------------------------------------- the header


def kind_of(path: Path) -> str:
    """'parquet', 'table' (CSV of experiment keys) or 'sacct', from the name and first line."""
    if path.suffix.lower() in (".parquet", ".pq"):
        _regular(path)
        return "parquet"
    first = _first_line(path)
    names = [n.strip().lower() for n in re.split(r"[,|\t;]", first)]
    if "hardware" in names and "jobid" not in names:
        return "table"
    return "sacct"


def _regular(path: Path) -> None:
    """InputError unless `path` is a regular file: DuckDB reads a log after its header was
    read, and a pipe cannot be read twice."""
    import os
    import stat

    where = str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", where=where) from None
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, expected a job log", where=where)
    if not stat.S_ISREG(mode):  # a pipe cannot be read twice (the header, then DuckDB)
        raise InputError(
            "not a regular file; save the log first (sacct ... > jobs.txt)", where=where
        )


def _first_line(path: Path) -> str:
    where = str(path)
    _regular(path)
    try:
        with open(path, "rb") as stream:
            data = stream.readline(1 << 16)
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a job log", where=where) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", where=where) from None
    try:
        return data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", where=where, line=1) from None


def sacct_header(path: Path) -> list[str]:
    """The column names of an sacct log; InputError (exit 2) for a missing header, the wrong
    separator, or a missing required field."""
    where = str(path)
    first = _first_line(path)
    if not first.strip():
        raise InputError(
            f"empty first line; expected sacct's header (run: {sacct.SACCT_LINE})",
            where=where,
            line=1,
        )
    if sacct.SEPARATOR not in first:
        for name, sep in (("comma", ","), ("tab", "\t"), ("semicolon", ";"), ("space", " ")):
            if sep in first.strip() and "jobid" in first.lower():
                raise InputError(
                    f"fields are separated by {name}s; expected '|' (sacct --parsable2)",
                    where=where,
                    line=1,
                )
    names = [n.strip() for n in first.split(sacct.SEPARATOR)]
    if names and (sacct.job_and_step(names[0]) is not None or "JobID" not in names):
        raise InputError(
            "no header line: expected sacct's column names first (JobID|...); run sacct "
            "with --parsable2 and without --noheader",
            where=where,
            line=1,
        )
    missing = [n for n in sacct.REQUIRED if n not in names]
    if missing:
        raise InputError(
            f"missing field(s) {', '.join(missing)} in the header; run: {sacct.SACCT_LINE}",
            where=where,
            line=1,
        )
    doubled = sorted({n for n in names if names.count(n) > 1 and n in sacct.FIELDS})
    if doubled:
        raise InputError(f"field(s) {', '.join(doubled)} given twice", where=where, line=1)
    return names


# ----------------------------------------------------------------------------- DuckDB


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field(names: list[str], name: str) -> str:
    """The SQL of a field by name: its list element, or NULL when the log lacks it."""
    return f"trim(f[{names.index(name) + 1}])" if name in names else "NULL::VARCHAR"


def _sacct_sql(path: Path, names: list[str], cluster: Cluster) -> tuple[str, str]:
    """The log's lines (a FROM item), and the SELECT over table `raw` (line, l) of every row:
    parsed fields and why it is malformed (NULL: fine). The lines are numbered into `raw`
    first: a window over the whole log runs on one thread, the parsing after it on all."""
    f = {name: _field(names, name) for name in sacct.FIELDS}
    # a step contributes its MaxRSS; its other fields are the job line's business (SLURM's job
    # line holds the allocation's Elapsed, its steps' summed TotalCPU and energy): not read
    step = f"split_part({f['JobID']}, '.', 2)"
    for name in sacct.JOB_LINE_FIELDS:
        f[name] = f"CASE WHEN {step} = '' THEN {f[name]} END"
    rss_unit = cluster.default_unit_rss
    source = (
        f"read_csv({_quote(str(path))}, columns={{'l': 'VARCHAR'}}, delim=chr(0), "
        "header=false, quote='', escape='', skip=1, auto_detect=false)"
    )
    selected = ", ".join(f"{expr} AS f_{name}" for name, expr in f.items())
    month = (
        "CASE WHEN regexp_full_match(left({0}, 8), '[0-9]{{4}}-[0-9]{{2}}-') THEN left({0}, 7) END"
    )
    parsed = f"""(SELECT *,
        CASE WHEN regexp_full_match(f_JobID, '{sacct.JOB}') THEN split_part(f_JobID, '.', 1)
             ELSE '' END AS x_job,
        split_part(f_JobID, '.', 2) AS x_step,
        {sacct.sql_count("f_NCPUS")} AS x_ncpus,
        coalesce({sacct.sql_count("f_NNodes")}, 1) AS x_nnodes,
        {sacct.sql_joules("f_ConsumedEnergyRaw")} AS x_energy_raw,
        CASE WHEN f_AllocTRES IS NULL THEN 0 ELSE {sacct.sql_gpus("f_AllocTRES")} END AS x_gpus,
        {sacct.sql_state("f_State")} AS x_state,
        CASE WHEN f_Start IS NOT NULL OR f_Submit IS NOT NULL THEN coalesce(
            {month.format("f_Start")}, {month.format("f_Submit")}, 'unknown') END AS x_month
        FROM (SELECT line, len(f) AS nf, {selected}
              FROM (SELECT line, string_split(l, '|') AS f FROM raw)))"""
    layered = sacct.select_layers(
        parsed,
        [
            sacct.sql_seconds("f_Elapsed", "x_elapsed"),
            sacct.sql_seconds("f_TotalCPU", "x_cpu"),
            sacct.sql_memory_gb("f_MaxRSS", "1", "1", "x_rss", rss_unit),
            sacct.sql_memory_gb("f_ReqMem", "x_ncpus", "x_nnodes", "x_reqmem", "M"),
        ],
    )
    return (
        source,
        f"""
    SELECT line, f_JobID, f_User, f_Account, f_Partition, x_job, x_step, x_ncpus, x_nnodes,
        x_energy_raw, x_gpus, x_state, x_month, x_elapsed, x_cpu, x_rss, x_reqmem, CASE
        WHEN nf <> {len(names)} THEN 'expected {len(names)} fields separated by |, found '
            || nf::VARCHAR
        WHEN x_job = '' THEN 'JobID ' || left(coalesce(f_JobID, ''), 40) || ': not a SLURM job id'
        WHEN x_step = '' AND x_elapsed IS NULL THEN 'Elapsed ' || left(coalesce(f_Elapsed, ''), 40)
            || ': expected [D-]HH:MM:SS or MM:SS, under 366 days'
        WHEN x_step = '' AND (x_ncpus IS NULL OR x_ncpus > {sacct.MAX_CPUS}) THEN 'NCPUS '
            || left(coalesce(f_NCPUS, ''), 40)
            || ': expected a whole number up to {sacct.MAX_CPUS:,}'
        WHEN x_nnodes > {sacct.MAX_NODES} THEN 'NNodes ' || f_NNodes
            || ': more than {sacct.MAX_NODES:,}'
        WHEN x_gpus > {sacct.MAX_GPUS} THEN 'AllocTRES: more than {sacct.MAX_GPUS:,} GPUs'
        WHEN coalesce(f_TotalCPU, '') <> '' AND x_cpu IS NULL THEN 'TotalCPU '
            || left(f_TotalCPU, 40) || ': expected [D-]HH:MM:SS, MM:SS or MM:SS.mmm'
        WHEN coalesce(f_ReqMem, '') <> '' AND x_reqmem IS NULL THEN 'ReqMem '
            || left(f_ReqMem, 40) || ': expected a size such as 4000M, 4Gn or 2Gc, under 10 PB'
        WHEN coalesce(f_MaxRSS, '') <> '' AND x_rss IS NULL THEN 'MaxRSS '
            || left(f_MaxRSS, 40) || {_quote(_rss_hint(rss_unit))}
        WHEN coalesce(f_ConsumedEnergyRaw, '') <> '' AND x_energy_raw IS NULL
            THEN 'ConsumedEnergyRaw ' || left(f_ConsumedEnergyRaw, 40)
            || ': expected a whole number of joules'
        END AS reason
    FROM {layered}""",
    )


def _rss_hint(unit: str | None) -> str:
    if unit is None:
        return (
            ": expected a size such as 2745K (a bare number needs default_unit_rss in the "
            "cluster file)"
        )
    return ": expected a size such as 2745K"


def _waste_sql(state: str, hours: str) -> str:
    listed = ", ".join(_quote(s) for s in WASTE_STATES)
    return f"({state} IN ({listed}) AND {hours} > 0)"


def duckdb_run(
    logs: list[Path], cluster: Cluster, progress: Progress | None = None, jobs_out: Any = None
) -> Result:
    """Every log through DuckDB; `jobs_out(columns, jobs, profiles)` gets each priced batch
    (per-job rows). What DuckDB cannot read (not Parquet, a broken CSV) is an InputError naming
    the log(s), never a traceback."""
    import duckdb

    try:
        return _duckdb_run(logs, cluster, progress, jobs_out)
    except duckdb.Error as error:
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        where = ", ".join(str(p) for p in logs)
        raise InputError(f"cannot read the log: {said}", where=where) from None


def _duckdb_run(
    logs: list[Path], cluster: Cluster, progress: Progress | None, jobs_out: Any
) -> Result:
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    result = Result()
    profiles = Profiles.of(cluster)
    con.execute("CREATE TEMP TABLE partitions (name VARCHAR, pidx BIGINT)")
    for i, name in enumerate(profiles.names):
        con.execute("INSERT INTO partitions VALUES (?, ?)", [name, i])
    pieces: list[str] = []
    labels: list[str] = []  # the group labels of each log, read without pricing columns
    coming = 0  # the job rows the stream will price, for a progress bar
    for n, path in enumerate(logs):
        kind = kind_of(path)
        if kind == "sacct":
            names = sacct_header(path)
            source, parse = _sacct_sql(path, names, cluster)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () + 1 AS line, l "
                f"FROM {source}"
            )
            con.execute(f"CREATE TEMP TABLE parsed_{n} AS {parse}")
            con.execute("DROP TABLE raw")
            _malformed(con, f"parsed_{n}", str(path), result)
            con.execute(f"""CREATE TEMP TABLE jobs_{n} AS SELECT x_job AS job,
                bool_or(x_step = '') AS has_alloc,
                coalesce(max(f_User) FILTER (WHERE x_step = ''), '') AS user,
                coalesce(max(f_Account) FILTER (WHERE x_step = ''), '') AS account,
                coalesce(split_part(max(f_Partition) FILTER (WHERE x_step = ''), ',', 1), '')
                    AS partition,
                coalesce(max(x_state) FILTER (WHERE x_step = ''), '') AS state,
                coalesce(max(x_month) FILTER (WHERE x_step = ''), 'unknown') AS month,
                max(x_elapsed) AS elapsed, max(x_cpu) AS cpu,
                coalesce(max(x_ncpus) FILTER (WHERE x_step = ''), max(x_ncpus)) AS ncpus,
                max(x_reqmem) FILTER (WHERE x_step = '') AS reqmem,
                max(x_rss) AS rss,
                coalesce(max(x_gpus) FILTER (WHERE x_step = ''), 0) AS gpus,
                max(x_energy_raw) AS energy_raw,
                CASE WHEN regexp_matches(x_job, '\\+[1-9][0-9]*$') THEN 0 ELSE 1 END AS weight
                FROM parsed_{n} WHERE reason IS NULL GROUP BY x_job""")
            orphans, allocated = con.execute(
                f"SELECT count(*) FILTER (WHERE NOT has_alloc), count(*) FILTER (WHERE has_alloc) "
                f"FROM jobs_{n}"
            ).fetchall()[0]
            result.orphan_steps += int(orphans)
            coming += int(allocated)
            util = "CASE WHEN elapsed > 0 AND ncpus > 0 THEN cpu / (elapsed * ncpus) END"
            if "TotalCPU" not in names:
                util = "NULL::DOUBLE"
            big = sacct.MAX_ENERGY_J
            pieces.append(f"""SELECT job, user, account, partition, state, month,
                ncpus::DOUBLE AS cpus, ({util})::DOUBLE AS util, gpus::DOUBLE AS gpus,
                reqmem AS mem_gb, rss AS rss_gb, elapsed / 3600.0 AS hours,
                CASE WHEN energy_raw <= {big} THEN energy_raw::DOUBLE END AS energy_j,
                weight::DOUBLE AS weight, {_waste_sql("state", "elapsed")} AS failed,
                coalesce(p.pidx, -1) AS pidx_given
                FROM jobs_{n} LEFT JOIN partitions p ON p.name = jobs_{n}.partition
                WHERE has_alloc""")
            labels.append(f"SELECT {', '.join(DIMENSIONS)} FROM jobs_{n} WHERE has_alloc")
            result.rows_read += int(
                con.execute(f"SELECT count(*) FROM parsed_{n}").fetchall()[0][0]
            )
        else:
            read, bad = result.rows_read, result.malformed
            piece, named = _table_sql(con, path, kind, cluster, profiles, result, n)
            pieces.append(piece)
            labels.append(named)
            coming += (result.rows_read - read) - (result.malformed - bad)
    union = " UNION ALL BY NAME ".join(f"({p})" for p in pieces)
    con.execute(f"CREATE TEMP VIEW jobs AS {union}")
    profiles = result_profiles(profiles, result)
    # every group's labels in one pass over the jobs (not one per dimension), as small tables
    # of (label, code) that the stream joins: a job reaches Python as integer codes
    sets = ", ".join(f"({d})" for d in DIMENSIONS)
    flags = ", ".join(f"grouping({d}) AS g_{d}" for d in DIMENSIONS)
    con.execute(
        f"CREATE TEMP TABLE labels AS SELECT {', '.join(DIMENSIONS)}, {flags} "
        f"FROM (SELECT {', '.join(f'coalesce({d}, {_quote(chr(0))}) AS {d}' for d in DIMENSIONS)}"
        f" FROM ({' UNION ALL BY NAME '.join(f'({x})' for x in labels)}))"
        f" GROUP BY GROUPING SETS ({sets})"
    )
    codes = {}
    for dim in DIMENSIONS:
        con.execute(
            f"CREATE TEMP TABLE d_{dim} AS SELECT CASE WHEN {dim} = chr(0) THEN '' ELSE {dim} END"
            f" AS label, {dim} AS raw, (row_number() OVER (ORDER BY {dim}) - 1)::BIGINT AS code "
            f"FROM labels WHERE g_{dim} = 0"
        )
        rows = con.execute(f"SELECT label FROM d_{dim} ORDER BY code").fetchall()
        codes[dim] = [r[0] for r in rows]
    joins = " ".join(
        f"JOIN d_{d} ON d_{d}.raw = coalesce(j.{d}, {_quote(chr(0))})" for d in DIMENSIONS
    )
    coded = ", ".join(f"d_{d}.code AS {d}_code" for d in DIMENSIONS)
    query = f"""SELECT j.pidx_given AS pidx, j.cpus, j.util, j.gpus,
        j.mem_gb, j.rss_gb, j.hours, j.energy_j, j.weight, j.failed, {coded}
        {", j.job, j.user, j.account, j.partition, j.state, j.month" if jobs_out else ""}
        FROM jobs j {joins}"""
    # the order of jobs does not matter from here on (line numbers were taken above); without
    # it DuckDB streams without holding rows back, and memory stays at a few batches
    con.execute("SET preserve_insertion_order = false")
    relation = con.sql(query)
    # DuckDB 2.x: to_arrow_reader; 1.x: fetch_record_batch (the same stream of record batches)
    stream = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    reader = stream(BATCH_ROWS)
    expect = getattr(progress, "expect", None)
    if expect is not None:
        expect(coming)
    # DuckDB reads the next batch while a worker thread prices this one (numpy and DuckDB both
    # release the GIL); sums merge in order here, at most two batches in memory at once
    from concurrent.futures import ThreadPoolExecutor

    pending: list[Any] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for batch in reader:
            columns = _numpy(batch)
            pending.append(pool.submit(_priced, columns, codes, profiles, jobs_out))
            if len(pending) >= 2:
                _merge(result, pending.pop(0).result(), progress, jobs_out)
        for future in pending:
            _merge(result, future.result(), progress, jobs_out)
    con.close()
    return result


def _numpy(batch: Any) -> dict[str, np.ndarray]:
    """A record batch's columns as numpy (nulls: NaN; a null `failed`: False)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = {}
    for name in batch.schema.names:
        column = batch.column(name)
        if name == "failed":
            column = pc.fill_null(column, False)
        elif pa.types.is_floating(column.type) and column.null_count:
            # pyarrow's to_numpy is 50x slower on a column of nulls than fill_null then to_numpy
            column = pc.fill_null(column.cast(pa.float64()), float("nan"))
        found[name] = column.to_numpy(zero_copy_only=False)
    return found


def _priced(
    columns: dict[str, np.ndarray],
    codes: dict[str, list[str]],
    profiles: Profiles,
    jobs_out: Any,
) -> tuple[Accumulator, int, tuple[Any, ...] | None]:
    names = ("cpus", "util", "gpus", "mem_gb", "rss_gb", "hours", "energy_j", "weight")
    jobs = {name: np.asarray(columns[name], dtype=float) for name in names}
    jobs["pidx"] = np.asarray(columns["pidx"]).astype(np.int64)
    jobs["failed"] = np.asarray(columns["failed"], dtype=bool)
    keys = {d: (columns[f"{d}_code"].astype(np.int64), codes[d]) for d in DIMENSIONS}
    later = (columns, jobs, profiles) if jobs_out is not None else None
    return Accumulator.of(jobs, keys, profiles), len(jobs["hours"]), later


def _merge(
    result: Result,
    done: tuple[Accumulator, int, Any],
    progress: Progress | None,
    jobs_out: Any = None,
) -> None:
    """A priced batch into the sums, and its rows to --output-jobs, in the log's order."""
    batch, rows, later = done
    result.accumulator.merge(batch)
    if later is not None and jobs_out is not None:
        jobs_out(*later)
    if progress is not None:
        progress(rows)


def result_profiles(profiles: Profiles, result: Result) -> Profiles:
    """The partition profiles, with those of table logs (hardware x region) after them."""
    extra = result.extra_profiles
    if not extra:
        return profiles
    return Profiles(
        profiles.names + tuple(e[0] for e in extra),
        np.concatenate([profiles.cpu_w, np.array([e[1] for e in extra]).reshape(-1, 3)]),
        np.concatenate([profiles.gpu_w, np.array([e[2] for e in extra]).reshape(-1, 3)]),
        np.concatenate([profiles.mem_w, np.array([e[3] for e in extra])]),
        np.concatenate([profiles.pue, np.array([e[4] for e in extra])]),
        np.concatenate([profiles.intensity, np.array([e[5] for e in extra]).reshape(-1, 3)]),
        np.concatenate([profiles.price, np.array([e[6] for e in extra])]),
    )


def _malformed(con: Any, table: str, where: str, result: Result) -> None:
    found = con.execute(f"SELECT count(*) FROM {table} WHERE reason IS NOT NULL").fetchall()
    result.malformed += int(found[0][0])
    room = EXAMPLES - len(result.examples)
    if room > 0:
        rows = con.execute(
            f"SELECT line, reason FROM {table} WHERE reason IS NOT NULL ORDER BY line LIMIT {room}"
        ).fetchall()
        result.examples += [{"file": where, "line": int(line), "reason": r} for line, r in rows]


# ----------------------------------------------------------------------------- tables


def _table_sql(
    con: Any,
    path: Path,
    kind: str,
    cluster: Cluster,
    profiles: Profiles,
    result: Result,
    n: int,
) -> tuple[str, str]:
    """A CSV or Parquet of experiment keys: the distinct (hardware, region) pairs resolved once
    through the tables, joined back as a profile index; and the SELECT of its group labels."""
    reader = (
        f"read_parquet({_quote(str(path))})"
        if kind == "parquet"
        else f"read_csv({_quote(str(path))}, header=true)"
    )
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    lower = {c.lower(): c for c in columns}
    for needed in ("hardware", "hours"):
        if needed not in lower:
            raise InputError(
                f"missing column {needed!r}; a job table has hardware, count, hours and "
                "region (or the cluster file's site)",
                where=str(path),
                line=1 if kind != "parquet" else None,
            )

    def col(name: str, default: str) -> str:
        return 't."' + lower[name].replace('"', '""') + '"' if name in lower else default

    region = col("region", "''")
    pairs = con.execute(
        f"SELECT DISTINCT {col('hardware', 'NULL')}::VARCHAR, coalesce({region}::VARCHAR, '') "
        f"FROM {reader} t"
    ).fetchall()
    extra = result.extra_profiles
    con.execute(f"CREATE TEMP TABLE profiles_{n} (hardware VARCHAR, region VARCHAR, pidx BIGINT)")
    from greenai import tables

    data = tables.load()
    for hardware, place in pairs:
        profile = table_profile(str(path), hardware, place, cluster, data, result)
        index = len(profiles.names) + len(extra)
        extra.append(profile)
        con.execute(f"INSERT INTO profiles_{n} VALUES (?, ?, ?)", [hardware, place, index])
    labels = ", ".join(
        f"coalesce({col(c, chr(39) + chr(39))}::VARCHAR, '') AS {c}"
        for c in ("user", "account", "state")
    )
    month = col("month", "'unknown'")
    count = f"try_cast({col('count', '1')} AS DOUBLE)"
    util = f"try_cast({col('utilization', 'NULL')} AS DOUBLE)"
    memory = f"try_cast({col('memory', 'NULL')} AS DOUBLE)"
    state = f"upper(coalesce({col('state', 'NULL')}::VARCHAR, ''))"
    hours = f"try_cast({col('hours', 'NULL')} AS DOUBLE)"
    rows = con.execute(f"SELECT count(*) FROM {reader} t").fetchall()[0][0]
    result.rows_read += int(rows)
    bad = con.execute(
        f"SELECT count(*) FROM {reader} t WHERE NOT coalesce({hours} >= 0 AND {hours} <= 8784 "
        f"AND {count} >= 0 AND {count} <= {sacct.MAX_GPUS}, false)"
    ).fetchall()[0][0]
    result.malformed += int(bad)
    job = col("job", "NULL")
    gpus = ",".join(str(i) for i in _gpu_profiles(result, profiles)) or "-1"
    partition = f"coalesce({col('partition', 'NULL')}::VARCHAR, {col('hardware', 'NULL')}::VARCHAR)"
    named = (
        f"SELECT {labels}, {partition} AS partition, "
        f"coalesce({month}::VARCHAR, 'unknown') AS month FROM {reader} t"
    )
    return (
        f"""SELECT coalesce({job}::VARCHAR, '') AS job, {labels},
        {partition} AS partition,
        coalesce({month}::VARCHAR, 'unknown') AS month,
        CASE WHEN pr.gpu THEN 0 ELSE {count} END AS cpus,
        {util} AS util,
        CASE WHEN pr.gpu THEN {count} ELSE 0 END AS gpus,
        {memory} AS mem_gb, NULL::DOUBLE AS rss_gb, {hours} AS hours,
        NULL::DOUBLE AS energy_j, 1.0::DOUBLE AS weight, {_waste_sql(state, hours)} AS failed,
        pr.pidx AS pidx_given
        FROM {reader} t JOIN (SELECT *, pidx IN ({gpus}) AS gpu
            FROM profiles_{n}) pr
          ON pr.hardware = {col("hardware", "NULL")}::VARCHAR
         AND pr.region = coalesce({region}::VARCHAR, '')
        WHERE {hours} >= 0 AND {hours} <= 8784 AND {count} >= 0
          AND {count} <= {sacct.MAX_GPUS}""",
        named,
    )


def _gpu_profiles(result: Result, profiles: Profiles) -> list[int]:
    return [len(profiles.names) + i for i, e in enumerate(result.extra_profiles) if e[7]]


def table_profile(
    where: str, hardware: str | None, place: str, cluster: Cluster | None, data: Any, result: Result
) -> tuple:
    """(name, cpu W, gpu W, memory W/GB, PUE, intensity, price, is_gpu) of one device in one
    region, by the rules of `greenai estimate` (TDP, the defaulted utilization's range)."""
    from greenai.core.resolve import DEFAULT_PUE, MEMORY_W_PER_GB, UTILIZATION_LOW
    from greenai.tables import DEFAULT_BASIS

    if hardware is None:
        raise InputError("empty hardware", where=where, key="hardware")
    try:
        device = data.device(hardware)
    except InputError as error:
        raise error.located(where, None, "hardware") from None
    if device.tdp_w is None:
        raise InputError(f"no TDP for {device.name}", where=where, key="hardware")
    tdp = device.tdp_w
    gpu = device.kind != "cpu"
    watts = (tdp, tdp, tdp)  # cpus: utilization column (or its defaulted range) multiplies
    zero = (0.0, 0.0, 0.0)
    if place:
        try:
            region = data.region(place)
        except InputError as error:
            raise error.located(where, None, "region") from None
        found = data.carbon_intensity(region, DEFAULT_BASIS)
        if found is None:
            raise InputError(f"no carbon intensity for {region.key}", where=where, key="region")
        intensity = found.bounds
        cost = data.electricity_price(region)
        price = cost.value if cost else math.nan
        pue = region.pue if region.pue is not None else (cluster.pue if cluster else DEFAULT_PUE)
        result.notes.append(
            Note(
                f"{region.key}: carbon intensity",
                f"{found.value:g} g/kWh, {found.year}"
                + (
                    f", range {intensity[1]:g}–{intensity[2]:g} ({found.range_years})"
                    if intensity[1] != intensity[2]
                    else ""
                ),
                found.source,
            )
        )
    elif cluster is not None:
        intensity = cluster.carbon_intensity_g_per_kwh
        price = cluster.electricity_price_usd_per_kwh
        pue = cluster.pue
    else:
        raise InputError(
            "no region column and no --cluster: give one for the site's intensity",
            where=where,
            key="region",
        )
    result.notes.append(
        Note(f"{device.name} power", f"{tdp:g} W TDP per device x utilization", device.source)
    )
    memory = cluster.memory_w_per_gb if cluster else MEMORY_W_PER_GB
    label = f"{hardware} @ {place}" if place else hardware
    gpu_w = (tdp, tdp * UTILIZATION_LOW, tdp) if gpu else zero
    return (label, zero if gpu else watts, gpu_w, memory, pue, intensity, price, gpu)


# ----------------------------------------------------------------------------- pandas


def pandas_parse(frame: Any, cluster: Cluster, names: list[str], first_line: int) -> Any:
    """Raw sacct rows (all text) -> parsed rows with `reason` (None: fine), by the reference
    parsers; each distinct text is parsed once."""
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    out["line"] = np.arange(len(frame)) + first_line

    def get(name: str) -> Any:
        if name in frame.columns:
            return frame[name].fillna("").astype(str).str.strip()
        return pd.Series("", index=frame.index)

    def each(series: Any, function: Callable[[str], Any]) -> Any:
        unique = series.unique()
        return series.map(dict(zip(unique, (function(u) for u in unique), strict=True)))

    jobid = get("JobID")
    parts = each(jobid, sacct.job_and_step)
    out["job"] = parts.map(lambda p: p[0] if p else "")
    out["step"] = parts.map(lambda p: p[1] if p else "")
    # a step gives its MaxRSS; its other fields are not read (the rule of the SQL)
    steps = (out["step"] != "").to_numpy() | (jobid.str.contains(".", regex=False)).to_numpy()
    if steps.any():
        frame = frame.copy()
        shown = [n for n in sacct.JOB_LINE_FIELDS if n in frame.columns]
        frame.loc[steps, shown] = ""
    out["elapsed"] = each(get("Elapsed"), sacct.seconds).astype(float)
    total_cpu = get("TotalCPU")
    out["cpu"] = each(total_cpu, sacct.seconds).astype(float)
    out["ncpus"] = each(get("NCPUS"), sacct.count).astype(float)
    nnodes = each(get("NNodes"), sacct.count).astype(float).fillna(1.0)
    energy_text = get("ConsumedEnergyRaw")
    out["energy_raw"] = each(energy_text, sacct.joules).astype(float)
    out["gpus"] = each(get("AllocTRES"), sacct.gpus).astype(float)
    out["state"] = each(get("State"), sacct.state)
    start, submit = get("Start"), get("Submit")
    month = start.str.extract(r"^([0-9]{4}-[0-9]{2})-", expand=False)
    month = month.fillna(submit.str.extract(r"^([0-9]{4}-[0-9]{2})-", expand=False))
    out["month"] = month.fillna("unknown")
    rss_text, req_text = get("MaxRSS"), get("ReqMem")
    unit = cluster.default_unit_rss
    out["rss"] = each(rss_text, lambda t: sacct.memory_gb(t, 1, 1, unit)).astype(float)
    # ReqMem: each distinct text read once (per unit), then x NNodes (n) or x NCPUS (c)
    base = each(req_text, lambda t: sacct.memory_gb(t, 1, 1, "M")).astype(float).to_numpy()
    per = np.where(
        req_text.str.endswith("n"),
        nnodes.to_numpy(),
        np.where(req_text.str.endswith("c"), out["ncpus"].to_numpy(), 1.0),
    )
    with np.errstate(invalid="ignore"):
        reqmem = base * per
    out["reqmem"] = np.where(reqmem <= sacct.MAX_MEMORY_GB, reqmem, np.nan)
    for name in ("User", "Account", "Partition"):
        out[name] = get(name)
    fields = frame["_nf"] if "_nf" in frame.columns else pd.Series(frame.shape[1], frame.index)
    out["reason"] = _reasons(
        out,
        fields.to_numpy(),
        len(names),
        unit,
        {name: get(name) for name in ("JobID", "Elapsed", "NCPUS", "NNodes")},
        total_cpu,
        req_text,
        rss_text,
        energy_text,
    )
    return out


def _reasons(
    out: Any,
    fields: np.ndarray,
    expected: int,
    unit: str | None,
    texts: dict[str, Any],
    total_cpu: Any,
    req: Any,
    rss: Any,
    energy: Any,
) -> list[str | None]:
    """Why each row is malformed (None: fine): the first rule it breaks, in the order and words
    of the SQL; a step is checked for its MaxRSS only. Strings are made for bad rows alone."""
    reason = np.full(len(out), None, dtype=object)
    step = (out["step"] != "").to_numpy()
    job = ~step

    def mark(rule: np.ndarray, say: Callable[[int], str]) -> None:
        for i in np.flatnonzero(rule & (reason == None)):  # noqa: E711 (an object array)
            reason[i] = say(int(i))

    def isnan(name: str) -> np.ndarray:
        return np.isnan(out[name].to_numpy(dtype=float))

    def text(series: Any) -> Callable[[int], str]:
        return lambda i: str(series.iat[i])[:40]

    mark(
        fields != expected,
        lambda i: f"expected {expected} fields separated by |, found {fields[i]}",
    )
    mark(
        (out["job"] == "").to_numpy(),
        lambda i: f"JobID {text(texts['JobID'])(i)}: not a SLURM job id",
    )
    mark(
        job & isnan("elapsed"),
        lambda i: (
            f"Elapsed {text(texts['Elapsed'])(i)}: expected [D-]HH:MM:SS or MM:SS, under 366 days"
        ),
    )
    ncpus = out["ncpus"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        mark(
            job & (np.isnan(ncpus) | (ncpus > sacct.MAX_CPUS)),
            lambda i: (
                f"NCPUS {text(texts['NCPUS'])(i)}: expected a whole number up to {sacct.MAX_CPUS:,}"
            ),
        )
    nodes = each_count(texts["NNodes"])
    mark(
        job & (nodes > sacct.MAX_NODES),
        lambda i: f"NNodes {text(texts['NNodes'])(i)}: more than {sacct.MAX_NODES:,}",
    )
    mark(
        job & (out["gpus"].to_numpy(dtype=float) > sacct.MAX_GPUS),
        lambda i: f"AllocTRES: more than {sacct.MAX_GPUS:,} GPUs",
    )
    mark(
        job & (total_cpu != "").to_numpy() & isnan("cpu"),
        lambda i: f"TotalCPU {text(total_cpu)(i)}: expected [D-]HH:MM:SS, MM:SS or MM:SS.mmm",
    )
    mark(
        job & (req != "").to_numpy() & isnan("reqmem"),
        lambda i: f"ReqMem {text(req)(i)}: expected a size such as 4000M, 4Gn or 2Gc, under 10 PB",
    )
    mark(
        (rss != "").to_numpy() & isnan("rss"), lambda i: f"MaxRSS {text(rss)(i)}" + _rss_hint(unit)
    )
    mark(
        job & (energy != "").to_numpy() & isnan("energy_raw"),
        lambda i: f"ConsumedEnergyRaw {text(energy)(i)}: expected a whole number of joules",
    )
    return list(reason)


def each_count(series: Any) -> np.ndarray:
    """A whole-number column (NNodes) read per distinct text; 1 where empty."""
    unique = series.unique()
    found = dict(zip(unique, (sacct.count(u) for u in unique), strict=True))
    values = series.map(found).astype(float).to_numpy()
    return np.where(series.to_numpy() == "", 1.0, values)


def read_sacct_frame(path: Path, names: list[str]) -> Any:
    """All rows of an sacct log as text, with `_nf`, the number of fields of each line."""
    return lines_frame(Path(path).read_text(encoding="utf-8").splitlines()[1:], names)


def lines_frame(lines: list[str], names: list[str]) -> Any:
    """Lines of an sacct log (no header) as a frame of text, with `_nf` per line."""
    import pandas as pd

    split = [line.split(sacct.SEPARATOR) for line in lines]
    width = len(names)
    rows = [(r + [""] * width)[:width] for r in split]
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame["_nf"] = [len(r) for r in split]
    return frame


def fold(parsed: Any) -> Any:
    """Parsed rows (malformed ones dropped) -> one row per job (or het component)."""
    import pandas as pd

    good = parsed[parsed["reason"].isnull()].copy()
    good["alloc"] = good["step"] == ""
    alloc = good[good["alloc"]].groupby("job", sort=False)
    every = good.groupby("job", sort=False)
    jobs = pd.DataFrame(
        {
            "elapsed": every["elapsed"].max(),
            "cpu": every["cpu"].max(),
            "rss": every["rss"].max(),
            "energy_raw": every["energy_raw"].max(),
            "ncpus_any": every["ncpus"].max(),
            "has_alloc": every["alloc"].any(),
        }
    )
    firsts = alloc.agg(
        user=("User", "max"),
        account=("Account", "max"),
        partition=("Partition", "max"),
        state=("state", "max"),
        month=("month", "max"),
        ncpus=("ncpus", "max"),
        reqmem=("reqmem", "max"),
        gpus=("gpus", "max"),
    )
    jobs = jobs.join(firsts, how="left")
    jobs["ncpus"] = jobs["ncpus"].fillna(jobs["ncpus_any"])
    jobs["partition"] = jobs["partition"].fillna("").str.split(",").str[0]
    jobs.index.name = "job"
    return jobs.reset_index()


def job_columns(jobs: Any, has_total_cpu: bool) -> Any:
    """Folded jobs -> the columns `price` reads, with labels."""
    import pandas as pd

    jobs = jobs.reset_index(drop=True)
    out = pd.DataFrame({"job": jobs["job"].astype(str)})
    for dim in ("user", "account", "partition", "state"):
        out[dim] = jobs[dim].fillna("").astype(str)
    out["month"] = jobs["month"].fillna("unknown").astype(str)
    out["cpus"] = jobs["ncpus"].astype(float)
    elapsed = jobs["elapsed"].astype(float)
    if has_total_cpu:
        with np.errstate(invalid="ignore", divide="ignore"):
            util = jobs["cpu"].astype(float) / (elapsed * out["cpus"])
        out["util"] = util.where((elapsed > 0) & (out["cpus"] > 0))
    else:
        out["util"] = np.nan
    out["gpus"] = jobs["gpus"].fillna(0).astype(float)
    out["mem_gb"] = jobs["reqmem"].astype(float)
    out["rss_gb"] = jobs["rss"].astype(float)
    out["hours"] = elapsed / 3600.0
    energy = jobs["energy_raw"].astype(float)
    out["energy_j"] = energy.where(energy <= sacct.MAX_ENERGY_J)
    out["weight"] = np.where(jobs["job"].str.contains(r"\+[1-9][0-9]*$", regex=True), 0.0, 1.0)
    out["failed"] = out["state"].isin(WASTE_STATES) & (elapsed > 0)
    return out


def add_frame(result: Result, frame: Any, profiles: Profiles, jobs_out: Any = None) -> None:
    """Price one frame of job columns and add it to the sums."""
    import pandas as pd

    index = {name: i for i, name in enumerate(profiles.names)}
    pidx = frame["partition"].map(index).fillna(-1).astype(np.int64).to_numpy()
    if "pidx_given" in frame.columns:
        given = frame["pidx_given"].to_numpy()
        pidx = np.where(pd.isna(given), pidx, given).astype(np.int64)
    jobs = {
        c: frame[c].to_numpy(dtype=float)
        for c in ("cpus", "util", "gpus", "mem_gb", "rss_gb", "hours", "energy_j", "weight")
    }
    jobs["pidx"] = pidx
    jobs["failed"] = frame["failed"].to_numpy(dtype=bool)
    keys = {}
    for dim in DIMENSIONS:
        codes, labels = pd.factorize(frame[dim], sort=False)
        keys[dim] = (codes.astype(np.int64), list(labels))
    result.accumulator.add(jobs, keys, profiles)
    if jobs_out is not None:
        labels = {c: frame[c].to_numpy(dtype=object) for c in ("job", *DIMENSIONS) if c in frame}
        jobs_out(labels, jobs, profiles)


def _sacct_only(path: Path) -> list[str]:
    """The header of a sacct log, for the engines that read sacct logs alone (pandas, Dask)."""
    if kind_of(path) != "sacct":
        raise InputError(
            "job tables (CSV/Parquet of experiment keys) need the duckdb engine", where=str(path)
        )
    return sacct_header(path)


def pandas_run(
    logs: list[Path], cluster: Cluster, progress: Progress | None = None, jobs_out: Any = None
) -> Result:
    """The reference path: every log in memory with pandas."""
    result = Result()
    profiles = Profiles.of(cluster)
    for path in logs:
        names = _sacct_only(path)
        frame = read_sacct_frame(path, names)
        parsed = pandas_parse(frame, cluster, names, 2)
        _pandas_malformed(parsed, str(path), result)
        result.rows_read += len(parsed)
        jobs = fold(parsed)
        result.orphan_steps += int((~jobs["has_alloc"]).sum())
        jobs = jobs[jobs["has_alloc"]]
        frame = job_columns(jobs, "TotalCPU" in names)
        add_frame(result, frame, profiles, jobs_out)
        if progress is not None:
            progress(len(frame))
    return result


def _pandas_malformed(parsed: Any, where: str, result: Result) -> None:
    bad = parsed[parsed["reason"].notna()]
    result.malformed += len(bad)
    room = EXAMPLES - len(result.examples)
    for line, reason in list(zip(bad["line"], bad["reason"], strict=True))[: max(room, 0)]:
        result.examples.append({"file": where, "line": int(line), "reason": reason})


# ----------------------------------------------------------------------------- Dask


def _dask_lines(path: Path, names: list[str], blocksize: int) -> tuple[Any, int]:
    """The log's lines as a dask.dataframe read by the workers (dask.bytes.read_bytes: blocks
    that end at a line break), each line with its number: a first pass counts each block's
    lines, so a malformed row is reported at its line wherever it was read."""
    import dask
    import pandas as pd
    from dask import delayed
    from dask.bytes import read_bytes
    from dask.dataframe import from_delayed

    _, found = read_bytes(str(path), delimiter=b"\n", blocksize=blocksize, sample=False)
    blocks = found[0]
    counts = dask.compute(*(delayed(bytes.count)(block, b"\n") for block in blocks))
    firsts = np.concatenate([[1], 1 + np.cumsum(counts)[:-1]]).astype(int) if counts else []

    def frame(data: bytes, first: int, header: bool, names: list[str] = names) -> pd.DataFrame:
        lines = data.decode("utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        numbers = np.arange(len(lines)) + first
        if header:
            lines, numbers = lines[1:], numbers[1:]
        found = lines_frame(lines, names)
        found["_line"] = numbers
        return found

    meta = lines_frame([], names).assign(_line=np.zeros(0, dtype=np.int64))
    parts = [
        delayed(frame)(block, int(first), i == 0)
        for i, (block, first) in enumerate(zip(blocks, firsts, strict=True))
    ]
    return from_delayed(parts, meta=meta), max(1, len(parts))


def dask_run(
    logs: list[Path],
    cluster: Cluster,
    scheduler: str | None,
    progress: Progress | None = None,
    blocksize: int = 64_000_000,
) -> Result:
    """The pandas rules on a Dask cluster: the workers read the log in blocks (a shared file
    system, or the local one), parse them with `map_partitions`, fold steps after a shuffle on
    the job id, price each partition of jobs with `price`; the sums merge here."""
    import dask
    import pandas as pd

    client = None
    if scheduler:
        from distributed import Client

        client = Client(scheduler)
    result = Result()
    profiles = Profiles.of(cluster)
    try:
        for path in logs:
            names = _sacct_only(path)
            raw, parts = _dask_lines(path, names, blocksize)

            def parse(part: pd.DataFrame, names: list[str] = names) -> pd.DataFrame:
                parsed = pandas_parse(part, cluster, names, 0)
                parsed["line"] = part["_line"].to_numpy()
                return parsed

            frame = lines_frame([], names).assign(_line=np.zeros(0, dtype=np.int64))
            meta = parse(frame.iloc[:0])
            parsed = raw.map_partitions(parse, meta=meta)
            bad = parsed[parsed["reason"].notnull()][["line", "reason"]]
            good = parsed[parsed["reason"].isnull()]

            def folded(part: pd.DataFrame) -> pd.DataFrame:
                return fold(part.assign(reason=None))

            # steps of one job must meet in one partition: shuffle on the job id first
            shuffled = good.shuffle("job", npartitions=parts)
            jobs = shuffled.map_partitions(folded, meta=folded(meta.iloc[:0].assign(reason=None)))

            def priced(part: pd.DataFrame, names: list[str] = names) -> pd.DataFrame:
                partial = Result()
                kept = part[part["has_alloc"]]
                if len(kept):
                    add_frame(partial, job_columns(kept, "TotalCPU" in names), profiles)
                orphans = int((~part["has_alloc"]).sum())
                return pd.DataFrame({"acc": [partial.accumulator], "orphans": [orphans]})

            sums = jobs.map_partitions(
                priced,
                meta=pd.DataFrame(
                    {"acc": pd.Series(dtype=object), "orphans": pd.Series(dtype=int)}
                ),
            )
            bad_rows, partials, count = dask.compute(bad, sums, parsed.shape[0])
            result.rows_read += int(count)
            result.malformed += len(bad_rows)
            room = EXAMPLES - len(result.examples)
            bad_rows = bad_rows.sort_values("line")
            for line, reason in list(zip(bad_rows["line"], bad_rows["reason"], strict=True))[
                : max(room, 0)
            ]:
                result.examples.append({"file": str(path), "line": int(line), "reason": reason})
            for acc, orphans in zip(partials["acc"], partials["orphans"], strict=True):
                result.accumulator.merge(acc)
                result.orphan_steps += int(orphans)
            if progress is not None:
                progress(int(count))
    finally:
        if client is not None:
            client.close()
    return result
