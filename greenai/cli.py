"""The `greenai` command: parse arguments, call the core, render, write. No arithmetic here.

Start-up matters (`greenai --help` is benchmarked against `python -c pass`), so this module
imports only typer at the top; pint, the tables and the renderers are imported inside the
commands that use them. `main()` is the one funnel that turns greenai's errors into one red line
on stderr and an exit code (see `greenai.status.ExitStatus`); `--traceback` shows the stack.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from greenai import __version__
from greenai.status import ExitStatus

app = typer.Typer(
    name="greenai",
    help="Price ML experiments: energy (kWh), carbon (CO2e), money and FPO, every figure sourced.",
    epilog="New here? `greenai init experiment.yaml` writes a commented starter file; then "
    "`greenai estimate experiment.yaml`.",
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


class EstimateFormat(StrEnum):
    # greenai.report.Format, all of it (estimate alone has model-card); declared here for --help
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    latex = "latex"
    model_card = "model-card"


class TrainingType(StrEnum):
    pre_training = "pre-training"
    fine_tuning = "fine-tuning"


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


UnitsOption = Annotated[
    Units,
    typer.Option("--units", help="CO2e in kg (metric) or lbs (imperial, as Strubell et al.)."),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a key of every file: KEY=VALUE, e.g. region=fr, "
        "hardware.count=16, cloud.provider=gcp. Repeatable.",
    ),
]
BudgetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--budget",
        help="Fail (exit 1) when an experiment exceeds a limit: co2e=50kg, cost=1000USD, "
        "energy=2MWh (cost: cloud on-demand, else electricity). Repeatable.",
    ),
]


class Basis(StrEnum):
    # Mirrors greenai.tables.BASES (declared here so that --help does not read the tables).
    lifecycle = "lifecycle"
    direct = "direct"
    provider = "provider"


BasisOption = Annotated[
    Basis | None,
    typer.Option(
        "--basis",
        help="Carbon intensity basis: lifecycle (default; consumption-based where the source "
        "has it), direct (combustion only: eGRID, ECCC, MEE), provider (Google's own region "
        "figures). A region without it uses another and says so. Same as --set basis=...",
        case_sensitive=False,
    ),
]


def _with_basis(overrides: list[str] | None, basis: Basis | None) -> list[str]:
    """--basis as the --set it stands for (the experiment file's `basis:` key)."""
    return [*(overrides or ()), *((f"basis={basis.value}",) if basis else ())]


RangesOption = Annotated[
    bool | None,
    typer.Option(
        "--ranges/--no-ranges",
        help="Show each figure's low–high range beside its value (JSON and CSV always carry "
        "it). Default: off for estimate (a paper's table), on for compare (a what-if).",
        show_default=False,
    ),
]
BudgetOnOption = Annotated[
    str,
    typer.Option(
        "--budget-on",
        help="Which bound of each figure a budget checks: value (the estimate), low or high "
        "(the cautious end of its range).",
    ),
]
BudgetTotalOption = Annotated[
    bool,
    typer.Option("--budget-total", help="Apply --budget to the total of all files, not each."),
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


_state: dict[str, bool] = {"traceback": False, "stdout_closed": False}


@app.command(short_help="Price experiments: kWh, CO2e, cost and FPO.")
def estimate(
    files: Annotated[
        list[Path], typer.Argument(help="Experiment files (YAML).", show_default=False)
    ],
    output_format: Annotated[
        EstimateFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format; model-card: the co2_eq_emissions block of a Hugging Face "
            "model card (grams, all files added up).",
            case_sensitive=False,
        ),
    ] = EstimateFormat.table,
    units: UnitsOption = Units.metric,
    overrides: SetOption = None,
    basis: BasisOption = None,
    assumptions: Annotated[
        bool, typer.Option("--assumptions", help="List every figure used, with its source.")
    ] = False,
    budgets: BudgetOption = None,
    budget_total: BudgetTotalOption = False,
    budget_on: BudgetOnOption = "value",
    ranges: RangesOption = None,
    training_type: Annotated[
        TrainingType,
        typer.Option("--training-type", help="For --format model-card.", case_sensitive=False),
    ] = TrainingType.pre_training,
    output: OutputOption = None,
) -> None:
    """Energy, CO2e, electricity and cloud cost, and FPO of experiments (Strubell's Table 3).

    Files that give fpo also get Green AI's breakdown (E x D x H) and, without hours, hours
    derived from the FPO at the hardware's peak FLOP/s x MFU.

    Exit status: 0 within budget, 1 over a budget (--budget or a file's budget:), 2 bad input.
    """
    from greenai import budget, experiment, report, tables
    from greenai.core import budgets as budget_check
    from greenai.estimate import estimate as price
    from greenai.estimate import total

    data = tables.load()
    limits = [budget.from_option(text) for text in budgets or ()]
    loaded = [experiment.load(path, data, _with_basis(overrides, basis)) for path in files]
    results = [price(item, data) for item in loaded]
    _warn(
        [*(w for item in loaded for w in item.warnings), *(w for r in results for w in r.warnings)]
    )
    breaches = budget_check.check(
        results,
        limits,
        {item.file: item.budgets for item in loaded},
        total(results) if budget_total else None,
        budget_on,
    )
    text = report.render(
        results,
        report.Format(output_format.value),
        report.UnitSystem(units.value),
        equivalent_table=data.equivalents,
        assumptions=assumptions,
        color=output is None and _color(),
        width=_width(output),
        training_type=training_type.value,
        ranges=bool(ranges),  # off unless asked: a paper's table wants the value alone
    )
    _emit(text, output, files)
    _fail_over_budget(breaches)


def _warn(warnings: Iterable[str]) -> None:
    """Values far outside the usual range: computed, but said on stderr."""
    for text in dict.fromkeys(warnings):
        _error_line(text, prefix="warning: ", color="33")


def _fail_over_budget(breaches: list) -> None:
    """One line per breach on stderr, and exit status 1."""
    for breach in breaches:
        _error_line(str(breach), prefix="")
    if breaches:
        raise typer.Exit(int(ExitStatus.OVER_BUDGET))


class SortBy(StrEnum):
    # Mirrors greenai.compare.SortBy (declared here so that --help does not import numpy).
    co2e = "co2e"
    energy = "energy"
    cost = "cost"
    none = "none"


@app.command(short_help="What-if grid: each file under --vary values.")
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
        str,
        typer.Option(
            "--scale-hours-by",
            help="How hours follow varied hardware. auto: from the file's fpo (at the MFU its "
            "hours imply on its own hardware), else held as given; held (or none): as given on "
            "every hardware; peak_flops: the file's hours x its dense peak FLOP/s over the "
            "varied hardware's (device count included).",
        ),
    ] = "auto",
    max_scenarios: Annotated[
        int,
        typer.Option(
            "--max-scenarios",
            min=1,
            help="Refuse grids of more scenarios (files x the --vary values) than this; "
            "a million takes about 0.7 GB and 4-10 s.",
        ),
    ] = 1_000_000,  # mirrors greenai.compare.MAX_SCENARIOS (--help does not import numpy)
    output_format: FormatOption = OutputFormat.table,
    units: UnitsOption = Units.metric,
    overrides: SetOption = None,
    basis: BasisOption = None,
    assumptions: Annotated[
        bool,
        typer.Option("--assumptions", help="List every figure used for each row shown."),
    ] = False,
    ranges: RangesOption = None,
    output: OutputOption = None,
) -> None:
    """What-if: each file under every combination of --vary values, with ratios to the first."""
    from greenai import compare as grid
    from greenai import report, tables

    data = tables.load()
    variations = [grid.parse_variation(text, data) for text in vary or ()]
    order = grid.SortBy(sort.value)
    comparison = grid.compare(
        files,
        variations,
        data,
        _with_basis(overrides, basis),
        scale_hours_by,
        max_scenarios,
        order,
        top,
    )
    _warn(comparison.warnings)
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
        ranges=ranges is not False,  # on unless refused: a what-if wants the spread
    )
    _emit(text, output, files)


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"


