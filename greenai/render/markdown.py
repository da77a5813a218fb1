"""The Markdown renderer: GitHub-flavoured tables for a README, a PR or a job summary.

Every cell and line from a file is escaped (escape.markdown): no emphasis, link, heading, cell
break or HTML comes from data. Rows that stand out (a total, the best scenario, a failing file)
are bold; numbers are right-aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from greenai.estimate import Estimate
from greenai.render import escape
from greenai.render.options import UnitSystem
from greenai.render.sheet import (
    EQUIVALENTS_SOURCE,
    Listed,
    Sheet,
    Tone,
    check_sheet,
    equivalents,
    estimate_assumptions,
    estimate_sheet,
    sci_notes,
    work_sheet,
)
from greenai.tables import Equivalent

if TYPE_CHECKING:
    from greenai.checks import Outcome


def table(sheet: Sheet, cell: Callable[[str], str] = escape.markdown) -> list[str]:
    """The header, the alignment row and a line per row; a row that stands out is bold in its
    `strong` cells (every non-empty cell when it names none). `cell` escapes each cell (a
    GitHub comment or job summary also needs escape.github_markdown's mention and link breaks)."""
    align = ["---:" if right else "---" for right in sheet.aligned_right]
    lines = [_line([cell(c) for c in sheet.header], escaped=True), _line(align, escaped=True)]
    for row in sheet.rows:
        cells = [cell(c) for c in row.cells]
        if row.tone is not Tone.plain:
            strong = range(len(cells)) if row.strong is None else row.strong
            cells = [f"**{c}**" if c and i in strong else c for i, c in enumerate(cells)]
        lines.append(_line(cells, escaped=True))
    return lines


def _line(cells: Sequence[str], escaped: bool = False) -> str:
    shown = cells if escaped else [escape.markdown(c) for c in cells]
    return "| " + " | ".join(shown) + " |"


def assumption_lines(listing: Sequence[Listed]) -> list[str]:
    """Each listing as a paragraph title and a bullet per assumption."""
    md = escape.markdown
    lines = []
    for item in listing:
        lines += ["", f"Assumptions for {md(item.title)}:", ""]
        lines += [f"- {md(a.what)}: {md(a.value)} ({md(a.source)})" for a in item.items]
    return lines


def estimates(
    items: Sequence[Estimate],
    system: UnitSystem,
    equivalent_table: Sequence[Equivalent],
    assumptions: bool,
    ranges: bool = False,
) -> str:
    """Strubell's Table 3, the FPO breakdown, the equivalents in one sentence, assumptions."""
    lines = table(estimate_sheet(items, system, ranges))
    notes = sci_notes(items)
    if notes:
        lines += ["", *(escape.markdown(note) for note in notes)]
    work = work_sheet(items)
    if work.rows:
        lines += ["", f"{work.title}:", "", *table(work)]
    extra = equivalents(items, equivalent_table, system)
    if extra:
        lines += ["", f"CO2e in everyday terms ({EQUIVALENTS_SOURCE}): " + "; ".join(extra) + "."]
    if assumptions:
        lines += assumption_lines(estimate_assumptions(items))
    return "\n".join(lines) + "\n"


def sheet(grid: Sheet) -> str:
    """A sheet with its lead above, the marked row explained and the notes below, then its
    assumptions (a what-if grid)."""
    md = escape.markdown
    lines = table(grid)
    notes = ([f"In bold: the {grid.marked}"] if grid.marked else []) + list(grid.notes)
    lines += ["", *(md(n) for n in notes)] if notes else []
    if grid.lead:
        lines = [*(md(n) for n in grid.lead), "", *lines]
    lines += assumption_lines(grid.assumptions)
    return "\n".join(lines) + "\n"


def check(outcomes: Sequence[Outcome], system: UnitSystem) -> str:
    """`greenai check` as a job summary: a heading, the summary, each file's status in bold
    when it is not ok."""
    from greenai.checks import summary

    lines = ["## greenai check", "", summary(outcomes) + ".", ""]
    lines += table(check_sheet(outcomes, system))
    return "\n".join(lines) + "\n"
