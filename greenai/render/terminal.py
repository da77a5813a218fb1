"""The terminal renderer (rich): sheets whose numbers never wrap, prose lines, colour on a TTY.

Only a table output imports this module, so JSON, CSV and the other formats never load rich.
Every cell and line is escaped text (escape.terminal) handed to rich as `Text`, never markup.

Without colour (a pipe, a file, NO_COLOR) rich is imported only when a table needs it: prose
lines, and tables that fit the width in characters rich measures as one cell each, are written
here as rich writes them (tests/test_render.py compares the two), since importing rich's console
would cost a single `greenai estimate` a tenth of its start-up (benchmarks/startup.py).
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
    from rich.console import Console

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


def draw(console: Screen, table: Sheet) -> None:
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


def draw_assumptions(console: Screen, listing: Sequence[Listed]) -> None:
    for item in listing:
        title = f"{item.title} ({item.detail})" if item.detail else item.title
        say(console, f"Assumptions for {title}:", "bold", gap=True)
        _table(console, assumption_sheet(item.items))


def say(console: Screen, line: str, style: str | None = None, gap: bool = False) -> None:
    """A line of prose (after an empty line, with `gap`): escaped as a whole, since it may
    quote a file; never read as markup; never wrapped by rich (the terminal soft-wraps it),
    so a number in it is never split."""
    if gap:
        _line(console, "")
    _line(console, escape.terminal(line), style)


def _line(console: Screen, line: str, style: str | None = None) -> None:
    """One line as rich prints `Text` with soft_wrap: unwrapped, uncropped."""
    if isinstance(console, Plain) and console.writes(line):
        console.file.write(f"{line}\n")
        return
    from rich.text import Text

    _rich(console).print(Text(line, style=style or ""), soft_wrap=True)


def _table(console: Screen, table: Sheet) -> None:
    """A table for the terminal whose numbers never wrap: label columns fold, number columns
    keep their longest figure; below the width where that fits, one card per row (``Label:
    value`` lines). Every cell is escaped text (escape.terminal), never rich markup."""
    numeric = table.numeric
    header = [escape.terminal(h) for h in table.header]
    body = [[escape.terminal(c) for c in row] for row in table.body]
    styles = [STYLES[row.tone] for row in table.rows]
    width = console.width
    widest = [max((_cells(row[i]) for row in body), default=0) for i in range(len(header))]
    natural = [max(_cells(h), w) for h, w in zip(header, widest, strict=True)]
    gaps = _GAP * (len(header) - 1)
    fixed: list[int | None] = [None] * len(header)
    if sum(natural) + gaps > width:
        # Numbers keep their whole header if the labels still get LABEL_ROOM each, else their
        # longest figure (the header wraps at its spaces); labels fold into what is left.
        words = [max((_cells(w) for w in h.split()), default=0) for h in header]
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
    if isinstance(console, Plain) and console.fits(header, body, natural, fixed):
        console.table(header, body, numeric, natural, table.total)
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

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
    _rich(console).print(grid)


def _cards(
    console: Screen,
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
            _line(console, "")
        for line in _fold(row[0] or "—", width):
            _line(console, line, "bold" if style is None else style)
        for title, cell, is_number in zip(header[1:], row[1:], numeric[1:], strict=True):
            if not cell:
                continue
            line = f"  {title}: {cell}"
            if not is_number:
                lines = _fold(line, width, indent="    ")
            elif _cells(line) <= width:
                lines = [line]
            else:
                lines = [f"  {title}:", f"    {cell}"]
            for part in lines:
                _line(console, part, style)


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


def _open(color: bool, width: int) -> tuple[io.StringIO, Screen]:
    """A console that renders into a buffer: rich's with colour (a TTY), else `Plain` (rich's
    console stays for Windows, whose legacy console rich measures one column narrower)."""
    buffer = io.StringIO()
    if color or os.name == "nt":
        return buffer, _console(buffer, color, usable(width))
    return buffer, Plain(buffer, usable(width))


def _console(buffer: io.StringIO, color: bool, width: int) -> Console:
    """A rich console that renders into a buffer: colour only when asked (a TTY)."""
    from rich.console import Console

    return Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
    )


def _rich(console: Screen) -> Console:
    return console.rich() if isinstance(console, Plain) else console


# Characters that rich measures as one cell (rich.cells: its own single-cell ranges, and the
# dashes, quotes, bullets and ellipsis of General Punctuation), so that their count is the width
# rich gives a column; the tests check each against rich.cells.cell_len.
ONE_CELL = frozenset(
    chr(code)
    for start, end in (
        (0x20, 0x7E),
        (0xA0, 0xAC),
        (0xAE, 0x2FF),
        (0x370, 0x482),
        (0x2010, 0x2027),
        (0x2030, 0x205E),
        (0x2500, 0x25FC),
    )
    for code in range(start, end + 1)
)
# What rich's `Text` changes in a line (control codes dropped, tabs expanded, lines split);
# escape.terminal leaves none of them, but a line with one goes to rich all the same.
_REWRITTEN = frozenset(chr(code) for code in range(0x20)) | {"\x7f"}


def _cells(text: str) -> int:
    """The columns `text` takes in a terminal, as rich counts them."""
    if ONE_CELL.issuperset(text):
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


class Plain:
    """A console without colour that writes what rich's would, without importing rich: prose
    lines (rich's `Text` with soft_wrap), and tables whose columns all keep their natural width
    (rich.table with SIMPLE_HEAD, no edge, no edge padding, as `_table` builds them). Anything
    else goes to a rich console on the same buffer (`rich()`), so nothing is laid out twice."""

    def __init__(self, file: io.StringIO, width: int) -> None:
        self.file = file
        self.width = width
        self._console: Console | None = None

    def rich(self) -> Console:
        if self._console is None:
            self._console = _console(self.file, False, self.width)
        return self._console

    def writes(self, line: str) -> bool:
        return _REWRITTEN.isdisjoint(line)

    def fits(
        self,
        header: Sequence[str],
        body: Sequence[Sequence[str]],
        natural: Sequence[int],
        fixed: Sequence[int | None],
    ) -> bool:
        """Whether rich would give every column its natural width: no column fixed, none empty,
        each cell one line of one-cell characters, and the widths, with one space of padding
        either side of each inner border and the border itself, within the width."""
        if not header or any(size is not None for size in fixed) or not all(natural):
            return False
        if not all(ONE_CELL.issuperset(cell) for cell in header):
            return False
        if not all(ONE_CELL.issuperset(cell) for row in body for cell in row):
            return False
        return sum(natural) + 3 * (len(natural) - 1) <= self.width

    def table(
        self,
        header: Sequence[str],
        body: Sequence[Sequence[str]],
        numeric: Sequence[bool],
        natural: Sequence[int],
        total: bool,
    ) -> None:
        """The header, a rule under it, the rows (a blank line before a total row), cells
        left-aligned or right-aligned (a right-aligned cell loses its trailing spaces, as in
        rich), three spaces between columns; lines lose their trailing spaces in `text`."""

        def line(cells: Sequence[str]) -> str:
            return "   ".join(
                cell.rstrip().rjust(size) if number else cell.ljust(size)
                for cell, number, size in zip(cells, numeric, natural, strict=True)
            )

        lines = [line(header), "─" * (sum(natural) + 3 * (len(natural) - 1))]
        for index, row in enumerate(body):
            lines.append(line(row))
            if total and index == len(body) - 2:
                lines.append("")
        self.file.write("".join(f"{text}\n" for text in lines))


if TYPE_CHECKING:
    Screen = Plain | Console  # what the drawing functions print on


def text(buffer: io.StringIO) -> str:
    """What the console wrote, without trailing spaces, ending in a newline."""
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
