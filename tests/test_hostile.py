"""Each danger of hostile input, one test each: YAML bombs, huge files, deep nesting, unsafe tags,
unusual values (warned, still computed), and output that is all or nothing."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from greenai.cli import output as cli_module
from tests.conftest import CONFIGS

ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")
GOOD = "hardware: 8 x V100\nhours: 10\nregion: fr\n"


def greenai(*args: str) -> subprocess.CompletedProcess[str]:
    """A real process, with a generous timeout that only guards against a hang."""
    return subprocess.run(
        [sys.executable, "-m", "greenai", *args], capture_output=True, text=True, timeout=60
    )


def one_line(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "laughs.yaml"
    path.write_text(GOOD + "\n".join(lines) + "\n")
    one_line(greenai("estimate", str(path)), "refusing a YAML alias bomb")


def test_a_10_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(GOOD + "# padding\n" * 1_000_000)
    one_line(
        greenai("estimate", str(path)),
        f"{path}: file is 10,000,{len(GOOD):03d} bytes; an experiment file is expected",
    )


@pytest.mark.parametrize(
    "nested",
    [
        "fpo: " + "[" * 1_000 + "]" * 1_000 + "\n",
        "fpo: " + "{a: " * 1_000 + "1" + "}" * 1_000 + "\n",
    ],
)
def test_thousand_level_nesting_is_refused(tmp_path: Path, nested: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(GOOD + nested)
    one_line(greenai("estimate", str(path)), "nested more than 32 levels deep")


def test_a_few_aliases_are_fine(cli, write) -> None:
    path = write("hardware: &h 8 x V100\nhours: 10\nregion: fr\nname: *h\n")
    assert cli("estimate", path).code == 0


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "tag.yaml"
    marker = tmp_path / "ran"
    path.write_text(GOOD + f"name: !!python/object/apply:os.system ['touch {marker}']\n")
    one_line(greenai("estimate", str(path)), "invalid YAML")
    assert not marker.exists()


def test_unusual_values_are_warned_about_and_computed(cli, write) -> None:
    path = write(
        "hardware:\n  - device: H100\n    count: 8\n    power: 50 kW\n"
        "hours: 10\nruns: 1000000\nregion: fr\npue: 7\n"
    )
    result = cli("estimate", path)
    assert result.code == 0
    assert result.err.splitlines() == [
        f"warning: {path}:4: hardware.0.power: 50,000 W per device is far above the usual range "
        "(up to 2,000 W per device: the highest accelerator TDP in data/hardware.csv is "
        "1,400 W); check it",
        f"warning: {path}:6: runs: 1,000,000 runs is far above the usual range (up to 10,000 "
        "runs: a large hyperparameter search); check it",
        f"warning: {path}:8: pue: 7 is far above the usual range (up to 3: the Uptime "
        "Institute's 2018 global average is 1.58); check it",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hours: .nan\n", "hours: expected a duration that is a finite number"),
        ("hours: .inf\n", "hours: expected a duration that is a finite number"),
        ("hours: 1e300\nruns: 9999999\nfpo: 1e300\n", "the figures are too large to compute"),
        ("hours: -3\n", "hours: expected a duration greater than zero"),
        ("hours: 3 furlongs\n", "hours: expected a duration (e.g. '79.2 h'), could not read"),
        ("hours: 10\nutilization: 80\n", "utilization: unknown key"),
    ],
)
def test_impossible_values_are_refused(cli, write, text, expected) -> None:
    path = write("hardware: 8 x V100\nregion: fr\n" + text)
    result = cli("estimate", path)
    assert result.code == 2
    assert expected in result.err and result.err.count("\n") == 1


# ----------------------------------------------------------------------------- output


def test_ctrl_c_while_writing_leaves_the_old_file(cli, tmp_path, monkeypatch) -> None:
    target = tmp_path / "table.md"
    target.write_text("the old table\n")

    fdopen = os.fdopen

    class Interrupted:
        def __init__(self, handle: int, *args: object, **kwargs: object) -> None:
            self.stream = fdopen(handle, "w", encoding="utf-8")

        def __enter__(self) -> Interrupted:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, text: str) -> None:
            self.stream.write(text[:10])
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_module.os, "fdopen", Interrupted)
    result = cli("estimate", ELMO, "--format", "markdown", "--output", target)
    assert result.code == 130
    assert target.read_text() == "the old table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.md"]  # no temporary file left


def test_an_error_after_output_is_chosen_writes_nothing(cli, write, tmp_path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old\n")
    bad = write("hardware: 8 x V100\nhours: 10\nregion: atlantis\n", "bad.yaml")
    result = cli("estimate", ELMO, bad, "--format", "json", "--output", target)
    assert result.code == 2
    assert target.read_text() == "old\n"


@pytest.mark.parametrize("place", ["/proc/greenai.json", "{tmp}", "{tmp}/no/such/dir/out.json"])
def test_unwritable_outputs_are_one_line_errors(cli, tmp_path, place) -> None:
    path = place.format(tmp=tmp_path)
    result = cli("estimate", ELMO, "--output", path)
    assert result.code == 2
    assert result.err.startswith(f"error: {path}: cannot write") and result.err.count("\n") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(cli, tmp_path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = cli("estimate", ELMO, "--output", folder / "out.json")
    assert result.code == 2 and "cannot write" in result.err


def test_compare_and_check_csv_are_safe_in_a_spreadsheet(cli, write) -> None:
    path = write('name: =HYPERLINK("http://x")\nhardware: 1 x V100\nhours: 1\nregion: fr\n')
    for command in (["compare", path, "--vary", "runs=1,2"], ["estimate", path]):
        result = cli(*command, "--format", "csv")
        assert result.code == 0
        rows = list(csv.DictReader(io.StringIO(result.out)))
        assert rows and all(row["name"] == '\'=HYPERLINK("http://x")' for row in rows)


def test_shipped_configs_raise_no_warning(cli) -> None:
    # published figures (NAS: 274,120 h in Strubell et al.'s Table 3) are inside the usual ranges
    for path in sorted(CONFIGS.rglob("*.yaml")):
        result = cli("estimate", path)
        assert (result.code, result.err) == (0, ""), path


def test_a_key_with_a_control_character_is_shown_quoted(cli, write) -> None:
    path = write('"\\r": null\n')  # found by tests/test_fuzz.py
    result = cli("estimate", path)
    assert result.code == 2
    assert result.err == (
        f"error: {path}:1: '\\r': unknown key; expected one of: name, hardware, memory, power, "
        "embodied, hours, duration, energy, device_hours, runs, region, site, pue, wue, "
        "carbon_intensity, electricity_price, basis, cloud, fpo, budget, stages\n"
    )
