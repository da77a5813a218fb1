"""The terminal renderer (rich): sheets whose numbers never wrap, prose lines, colour on a TTY.

Only a table output imports this module, so JSON, CSV and the other formats never load rich.
Every cell and line is escaped text (escape.terminal) handed to rich as `Text`, never markup.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from greenai.estimate import Estimate
from greenai.render import escape
from greenai.render.numbers import flop, number, score, usable
from greenai.render.options import UnitSystem
from greenai.render.plot import chart
from greenai.render.sheet import (
    EQUIVALENTS_SOURCE,
    Listed,
    Sheet,
    Tone,
    apart,
    assumption_sheet,
    check_sheet,
    curve_sheet,
    equivalents,
    estimate_assumptions,
    estimate_sheet,
    operator_sheet,
    sci_notes,
    work_sheet,
)
from greenai.render.snippet import fpo_block
from greenai.tables import Equivalent

if TYPE_CHECKING:
    from greenai.checks import Outcome
    from greenai.curve import Curve
    from greenai.flops import Count

# A label column keeps at least this many characters (or its whole text, when shorter) before
# the sheet gives up on columns and lists one card per row.
LABEL_MIN = 12
CARD_MIN = 24  # cards fold text at no fewer columns: a 1-column terminal wraps lines itself
LABEL_ROOM = 20  # ... and before number headers wrap onto several lines
_GAP = 2  # SIMPLE_HEAD without edges: one space of padding either side of each inner border
STYLES = {
    Tone.plain: None,
    Tone.total: "bold",
    Tone.best: "bold green",
    Tone.warning: "yellow",
    Tone.error: "red",
}


# ----------------------------------------------------------------------------- by result


def estimates(
    items: Sequence[Estimate],
    system: UnitSystem,
    equivalent_table: Sequence[Equivalent],
    assumptions: bool,
    color: bool,
    width: int,
    ranges: bool = False,
) -> str:
    """Strubell's Table 3, the FPO breakdown, the equivalents, and each file's assumptions."""
    buffer, console = _open(color, width)
    table, beyond = apart(estimate_sheet(items, system, ranges), system)
    draw(console, table)
    if beyond is not None:
        draw(console, beyond)
    for note in sci_notes(items):
        say(console, note, "dim")
    work = work_sheet(items)
    if work.rows:
        draw(console, work)
    lines = equivalents(items, equivalent_table, system)
    if lines:
        say(console, f"CO2e in everyday terms ({EQUIVALENTS_SOURCE}):", "dim", gap=True)
        for line in lines:
            say(console, f"  {line}", "dim")
    if assumptions:
        draw_assumptions(console, estimate_assumptions(items))
    return text(buffer)


def sheet(table: Sheet, color: bool = False, width: int = 160) -> str:
    """Any sheet with its lead, notes and assumptions (a what-if grid, a data listing)."""
    buffer, console = _open(color, width)
    draw(console, table)
    return text(buffer)


def check(outcomes: Sequence[Outcome], system: UnitSystem, color: bool, width: int) -> str:
    """`greenai check`: the files coloured by status, then the one-line summary."""
    from greenai.checks import summary

    buffer, console = _open(color, width)
    draw(console, check_sheet(outcomes, system))
    say(console, summary(outcomes), "bold")
    return text(buffer)


def fpo(count: Count, examples: float | None, command: str, width: int) -> str:
    """`greenai fpo`: the count by operator, per batch and per example, and the fpo block."""
    buffer, console = _open(False, width)
    what = "forward + backward" if count.training else "forward"
    say(console, f"FPO of {count.target} ({what}, batch of {count.batch}):")
    draw(console, operator_sheet(count))
    say(console, f"Per batch of {count.batch}: {flop(count.total)}")
    say(console, f"Per example:    {flop(count.per_example)}")
    say(console, "")
    for line in fpo_block(count, examples, command).splitlines():
        say(console, line)
    return text(buffer)


def curve(found: Curve, width: int) -> str:
    """`greenai curve`: the headline, a text chart, and the table of n."""
    width = usable(width)
    best = "lowest" if found.minimize else "best"
    lines = [
        f"Expected {best} {found.metric} after n trials (Dodge et al. 2019), from "
        f"{found.trials} trials; {best} observed: {score(found.best)}",
        "",
        *chart(found, columns=max(20, min(60, width - 20))),
        "",
    ]
    buffer, console = _open(False, width)
    for line in lines:
        say(console, line)
    draw(console, curve_sheet(found))
    if found.cost_per_trial is not None:
        say(
            console,
            f"cost of n trials = n x {number(found.cost_per_trial)} {found.cost_label} "
            "(the mean per trial)",
        )
    return text(buffer)


# ----------------------------------------------------------------------------- drawing


def draw(console: Console, table: Sheet) -> None:
    """A sheet: its title (after an empty line), lead, table, what the marked row is, notes,
    and its assumption listings."""
    if table.title:
        say(console, f"{table.title}:", "bold", gap=True)
    for note in table.lead:
        say(console, note, "dim")
    _table(console, table)
    if table.marked:
        say(console, f"* {table.marked}", "dim")
    for note in table.notes:
        say(console, note, "dim")
    draw_assumptions(console, table.assumptions)


def draw_assumptions(console: Console, listing: Sequence[Listed]) -> None:
    for item in listing:
        title = f"{item.title} ({item.detail})" if item.detail else item.title
        say(console, f"Assumptions for {title}:", "bold", gap=True)
        _table(console, assumption_sheet(item.items))


def say(console: Console, line: str, style: str | None = None, gap: bool = False) -> None:
    """A line of prose (after an empty line, with `gap`): escaped as a whole, since it may
    quote a file; never read as markup; never wrapped by rich (the terminal soft-wraps it),
    so a number in it is never split."""
    if gap:
        console.print("")
    console.print(Text(escape.terminal(line), style=style or ""), soft_wrap=True)


def _table(console: Console, table: Sheet) -> None:
    """A table for the terminal whose numbers never wrap: label columns fold, number columns
    keep their longest figure; below the width where that fits, one card per row (``Label:
    value`` lines). Every cell is escaped text (escape.terminal), never rich markup."""
    numeric = table.numeric
    header = [escape.terminal(h) for h in table.header]
    body = [[escape.terminal(c) for c in row] for row in table.body]
    styles = [STYLES[row.tone] for row in table.rows]
    width = console.width
    widest = [max((cell_len(row[i]) for row in body), default=0) for i in range(len(header))]
    natural = [max(cell_len(h), w) for h, w in zip(header, widest, strict=True)]
    gaps = _GAP * (len(header) - 1)
    fixed: list[int | None] = [None] * len(header)
    if sum(natural) + gaps > width:
        # Numbers keep their whole header if the labels still get LABEL_ROOM each, else their
        # longest figure (the header wraps at its spaces); labels fold into what is left.
        words = [max((cell_len(w) for w in h.split()), default=0) for h in header]
        tight = [max(widest[i], words[i], 1) for i in range(len(header))]
        for sizes, least in ((natural, LABEL_ROOM), (tight, LABEL_MIN)):
            room = width - gaps - sum(n for n, num in zip(sizes, numeric, strict=True) if num)
            labels = [min(n, least) for n, num in zip(natural, numeric, strict=True) if not num]
            if room >= sum(labels):
                fixed = [n if num else None for n, num in zip(sizes, numeric, strict=True)]
                break
        else:
            _cards(console, header, body, numeric, styles)
            return
    grid = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for title, is_number, size in zip(header, numeric, fixed, strict=True):
        grid.add_column(
            Text(title),
            justify="right" if is_number else "left",
            overflow="fold",
            no_wrap=is_number and size is None,
            width=size,
        )
    for index, (row, style) in enumerate(zip(body, styles, strict=True)):
        grid.add_row(
            *(Text(cell) for cell in row),
            style=style,
            end_section=table.total and index == len(body) - 2,
        )
    console.print(grid)


def _cards(
    console: Console,
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    styles: Sequence[str | None],
) -> None:
    """One block per row: its first cell as a title, then ``Label: value``. Text folds at the
    width (CARD_MIN at least); a number stays whole, on a line of its own when the label and it
    do not fit."""
    width = max(console.width, CARD_MIN)
    for index, (row, style) in enumerate(zip(body, styles, strict=True)):
        if index:
            console.print("")
        for line in _fold(row[0] or "—", width):
            console.print(Text(line, style="bold" if style is None else style), soft_wrap=True)
        for title, cell, is_number in zip(header[1:], row[1:], numeric[1:], strict=True):
            if not cell:
                continue
            line = f"  {title}: {cell}"
            if not is_number:
                lines = _fold(line, width, indent="    ")
            elif cell_len(line) <= width:
                lines = [line]
            else:
                lines = [f"  {title}:", f"    {cell}"]
            for part in lines:
                console.print(Text(part, style=style or ""), soft_wrap=True)


def _fold(line: str, width: int, indent: str = "") -> list[str]:
    """`line` cut into lines of `width` characters at most (at spaces where it can), the
    lines after the first indented; nothing dropped."""
    room = max(width, len(indent) + 1)
    return textwrap.wrap(
        line,
        room,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [line]


def _open(color: bool, width: int) -> tuple[io.StringIO, Console]:
    """A rich console that renders into a buffer: colour only when asked (a TTY)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=usable(width),
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
    )
    return buffer, console


def text(buffer: io.StringIO) -> str:
    """What the console wrote, without trailing spaces, ending in a newline."""
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
