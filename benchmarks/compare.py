"""Throughput of what-if grids (`greenai compare`), measured in one run.

    python benchmarks/compare.py [--repeat 5] [--large]

Prices configs/today/finetune_8xh100_gcp.yaml under grids of 1,000, 10,000 and 100,000 scenarios
(100 countries x 10 GPU counts, x 10 run counts, x 10 durations) through `greenai.compare`, and
prints the median time and scenarios per second of each; then the whole command line
(`greenai compare ... --top 10`, a fresh process) for the 10,000-scenario grid. The project's
target: 10,000 scenarios in under a second.

--large prices 100,000, 1,000,000 and 3,000,000 scenarios (x 1, 10, 30 PUE values), each once in
a fresh process, and prints its time and peak memory (max RSS): the figures behind the default
of --max-scenarios (greenai.compare.MAX_SCENARIOS).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from greenai import compare, tables  # noqa: E402

CONFIG = ROOT / "configs" / "today" / "finetune_8xh100_gcp.yaml"


def grids(data: tables.Tables) -> dict[int, list[str]]:
    countries = compare.region_set("@countries", data)[:100]
    region = "region=" + ",".join(countries)
    count = "hardware.count=" + ",".join(str(n) for n in range(1, 11))
    runs = "runs=" + ",".join(str(n) for n in range(1, 11))
    hours = "hours=" + ",".join(str(12 * n) for n in range(1, 11))
    return {
        1_000: [region, count],
        10_000: [region, count, runs],
        100_000: [region, count, runs, hours],
    }


def large(size: int) -> None:
    """One grid of `size` scenarios, in this (fresh) process: time and peak memory."""
    data = tables.load()
    texts = grids(data)[100_000]
    pue = "pue=" + ",".join(f"{1 + n / 100:g}" for n in range(1, size // 100_000 + 1))
    variations = [compare.parse_variation(text, data) for text in [*texts, pue]]
    start = time.perf_counter()
    result = compare.compare([CONFIG], variations, data, max_scenarios=size)
    compare.ordered(result, compare.SortBy.co2e, 10)
    seconds = time.perf_counter() - start
    assert len(result.frame) == size, len(result.frame)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"{size:>9,} scenarios  {seconds:6.1f} s  {peak:8,.0f} MB peak (max RSS, fresh process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--large", action="store_true", help="time and memory up to 3M scenarios")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a --large child process
    args = parser.parse_args()
    if args.one:
        large(args.one)
        return
    if args.large:
        for size in (100_000, 1_000_000, 3_000_000):
            here = [sys.executable, __file__, "--one", str(size)]
            subprocess.run(here, check=True, cwd=ROOT)
        return
    data = tables.load()
    cases = grids(data)
    for size, texts in cases.items():
        variations = [compare.parse_variation(text, data) for text in texts]
        compare.compare([CONFIG], variations, data)  # warm caches (device index, units)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = compare.compare([CONFIG], variations, data)
            compare.ordered(result, compare.SortBy.co2e, 10)
            times.append(time.perf_counter() - start)
        assert len(result.frame) == size, len(result.frame)
        seconds = statistics.median(times)
        print(
            f"{size:>7,} scenarios  {seconds * 1000:8.1f} ms  "
            f"{size / seconds:>12,.0f} scenarios/s  (median of {args.repeat}, in process)"
        )
    command = [sys.executable, "-m", "greenai", "compare", str(CONFIG), "--top", "10"]
    command += [f"--vary={text}" for text in cases[10_000]]
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    print(
        f"{10_000:>7,} scenarios  {seconds * 1000:8.1f} ms  "
        f"{10_000 / seconds:>12,.0f} scenarios/s  (median of {args.repeat}, whole command line; "
        "target: under 1 s)"
    )


if __name__ == "__main__":
    main()
