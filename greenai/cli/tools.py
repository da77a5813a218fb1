"""Green AI's tools: `fpo` (count a PyTorch model's FPO) and `curve` (expected best score after
n trials, against cost; Dodge et al. 2019).

torch, matplotlib and the core are imported inside the commands that use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenai.cli import common
from greenai.cli.common import OutputOption, SetOption
from greenai.cli.output import emit, write_atomically
from greenai.formats import FpoFormat, ListFormat


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
    text = report.render_fpo(counted, output_format.value, examples, command, common.width(output))
    emit(text, output, [Path(model.rpartition(":")[0] or model)])  # reads models.py of models.py:f


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
        ListFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = ListFormat.table,
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
        common.warn(loaded.warnings)
        per_trial = price(loaded, data).per_run
    found = curves.from_trials(trials, metric, cost, per_trial, minimize)
    inputs = [trials, *([experiment_file] if experiment_file is not None else [])]
    if plot is not None and kind is not None:
        write_atomically(plot, _plotted(found, kind), inputs)
    emit(report.render_curve(found, output_format.value, common.width(output)), output, inputs)


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
