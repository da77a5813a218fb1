"""The README documents every command, and its Quickstart is what CI runs."""

from __future__ import annotations

import typer

from greenai.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme_with_help_text() -> None:
    group = typer.main.get_command(app)
    assert set(group.commands) == {
        "estimate",
        "compare",
        "check",
        "schema",
        "init",
        "regions",
        "hardware",
        "prices",
        "fpo",
        "curve",
    }
    for name, command in group.commands.items():
        assert f"greenai {name}" in README, name
        assert command.help, name


def test_quickstart_commands_are_the_ones_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install_and_test = 'pip install -e ".[test]" && pytest'
    install_and_run = (
        "pip install . && greenai estimate configs/strubell2019/*.yaml --units imperial"
    )
    assert install_and_test in README and install_and_test in ci
    assert install_and_run in README
