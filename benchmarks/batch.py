"""Throughput of `greenai batch` on generated logs (written to a temporary folder, never kept).

    python benchmarks/batch.py [--rows 1000000] [--large [--large-rows 100000000]]

Writes an sacct --parsable2 log of --rows rows (jobs of four lines each: the job, .batch,
.extern and .0; 1,000 users, 50 accounts, three partitions, a mix of states over twelve
months) and prices it end to end in a fresh process (`greenai batch LOG --cluster ...
--format json`), printing the wall time and the peak memory (max RSS of the child). The
project's target (issue 16): 10^6 rows in under 5 s.

--large also writes a Parquet job table of --large-rows rows (experiment keys: hardware, count,
hours, region, user, account, partition, state, month), in row groups, and prices it the same
way: the target is 10^8 rows in under 60 s and under 2 GB peak memory, out of core. Writing the
file takes a while; its time is printed apart.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

CLUSTER = ROOT / "tests" / "data" / "batch" / "cluster.yaml"
HEADER = (
    "JobID|User|Account|Partition|State|Elapsed|TotalCPU|NCPUS|NNodes|ReqMem|MaxRSS|AllocTRES|"
    "Submit|Start|End|NodeList|ConsumedEnergyRaw"
)
STATES = np.array(["COMPLETED"] * 7 + ["FAILED", "TIMEOUT", "CANCELLED by 42"])


def _clock(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}-{clock}" if days else clock


def write_sacct(path: Path, rows: int, seed: int = 1) -> None:
    """`rows` lines (a multiple of four) of jobs with three steps each."""
    rng = np.random.default_rng(seed)
    jobs = rows // 4
    chunk = 100_000
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(HEADER + "\n")
        for first in range(0, jobs, chunk):
            n = min(chunk, jobs - first)
            gpu = (rng.random(n) < 0.2).tolist()
            columns = zip(
                range(first + 1_000_000, first + 1_000_000 + n),
                rng.integers(0, 1000, n).tolist(),
                rng.integers(0, 50, n).tolist(),
                gpu,
                STATES[rng.integers(0, len(STATES), n)].tolist(),
                rng.integers(60, 3 * 86400, n).tolist(),
                rng.choice([1, 4, 16, 32, 64], n).tolist(),
                rng.random(n).tolist(),
                rng.integers(1, 13, n).tolist(),
                rng.choice([4, 16, 64, 256], n).tolist(),
                rng.integers(1000, 4_000_000, n).tolist(),
                rng.choice([1, 2, 4], n).tolist(),
                (rng.random(n) < 0.5).tolist(),
                strict=True,
            )
            lines = []
            for (
                job,
                user,
                account,
                on_gpu,
                state,
                elapsed,
                cpus,
                share,
                month,
                mem,
                rss,
                gpus,
                measured,
            ) in columns:
                el, tc = _clock(elapsed), _clock(int(elapsed * cpus * share))
                start = f"2026-{month:02d}-10T08:00:00"
                tres = f"cpu={cpus},gres/gpu:a100={gpus}" if on_gpu else f"cpu={cpus}"
                energy = str(elapsed * 300) if measured else ""
                partition = "gpu" if on_gpu else "cpu"
                tail = f"|{tres}|{start}|{start}|{start}|n1|{energy}"
                lines.append(
                    f"{job}|u{user}|a{account}|{partition}|{state}|{el}|{tc}|{cpus}|1|{mem}G|"
                    + tail
                )
                for step in (".batch", ".extern", ".0"):
                    lines.append(f"{job}{step}||||COMPLETED|{el}|{tc}|{cpus}|1||{rss}K" + tail)
            stream.write("\n".join(lines) + "\n")


def write_parquet(path: Path, rows: int, seed: int = 2) -> None:
    """A job table of experiment keys, in row groups of 10^6 rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    hardware = pa.array(["A100 SXM4 80GB", "AMD EPYC 7763", "H100"]).dictionary_encode()
    writer = None
    for first in range(0, rows, chunk):
        n = min(chunk, rows - first)
        pick = rng.integers(0, 3, n)
        table = pa.table(
            {
                "hardware": pa.DictionaryArray.from_arrays(
                    pa.array(pick, pa.int8()), hardware.dictionary
                ),
                "count": rng.choice([1, 2, 4, 8], n).astype(np.int16),
                "hours": rng.random(n).astype(np.float32) * 48,
                "region": pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, 3, n), pa.int8()), pa.array(["fr", "de", "us"])
                ),
                "user": pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, 1000, n), pa.int16()),
                    pa.array([f"u{i}" for i in range(1000)]),
                ),
                "partition": pa.DictionaryArray.from_arrays(
                    pa.array(pick, pa.int8()), pa.array(["gpu-a100", "cpu", "gpu-h100"])
                ),
                "state": pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, 4, n), pa.int8()),
                    pa.array(["COMPLETED", "COMPLETED", "FAILED", "TIMEOUT"]),
                ),
                "month": pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, 12, n), pa.int8()),
                    pa.array([f"2026-{m:02d}" for m in range(1, 13)]),
                ),
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


def run(args: list[str]) -> tuple[float, float, float, dict]:
    """Wall and CPU seconds, peak RSS (MB) of a fresh `greenai batch` process, and its JSON
    summary."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "greenai", "batch", *args, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(done.stderr)
    # ru_maxrss is the largest child so far (KB on Linux); each run is a fresh process, and the
    # larger case runs last. CPU seconds say what a busy machine's wall time hides.
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, after.ru_maxrss / 1024, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--large-rows", type=int, default=100_000_000)
    parser.add_argument("--engine", default="duckdb")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "sacct.txt"
        start = time.perf_counter()
        write_sacct(log, options.rows)
        made = time.perf_counter() - start
        args = [str(log), "--cluster", str(CLUSTER), "--engine", options.engine]
        seconds, cpu, peak, summary = run(args)
        jobs = summary["jobs"]
        print(
            f"sacct text, {options.rows:,} rows ({log.stat().st_size / 1e6:,.0f} MB, written in "
            f"{made:.1f} s): {seconds:.2f} s wall, {cpu:.2f} s CPU, peak {peak:,.0f} MB; "
            f"{jobs['jobs']:,} jobs, "
            f"{summary['totals']['energy_kwh']['value']:,.0f} kWh ({options.engine})"
        )
        if options.large:
            table = Path(folder) / "jobs.parquet"
            start = time.perf_counter()
            write_parquet(table, options.large_rows)
            made = time.perf_counter() - start
            seconds, cpu, peak, summary = run([str(table), "--cluster", str(CLUSTER)])
            print(
                f"Parquet job table, {options.large_rows:,} rows ({table.stat().st_size / 1e6:,.0f}"
                f" MB, written in {made:.0f} s): {seconds:.1f} s wall, {cpu:.1f} s CPU, "
                f"peak {peak:,.0f} MB; "
                f"{summary['jobs']['jobs']:,} jobs, "
                f"{summary['totals']['energy_kwh']['value']:,.0f} kWh"
            )


if __name__ == "__main__":
    main()
