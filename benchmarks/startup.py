"""Start-up time of greenai, next to Python's own, measured in one run.

    python benchmarks/startup.py [--repeat 15]

Prints the median wall time of `python -c pass`, `python -c "import pint"`, `greenai --help`
and one estimate (configs/strubell2019/elmo.yaml), and the ratios the project targets:
--help within 8x `python -c pass`; one estimate within 1.6x `import pint`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "strubell2019" / "elmo.yaml"

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import pint"': [sys.executable, "-c", "import pint"],
    "greenai --help": [sys.executable, "-m", "greenai", "--help"],
    "greenai estimate elmo.yaml": [sys.executable, "-m", "greenai", "estimate", str(CONFIG)],
}


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache and .pyc files
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    results = {name: median_seconds(cmd, args.repeat) for name, cmd in COMMANDS.items()}
    for name, seconds in results.items():
        print(f"{name:32s} {seconds * 1000:8.1f} ms (median of {args.repeat})")
    help_ratio = results["greenai --help"] / results["python -c pass"]
    estimate_ratio = results["greenai estimate elmo.yaml"] / results['python -c "import pint"']
    print(f"{'--help / python -c pass':32s} {help_ratio:8.2f}x  (target <= 8)")
    print(f"{'estimate / import pint':32s} {estimate_ratio:8.2f}x  (target <= 1.6)")


if __name__ == "__main__":
    main()
