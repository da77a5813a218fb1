"""What each command imports: `--help` neither pint nor pandas; one estimate no pandas."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import CONFIGS

PROBE = """
import sys
from greenai.cli import main
try:
    main({args!r})
except SystemExit:
    pass
heavy = sorted(m for m in ("pint", "pandas", "numpy") if m in sys.modules)
print("IMPORTED=" + ",".join(heavy), file=sys.stderr)
"""


def imported(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args))],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED=")][-1]
    return set(filter(None, line.removeprefix("IMPORTED=").split(",")))


def test_help_imports_neither_pint_nor_pandas() -> None:
    assert imported("--help") & {"pint", "pandas"} == set()
    assert imported("estimate", "--help") & {"pint", "pandas"} == set()


def test_one_estimate_does_not_import_pandas() -> None:
    modules = imported("estimate", str(CONFIGS / "strubell2019" / "elmo.yaml"))
    assert "numpy" in modules  # it did compute (and read its quantities without pint)
    assert "pandas" not in modules
