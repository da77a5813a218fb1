"""What each command imports: `--help` neither pint nor pandas nor the renderers; one estimate no
pandas; JSON, CSV and Markdown no rich (there is no console to draw on)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import CONFIGS

ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")

PROBE = """
import sys
from greenai.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("IMPORTED=" + ",".join(sorted(sys.modules)), file=sys.stderr)
"""

RENDERERS = ("greenai.report", "greenai.render")


def imported(*args: str) -> set[str]:
    """Every module that `greenai ARGS` imported, run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args))],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED=")][-1]
    return set(filter(None, line.removeprefix("IMPORTED=").split(",")))


def renderers(modules: set[str]) -> set[str]:
    return {m for m in modules if m in RENDERERS or m.startswith(tuple(f"{r}." for r in RENDERERS))}


def test_help_imports_neither_pint_nor_pandas() -> None:
    assert imported("--help") & {"pint", "pandas"} == set()
    assert imported("estimate", "--help") & {"pint", "pandas"} == set()


@pytest.mark.parametrize("command", [[], ["estimate"], ["compare"], ["check"], ["regions"]])
def test_help_imports_no_renderer_and_nothing_heavy(command: list[str]) -> None:
    modules = imported(*command, "--help")
    assert modules & {"pint", "pandas", "numpy", "yaml"} == set()
    assert renderers(modules) == set()


def test_the_list_of_commands_imports_no_command_module() -> None:
    modules = imported("--help")
    commands = {
        "greenai.cli.estimate",
        "greenai.cli.tools",
        "greenai.cli.setup",
        "greenai.cli.data",
    }
    assert modules & commands == set()


def test_one_estimate_does_not_import_pandas() -> None:
    modules = imported("estimate", ELMO)
    assert "numpy" in modules  # it did compute (and read its quantities without pint)
    assert "pandas" not in modules


def test_a_table_estimate_into_a_pipe_imports_the_terminal_renderer_alone() -> None:
    """benchmarks/startup.py: a table without colour is drawn without rich, and no other
    format's renderer (nor json, html, hashlib, importlib.resources) is imported for it: the
    file's digest is taken only when a JSON report records it. COLUMNS as
    for a pipe: pytest's readline may have put COLUMNS=80 in the environment children get."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=["estimate", ELMO])],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "160"})  # fmt: skip
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED=")][-1]
    modules = set(line.removeprefix("IMPORTED=").split(","))
    assert "ELMo" in done.stdout
    drawn = {m.removeprefix("greenai.render.") for m in modules if m.startswith("greenai.render.")}
    assert drawn == {"terminal", "sheet", "numbers", "escape", "options", "plot", "snippet"}
    unwanted = {"rich", "json", "html", "hashlib", "pint", "pandas"}
    assert {m.split(".")[0] for m in modules} & unwanted == set()
    assert "importlib.resources" not in modules


@pytest.mark.parametrize("form", ["json", "csv", "markdown"])
def test_text_formats_import_no_rich(form: str) -> None:
    modules = imported("estimate", ELMO, "--format", form)
    assert "greenai.estimate" in modules  # it did compute
    assert {m for m in modules if m == "rich" or m.startswith("rich.")} == set()
    assert "pandas" not in modules


def test_the_listed_commands_are_the_built_ones(capsys, monkeypatch) -> None:
    """`greenai --help` lists stand-ins; building every command changes nothing it shows."""
    import typer

    from greenai.cli import COMMANDS, app

    monkeypatch.setenv("COLUMNS", "100")
    group = typer.main.get_command(app)

    def shown() -> str:
        group.main(["--help"], prog_name="greenai", standalone_mode=False)
        return capsys.readouterr().out

    listed = shown()
    built = dict(group.commands.items())  # reading a command builds it
    assert [type(c).__name__ for c in built.values()] == ["TyperCommand"] * len(COMMANDS)
    assert list(built) == [name for name, _, _ in COMMANDS]
    for name, _, summary in COMMANDS:
        assert built[name].short_help == summary and built[name].help, name
    assert "Commands:" in listed and shown() == listed


@pytest.mark.parametrize(
    "args",
    [
        ["compare", ELMO, "--vary", "runs=1,2", "--format", "json"],
        ["check", ELMO, "--format", "json"],
        ["regions", "fr", "--format", "csv"],
    ],
)
def test_other_commands_text_formats_import_no_rich(args: list[str]) -> None:
    modules = imported(*args)
    assert "greenai.tables" in modules  # it did read the tables
    assert {m for m in modules if m == "rich" or m.startswith("rich.")} == set()
