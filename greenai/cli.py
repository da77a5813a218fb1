"""The `greenai` command: parse arguments, call the core, render, write. No arithmetic here.

Start-up matters (`greenai --help` is benchmarked against `python -c pass`), so this module
imports only typer at the top; pint, the tables and the renderers are imported inside the
commands that use them. `main()` is the one funnel that turns greenai's errors into one red line
on stderr and an exit code (see `greenai.status.ExitStatus`); `--traceback` shows the stack.
"""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from greenai import __version__
from greenai.status import ExitStatus

app = typer.Typer(
    name="greenai",
    help="Price ML experiments: energy (kWh), carbon (CO2e), money and FPO, every figure sourced.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(StrEnum):
    # Mirrors greenai.report.Format, declared here so that --help does not import the renderers.
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    latex = "latex"


class Units(StrEnum):
    metric = "metric"
    imperial = "imperial"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to PATH (atomically: all or nothing) instead of stdout."
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"greenai {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    traceback: Annotated[
        bool,
        typer.Option(
            "--traceback", help="Show the Python traceback of an error (for bug reports)."
        ),
    ] = False,
) -> None:
    """Price ML experiments: energy (kWh), carbon (CO2e), money and FPO, every figure sourced."""
    _state["traceback"] = traceback


_state: dict[str, bool] = {"traceback": False}


@app.command()
def estimate(
    files: Annotated[
        list[Path], typer.Argument(help="Experiment files (YAML).", show_default=False)
    ],
    output_format: FormatOption = OutputFormat.table,
    units: Annotated[
        Units,
        typer.Option("--units", help="CO2e in kg (metric) or lbs (imperial, as Strubell et al.)."),
    ] = Units.metric,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a key of every file: KEY=VALUE, e.g. region=fr, "
            "hardware.count=16, cloud.provider=gcp. Repeatable.",
        ),
    ] = None,
    assumptions: Annotated[
        bool, typer.Option("--assumptions", help="List every figure used, with its source.")
    ] = False,
    output: OutputOption = None,
) -> None:
    """Energy, CO2e, electricity and cloud cost, and FPO of experiments (Strubell's Table 3)."""
    from greenai import experiment, report, tables
    from greenai.estimate import estimate as price

    data = tables.load()
    results = [price(experiment.load(path, data, overrides or ()), data) for path in files]
    text = report.render(
        results,
        report.Format(output_format.value),
        report.UnitSystem(units.value),
        equivalent_table=data.equivalents,
        assumptions=assumptions,
        color=output is None and _color(),
        width=_width(output),
    )
    _emit(text, output)


class SortBy(StrEnum):
    # Mirrors greenai.compare.SortBy (declared here so that --help does not import numpy).
    co2e = "co2e"
    energy = "energy"
    cost = "cost"
    none = "none"


@app.command()
def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Experiment files (YAML).", show_default=False)
    ],
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            help="KEY=V1,V2,...: try each value (any key --set accepts); several --vary give "
            "every combination. Region sets: @countries, @subdivisions, @grids, @cloud, "
            "@cloud:aws|azure|gcp. Repeatable.",
        ),
    ] = None,
    sort: Annotated[
        SortBy,
        typer.Option(
            "--sort",
            help="Order rows by CO2e, energy, cost (cloud on-demand, else electricity) or "
            "keep the grid order.",
            case_sensitive=False,
        ),
    ] = SortBy.co2e,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Show only the first N rows (after sorting).")
    ] = None,
    scale_hours_by: Annotated[
        str | None,
        typer.Option(
            "--scale-hours-by",
            help="peak_flops: rescale hours by the hardware's dense peak FLOP/s relative to the "
            "file's own hardware (otherwise hours stay as given).",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    units: Annotated[
        Units,
        typer.Option("--units", help="CO2e in kg (metric) or lbs (imperial, as Strubell et al.)."),
    ] = Units.metric,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a key of every file first: KEY=VALUE. Repeatable."),
    ] = None,
    assumptions: Annotated[
        bool,
        typer.Option("--assumptions", help="List every figure used for each row shown."),
    ] = False,
    output: OutputOption = None,
) -> None:
    """What-if: each file under every combination of --vary values, with ratios to the first."""
    from greenai import compare as grid
    from greenai import report, tables

    data = tables.load()
    variations = [grid.parse_variation(text, data) for text in vary or ()]
    comparison = grid.compare(files, variations, data, overrides or (), scale_hours_by)
    order = grid.SortBy(sort.value)
    shown = grid.ordered(comparison, order, top)
    best = grid.best(comparison, order)
    text = report.render_comparison(
        comparison,
        shown,
        report.Format(output_format.value),
        report.UnitSystem(units.value),
        best=best,
        best_by={"energy": "energy", "cost": "cost"}.get(order.value, "CO2e"),
        assumptions=assumptions,
        color=output is None and _color(),
        width=_width(output),
    )
    _emit(text, output)


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


ListFormatOption = Annotated[
    ListFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
QueryArgument = Annotated[
    str | None,
    typer.Argument(help="Show rows whose key or name contains QUERY.", show_default=False),
]


def _listing(kind: str, query: str | None, output_format: ListFormat, output: Path | None) -> None:
    from greenai import catalog, report, tables

    records = getattr(catalog, kind)(tables.load(), query)
    text = report.render_records(
        records,
        catalog.COLUMNS[kind],
        report.Format(output_format.value),
        color=output is None and _color(),
        width=_width(output),
    )
    _emit(text, output)


@app.command()
def regions(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """Grid regions and cloud regions with their carbon intensity, greenest first."""
    _listing("regions", query, output_format, output)


@app.command()
def hardware(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """GPUs, TPUs, other accelerators and CPUs, with TDP and peak FLOP/s."""
    _listing("hardware", query, output_format, output)


@app.command()
def prices(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """Cloud prices per device-hour (on-demand and spot), per provider, region and date."""
    _listing("prices", query, output_format, output)


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _width(output: Path | None) -> int:
    if output is None and sys.stdout.isatty():
        return os.get_terminal_size().columns
    return 160


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomically(output, text)


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: an error leaves the old file."""
    from greenai.errors import OutputError

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"{path}: cannot write: {error.strerror}") from None
        raise


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every error becomes one line on stderr and an exit code."""
    command = typer.main.get_command(app)
    code = ExitStatus.OK
    try:
        command.main(args=argv, prog_name="greenai", standalone_mode=False)
    except typer.Exit as done:
        code = done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("Interrupted.", err=True)
        code = ExitStatus.INTERRUPTED
    except Exception as error:
        if hasattr(error, "show") and hasattr(error, "format_message"):  # a usage error
            error.show()
            sys.exit(int(ExitStatus.BAD_INPUT))
        from greenai.errors import GreenAIError

        if _state["traceback"]:
            raise
        if isinstance(error, GreenAIError):
            _error_line(str(error))
        else:  # a bug of ours: still one line, with the way to a full report
            _error_line(
                f"internal error: {type(error).__name__}: {error} (run again with "
                "--traceback and report it)"
            )
        code = ExitStatus.BAD_INPUT
    sys.exit(int(code))


def _error_line(message: str) -> None:
    text = f"error: {message}"
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        text = f"\x1b[31m{text}\x1b[0m"
    print(text, file=sys.stderr)


if __name__ == "__main__":
    main()
