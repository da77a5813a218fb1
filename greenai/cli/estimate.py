"""Pricing commands: `estimate` (Strubell's Table 3), `compare` (what-if grids), `check` (CI).

Parse, call the core, render, write; the core and the renderers are imported inside each command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from greenai.cli import common
from greenai.cli.common import (
    BasisOption,
    BudgetOnOption,
    BudgetOption,
    BudgetTotalOption,
    FilesArgument,
    FormatOption,
    OutputOption,
    RangesOption,
    SetOption,
    UnitsOption,
)
from greenai.cli.output import emit
from greenai.errors import GreenAIError
from greenai.formats import CheckFormat, CompareFormat, Format, Per, SortBy, TrainingType, Units
from greenai.status import ExitStatus


def estimate(
    files: FilesArgument,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="Output format; model-card: the co2_eq_emissions block of a Hugging Face "
            "model card (grams, all files added up); annex-xi: EU AI Act Annex XI 1.2 (d)-(e) "
            "in Markdown; spdx: SPDX 3.0.1 AI package energy; cyclonedx: CycloneDX 1.6 ML-BOM; "
            "checklist: NeurIPS and ACL checklist compute answers.",
            case_sensitive=False,
        ),
    ] = Format.table,
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
        typer.Option(
            "--training-type",
            help="For --format model-card, spdx and cyclonedx.",
            case_sensitive=False,
        ),
    ] = TrainingType.pre_training,
    per: Annotated[
        Per | None,
        typer.Option(
            "--per",
            help="Also CO2e per functional unit, the SCI (ISO/IEC 21031:2024): (operational + "
            "embodied) / R, R counted from the file's fpo block (pflop: 10^15 FLOP).",
            case_sensitive=False,
        ),
    ] = None,
    created: Annotated[
        str | None,
        typer.Option(
            "--created",
            help="For spdx and cyclonedx: the creation time (ISO 8601, e.g. "
            "2026-01-31T12:00:00Z). Default: $SOURCE_DATE_EPOCH, else now.",
        ),
    ] = None,
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
    loaded = [experiment.load(path, data, common.with_basis(overrides, basis)) for path in files]
    results = [price(item, data) for item in loaded]
    if per is not None:
        from greenai import functional

        results = [functional.attach(e, r, per.value) for e, r in zip(loaded, results, strict=True)]
    common.warn(
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
        color=output is None and common.color(),
        width=common.width(output),
        training_type=training_type.value,
        ranges=bool(ranges),  # off unless asked: a paper's table wants the value alone
        created=created,
    )
    emit(text, output, files)
    common.fail_over_budget(breaches)


def compare(
    files: FilesArgument,
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
        int | None,
        typer.Option(
            "--max-scenarios",
            min=1,
            help="Refuse grids of more scenarios (files x the --vary values) than this. "
            "Default: 1,000,000 (every row kept: about 1.4 GB), or 100,000,000 with --top "
            "(streamed: flat memory, about 20-30 s).",
            show_default=False,
        ),
    ] = None,
    output_format: FormatOption = CompareFormat.table,
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
        common.with_basis(overrides, basis),
        scale_hours_by,
        max_scenarios,
        order,
        top,
    )
    common.warn(comparison.warnings)
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
        color=output is None and common.color(),
        width=common.width(output),
        ranges=ranges is not False,  # on unless refused: a what-if wants the spread
    )
    emit(text, output, files)


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
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Also price the files at the merge base of REF and HEAD (read through git, "
            "nothing checked out) and show the change per file and in total.",
            metavar="REF",
        ),
    ] = None,
    warn_above: Annotated[
        list[str] | None,
        typer.Option(
            "--warn-above",
            help="With --base: warn (exit 0) when a change exceeds an increase: co2e=+5kg, "
            "energy=+1MWh, cost=+100USD, water=+1000L, or a share: co2e=+10% (not for new "
            "files). Repeatable.",
        ),
    ] = None,
    fail_above: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-above",
            help="With --base: fail (exit 1) when a change exceeds an increase, as --warn-above. "
            "Repeatable.",
        ),
    ] = None,
    delta_total: Annotated[
        bool,
        typer.Option(
            "--delta-total",
            help="Apply --warn-above and --fail-above to the total change, not each file.",
        ),
    ] = False,
    overrides: SetOption = None,
    output_format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="github: Markdown to $GITHUB_STEP_SUMMARY (or stdout), ::error annotations, "
            "and outputs to $GITHUB_OUTPUT; pr-comment (with --base): a pull request's comment.",
            case_sensitive=False,
        ),
    ] = CheckFormat.table,
    units: UnitsOption = Units.metric,
    ranges: RangesOption = None,
    comment: Annotated[
        Path | None,
        typer.Option(
            "--comment",
            help="With --base: also write the pull request's comment (as --format pr-comment) "
            "to PATH.",
        ),
    ] = None,
    output: OutputOption = None,
) -> None:
    """Validate and price every experiment file; fail on invalid files and busted budgets.

    Exit status: 0 all valid and within budget, 1 over a budget or a --fail-above tier, 2 an
    invalid file (in the work tree; one invalid at --base is reported), not a git repository
    or an unknown REF.
    """
    github = output_format is CheckFormat.github
    try:
        _check(
            paths,
            exclude,
            budgets,
            budget_total,
            budget_on,
            base,
            warn_above,
            fail_above,
            delta_total,
            overrides,
            output_format,
            units,
            ranges,
            comment,
            output,
        )
    except GreenAIError:
        if github:  # the Action's `passed` output says so even when nothing was priced
            _append(os.environ.get("GITHUB_OUTPUT"), "passed=false\n", "GITHUB_OUTPUT")
        raise


def _check(
    paths: list[Path] | None,
    exclude: list[str] | None,
    budgets: list[str] | None,
    budget_total: bool,
    budget_on: str,
    base: str | None,
    warn_above: list[str] | None,
    fail_above: list[str] | None,
    delta_total: bool,
    overrides: list[str] | None,
    output_format: CheckFormat,
    units: Units,
    ranges: bool | None,
    comment: Path | None,
    output: Path | None,
) -> None:
    from greenai import __version__, budget, checks, report, tables
    from greenai.errors import InputError

    with_base = ("--warn-above", warn_above), ("--fail-above", fail_above), ("--comment", comment)
    if base is None:
        for option, given in (
            *with_base,
            ("--format pr-comment", output_format is CheckFormat.pr_comment),
        ):
            if given:
                raise InputError(f"{option} compares with a base commit: give --base REF too")
    data = tables.load()
    limits = [budget.from_option(text) for text in budgets or ()]
    delta = tree = None
    if base is not None:
        from greenai import delta as changes
        from greenai import git

        tiers = [changes.parse_tier(t, "warn") for t in warn_above or ()]
        tiers += [changes.parse_tier(t, "fail") for t in fail_above or ()]
        tree = git.open_base(base)
    files = checks.find(paths or [], exclude=exclude or ())
    outcomes = checks.run(files, data, limits, overrides or (), budget_total, budget_on)
    status = checks.exit_status(outcomes)
    if tree is not None:
        base_files = checks.find_at_base(tree, paths or [], exclude or ())
        renamed = git.renames(tree)
        delta = changes.compare(
            tree, outcomes, base_files, data, overrides or (), renamed, tiers, delta_total
        )
        status = changes.exit_status(delta, outcomes, status)
    system = report.UnitSystem(units.value)
    color = output is None and common.color()
    if delta is None:
        text = report.render_check(
            outcomes, output_format.value, system, color=color, width=common.width(output)
        )
    else:
        from greenai.render import delta as delta_render
        from greenai.render import github, pr_comment

        if output_format is CheckFormat.json:
            text = delta_render.as_json(delta)
        elif output_format is CheckFormat.github:
            text = github.delta_summary(delta, system)
        elif output_format is CheckFormat.pr_comment:
            text = pr_comment.render(delta, status, system, __version__)
        elif output_format is CheckFormat.markdown:
            from greenai.render import markdown

            text = markdown.sheet(delta_render.sheet(delta, system, bool(ranges)))
        else:
            from greenai.render import terminal

            sheet = delta_render.sheet(delta, system, bool(ranges))
            text = (
                terminal.sheet(sheet, color, common.width(output)) + checks.summary(outcomes) + "\n"
            )
        if comment is not None:
            emit(pr_comment.render(delta, status, system, __version__), comment, files)
    if output_format is CheckFormat.github:
        from greenai.render import github

        place = os.environ.get("GITHUB_OUTPUT")
        _append(place, github.outputs(outcomes, delta, status is ExitStatus.OK), "GITHUB_OUTPUT")
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file and output is None and _append_summary(summary_file, text):
            text = ""
        notes = report.github_annotations(outcomes)
        if delta is not None:
            notes += github.delta_annotations(delta)
        text = notes + text
    emit(text, output, files)
    if output_format is not CheckFormat.github:
        common.warn(w for outcome in outcomes for w in outcome.warnings)
        for outcome in outcomes:
            if outcome.error is not None:
                common.error_line(str(outcome.error))
        if delta is not None:
            common.warn(
                f"{f.path}: invalid at base {delta.short}: {f.base_reason}"
                for f in delta.files
                if f.base_error
            )
            common.warn(c.message() for c in delta.warnings())
            for crossing in delta.failures():
                common.error_line(crossing.message(), prefix="")
    raise typer.Exit(int(status))


def _append(place: str | None, text: str, name: str) -> None:
    """Append to a file the runner reads ($GITHUB_OUTPUT); one that cannot be written is said
    on stderr and the check's exit status is kept."""
    if not place:
        return
    try:
        with open(place, "a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        common.warn([f"{name} {place}: cannot write: {error.strerror or error}"])


def _append_summary(place: str, text: str) -> bool:
    """Append the Markdown to the job summary. A summary that cannot be written (a folder, no
    permission, a full disk) must not turn the verdict into a crash or hide it: warn, let the
    caller print the summary on stdout instead, and keep the check's exit status."""
    try:
        with open(place, "a", encoding="utf-8", errors="replace") as stream:
            stream.write(text)
    except OSError as error:
        common.warn(
            [
                f"GITHUB_STEP_SUMMARY {place}: cannot write: {error.strerror or error}; "
                "the summary is printed below instead"
            ]
        )
        return False
    return True
