"""The `greenai` command: parse arguments, call the core, render, write. No arithmetic here.

One module per command group, each a set of typer-annotated functions:

    estimate.py   estimate, compare, check    pricing experiments (and failing CI over budget)
    batch.py      batch                       a cluster's job log (sacct, CSV, Parquet) priced
    tools.py      fpo, curve                  Green AI's tools: FPO counts, expected-best curves
    verify.py     verify                      a JSON report's figures, recomputed from its inputs
    setup.py      schema, init                the experiment file's schema, a starter file
    data.py       regions, hardware, prices   the data tables as listings
    common.py     the options the commands share, warnings and error lines on stderr
    output.py     writing a result: stdout in its encoding, --output atomically
    funnel.py     main(): every outcome to one exit status and at most one error line

Start-up matters (benchmarks/startup.py): `greenai --help` lists the commands from COMMANDS
below without importing their modules, and a command's module (and typer's reading of its
signature) is loaded only when that command runs or shows its own help. The modules import
typer and greenai.formats at the top; pint, the tables and the renderers are imported inside the
commands that use them.
"""

from __future__ import annotations

import gc

# A command allocates some 50,000 objects while it imports typer, numpy and greenai's modules,
# and almost none of them are garbage: at Python's default threshold (700 allocations) the young
# generation is collected ~70 times, ~20 ms of a single estimate (benchmarks/startup.py), for
# nothing. At 100,000 a short run is never collected, and a long one (compare, a large batch)
# still collects its cycles every 100,000 allocations. Set before typer is imported.
if gc.get_threshold()[0] < 100_000:
    gc.set_threshold(100_000, *gc.get_threshold()[1:])

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from greenai import __version__
from greenai.cli import common
from greenai.cli.funnel import main

__all__ = ["COMMANDS", "app", "main"]

# Every command in the order `greenai --help` lists it: name, the module under greenai.cli that
# holds the function of that name, and its line in the list.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("estimate", "estimate", "Price experiments: kWh, CO2e, cost and FPO."),
    ("compare", "estimate", "What-if grid: each file under --vary values."),
    ("check", "estimate", "Validate and price files; fail over budget."),
    ("batch", "batch", "Price a cluster's job log (SLURM sacct)."),
    ("fpo", "tools", "Count a PyTorch model's FPO per example."),
    ("curve", "tools", "Expected best score after n trials, vs cost."),
    ("verify", "verify", "Recompute a JSON report; say which figures still hold."),
    ("schema", "setup", "JSON Schema of the experiment file."),
    ("init", "setup", "Write a commented starter experiment file."),
    ("regions", "data", "Grid and cloud regions, carbon intensity."),
    ("hardware", "data", "GPUs, TPUs, CPUs: TDP and peak FLOP/s."),
    ("prices", "data", "Cloud prices per device-hour."),
)


class _Listed(TyperCommand):
    """A command as `greenai --help` lists it: its name and summary, nothing imported yet."""

    def __init__(self, name: str, module: str, summary: str) -> None:
        super().__init__(name, short_help=summary)
        self.module = module


class _Commands(MutableMapping[str, Any]):
    """The root group's commands by name: reading one (`commands[name]`, `.get`, `.items()`)
    builds it in place of its `_Listed` stand-in; `listed` reads without building."""

    def __init__(self, commands: dict[str, Any]) -> None:
        self._commands = commands

    def listed(self, name: str) -> Any:
        return self._commands.get(name)

    def __getitem__(self, name: str) -> Any:
        command = self._commands[name]
        if isinstance(command, _Listed):
            command = self._commands[name] = _build(command)
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        del self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)


class LazyGroup(TyperGroup):
    """The root group: its commands are `_Listed` stand-ins until one is run, completed, asked
    for its own help or read from `commands`; `greenai --help` lists the stand-ins."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        listed = {name: _Listed(name, module, summary) for name, module, summary in COMMANDS}
        self.commands = _Commands({**listed, **self.commands})
        self._listing = False

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        if self._listing:
            return self.commands.listed(cmd_name)  # type: ignore[attr-defined]
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # the names, in COMMANDS' order, without building any

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


def _build(listed: _Listed) -> TyperCommand:
    """The real command of a stand-in: its module imported and its function read by typer, as
    `@app.command(short_help=...)` on that function would have made it."""
    from typer.main import get_command_from_info
    from typer.models import CommandInfo

    name = str(listed.name)
    callback = getattr(importlib.import_module(f"greenai.cli.{listed.module}"), name)
    info = CommandInfo(name=name, callback=callback, short_help=listed.short_help)
    return get_command_from_info(  # type: ignore[return-value]
        info,
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )


app = typer.Typer(
    name="greenai",
    cls=LazyGroup,
    help="Price ML experiments: energy (kWh), carbon (CO2e), money and FPO, every figure sourced.",
    epilog="New here? `greenai init experiment.yaml` writes a commented starter file; then "
    "`greenai estimate experiment.yaml`.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
    common.state["traceback"] = traceback
