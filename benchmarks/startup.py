"""Start-up time of greenai, next to Python's own and its dependencies', measured in one run.

    python benchmarks/startup.py [--repeat 15]

Prints the median wall time of each command below and the ratios the project targets, each
taken in this one run so that a busy or slow machine moves both sides alike:

- `greenai --help` within 1.15x `python -c "import typer, rich"`: listing the commands costs
  little beyond the CLI's own libraries (no command module, pint, numpy or renderer is imported);
- one estimate as JSON within 1.0x `python -c "import pint"`: a single estimate costs no more
  than the units library alone (no pandas, no rich for JSON, no console);

and, for reference, the older ratios (--help against `python -c pass`, the table estimate
against `import pint`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "strubell2019" / "elmo.yaml"
GREENAI = [sys.executable, "-m", "greenai"]
TYPER_RICH = 'python -c "import typer, rich"'
PINT = 'python -c "import pint"'
# As an installed greenai runs: from .pyc files (PYTHONDONTWRITEBYTECODE would recompile
# greenai's modules on every run, and time the compiler).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    TYPER_RICH: [sys.executable, "-c", "import typer, rich"],
    PINT: [sys.executable, "-c", "import pint"],
    "greenai --help": [*GREENAI, "--help"],
    "greenai estimate elmo.yaml -f json": [*GREENAI, "estimate", str(CONFIG), "--format", "json"],
    "greenai estimate elmo.yaml": [*GREENAI, "estimate", str(CONFIG)],
}

# (label, command, baseline, target): the first two are the targets, the rest for reference
RATIOS = [
    ("--help / import typer, rich", "greenai --help", TYPER_RICH, 1.15),
    ("estimate -f json / import pint", "greenai estimate elmo.yaml -f json", PINT, 1.0),
    ("--help / python -c pass", "greenai --help", "python -c pass", None),
    ("estimate (table) / import pint", "greenai estimate elmo.yaml", PINT, None),
]


def interleaved_medians(repeat: int) -> dict[str, float]:
    """Each round runs every command once, so that a burst of load elsewhere lands on all."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, command in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache and .pyc files
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    results = interleaved_medians(args.repeat)
    for name, seconds in results.items():
        print(f"{name:36s} {seconds * 1000:8.1f} ms (median of {args.repeat})")
    for label, command, baseline, target in RATIOS:
        ratio = results[command] / results[baseline]
        goal = f"(target <= {target})" if target is not None else "(for reference)"
        print(f"{label:36s} {ratio:8.2f}x  {goal}")


if __name__ == "__main__":
    main()