@app.command(short_help="Validate and price files; fail over budget.")
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Experiment files, folders or quoted globs ('exp/**/*.yaml'), all checked. "
            "Default: the files under configs/**/*.y*ml whose opening comment names greenai "
            "(`# greenai`, or the header `greenai init` writes).",
            show_default=False,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Skip files matching GLOB (or under a folder matching it), e.g. "
            "'configs/hydra/*'. Repeatable.",
        ),
    ] = None,
    budgets: BudgetOption = None,
    budget_total: BudgetTotalOption = False,
    budget_on: BudgetOnOption = "value",
    overrides: SetOption = None,
    output_format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="github: Markdown to $GITHUB_STEP_SUMMARY (or stdout) and ::error annotations.",
            case_sensitive=False,
        ),
    ] = CheckFormat.table,
    units: UnitsOption = Units.metric,
    output: OutputOption = None,
) -> None:
    """Validate and price every experiment file; fail on invalid files and busted budgets.

    Exit status: 0 all valid and within budget, 1 over a budget, 2 an invalid file.
    """
    from greenai import budget, checks, report, tables

    data = tables.load()
    limits = [budget.from_option(text) for text in budgets or ()]
    files = checks.find(paths or [], exclude=exclude or ())
    outcomes = checks.run(files, data, limits, overrides or (), budget_total, budget_on)
    system = report.UnitSystem(units.value)
    text = report.render_check(
        outcomes,
        output_format.value,
        system,
        color=output is None and _color(),
        width=_width(output),
    )
    if output_format is CheckFormat.github:
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file and output is None and _append_summary(summary_file, text):
            text = ""
        text = report.github_annotations(outcomes) + text
    _emit(text, output, files)
    if output_format is not CheckFormat.github:
        _warn(w for outcome in outcomes for w in outcome.warnings)
        for outcome in outcomes:
            if outcome.error is not None:
                _error_line(str(outcome.error))
    raise typer.Exit(int(checks.exit_status(outcomes)))


