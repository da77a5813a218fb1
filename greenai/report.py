"""The façade of the renderers: a result and a `--format` choice in, text out.

Each format is one pure module of `greenai.render` over the neutral sheets of
`greenai.render.sheet` (the layout of pip-audit's `_format/`); this module only picks the
module for the format, and keeps the names the CLI and older callers import
(`report.render`, `report.rows`, `report.Format`, ...). The terminal renderer, and with it
rich, is imported only when a table is asked for.

The table follows Strubell et al. 2019, Table 3 (model, hardware, power, hours, kWh·PUE, CO2e,
cloud compute cost), with electricity cost and FPO beside, a total row when there are several
experiments, and the CO2e total in Strubell's Table 1 equivalents. Every format renders the same
rows; JSON is the machine-readable twin, with the keys of DESIGN.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from greenai.estimate import Estimate
from greenai.render import escape, plot, sheet
from greenai.render.numbers import (
    co2e,
    co2e_unit,
    count,
    flop,
    hours,
    money,
    money_range,
    number,
    plural,
    ranged,
    ratio,
)
from greenai.render.options import Format, UnitSystem
from greenai.render.sheet import (
    EQUIVALENTS_SOURCE,
    LABELS,
    WORK_HEADERS,
    WORK_TITLE,
    curve_rows,
    equivalents,
)
from greenai.render.snippet import fpo_block
from greenai.tables import Equivalent

if TYPE_CHECKING:
    import pandas as pd

    from greenai.checks import Outcome
    from greenai.compare import Comparison
    from greenai.curve import Curve
    from greenai.flops import Count
    from greenai.verify import Verdict

__all__ = [
    "EQUIVALENTS_SOURCE",
    "LABELS",
    "RANGED_CSV",  # noqa: F822 (__getattr__: from the CSV renderer when asked for)
    "RANGE_COLUMNS",  # noqa: F822
    "WORK_HEADERS",
    "WORK_TITLE",
    "Format",
    "UnitSystem",
    "chart",
    "check_rows",
    "co2e",
    "co2e_unit",
    "comparison_rows",
    "count",
    "curve_rows",
    "equivalents",
    "flop",
    "fpo_block",
    "github_annotations",
    "hours",
    "latex_escape",
    "money",
    "money_range",
    "number",
    "plot_curve",
    "plural",
    "ranged",
    "ratio",
    "render",
    "render_check",
    "render_comparison",
    "render_csv",
    "render_curve",
    "render_fpo",
    "render_latex",
    "render_markdown",
    "render_model_card",
    "render_records",
    "render_table",
    "render_verification",
    "rows",
    "work_rows",
]

chart = plot.chart
latex_escape = escape.latex


def __getattr__(name: str) -> object:
    """The CSV renderer's names this module kept: each format's renderer is imported only when
    that format is rendered (benchmarks/startup.py: a table estimate loads none of the others)."""
    if name in ("RANGE_COLUMNS", "RANGED_CSV"):
        from greenai.render import csv as csv_format

        return getattr(csv_format, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ----------------------------------------------------------------------------- estimate


def render(
    estimates: Sequence[Estimate],
    form: Format,
    system: UnitSystem = UnitSystem.metric,
    equivalent_table: Sequence[Equivalent] = (),
    assumptions: bool = False,
    color: bool = False,
    width: int = 160,
    training_type: str = "pre-training",
    ranges: bool = False,
    created: str | None = None,
) -> str:
    """`ranges`: figures as `value (low–high)` in the table, Markdown and LaTeX; JSON and CSV
    always carry the bounds (in their own keys and columns). `created`: the creation time of
    an SPDX or CycloneDX document (ISO 8601; None: SOURCE_DATE_EPOCH, else now)."""
    if form is Format.annex_xi:
        from greenai.render import annex_xi

        return annex_xi.estimates(estimates)
    if form is Format.spdx:
        from greenai.render import spdx

        return spdx.estimates(estimates, training_type, created)
    if form is Format.cyclonedx:
        from greenai.render import cyclonedx

        return cyclonedx.estimates(estimates, training_type, created)
    if form is Format.checklist:
        from greenai.render import checklist

        return checklist.estimates(estimates)
    if form is Format.json:
        from greenai.render import json as json_format

        return json_format.estimates(estimates)
    if form is Format.csv:
        return render_csv(estimates, system, assumptions)
    if form is Format.markdown:
        return render_markdown(estimates, system, equivalent_table, assumptions, ranges)
    if form is Format.latex:
        return render_latex(estimates, system, assumptions, ranges)
    if form is Format.model_card:
        return render_model_card(estimates, training_type)
    return render_table(estimates, system, equivalent_table, assumptions, color, width, ranges)


def render_table(
    estimates: Sequence[Estimate],
    system: UnitSystem,
    equivalent_table: Sequence[Equivalent],
    assumptions: bool,
    color: bool,
    width: int,
    ranges: bool = False,
) -> str:
    from greenai.render import terminal

    return terminal.estimates(
        estimates, system, equivalent_table, assumptions, color, width, ranges
    )


def render_csv(estimates: Sequence[Estimate], system: UnitSystem, assumptions: bool) -> str:
    from greenai.render import csv as csv_format

    return csv_format.estimates(estimates, system, assumptions)


def render_markdown(
    estimates: Sequence[Estimate],
    system: UnitSystem,
    equivalent_table: Sequence[Equivalent],
    assumptions: bool,
    ranges: bool = False,
) -> str:
    from greenai.render import markdown

    return markdown.estimates(estimates, system, equivalent_table, assumptions, ranges)


def render_latex(
    estimates: Sequence[Estimate], system: UnitSystem, assumptions: bool, ranges: bool = False
) -> str:
    from greenai.render import latex

    return latex.estimates(estimates, system, assumptions, ranges)


def render_model_card(estimates: Sequence[Estimate], training_type: str) -> str:
    from greenai.render import model_card

    return model_card.estimates(estimates, training_type)


def rows(
    estimates: Sequence[Estimate], system: UnitSystem, ranges: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Header and body rows of the estimate sheet (raw text: each renderer escapes it)."""
    table = sheet.estimate_sheet(estimates, system, ranges)
    return list(table.header), table.body


