"""The `greenai` command: parse arguments, call the core, render, write. No arithmetic here.

Start-up matters (`greenai --help` is benchmarked against `python -c pass`), so this module
imports only typer at the top; pint, the tables and the renderers are imported inside the
commands that use them. `main()` is the one funnel that turns greenai's errors into one red line
on stderr and an exit code (see `greenai.status.ExitStatus`); `--traceback` shows the stack.
"""

from __future__ import annotations

import os
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


_state: dict[str, bool] = {"traceback": False}


@app.command()
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
    loaded = [experiment.load(path, data, overrides or ()) for path in files]
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
    _emit(text, output)
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
        files, variations, data, overrides or (), scale_hours_by, max_scenarios, order, top
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
    _emit(text, output)


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Experiment files or folders (default: configs/**/*.y*ml).", show_default=False
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
    outcomes = checks.run(
        checks.find(paths or []), data, limits, overrides or (), budget_total, budget_on
    )
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
        if summary_file and output is None:
            with open(summary_file, "a", encoding="utf-8") as stream:
                stream.write(text)
            text = ""
        text = report.github_annotations(outcomes) + text
    _emit(text, output)
    if output_format is not CheckFormat.github:
        _warn(w for outcome in outcomes for w in outcome.warnings)
        for outcome in outcomes:
            if outcome.error is not None:
                _error_line(str(outcome.error))
    raise typer.Exit(int(checks.exit_status(outcomes)))


class FpoFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


@app.command()
def fpo(
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODULE:FACTORY",
            help="A module (dotted name, or path to a .py file) and the function, class or "
            "instance in it that gives the torch.nn.Module, e.g. models.py:build.",
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
    """FPO per example of a PyTorch model, counted by PyTorch (needs greenai[torch]).

    The count is for one pass over a dummy batch; divide by the batch to get fpo.per_example.
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
    _emit(text, output)


class CurveFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
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
            "--plot", help="Also draw the curve to FILE.png, .svg or .pdf (greenai[plot])."
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
    if plot is not None and kind is not None:
        write_atomically(plot, _plotted(found, kind))
    _emit(report.render_curve(found, output_format.value, _width(output)), output)


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
            "pip install 'greenai[plot]'"
        ) from None
    return report.plot_curve(found, kind)  # type: ignore[arg-type]


@app.command()
def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of the experiment file (for editors with a YAML language server)."""
    import json

    from greenai import tables
    from greenai.schema import experiment_schema

    text = json.dumps(experiment_schema(tables.load()), indent=2, ensure_ascii=False) + "\n"
    _emit(text, output)


@app.command()
def init(
    path: Annotated[
        Path, typer.Argument(help="Where to write the starter experiment file.")
    ] = Path("experiment.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a commented starter experiment file (never overwrites without --force)."""
    from importlib import resources

    from greenai.errors import OutputError

    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise OutputError(
            f"{path}: is a folder; give a file name such as {path / 'experiment.yaml'}"
        )
    text = resources.files("greenai").joinpath("starter.yaml").read_text(encoding="utf-8")
    write_atomically(path, text)
    typer.echo(f"wrote {path}; price it with: greenai estimate {path}")


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
    """COLUMNS when set (the user, or a CI step, chose the width), else the terminal's, else
    160 for a file or a pipe."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and int(columns) > 0:
        return int(columns)
    if output is None and sys.stdout.isatty():
        return os.get_terminal_size().columns
    return 160


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomically(output, text)


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: an error leaves the old file."""
    import tempfile

    from greenai.errors import OutputError

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {error.strerror}") from None
    try:
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as raw:
                raw.write(text)
        else:
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
        returned = command.main(args=argv, prog_name="greenai", standalone_mode=False)
        if isinstance(returned, int):  # typer.Exit(code) inside a command, in this mode
            code = returned
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
