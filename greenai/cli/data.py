"""The data tables as listings: `regions`, `hardware`, `prices` (table, JSON or CSV)."""

from __future__ import annotations

from pathlib import Path

from greenai.cli import common
from greenai.cli.common import ListFormatOption, OutputOption, QueryArgument
from greenai.cli.output import emit
from greenai.formats import ListFormat


def _listing(kind: str, query: str | None, output_format: ListFormat, output: Path | None) -> None:
    from greenai import catalog, report, tables

    records = getattr(catalog, kind)(tables.load(), query)
    text = report.render_records(
        records,
        catalog.COLUMNS[kind],
        report.Format(output_format.value),
        color=output is None and common.color(),
        width=common.width(output),
    )
    emit(text, output)


def regions(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """Grid regions and cloud regions with their carbon intensity, greenest first."""
    _listing("regions", query, output_format, output)


def hardware(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """GPUs, TPUs, other accelerators and CPUs, with TDP and peak FLOP/s."""
    _listing("hardware", query, output_format, output)


def prices(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """Cloud prices per device-hour (on-demand and spot), per provider, region and date."""
    _listing("prices", query, output_format, output)