def _append_summary(place: str, text: str) -> bool:
    """Append the Markdown to the job summary. A summary that cannot be written (a folder, no
    permission, a full disk) must not turn the verdict into a crash or hide it: warn, let the
    caller print the summary on stdout instead, and keep the check's exit status."""
    try:
        with open(place, "a", encoding="utf-8", errors="replace") as stream:
            stream.write(text)
    except OSError as error:
        _warn(
            [
                f"GITHUB_STEP_SUMMARY {place}: cannot write: {error.strerror or error}; "
                "the summary is printed below instead"
            ]
        )
        return False
    return True


class FpoFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


@app.command(short_help="Count a PyTorch model's FPO per example.")
def fpo(
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODULE:FACTORY",
            help="A .py file (models.py:build), or a dotted module name imported from the "
            "installed packages and PYTHONPATH (mypkg.models:build), and the function, class or "
            "instance in it that gives the torch.nn.Module.",
            show_default=False,
        ),
    ],
    input_shapes: Annotated[
        list[str],
        typer.Option(
            "--input-shape",
            help="Shape of a dummy input, first dimension the batch: 1,3,224,224. Repeat for "
            "a model that takes several inputs.",
            show_default=False,
        ),
    ],
    training: Annotated[
        bool,
        typer.Option("--training", help="Count forward + backward (a training step)."),
    ] = False,
    input_dtype: Annotated[
        str,
        typer.Option(
            "--input-dtype", help="float32, float16, bfloat16, or int64 (token ids, all 0)."
        ),
    ] = "float32",
    examples: Annotated[
        float | None,
        typer.Option("--examples", help="Examples per run, to complete the fpo block."),
    ] = None,
    output_format: Annotated[
        FpoFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, json, or yaml (the fpo: block of an experiment file).",
            case_sensitive=False,
        ),
    ] = FpoFormat.table,
    output: OutputOption = None,
) -> None:
    """FPO per example of a PyTorch model, counted by PyTorch (needs greenai-cost[torch]).

    The count is for one pass over a dummy batch; divide by the batch to get fpo.per_example.

    This runs your code: greenai imports MODULE (a dotted name, found the way Python finds
    installed packages and PYTHONPATH; the current folder is not added to sys.path) or executes
    the .py file (its folder is not added to sys.path either), then calls FACTORY() and runs the
    model once on dummy inputs. Its prints go to stderr; if it exits or raises, greenai reports
    one error line and exits with 2. Use it only on code you trust.
    """
    from greenai import flops, report

    shapes = [flops.parse_shape(text) for text in input_shapes]
    counted = flops.count(model, shapes, training, input_dtype)
    command = "greenai fpo " + " ".join(
        [model, *(f"--input-shape {text}" for text in input_shapes)]
        + (["--training"] if training else [])
        + ([f"--input-dtype {input_dtype}"] if input_dtype != "float32" else [])
    )
    text = report.render_fpo(counted, output_format.value, examples, command, _width(output))
    _emit(text, output, [Path(model.rpartition(":")[0] or model)])  # reads models.py of models.py:f


class CurveFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command(short_help="Expected best score after n trials, vs cost.")
def curve(
    trials: Annotated[
        Path,
        typer.Argument(
            help="CSV of trials: a header row, then one row per trial.", show_default=False
        ),
    ],
    metric: Annotated[
        str,
        typer.Option("--metric", help="The column of validation scores.", show_default=False),
    ],
    cost: Annotated[
        str | None,
        typer.Option(
            "--cost",
            help="The column of each trial's cost (hours, kWh, kg CO2e...); with --experiment, "
            "the figure of one run: co2e (default), energy, hours, device_hours or cost.",
        ),
    ] = None,
    experiment_file: Annotated[
        Path | None,
        typer.Option("--experiment", help="An experiment file: each trial costs one run of it."),
    ] = None,
    minimize: Annotated[
        bool, typer.Option("--minimize", help="Lower is better (a loss, an error rate).")
    ] = False,
    overrides: SetOption = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", help="Also draw the curve to FILE.png, .svg or .pdf (greenai-cost[plot])."
        ),
    ] = None,
    output_format: Annotated[
        CurveFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = CurveFormat.table,
    output: OutputOption = None,
) -> None:
    """Expected best score after n trials, against n and cost (Dodge et al. 2019).

    With N scores sorted ascending, E[max of n] = sum_i v_(i) ((i/N)^n - ((i-1)/N)^n).
    """
    from greenai import curve as curves
    from greenai import report

    kind = _plot_kind(plot) if plot is not None else None
    per_trial = None
    if experiment_file is not None:
        from greenai import experiment, tables
        from greenai.estimate import estimate as price

        data = tables.load()
        loaded = experiment.load(experiment_file, data, overrides or ())
        _warn(loaded.warnings)
        per_trial = price(loaded, data).per_run
    found = curves.from_trials(trials, metric, cost, per_trial, minimize)
    inputs = [trials, *([experiment_file] if experiment_file is not None else [])]
    if plot is not None and kind is not None:
        write_atomically(plot, _plotted(found, kind), inputs)
    _emit(report.render_curve(found, output_format.value, _width(output)), output, inputs)


def _plot_kind(path: Path) -> str:
    from greenai.errors import OutputError

    kind = path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg", "pdf"):
        raise OutputError(f"{path}: --plot writes .png, .svg or .pdf files, not {path.suffix!r}")
    return kind


def _plotted(found: object, kind: str) -> bytes:
    from greenai import report
    from greenai.errors import MissingExtraError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            "--plot needs matplotlib, which is not installed; install it with: "
            "pip install 'greenai-cost[plot]'"
        ) from None
    return report.plot_curve(found, kind)  # type: ignore[arg-type]


