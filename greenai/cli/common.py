"""What the commands share: their options, declared once, and the lines they say on stderr.

Imports typer and greenai.formats only: every command module reads it, `--help` too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from greenai.formats import Basis, CompareFormat, ListFormat, Units
from greenai.status import ExitStatus

# Set by the root callback (--traceback) and by the funnel (a closed stdout), read by both.
state: dict[str, bool] = {"traceback": False, "stdout_closed": False}


FormatOption = Annotated[
    CompareFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
ListFormatOption = Annotated[
    ListFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
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
        help="Fail (exit 1) when an experiment exceeds a limit: co2e=50kg (operational), "
        "co2e_total=60kg (with embodied), cost=1000USD, energy=2MWh (cost: cloud on-demand, "
        "else electricity). Repeatable.",
    ),
]
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
FilesArgument = Annotated[
    list[Path], typer.Argument(help="Experiment files (YAML).", show_default=False)
]
QueryArgument = Annotated[
    str | None,
    typer.Argument(help="Show rows whose key or name contains QUERY.", show_default=False),
]


def with_basis(overrides: list[str] | None, basis: Basis | None) -> list[str]:
    """--basis as the --set it stands for (the experiment file's `basis:` key)."""
    return [*(overrides or ()), *((f"basis={basis.value}",) if basis else ())]


def color() -> bool:
    """Colour for a person at a terminal, unless NO_COLOR says otherwise."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def width(output: Path | None) -> int:
    """COLUMNS when set (the user, or a CI step, chose the width), else the terminal's, else
    160 for a file or a pipe."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and int(columns) > 0:
        return int(columns)
    if output is None and sys.stdout.isatty():
        return os.get_terminal_size().columns
    return 160


def warn(warnings: Iterable[str]) -> None:
    """Values far outside the usual range: computed, but said on stderr."""
    for text in dict.fromkeys(warnings):
        error_line(text, prefix="warning: ", color="33")


def fail_over_budget(breaches: list) -> None:
    """One line per breach on stderr, and exit status 1."""
    for breach in breaches:
        error_line(str(breach), prefix="")
    if breaches:
        raise typer.Exit(int(ExitStatus.OVER_BUDGET))


def error_line(message: str, prefix: str = "error: ", color: str = "31") -> None:
    """The one funnel to stderr. A message may quote a file (its name, a value, a key), so the
    whole line is escaped as terminal text: one line, no terminal sequence, no GitHub workflow
    command (greenai.escape.terminal)."""
    from greenai import escape

    text = escape.terminal(f"{prefix}{message}")
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        text = f"\x1b[{color}m{text}\x1b[0m"
    print(text, file=sys.stderr)
