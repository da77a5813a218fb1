"""`greenai --help` reads whole: every command summary fits, and a newcomer is pointed to init."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("columns", ["80", "120"])
def test_every_command_summary_is_whole(columns: str) -> None:
    env = {"COLUMNS": columns, "PATH": "", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "greenai", "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("Commands:", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    from greenai.cli import COMMANDS

    assert len(listed) == len(COMMANDS)
    for line in listed:
        assert not line.rstrip().endswith("..."), line
        assert line.rstrip().endswith("."), line
    assert "New here? `greenai init experiment.yaml`" in " ".join(done.stdout.split())
