"""The LaTeX renderer: booktabs tables for a paper (needs \\usepackage{booktabs}).

Every cell and comment is escaped (escape.latex): one line, every special character as text,
so nothing from a file can run (`\\input`, `\\write18`). Notes and assumptions are `%` comments.
"""

from __future__ import annotations

from collections.abc import Sequence

from greenai.estimate import Estimate
from greenai.render import escape
from greenai.render.numbers import co2e_unit
from greenai.render.options import UnitSystem
from greenai.render.sheet import Sheet, estimate_sheet, sci_notes


def table(command: str, sheet: Sheet, caption: str) -> list[str]:
    """A booktabs table: `l` for text columns, `r` for numbers, a rule above a total row."""
    spec = "".join("r" if number else "l" for number in sheet.numeric)
    lines = [
        f"% greenai {command}: requires \\usepackage{{booktabs}}",
        "\\begin{table}[t]",
        "\\centering",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(escape.latex(h).replace("CO2e", "CO$_2$e") for h in sheet.header) + " \\\\",
        "\\midrule",
    ]
    body = sheet.body
    for index, row in enumerate(body):
        if sheet.total and index == len(body) - 1:
            lines.append("\\midrule")
        lines.append(" & ".join(escape.latex(c) for c in row) + " \\\\")
    return [*lines, "\\bottomrule", "\\end{tabular}", f"\\caption{{{caption}}}", "\\end{table}"]


def estimates(
    items: Sequence[Estimate], system: UnitSystem, assumptions: bool, ranges: bool = False
) -> str:
    """Strubell et al.'s Table 3, and each file's assumptions as comments."""
    caption = f"Estimated cost of training, CO$_2$e in {co2e_unit(system)} (computed with greenai)."
    lines = table("estimate", estimate_sheet(items, system, ranges), caption)
    lines += [f"% {escape.latex(note)}" for note in sci_notes(items)]
    if assumptions:
        for estimate in items:
            lines.append(f"% Assumptions for {escape.latex(estimate.name)}:")
            lines += [
                f"%   {escape.latex(a.what)}: {escape.latex(a.value)} ({escape.latex(a.source)})"
                for a in estimate.assumptions
            ]
    return "\n".join(lines) + "\n"


def comparison(grid: Sheet) -> str:
    """A what-if grid, its lead and notes as comments (the best row marked with `*`)."""
    caption = "What-if comparison (computed with greenai)."
    lines = [f"% {escape.latex(n)}" for n in grid.lead]
    lines += table("compare", grid, caption)
    notes = ([f"* {grid.marked}"] if grid.marked else []) + list(grid.notes)
    lines += [f"% {escape.latex(n)}" for n in notes]
    return "\n".join(lines) + "\n"
