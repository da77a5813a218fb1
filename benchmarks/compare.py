"""Throughput of what-if grids (`greenai compare`), measured in one run.

    python benchmarks/compare.py [--repeat 5] [--large]

Prices configs/today/finetune_8xh100_gcp.yaml under grids of 1,000, 10,000 and 100,000 scenarios
(100 countries x 10 GPU counts, x 10 run counts, x 10 durations) through `greenai.compare`, and
prints the median time and scenarios per second of each; then the whole command line
(`greenai compare ... --top 10`, a fresh process) for the 10,000-scenario grid. The project's
target: 10,000 scenarios in under a second.

--large prices 100,000, 1,000,000 and 10,000,000 scenarios (x 1, 10, 100 PUE values), each
once in a fresh process keeping the top 10 (the grid is streamed in blocks), and prints its time
and peak memory (max RSS) beside a bare numpy evaluation of the same formula over the same
grid (values only, every scenario in memory at once), and the ratio of the two (issue 14's
target: compare within 3x of bare numpy at 10,000,000): the figures behind the default of
--max-scenarios (greenai.compare.MAX_SCENARIOS).
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

import numpy as np  # noqa: E402

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


def large(size: int, bare_only: bool = False) -> None:
    """One grid of `size` scenarios, in this (fresh) process: time and peak memory."""
    data = tables.load()
    texts = grids(data)[100_000]
    pue = "pue=" + ",".join(f"{1 + n / 100:g}" for n in range(1, size // 100_000 + 1))
    variations = [compare.parse_variation(text, data) for text in [*texts, pue]]
    if bare_only:
        start = time.perf_counter()
        _bare(size)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        print(f"{size:>10,} bare numpy  {seconds:6.2f} s  {peak:8,.0f} MB peak")
        return
    start = time.perf_counter()
    result = compare.compare([CONFIG], variations, data, max_scenarios=size, top=10)
    seconds = time.perf_counter() - start
    assert result.scenarios == size and len(result.frame) == 10, result.scenarios
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"{size:>10,} scenarios  {seconds:6.2f} s  {peak:8,.0f} MB peak (top 10, fresh process)")


def _bare(size: int) -> None:
    """The formula (energy, CO2e, electricity cost; value only) over the same grid shape, each
    part broadcast to every scenario, as a DataFrame-free lower bound of what compare can do."""
    rng = np.random.default_rng(0)
    shape = (100, 10, 10, 10, size // 100_000)  # region, count, runs, hours, PUE
    intensity = rng.uniform(10, 900, shape[0])[:, None, None, None, None]
    price = rng.uniform(0.05, 0.4, shape[0])[:, None, None, None, None]
    power = (700.0 * np.arange(1, 11) + 500)[None, :, None, None, None]
    runs = np.arange(1, 11, dtype=float)[None, None, :, None, None]
    hours = 12.0 * np.arange(1, 11)[None, None, None, :, None]
    pue = 1 + np.arange(1, shape[4] + 1)[None, None, None, None, :] / 100
    energy = np.broadcast_to(power * hours / 1000 * pue * runs, shape).ravel()
    co2e = energy * np.broadcast_to(intensity, shape).ravel() / 1000
    cost = energy * np.broadcast_to(price, shape).ravel()
    np.argpartition(co2e, 10)[:10]
    del cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--large", action="store_true", help="time and memory up to 10M scenarios")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a --large child process
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        large(args.one, args.bare)
        return
    if args.large:
        for size in (100_000, 1_000_000, 10_000_000):
            # each side in fresh processes, alternating, the median of three: one fresh run of
            # the bare formula moves by 2x with page faults on a shared machine
            seconds: list[list[float]] = [[], []]
            for _ in range(3):
                for side, bare in enumerate(([], ["--bare"])):
                    here = [sys.executable, __file__, "--one", str(size), *bare]
                    done = subprocess.run(
                        here, check=True, cwd=ROOT, capture_output=True, text=True
                    )
                    print(done.stdout, end="", flush=True)
                    seconds[side].append(float(done.stdout.split(" s ")[0].split()[-1]))
            ours, floor = (statistics.median(s) for s in seconds)
            target = " (target: 3x)" if size == 10_000_000 else " (fixed costs: tables, pandas)"
            print(f"{size:>10,} compare / bare numpy: {ours / floor:.1f}x (medians of 3){target}")
        return
    data = tables.load()
    cases = grids(data)
    for size, texts in cases.items():
        variations = [compare.parse_variation(text, data) for text in texts]
        compare.compare([CONFIG], variations, data)  # warm caches (device index, units)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = compare.compare([CONFIG], variations, data, top=10)
            times.append(time.perf_counter() - start)
        assert result.scenarios == size, result.scenarios
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
