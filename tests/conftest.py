"""Shared helpers: run the CLI in-process, the way a user would from a shell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from greenai.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True, scope="session")
def _pint_registry() -> None:
    """Build pint's registry once, before any test: an estimate no longer does, and the first
    reading that needs pint must not spend its build time (~0.5 s) inside a hypothesis deadline."""
    from greenai import units

    units.registry()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `greenai ARGS` through main() (the error funnel included) and capture its output."""

    def run(*args: str) -> Result:
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path: Path):
    """Write an experiment file and return its path."""

    def make(text: str, name: str = "exp.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make
