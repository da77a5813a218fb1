"""Every exit status greenai documents (greenai.status.ExitStatus), each produced for real.

CI scripts branch on these numbers, so each gets a test that makes greenai end that way.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

import greenai.estimate
from greenai.cli import output as cli_module
from greenai.status import ExitStatus
from tests.conftest import CONFIGS, ROOT

ELMO = CONFIGS / "strubell2019" / "elmo.yaml"


def test_ok(cli) -> None:
    result = cli("estimate", ELMO)
    assert result.code == ExitStatus.OK == 0
    assert result.err == ""


def test_over_budget(cli) -> None:
    result = cli("estimate", ELMO, "--budget", "co2e=1kg")
    assert result.code == ExitStatus.OVER_BUDGET == 1
    assert "over budget" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["estimate", "missing.yaml"],  # a bad file
        ["estimate", "--format", "yaml", ELMO],  # a bad choice: typer's usage error
        ["estimate"],  # a missing argument
        ["no-such-command"],
        ["estimate", ELMO, "-o", "/no/such/folder/out.txt"],  # an output path that cannot be
    ],
)
def test_bad_input(cli, args) -> None:
    result = cli(*args)
    assert result.code == ExitStatus.BAD_INPUT == 2
    assert "Traceback" not in result.err and result.err.strip()


def test_internal_error_has_its_own_code(cli, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(greenai.estimate, "estimate", broken)
    result = cli("estimate", ELMO)
    assert result.code == ExitStatus.INTERNAL_ERROR == 3
    assert result.err == (
        "error: internal error: ZeroDivisionError: float division by zero "
        "(run again with --traceback and report it)\n"
    )
    with pytest.raises(ZeroDivisionError):  # --traceback: the stack, for the bug report
        cli("--traceback", "estimate", ELMO)


def test_a_stray_os_error_is_internal_too(cli, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(greenai.estimate, "estimate", broken)
    assert cli("estimate", ELMO).code == ExitStatus.INTERNAL_ERROR


def test_output_error(cli, tmp_path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    full = tmp_path / "full"  # our own /dev/full: never -o onto the machine's
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    result = cli("estimate", ELMO, "-o", full)
    assert result.code == ExitStatus.OUTPUT_ERROR == 4
    assert result.err == f"error: {full}: cannot write: No space left on device\n"


@pytest.mark.parametrize("where", ["command", "write"])
def test_interrupted(cli, monkeypatch, tmp_path, where) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    target = tmp_path / "out.txt"
    if where == "command":
        monkeypatch.setattr(greenai.estimate, "estimate", interrupt)
    else:
        monkeypatch.setattr(cli_module.os, "replace", interrupt)
    result = cli("estimate", ELMO, "-o", target)
    assert result.code == ExitStatus.INTERRUPTED == 130
    assert result.err == "interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_broken_pipe() -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "greenai", "regions"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    finally:
        os.close(write)
    assert done.returncode == ExitStatus.BROKEN_PIPE == 141
    assert done.stderr == ""


def test_terminated_and_hangup_follow_the_shell() -> None:
    import signal

    assert ExitStatus.TERMINATED == 128 + signal.SIGTERM
    assert ExitStatus.HANGUP == 128 + signal.SIGHUP
    assert ExitStatus.INTERRUPTED == 128 + signal.SIGINT
    assert ExitStatus.BROKEN_PIPE == 128 + signal.SIGPIPE


def test_every_status_is_documented() -> None:
    for status in ExitStatus:
        assert status.__doc__ and status.__doc__ != ExitStatus.__doc__, status
    assert len({int(s) for s in ExitStatus}) == len(ExitStatus)


def test_check_folds_outcomes_into_the_same_codes(cli, tmp_path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("hardware: 1 x V100\nhours: 10\nregion: fr\n")
    assert cli("check", good).code == ExitStatus.OK
    assert cli("check", good, "--budget", "co2e=1g").code == ExitStatus.OVER_BUDGET
    bad = tmp_path / "bad.yaml"
    bad.write_text("hardware: 1 x V100\nhuors: 10\nregion: fr\n")
    assert cli("check", good, bad, "--budget", "co2e=1g").code == ExitStatus.BAD_INPUT
