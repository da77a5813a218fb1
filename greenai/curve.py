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
import io
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np

from greenai.errors import InputError
from greenai.estimate import Figures
from greenai.files import read_limited

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
    ordered = np.sort(_finite(values))
    return _expected(ordered, np.asarray(n, dtype=float))[0]


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    scores = np.asarray(values, dtype=float)
    if scores.size == 0:
        raise InputError("no scores: expected at least one trial")
    if not np.isfinite(scores).all():
        raise InputError("expected finite scores (no NaN or infinity)")
    return scores


def _expected(ordered: np.ndarray, ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[max of n] and the standard deviation of the max, for each n, from ascending scores.

    Summed by parts, E[g(max)] = g(v_(N)) - sum_{i<N} (i/N)^n (g(v_(i+1)) - g(v_(i))): the
    weights are positive powers (no difference of two nearly equal powers), ties drop out, and
    the weights below TINY (which all together move the result by less than TINY x the range)
    are never computed, so a large n touches only the top few scores; n = 1..100 are one
    multiply per score each. The scores are divided by
    the largest magnitude and measured down from the best, so that squares cannot overflow (1e200
    is a valid score) and the variance is not the difference of two huge numbers.
    """
    big = len(ordered)
    scale = float(np.abs(ordered).max()) or 1.0
    unit = ordered / scale
    below = unit - unit[-1]  # in [-2, 0]; the max of n is measured down from the best score
    rise = np.diff(below)
    steps = np.flatnonzero(rise)  # ties add nothing
    rise = rise[steps]
    rise_squared = np.diff(below * below)[steps]
    logs = np.log((steps + 1) / big)  # log(i/N) for the i where v_(i) < v_(i+1), ascending
    ratios = np.exp(logs)
    first = np.empty(len(ns))
    second = np.empty(len(ns))
    weights, previous, start = np.ones(len(logs)), 0.0, 0  # (i/N)^0
    for j, n in enumerate(ns):
        begin = int(np.searchsorted(logs, _LOG_TINY / n))
        if n == previous + 1 and n % REFRESH:  # one multiply per weight, not a power
            weights = weights[begin - start :]
            weights *= ratios[begin:]  # in place: no new array per n
        else:
            weights = np.exp(n * logs[begin:])  # (i/N)^n = P(max of n <= v_(i))
        # einsum, not @: BLAS's threaded dot is ten times slower on a loaded machine
        first[j] = -np.einsum("i,i->", weights, rise[begin:])
        second[j] = -np.einsum("i,i->", weights, rise_squared[begin:])
        previous, start = n, begin
    spread = np.sqrt(np.clip(second - first * first, 0.0, None))
    return scale * (unit[-1] + first), scale * spread


# Consecutive n multiply the previous weights by i/N; every REFRESH-th n is computed afresh, so
# that no weight carries more than REFRESH rounding errors (a relative 2e-15).
REFRESH = 16
TINY = 1e-20  # below a double's resolution of the result, however many weights are dropped
_LOG_TINY = math.log(TINY)


def build(
    values: Sequence[float],
    metric: str,
    minimize: bool = False,
    cost_per_trial: float | None = None,
    cost_label: str | None = None,
) -> Curve:
    """The curve at n = 1..N (every n up to 100, then log-spaced to N)."""
    scores = _finite(values)
    signed = -scores if minimize else scores
    ordered = np.sort(signed)
    big = len(ordered)
    ns = np.arange(1, min(big, ALL_UP_TO) + 1)
    if big > ALL_UP_TO:
        more = np.unique(np.round(np.geomspace(ALL_UP_TO, big, 200)).astype(int))
        ns = np.unique(np.concatenate([ns, more]))
    first, spread = _expected(ordered, ns.astype(float))
    mean = -first if minimize else first
    if cost_per_trial is not None and not math.isfinite(cost_per_trial * big):
        raise InputError(
            f"the cost of {big:,} trials at {cost_per_trial:.4g} {cost_label or ''} each is too "
            "large for a double; give costs in a larger unit",
            key="--cost",
        )
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
    return build(trials.scores, metric, minimize, _mean(trials.costs), cost)


def _mean(costs: np.ndarray) -> float:
    """The mean of non-negative costs without overflowing the sum (1e308 twice is finite)."""
    top = float(costs.max())
    return top * float(np.mean(costs / top)) if top > 0 else 0.0


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
    scores: np.ndarray
    costs: np.ndarray | None
    columns: list[str]


def read_trials(path: Path, metric: str, cost: str | None = None) -> Trials:
    """The metric (and cost) column of a CSV of trials, one row per trial; every bad cell is an
    error naming the file, the line and the column.

    The file is read once, with a hard byte limit. A million clean rows go through a fast path
    (C-level list building and one numpy conversion); at the first doubt (a short row, a cell
    that is not a finite number, a negative cost) the rows are read again one by one, so that
    the error names the first bad line and blank rows are skipped exactly as before.
    """
    where = str(path)
    data = read_limited(path, MAX_TRIALS_BYTES, "a trials CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; expected a CSV file", where=where) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise InputError(
                "empty; expected a header row, then one row per trial", where=where, line=1
            )
        columns = [cell.strip() for cell in header]
        index = _column(columns, metric, "--metric", where)
        cost_index = _column(columns, cost, "--cost", where) if cost is not None else None
        found = _fast(text, reader, index, cost_index)
        if found is None:
            found = _careful(text, index, cost_index, columns, where)
    except csv.Error as error:
        raise InputError(f"not a readable CSV file: {error}", where=where) from None
    scores, costs = found
    if not len(scores):
        raise InputError("no trials: expected one row per trial after the header", where=where)
    return Trials(scores, costs, columns)


Found = tuple[np.ndarray, np.ndarray | None]


def _fast(
    text: str, reader: Iterator[list[str]], index: int, cost_index: int | None
) -> Found | None:
    """Both columns as arrays when every non-empty row is clean; None at the first doubt.

    Without a quote character in the file, a CSV row is a line split at commas, which numpy's
    C reader (loadtxt) does twice as fast as the csv module; it skips only empty lines and
    refuses whatever else the careful path would skip or name (whitespace-only rows, short
    rows, a lone carriage return), and its numbers are Python's float() of the cell.
    """
    columns = (index,) if cost_index is None else (index, cost_index)
    try:
        if '"' not in text:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "input contained no data": 0 trials, said below
                table = np.loadtxt(io.StringIO(text), dtype=float, delimiter=",",
                                   comments=None, skiprows=1, usecols=columns, ndmin=2)  # fmt: skip
            scores = table[:, 0]
            costs = None if cost_index is None else table[:, 1]
        elif cost_index is None:
            scores, costs = _floats([row[index] for row in reader if any(row)]), None
        else:
            pick = itemgetter(index, cost_index)
            pairs = [pick(row) for row in reader if any(row)]
            scores = _floats([pair[0] for pair in pairs])
            costs = _floats([pair[1] for pair in pairs])
    except (IndexError, ValueError):
        return None
    if not np.isfinite(scores).all():
        return None
    if costs is not None and not (np.isfinite(costs).all() and (costs >= 0).all()):
        return None
    return scores, costs


def _floats(cells: list[str]) -> np.ndarray:
    # Python's own float(), as the careful path uses; faster than np.array(cells, dtype=float)
    return np.fromiter(map(float, cells), dtype=float, count=len(cells))


def _careful(
    text: str, index: int, cost_index: int | None, columns: list[str], where: str
) -> Found:
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    scores: list[float] = []
    costs: list[float] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        scores.append(_number(row, index, columns, where, line, negative=True))
        if cost_index is not None:
            costs.append(_number(row, cost_index, columns, where, line, negative=False))
    return np.array(scores, dtype=float), None if cost_index is None else np.array(costs)


def _column(columns: list[str], name: str, option: str, where: str) -> int:
    """The column `name` (exactly, else ignoring case); a name that two columns answer to is
    refused rather than silently taking the first."""
    for matches in (
        [i for i, c in enumerate(columns) if c == name],
        [i for i, c in enumerate(columns) if c.lower() == name.lower()],
    ):
        if len(matches) > 1:
            positions = ", ".join(str(i + 1) for i in matches[:-1]) + f" and {matches[-1] + 1}"
            raise InputError(
                f"{len(matches)} columns are named {shown(columns[matches[0]])} (columns "
                f"{positions}); rename all but one",
                where=where,
                line=1,
                key=option,
            )
        if matches:
            return matches[0]
    near = [c for c in columns if c.lower().startswith(name.lower())][:1]
    near = near or difflib.get_close_matches(name[:200], columns, n=1, cutoff=0.6)
    hint = f"did you mean {shown(near[0])}? " if near else ""
    listed = ", ".join(short(c) for c in columns[:20])
    if len(columns) > 20:
        listed += f", … ({len(columns):,} in all)"
    raise InputError(
        f"no column {shown(name)}; {hint}columns: {listed}", where=where, line=1, key=option
    )


SHOWN = 40  # characters of a value from the file echoed in a message


def short(text: str) -> str:
    """A value from the file, cut so that a 250 kB cell does not become a 250 kB error line."""
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def shown(text: str) -> str:
    return repr(short(text))


def _number(
    row: list[str], index: int, columns: list[str], where: str, line: int, negative: bool
) -> float:
    cell = row[index].strip() if index < len(row) else ""
    key = short(columns[index])
    try:
        value = float(cell)
    except ValueError:
        got = "an empty cell" if not cell else shown(cell)
        raise InputError(
            f"expected a number, got {got} (give every trial a value, or leave the row out)",
            where=where,
            line=line,
            key=key,
        ) from None
    if not math.isfinite(value):
        raise InputError(f"expected a finite number, got {shown(cell)}", where=where, line=line,
                         key=key)  # fmt: skip
    if not negative and value < 0:
        raise InputError(f"expected a cost of 0 or more, got {shown(cell)}", where=where,
                         line=line, key=key)  # fmt: skip
    return value
