"""`greenai batch`: a cluster's job log priced (SLURM sacct, or a table of experiment keys).

Parse the options, run an engine of greenai.batch, render the summary, write. No arithmetic
here: the engines price, greenai.batch.summary sums up, greenai.render.batch draws.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greenai.cli import common
from greenai.cli.common import OutputOption
from greenai.cli.output import emit, write_atomically

if TYPE_CHECKING:
    from greenai.batch.cluster import Cluster
    from greenai.batch.engine import Result


class BatchFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


class Engine(StrEnum):
    duckdb = "duckdb"
    pandas = "pandas"
    dask = "dask"


BY = ("user", "account", "partition", "state", "month")


def batch(
    logs: Annotated[
        list[Path],
        typer.Argument(
            help="Job logs: SLURM `sacct --parsable2` text with its header, or CSV/Parquet "
            "tables whose columns are experiment keys (hardware, count, hours, region, ...).",
            show_default=False,
        ),
    ],
    cluster_file: Annotated[
        Path | None,
        typer.Option(
            "--cluster",
            help="The cluster file: partitions' CPUs and GPUs, PUE, region or intensity, "
            "price (greenai's format, or GA4HPC's cluster_info.yaml). `greenai init --cluster` "
            "writes one. Required for sacct logs.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Groups to show, comma-separated: user, account, partition, state, month."
        ),
    ] = "user,account,partition,state,month",
    top: Annotated[int, typer.Option("--top", min=1, help="Entries per group.")] = 20,
    output_format: Annotated[
        BatchFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = BatchFormat.table,
    output: OutputOption = None,
    output_jobs: Annotated[
        Path | None,
        typer.Option(
            "--output-jobs",
            help="Also write one row per job to PATH (.parquet or .csv), with its figures.",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Also write a self-contained HTML report to PATH.", show_default=False
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="duckdb: out of core, any size (default); pandas: in memory, small logs; "
            "dask: on a Dask cluster (--scheduler).",
            case_sensitive=False,
        ),
    ] = Engine.duckdb,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler ADDRESS (tcp://host:8786) for --engine dask; default: a local "
            "one.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Fail (exit 2) on a malformed row or a job of a partition the cluster file "
            "does not list, instead of counting and reporting it.",
        ),
    ] = False,
) -> None:
    """Price a cluster's job log: energy, CO2e and cost per user, account, partition, state
    and month, with the waste of failed jobs and unused memory.

    Exit status: 0 priced, 2 bad input (a bad cluster file, a log without a header, with
    --strict a malformed row).
    """
    from greenai import tables
    from greenai.batch import cluster as clusters
    from greenai.batch import engine as engines
    from greenai.batch import summary as summaries
    from greenai.errors import InputError, MissingExtraError, OutputError

    groups = [g.strip().lower() for g in by.split(",") if g.strip()]
    for group in groups:
        if group not in BY:
            raise InputError(
                f"unknown group {group!r}; expected some of: {', '.join(BY)}", key="--by"
            )
    data = tables.load()
    kinds = {path: engines.kind_of(path) for path in logs}
    if cluster_file is None:
        if any(kind == "sacct" for kind in kinds.values()):
            raise InputError("--cluster is required for sacct logs (greenai init --cluster)")
        found = clusters.none()
    else:
        found = clusters.load(cluster_file, data)
    inputs = [*logs, *([cluster_file] if cluster_file else [])]
    for place in (output, output_jobs, report):
        if place is not None and any(_same(place, item) for item in inputs):
            raise OutputError(f"{place}: cannot write: it is an input of this command")
    notices: list[str] = []
    chosen = engine
    if engine is Engine.duckdb and not (_has("duckdb") and _has("pyarrow")):
        if any(kind != "sacct" for kind in kinds.values()):
            raise MissingExtraError("job tables need DuckDB: pip install 'greenai-cost[batch]'")
        chosen = Engine.pandas
        notices.append(
            "DuckDB or pyarrow is not installed (pip install 'greenai-cost[batch]'): priced "
            "with pandas, in memory; fine for small logs"
        )
    if engine is Engine.dask and not _has("dask"):
        raise MissingExtraError("--engine dask needs Dask: pip install 'greenai-cost[dask]'")
    if output_jobs is not None and chosen is Engine.dask:
        raise InputError("--output-jobs is not available with --engine dask", key="--output-jobs")
    if output_jobs is not None and not _has("pyarrow"):
        raise MissingExtraError("--output-jobs needs pyarrow: pip install 'greenai-cost[batch]'")
    writer = None
    if output_jobs is not None:
        from greenai.batch.jobs import JobsWriter

        writer = JobsWriter(output_jobs)
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        if chosen is Engine.duckdb:
            result = engines.duckdb_run(logs, found, progress, writer)
        elif chosen is Engine.pandas:
            result = engines.pandas_run(logs, found, progress, writer)
        else:
            result = engines.dask_run(logs, found, scheduler, progress)
        if strict:
            _refuse(result, found)
        summary = summaries.build(result, found, logs, groups, top, notices)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if progress is not None:
            progress.done()
    if writer is not None:
        writer.commit()
    if report is not None:
        from greenai.render.batch_html import render as render_report
        from greenai.render.spdx import timestamp

        # the page says the day it was priced: SOURCE_DATE_EPOCH's (reproducible builds), else
        # today's, in UTC
        day = timestamp(None)[:10]
        write_atomically(report, render_report(summary, generated=day), inputs)
    text = _render(summary, output_format, groups, output)
    emit(text, output, inputs)


def _render(
    summary: dict, output_format: BatchFormat, groups: list[str], output: Path | None
) -> str:
    from greenai.render import batch as shown

    if output_format is BatchFormat.json:
        return shown.as_json(summary)
    if output_format is BatchFormat.csv:
        return shown.as_csv(summary, groups)
    if output_format is BatchFormat.markdown:
        return shown.markdown(summary, groups)
    return shown.terminal(summary, groups, output is None and common.color(), common.width(output))


def _refuse(result: Result, found: Cluster) -> None:
    """--strict: the first malformed row, or the partitions the cluster file lacks, as an
    error (exit 2)."""
    from greenai.errors import InputError

    if result.examples:
        first = result.examples[0]
        raise InputError(
            f"malformed row ({result.malformed:,} in all): {first['reason']}",
            where=first["file"],
            line=first["line"],
        )
    unknown = result.accumulator.unknown_partitions
    if unknown:
        names = ", ".join(sorted(n or "(none)" for n in unknown))
        raise InputError(
            f"jobs of partition(s) {names} are not in the cluster file; add them under partitions:",
            where=found.file,
            key="partitions",
        )


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


class _Progress:
    """Jobs priced so far, on stderr, on one line (only on a terminal): a bar where the engine
    says how many are coming (DuckDB), else a count."""

    WIDTH = 30

    def __init__(self) -> None:
        self.count = 0
        self.total: int | None = None

    def expect(self, total: int) -> None:
        self.total = total

    def __call__(self, rows: int) -> None:
        self.count += rows
        if self.total:
            done = min(self.count / self.total, 1.0)
            filled = int(done * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"greenai batch: [{bar}] {done:4.0%} {self.count:,} of {self.total:,} jobs"
        else:
            line = f"greenai batch: {self.count:,} jobs priced"
        sys.stderr.write("\r" + line)
        sys.stderr.flush()

    def done(self) -> None:
        if self.count:
            sys.stderr.write("\n")
            sys.stderr.flush()