def work_rows(estimates: Sequence[Estimate]) -> list[list[str]]:
    """The FPO breakdown (E x D x H, peak, MFU): a row per experiment that gives FPO."""
    return sheet.work_sheet(estimates).body


# ----------------------------------------------------------------------------- compare


def comparison_rows(
    comparison: Comparison,
    shown: pd.DataFrame,
    system: UnitSystem,
    best: int | None,
    ranges: bool = True,
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a what-if grid (the best row's first cell marked with `* `)."""
    table = sheet.comparison_sheet(comparison, shown, system, best, ranges)
    return list(table.header), table.body


def render_comparison(
    comparison: Comparison,
    shown: pd.DataFrame,
    form: Format,
    system: UnitSystem = UnitSystem.metric,
    best: int | None = None,
    best_by: str = "CO2e",
    assumptions: bool = False,
    color: bool = False,
    width: int = 160,
    ranges: bool = True,
) -> str:
    """A what-if grid in any format of `estimate`; `best` is the frame index to highlight;
    `ranges` shows each figure's (low–high) beside its value (rows are sorted by the value)."""
    from greenai.render import csv as csv_format
    from greenai.render import json as json_format
    from greenai.render import latex, markdown

    if form is Format.json:
        return json_format.comparison(comparison, shown)
    if form is Format.csv:
        return csv_format.comparison(comparison, shown, system)
    grid = sheet.comparison_sheet(comparison, shown, system, best, ranges, best_by, assumptions)
    if form is Format.markdown:
        return markdown.sheet(grid)
    if form is Format.latex:
        return latex.comparison(grid)
    from greenai.render import terminal

    return terminal.sheet(grid, color, width)


# ----------------------------------------------------------------------------- check


def check_rows(
    outcomes: Sequence[Outcome], system: UnitSystem
) -> tuple[list[str], list[list[str]]]:
    table = sheet.check_sheet(outcomes, system)
    return list(table.header), table.body


def render_check(
    outcomes: Sequence[Outcome],
    form: str,
    system: UnitSystem = UnitSystem.metric,
    color: bool = False,
    width: int = 160,
) -> str:
    """The summary of `greenai check` as table, json, markdown or github (a job summary)."""
    from greenai.render import github, markdown
    from greenai.render import json as json_format

    if form == "json":
        return json_format.check(outcomes)
    if form == "github":
        return github.summary(outcomes, system)
    if form == "markdown":
        return markdown.check(outcomes, system)
    from greenai.render import terminal

    return terminal.check(outcomes, system, color, width)


def github_annotations(outcomes: Sequence[Outcome]) -> str:
    """GitHub Actions workflow commands for invalid files, busted budgets, unusual values."""
    from greenai.render import github

    return github.annotations(outcomes)


# ----------------------------------------------------------------------------- fpo, curve


def render_fpo(
    count: Count, form: str, examples: float | None, command: str, width: int = 160
) -> str:
    """`greenai fpo`: the count by operator, per batch and per example, and the fpo block."""
    from greenai.render import json as json_format

    if form == "json":
        return json_format.fpo(count, examples)
    if form == "yaml":
        return fpo_block(count, examples, command)
    from greenai.render import terminal

    return terminal.fpo(count, examples, command, width)


def render_curve(curve: Curve, form: str, width: int = 160) -> str:
    """`greenai curve`: a chart and the table by default; every point as JSON or CSV."""
    from greenai.render import csv as csv_format
    from greenai.render import json as json_format

    if form == "json":
        return json_format.curve(curve)
    if form == "csv":
        return csv_format.curve(curve)
    from greenai.render import terminal

    return terminal.curve(curve, width)


def plot_curve(curve: Curve, kind: str) -> bytes:
    """The curve as a PNG, SVG or PDF figure (matplotlib, the optional extra greenai[plot])."""
    return plot.figure(curve, kind)


# ----------------------------------------------------------------------------- verify


def render_verification(verdict: Verdict, form: str, color: bool = False, width: int = 160) -> str:
    """`greenai verify`: the figures of a report, recorded and now, as table, json or markdown."""
    from greenai.render import json as json_format
    from greenai.render import markdown

    if form == "json":
        return json_format.verification(verdict)
    table = sheet.verify_sheet(verdict)
    if form == "markdown":
        return markdown.sheet(table)
    from greenai.render import terminal

    return terminal.sheet(table, color, width)


# ----------------------------------------------------------------------------- listings


def render_records(
    records: Sequence[dict[str, object]],
    columns: Sequence[tuple[str, str]],
    form: Format,
    color: bool = False,
    width: int = 160,
) -> str:
    """A listing (regions, hardware, prices) as a table (chosen columns), JSON or CSV (all)."""
    from greenai.render import csv as csv_format
    from greenai.render import json as json_format

    if form is Format.json:
        return json_format.records(records)
    if form is Format.csv:
        return csv_format.records(records, columns)
    if form is not Format.table:
        raise ValueError(f"listings come as table, json or csv, not {form}")
    from greenai.render import terminal

    return terminal.sheet(sheet.listing_sheet(records, columns), color, width)
