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
        "verify",
        "batch",
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


def _blocks(fence: str) -> list[str]:
    """The contents of the README's fenced blocks that open with FENCE (```text, ```yaml...)."""
    blocks, lines, inside = [], [], False
    for line in README.split("\n"):
        if not inside and line == fence:
            inside, lines = True, []
        elif inside and line == "```":
            inside = False
            blocks.append("\n".join(lines))
        elif inside:
            lines.append(line)
    return blocks


def test_help_blocks_are_the_live_help(cli, monkeypatch) -> None:
    """A `--help` block in the README is what `greenai COMMAND --help` prints in 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    shown = [b for b in _blocks("```text") if b.startswith("Usage: greenai ")]
    assert shown, "the README shows no --help block"
    for block in shown:
        name = block.split()[2]
        result = cli(name, "--help")
        live = "\n".join(line.rstrip() for line in result.out.rstrip("\n").split("\n"))
        assert block == live, f"the README's `greenai {name} --help` is stale"


def test_exit_code_table_is_greenai_status() -> None:
    """The README's exit-code table lists every ExitStatus, with its number and its meaning."""
    from greenai.status import ExitStatus

    rows = {}
    for line in README.split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 3 and cells[0].isdigit() and cells[1].startswith("`"):
            rows[int(cells[0])] = (cells[1].strip("`"), cells[2].replace("\\|", "|"))
    assert rows == {int(s): (s.name, s.__doc__) for s in ExitStatus}


def test_the_documented_experiment_file_prices(tmp_path) -> None:
    """The annotated example under "The experiment file" is a valid file, as written."""
    import greenai

    example = next(b for b in _blocks("```yaml") if b.startswith("# greenai experiment"))
    for key in ("site:", "basis:", "instance:", "price: [0.74 USD/h, 2.48 USD/h]", "budget:"):
        assert key in example, key
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    found = greenai.price(path)
    assert found.total.energy_kwh > 0
