"""Expected best validation score against the number of trials and their cost.

Dodge et al. 2019 ("Show Your Work: Improved Reporting of Experimental Results", EMNLP) ask for
the best score a reader can expect after n hyperparameter trials, so that a result can be
compared at smaller budgets. With the N observed scores sorted ascending v_(1) <= ... <= v_(N),
and n trials drawn from them with replacement,

    E[max of n] = sum_i v_(i) ((i/N)^n - ((i-1)/N)^n)

and E[max^2] likewise, which gives the spread. Cost is linear in n: n x the mean cost of a
trial, from a column of the trials file or from one run of an experiment file (Green AI's H).
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from greenai.errors import InputError
from greenai.estimate import Figures

MAX_TRIALS_BYTES = 50_000_000
ALL_UP_TO = 100  # every n up to this; beyond, about 200 points spaced evenly on a log scale


@dataclass(frozen=True, slots=True)
class Point:
    n: int
    expected_max: float
    std: float
    cost: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"n": self.n, "expected_max": self.expected_max, "std": self.std, "cost": self.cost}


@dataclass(frozen=True, slots=True)
class Curve:
    points: tuple[Point, ...]
    metric: str
    trials: int
    best: float  # the best observed score
    minimize: bool = False
    cost_label: str | None = None  # "gpu_hours", "kg CO2e", ...
    cost_per_trial: float | None = None


def expected_max(values: Sequence[float], n: np.ndarray | Sequence[int]) -> np.ndarray:
    """E[max of n draws with replacement] for each n (Dodge et al. 2019, eq. in section 3)."""
    return _moment(np.sort(np.asarray(values, dtype=float)), np.asarray(n, dtype=float), 1)


def _moment(ordered: np.ndarray, n: np.ndarray, power: int) -> np.ndarray:
    big = len(ordered)
    steps = np.arange(big + 1, dtype=float) / big  # 0, 1/N, ..., 1
    out = np.empty(len(n))
    rows = max(1, 4_000_000 // (big + 1))  # a few tens of MB at a time, whatever N is
    for start in range(0, len(n), rows):
        cdf = steps[None, :] ** n[start : start + rows, None]  # P(max <= v_(i)) for each n
        out[start : start + rows] = np.diff(cdf, axis=1) @ ordered**power
    return out


def build(
    values: Sequence[float],
    metric: str,
    minimize: bool = False,
    cost_per_trial: float | None = None,
    cost_label: str | None = None,
) -> Curve:
    """The curve at n = 1..N (every n up to 100, then log-spaced to N)."""
    scores = np.asarray(values, dtype=float)
    signed = -scores if minimize else scores
    ordered = np.sort(signed)
    big = len(ordered)
    ns = np.arange(1, min(big, ALL_UP_TO) + 1)
    if big > ALL_UP_TO:
        more = np.unique(np.round(np.geomspace(ALL_UP_TO, big, 200)).astype(int))
        ns = np.unique(np.concatenate([ns, more]))
    first = _moment(ordered, ns.astype(float), 1)
    second = _moment(ordered, ns.astype(float), 2)
    spread = np.sqrt(np.clip(second - first**2, 0.0, None))
    mean = -first if minimize else first
    points = tuple(
        Point(
            int(n),
            float(m),
            float(s),
            None if cost_per_trial is None else float(n * cost_per_trial),
        )
        for n, m, s in zip(ns, mean, spread, strict=True)
    )
    best = float(scores.min() if minimize else scores.max())
    return Curve(points, metric, big, best, minimize, cost_label, cost_per_trial)


def from_trials(
    path: Path,
    metric: str,
    cost: str | None = None,
    per_trial: Figures | None = None,
    minimize: bool = False,
) -> Curve:
    """The curve of a trials CSV. Cost: a column of it (`cost` names the column), or, with
    `per_trial` (one run of an experiment file), the figure `cost` names (default co2e)."""
    if per_trial is not None:
        trials = read_trials(path, metric)
        value, label = trial_cost(per_trial, cost or "co2e")
        return build(trials.scores, metric, minimize, value, label)
    trials = read_trials(path, metric, cost)
    if trials.costs is None:
        return build(trials.scores, metric, minimize)
    mean = sum(trials.costs) / len(trials.costs)
    return build(trials.scores, metric, minimize, mean, cost)


# What a trial costs when each one is a run of an experiment file: (label, from per-run figures)
TRIAL_COSTS = {
    "co2e": "kg CO2e",
    "energy": "kWh",
    "hours": "hours",
    "device_hours": "device-hours",
    "cost": "USD",
}


def trial_cost(per_run: Figures, figure: str) -> tuple[float, str]:
    """One run's figure as the cost of a trial; money is the cloud bill (on-demand) where the
    experiment has one, else the electricity bill."""
    if figure not in TRIAL_COSTS:
        raise InputError(
            f"expected one of {', '.join(TRIAL_COSTS)} with --experiment, got {figure!r}",
            key="--cost",
        )
    if figure == "cost":
        if per_run.cloud_cost_usd is not None:
            return per_run.cloud_cost_usd[1], "USD (cloud, on-demand)"
        if per_run.electricity_cost_usd is not None:
            return per_run.electricity_cost_usd, "USD (electricity)"
        raise InputError("the experiment has no cloud or electricity price", key="--cost")
    value = {
        "co2e": per_run.co2e_kg,
        "energy": per_run.energy_kwh,
        "hours": per_run.hours,
        "device_hours": per_run.device_hours,
    }[figure]
    if value is None:  # a file that gives energy or device-hours without the wall-clock hours
        raise InputError(f"the experiment does not determine {figure}", key="--cost")
    return value, TRIAL_COSTS[figure]


# ----------------------------------------------------------------------------- trials file


@dataclass(frozen=True, slots=True)
class Trials:
    scores: list[float]
    costs: list[float] | None
    columns: list[str]


def read_trials(path: Path, metric: str, cost: str | None = None) -> Trials:
    """The metric (and cost) column of a CSV of trials, one row per trial; every bad cell is an
    error naming the file, the line and the column."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_TRIALS_BYTES:
            raise InputError(
                f"{path.stat().st_size:,} bytes; a trials file of over "
                f"{MAX_TRIALS_BYTES:,} bytes is refused",
                where=where,
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a CSV file", where=where) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; expected a CSV file", where=where) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", where=where) from None
    try:
        reader = csv.reader(text.splitlines())
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise InputError(
                "empty; expected a header row, then one row per trial", where=where, line=1
            )
        columns = [cell.strip() for cell in header]
        index = _column(columns, metric, "--metric", where)
        cost_index = _column(columns, cost, "--cost", where) if cost is not None else None
        scores: list[float] = []
        costs: list[float] = []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            scores.append(_number(row, index, columns, where, line, negative=True))
            if cost_index is not None:
                costs.append(_number(row, cost_index, columns, where, line, negative=False))
    except csv.Error as error:
        raise InputError(f"not a readable CSV file: {error}", where=where) from None
    if not scores:
        raise InputError("no trials: expected one row per trial after the header", where=where)
    return Trials(scores, costs if cost_index is not None else None, columns)


def _column(columns: list[str], name: str, option: str, where: str) -> int:
    if name in columns:
        return columns.index(name)
    folded = [c.lower() for c in columns]
    if name.lower() in folded:
        return folded.index(name.lower())
    near = [c for c in columns if c.lower().startswith(name.lower())][:1]
    near = near or difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    raise InputError(
        f"no column {name!r}; {hint}columns: {', '.join(columns)}", where=where, line=1, key=option
    )


def _number(
    row: list[str], index: int, columns: list[str], where: str, line: int, negative: bool
) -> float:
    cell = row[index].strip() if index < len(row) else ""
    try:
        value = float(cell)
    except ValueError:
        got = "an empty cell" if not cell else repr(cell)
        raise InputError(
            f"expected a number, got {got} (give every trial a value, or leave the row out)",
            where=where,
            line=line,
            key=columns[index],
        ) from None
    if not math.isfinite(value):
        raise InputError(f"expected a finite number, got {cell!r}", where=where, line=line,
                         key=columns[index])  # fmt: skip
    if not negative and value < 0:
        raise InputError(f"expected a cost of 0 or more, got {cell!r}", where=where, line=line,
                         key=columns[index])  # fmt: skip
    return value