@app.command(short_help="JSON Schema of the experiment file.")
def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of the experiment file (for editors with a YAML language server)."""
    import json

    from greenai import tables
    from greenai.schema import experiment_schema

    text = json.dumps(experiment_schema(tables.load()), indent=2, ensure_ascii=False) + "\n"
    _emit(text, output)


@app.command(short_help="Write a commented starter experiment file.")
def init(
    path: Annotated[
        Path, typer.Argument(help="Where to write the starter experiment file.")
    ] = Path("experiment.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a commented starter experiment file (never overwrites without --force)."""
    from importlib import resources

    from greenai.errors import OutputError, WriteError

    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise OutputError(
            f"{path}: is a folder; give a file name such as {path / 'experiment.yaml'}"
        )
    text = resources.files("greenai").joinpath("starter.yaml").read_text(encoding="utf-8")
    write_atomically(path, text)
    with contextlib.suppress(WriteError):  # the file is written; this line is a courtesy
        _emit(f"wrote {path}; price it with: greenai estimate {path}\n", None)


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


@app.command(short_help="Grid and cloud regions, carbon intensity.")
def regions(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """Grid regions and cloud regions with their carbon intensity, greenest first."""
    _listing("regions", query, output_format, output)


@app.command(short_help="GPUs, TPUs, CPUs: TDP and peak FLOP/s.")
def hardware(
    query: QueryArgument = None,
    output_format: ListFormatOption = ListFormat.table,
    output: OutputOption = None,
) -> None:
    """GPUs, TPUs, other accelerators and CPUs, with TDP and peak FLOP/s."""
    _listing("hardware", query, output_format, output)


@app.command(short_help="Cloud prices per device-hour.")
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
    """COLUMNS when set (the user, or a CI step, chose the width), else the terminal's, else
    160 for a file or a pipe."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and int(columns) > 0:
        return int(columns)
    if output is None and sys.stdout.isatty():
        return os.get_terminal_size().columns
    return 160


def _emit(text: str, output: Path | None, inputs: Iterable[Path] = ()) -> None:
    """Write the result to --output, or to standard output in that stream's own encoding.

    Characters that stdout's encoding cannot show (an ASCII locale, PYTHONIOENCODING=ascii)
    become "?" with one warning, rather than a crash half-way through a table; --output files
    are always UTF-8. `inputs` are the files the command read: writing over one is refused.
    """
    if output is not None:
        write_atomically(output, text, inputs)
        return
    from greenai.errors import WriteError

    stream = sys.stdout
    if stream is None or _state["stdout_closed"]:
        raise WriteError("standard output is closed; write the result with --output FILE")
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        _warn(
            [
                f"standard output is {encoding} and cannot show some characters; they are "
                "written as '?' (set PYTHONIOENCODING=utf-8, or write UTF-8 with --output FILE)"
            ]
        )
        text = text.encode(encoding, "replace").decode(encoding)
    except LookupError:  # an encoding Python does not know: let the stream decide
        pass
    try:
        stream.write(text)
        stream.flush()
    except OSError as error:
        raise _write_error("standard output", error) from None


# errno values that say the place was fine but the machine could not take the bytes: exit 4.
# Everything else (no permission, no such folder, read-only file system) is about the path the
# user named: exit 2.
_FAILED_WRITES = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EBADF, errno.EPIPE}
)


def _write_error(where: str, error: OSError) -> Exception:
    from greenai.errors import OutputError, ReaderGone, WriteError

    if error.errno == errno.EPIPE:
        return ReaderGone(f"{where}: the reader closed the pipe")
    kind = WriteError if error.errno in _FAILED_WRITES else OutputError
    return kind(f"{where}: cannot write: {error.strerror or error}")


def write_atomically(path: Path, text: str | bytes, inputs: Iterable[Path] = ()) -> None:
    """Replace a regular file whole or not at all; write straight into anything else.

    Renaming a temporary file over the target is what lets an interrupted write leave the old
    file in place, but a rename would also turn /dev/null into a regular file, a FIFO into a
    file nobody reads and a symlink into a copy, and give every file mode 0600. So: symlinks
    are followed to the file they name; only a regular file (or a new name) is replaced, and it
    keeps its mode and owner (a new one gets 0666 & ~umask, as the shell's `>` would); a
    character device, a FIFO, a socket or an open descriptor (/dev/stdout, /dev/fd/N) is
    written into as it is. A regular file that is also one of `inputs` (the same inode, however
    it is named) is refused: the command would destroy what it reads.
    """
    from greenai.errors import OutputError

    target, descriptor = _resolve_output(path)
    try:
        found = os.stat(target)
    except FileNotFoundError:
        found = None
    except OSError as error:  # a file where a folder should be, a symlink loop, no permission
        raise _write_error(str(path), error) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise OutputError(f"{path}: cannot write: is a folder; give a file name")
    if found is not None and stat.S_ISREG(found.st_mode):
        _refuse_inputs(path, found, inputs)
    if descriptor or (found is not None and not stat.S_ISREG(found.st_mode)):
        _write_through(path, text)
    else:
        _replace(path, target, text, found)


def _resolve_output(path: Path) -> tuple[Path, bool]:
    """Follow symlinks one hop at a time: the path they end at, and whether a hop went through
    an open descriptor (/dev/stdout -> /proc/self/fd/1), which must be written, not replaced."""
    from greenai.errors import OutputError

    current = os.path.join(os.getcwd(), path)
    for _ in range(40):
        folder = os.path.realpath(os.path.dirname(current))
        if re.fullmatch(r"/proc/[^/]+/fd", folder):
            return Path(current), True
        here = os.path.join(folder, os.path.basename(current))
        if not os.path.islink(here):
            return Path(here), False
        current = os.path.join(folder, os.readlink(here))
    raise OutputError(f"{path}: cannot write: too many levels of symbolic links")


def _refuse_inputs(path: Path, found: os.stat_result, inputs: Iterable[Path]) -> None:
    from greenai.errors import OutputError

    for item in inputs:
        try:
            other = os.stat(item)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (found.st_dev, found.st_ino):
            raise OutputError(
                f"{path}: cannot write: it is {item}, an input of this command; "
                "write the result to another file"
            )


def _write_through(path: Path, text: str | bytes) -> None:
    # Append: a device or a FIFO does not care, and a descriptor that a shell opened onto a
    # file (`-o /dev/stdout >> log`) must not be truncated from a second, unrelated offset.
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        with open(path, "ab") as stream:
            stream.write(data)
    except OSError as error:
        raise _write_error(str(path), error) from None


def _replace(path: Path, target: Path, text: str | bytes, found: os.stat_result | None) -> None:
    import tempfile

    from greenai.errors import OutputError

    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise _write_error(str(path), error) from None
    try:
        try:
            _take_mode(handle, found)
        except BaseException:
            os.close(handle)
            raise
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as raw:
                raw.write(text)
        else:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _write_error(str(path), error) from None
        raise


def _take_mode(handle: int, found: os.stat_result | None) -> None:
    """mkstemp makes 0600 files: give the new file the old one's mode and owner, or the mode
    a new file gets under the umask."""
    if found is None:
        mask = os.umask(0o022)
        os.umask(mask)
        os.fchmod(handle, 0o666 & ~mask)
        return
    if (found.st_uid, found.st_gid) != (os.geteuid(), os.getegid()):
        # not root: the file becomes ours, as an editor's save would make it
        with contextlib.suppress(PermissionError):
            os.fchown(handle, found.st_uid, found.st_gid)
    os.fchmod(handle, stat.S_IMODE(found.st_mode))


class _Stopped(BaseException):
    """Raised by the SIGTERM and SIGHUP handlers, so that the temporary file of a write is
    removed on the way out (the default action kills greenai and leaves `.NAME.*.tmp`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    import signal

    signal.signal(signum, signal.SIG_DFL)  # a second one kills at once
    raise _Stopped(signum)


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _catch_signals() -> dict[int, object]:
    import signal

    previous: dict[int, object] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, _on_signal)
        except ValueError:  # not the main thread (main() called from a library's worker)
            break
    return previous


def _restore_signals(previous: dict[int, object]) -> None:
    import signal

    for number, handler in previous.items():
        signal.signal(number, handler)  # type: ignore[arg-type]


def _plug_closed_descriptors() -> None:
    """A closed descriptor 0, 1 or 2 (`greenai ... >&-`) would be handed to the next file greenai
    opens, and a stray write to it would land in that file. Point each at /dev/null; remember
    that stdout was closed, so that _emit says so instead of writing the result nowhere."""
    _state["stdout_closed"] = False
    for number in (0, 1, 2):
        try:
            os.fstat(number)
            continue
        except OSError:
            pass
        opened = os.open(os.devnull, os.O_RDWR)
        if opened != number:
            os.dup2(opened, number)
            os.close(opened)
        if number == 1:
            _state["stdout_closed"] = True
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (isatty() and help need one)
        if number == 2:
            sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115


def _silence(stream: object) -> None:
    """Point a standard stream that failed at /dev/null: the interpreter flushes it at exit and
    would print "Exception ignored ... BrokenPipeError" (or a full disk's error) otherwise."""
    try:
        number = stream.fileno()  # type: ignore[attr-defined]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, number)
        os.close(null)
    except (AttributeError, OSError, ValueError):  # not a real stream (pytest's capture)
        pass


def _settle_streams(code: int) -> int:
    """Flush stdout while a failure can still change the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except OSError as error:
            _silence(stream)
            if stream is sys.stdout and code == ExitStatus.OK:
                failure = _write_error("standard output", error)
                if error.errno != errno.EPIPE:
                    _say(str(failure))
                code = int(getattr(failure, "exit_status", ExitStatus.OUTPUT_ERROR))
        except ValueError:  # closed by someone
            pass
    return code


def _say(message: str, prefix: str = "error: ") -> None:
    """_error_line, for the funnel: a stderr that is closed or gone must not turn the exit
    status into Python's 1 with a traceback; the status still tells."""
    try:
        _error_line(message, prefix=prefix)
    except (OSError, ValueError):
        _silence(sys.stderr)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: each outcome becomes one exit status (greenai.status.ExitStatus) and each
    error one line on stderr; a traceback only with --traceback."""
    _plug_closed_descriptors()
    previous = _catch_signals()
    try:
        code = _run(argv)
    finally:
        _restore_signals(previous)
    sys.exit(_settle_streams(int(code)))


def _run(argv: list[str] | None) -> int:
    """The one exception ladder: most specific first, a bug of ours last."""
    from greenai.errors import GreenAIError, ReaderGone

    command = typer.main.get_command(app)
    try:
        returned = command.main(args=argv, prog_name="greenai", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as error:  # a usage error: an unknown option, a bad choice
        with contextlib.suppress(OSError, ValueError):
            error.show()  # type: ignore[attr-defined]
        return ExitStatus.BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        _say("interrupted", prefix="")
        return ExitStatus.INTERRUPTED
    except _Stopped as stopped:
        _say(f"stopped by {_signal_name(stopped.signum)}", prefix="")
        return 128 + stopped.signum
    except SystemExit:
        # typer meets an EPIPE that escaped a command (help text into `| head`) with
        # sys.exit(1), which would read as "over budget": it is the pipe's reader that left
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return ExitStatus.BROKEN_PIPE
        raise
    except ReaderGone:
        _silence(sys.stdout)
        return ExitStatus.BROKEN_PIPE
    except GreenAIError as error:
        if _state["traceback"]:
            raise
        _say(str(error))
        return error.exit_status
    except Exception as error:
        if _state["traceback"]:
            raise
        _say(
            f"internal error: {type(error).__name__}: {error} (run again with --traceback "
            "and report it)"
        )
        return ExitStatus.INTERNAL_ERROR
    if returned == ExitStatus.INTERRUPTED:  # typer turns Ctrl-C inside a command into Exit(130)
        _say("interrupted", prefix="")
    return returned if isinstance(returned, int) else ExitStatus.OK


def _error_line(message: str, prefix: str = "error: ", color: str = "31") -> None:
    """The one funnel to stderr. A message may quote a file (its name, a value, a key), so the
    whole line is escaped as terminal text: one line, no terminal sequence, no GitHub workflow
    command (greenai.escape.terminal)."""
    from greenai import escape

    text = escape.terminal(f"{prefix}{message}")
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        text = f"\x1b[{color}m{text}\x1b[0m"
    print(text, file=sys.stderr)


if __name__ == "__main__":
    main()
