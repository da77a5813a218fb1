"""Time of `greenai curve` on trials files of 10^4, 10^5 and 10^6 rows, measured in one run.

    python benchmarks/curve.py [--repeat 3]

Writes a synthetic trials CSV per size (trial id, accuracy and GPU hours, each float written in
full, 17 digits: about 44 bytes a row, so 10^6 rows is 44 MB, under the 50 MB limit) to a
temporary folder, then prints the median time of reading it and building the curve in process
(greenai.curve.from_trials) and of the whole command line (`python -m greenai curve FILE
--metric accuracy --cost gpu_hours --format json`, a fresh process). Dodge et al.'s sum as
first written took 33 s for 10^6 rows; the target is 1-2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from greenai import curve  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)


def write_trials(path: Path, rows: int) -> None:
    rng = np.random.default_rng(rows)
    accuracy = rng.beta(8, 2, rows).tolist()
    hours = rng.lognormal(1, 0.5, rows).tolist()
    body = "".join(
        f"{i},{a!r},{h!r}\n" for i, (a, h) in enumerate(zip(accuracy, hours, strict=True))
    )
    path.write_text("trial,accuracy,gpu_hours\n" + body, encoding="utf-8")


def median_time(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as folder:
        for rows in SIZES:
            path = Path(folder) / f"trials_{rows}.csv"
            write_trials(path, rows)
            megabytes = path.stat().st_size / 1e6

            def in_process(path: Path = path) -> None:
                curve.from_trials(path, "accuracy", "gpu_hours")

            command = [sys.executable, "-m", "greenai", "curve", str(path), "--metric",
                       "accuracy", "--cost", "gpu_hours", "--format", "json"]  # fmt: skip

            def whole(command: list[str] = command) -> None:
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)

            inside, outside = median_time(in_process, args.repeat), median_time(whole, args.repeat)
            print(
                f"{rows:>9,} rows ({megabytes:5.1f} MB)  read + curve {inside:6.2f} s  "
                f"whole command {outside:6.2f} s  (median of {args.repeat})"
            )


if __name__ == "__main__":
    main()
