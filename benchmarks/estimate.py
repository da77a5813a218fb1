"""One estimate against `import pint`, interleaved, in wall and CPU time.

    python benchmarks/estimate.py [--repeat 21] [CONFIG]

benchmarks/startup.py times each command in a block of its own, so on a shared machine a burst
of load lands on one of them and moves the ratio; here the two commands alternate, and the CPU
time (user + system, which other processes' load barely moves) is shown beside the wall time.
Prints the medians, the minima and the estimate / pint ratios (the target is 1.0: one estimate
costs no more than importing pint, which it no longer does), then what the estimate imported.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "strubell2019" / "elmo.yaml"
PROBE = """
import sys
from greenai.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
names = sorted({m.split(".")[0] for m in sys.modules})
print("IMPORTED " + " ".join(names), file=sys.stderr)
"""


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("config", nargs="?", type=Path, default=CONFIG)
    args = parser.parse_args()
    commands = {
        "import pint": [sys.executable, "-c", "import pint"],
        "estimate": [sys.executable, "-m", "greenai", "estimate", str(args.config)],
    }
    for command in commands.values():  # warm the file cache and .pyc files
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            runs[name].append(timed(command))
    summary = {}
    for name, results in runs.items():
        walls, cpus = [w for w, _ in results], [c for _, c in results]
        summary[name] = (statistics.median(walls), min(walls), statistics.median(cpus))
        print(
            f"{name:12s} wall median {summary[name][0] * 1000:7.1f} ms, min "
            f"{summary[name][1] * 1000:7.1f} ms; CPU median {summary[name][2] * 1000:7.1f} ms"
        )
    ratios = [summary["estimate"][i] / summary["import pint"][i] for i in range(3)]
    print(
        f"estimate / import pint: wall median {ratios[0]:.2f}x, wall min {ratios[1]:.2f}x, "
        f"CPU median {ratios[2]:.2f}x  (target <= 1.0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "estimate", str(args.config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED ")][-1].split()[1:]
    heavy = [m for m in ("pint", "pandas", "numpy", "yaml", "rich", "typer", "click") if m in line]
    print(f"top-level packages imported: {len(line)}; of the heavy ones: {', '.join(heavy)}")


if __name__ == "__main__":
    main()
