"""The calculator alone: 10^7 rows with ranges (value, low, high) through one call.

    python benchmarks/calculator.py [--rows 10000000] [--repeat 3]

Builds random but plausible columns (every input with a range), times
`greenai.core.calculate.calculate` over them (median of --repeat) and prints rows per second,
beside a bare numpy evaluation of the value alone (energy, CO2e, cost) for scale. Target: 10^7
rows with ranges in under 2 s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from greenai.core import calculate


def columns(rows: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(14)  # fixed: the same columns every run

    def ranged(low: float, high: float) -> np.ndarray:
        value = rng.uniform(low, high, rows)
        return calculate.bounded(value, value * 0.8, value * 1.1)

    nan = np.full((1, 1), np.nan)
    return {
        "power_w": ranged(300, 6000),
        "devices": calculate.exact(rng.integers(1, 65, rows).astype(float)),
        "hours": calculate.exact(rng.uniform(1, 1000, rows)),
        "runs": calculate.exact(rng.integers(1, 10, rows).astype(float)),
        "pue": ranged(1.05, 1.6),
        "carbon_intensity_g_per_kwh": ranged(10, 900),
        "electricity_price_usd_per_kwh": ranged(0.05, 0.4),
        "cloud_usd_per_hour": ranged(1, 100),
        "fpo_per_run": calculate.exact(rng.uniform(1e18, 1e22, rows)),
        "it_energy_kwh": nan,
        "device_hours": nan,
    }


def bare(c: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The formula on the values alone, with no ranges, no unknowns and no checks."""
    power, hours, runs = c["power_w"][:, 0], c["hours"][:, 0], c["runs"][:, 0]
    energy = power * hours / 1000 * c["pue"][:, 0] * runs
    return energy, energy * c["carbon_intensity_g_per_kwh"][:, 0] / 1000, hours * runs


def timed(function, argument, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = columns(args.rows)
    calculate.calculate({k: v[:10] for k, v in data.items()})  # warm: pint's factors, once
    seconds = timed(calculate.calculate, data, args.repeat)
    plain = timed(bare, data, args.repeat)
    print(
        f"calculate: {args.rows:,} rows with ranges  {seconds:6.2f} s  "
        f"{args.rows / seconds:>13,.0f} rows/s  (median of {args.repeat}; target under 2 s)"
    )
    print(f"bare numpy, values only, 3 figures   {plain:6.2f} s  ({seconds / plain:.1f}x)")


if __name__ == "__main__":
    main()
