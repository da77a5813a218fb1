"""`greenai curve`: Dodge et al.'s expected maximum, against hand computation and sampling."""

from __future__ import annotations

import builtins
import itertools
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenai.curve import _careful, build, expected_max, read_trials
from greenai.errors import InputError
from tests.conftest import CONFIGS, ROOT

FINETUNE = CONFIGS / "today" / "finetune_8xh100_gcp.yaml"


def test_hand_computed_example() -> None:
    # N = 3 scores 0.5 < 0.7 < 0.9; weights (i/3)^n - ((i-1)/3)^n
    # n = 1: 1/3 each -> 0.7; n = 2: 1/9, 3/9, 5/9 -> 7.1/9; n = 3: 1/27, 7/27, 19/27 -> 22.5/27
    found = expected_max([0.9, 0.5, 0.7], [1, 2, 3])
    assert found == pytest.approx([0.7, 7.1 / 9, 22.5 / 27], abs=1e-15)


def test_exact_against_every_draw() -> None:
    values = [0.61, 0.70, 0.70, 0.74, 0.92]  # with a tie
    for n in range(1, 5):
        draws = list(itertools.product(values, repeat=n))  # every draw with replacement
        maxima = np.array([max(d) for d in draws])
        curve = build(values, "acc")
        point = curve.points[n - 1]
        assert point.n == n
        assert point.expected_max == pytest.approx(maxima.mean(), abs=1e-12)
        assert point.std == pytest.approx(maxima.std(), abs=1e-9)


def test_brute_force_sampling() -> None:
    rng = np.random.default_rng(2019)
    values = rng.normal(0.8, 0.05, size=30)
    samples = rng.choice(values, size=(200_000, 10), replace=True).max(axis=1)
    (expected,) = expected_max(values, [10])
    standard_error = samples.std() / np.sqrt(len(samples))
    assert abs(samples.mean() - expected) < 4 * standard_error


def test_minimize_is_the_mirror_image() -> None:
    losses = [0.3, 0.1, 0.25, 0.4]
    low = build(losses, "loss", minimize=True)
    high = build([-x for x in losses], "loss")
    for a, b in zip(low.points, high.points, strict=True):
        assert a.expected_max == pytest.approx(-b.expected_max)
    assert low.best == 0.1 and low.points[-1].expected_max > 0.1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_the_curve_rises_from_the_mean_towards_the_best(values: list[float]) -> None:
    curve = build(values, "x")
    means = [p.expected_max for p in curve.points]
    span = max(values) - min(values)
    tolerance = 1e-9 * (abs(max(values)) + span + 1)
    assert means[0] == pytest.approx(np.mean(values), abs=tolerance)
    assert all(b >= a - tolerance for a, b in itertools.pairwise(means))
    assert all(m <= max(values) + tolerance for m in means)


def test_many_trials_are_sampled_on_a_log_scale() -> None:
    curve = build(np.linspace(0, 1, 5000), "x")
    ns = [p.n for p in curve.points]
    assert ns[:100] == list(range(1, 101)) and ns[-1] == 5000 and len(ns) < 320


# ----------------------------------------------------------------------------- the command


@pytest.fixture
def trials(tmp_path: Path) -> Path:
    path = tmp_path / "trials.csv"
    path.write_text(
        "trial,accuracy,gpu_hours,val_loss\n0,0.5,2,0.9\n1,0.9,4,0.3\n2,0.7,3,0.5\n",
        encoding="utf-8",
    )
    return path


def test_json_points_with_cost_from_a_column(cli, trials: Path) -> None:
    result = cli("curve", trials, "--metric", "accuracy", "--cost", "gpu_hours", "-f", "json")
    assert result.code == 0, result.err
    points = json.loads(result.out)
    assert [list(p) for p in points] == [["n", "expected_max", "std", "cost"]] * 3
    assert [p["n"] for p in points] == [1, 2, 3]
    assert [p["expected_max"] for p in points] == pytest.approx([0.7, 7.1 / 9, 22.5 / 27])
    assert [p["cost"] for p in points] == pytest.approx([3.0, 6.0, 9.0])  # n x mean of 2, 4, 3


def test_cost_from_an_experiment_file(cli, trials: Path) -> None:
    (run,) = json.loads(cli("estimate", FINETUNE, "--format", "json").out)
    per_run = run["per_run"]
    for figure, expected in (("co2e", per_run["co2e_kg"]), ("energy", per_run["energy_kwh"]),
                             ("hours", per_run["hours"]),
                             ("cost", per_run["cloud_cost_usd"]["high"])):  # fmt: skip
        result = cli("curve", trials, "--metric", "accuracy", "--experiment", FINETUNE,
                     "--cost", figure, "-f", "json")  # fmt: skip
        assert result.code == 0, result.err
        points = json.loads(result.out)
        assert [p["cost"] for p in points] == pytest.approx([expected, 2 * expected, 3 * expected])


def test_minimize_names_the_minimum(cli, trials: Path) -> None:
    result = cli("curve", trials, "--metric", "val_loss", "--minimize", "-f", "csv")
    lines = result.out.splitlines()
    assert lines[0] == "n,expected_min,std,cost"
    assert float(lines[1].split(",")[1]) == pytest.approx((0.9 + 0.3 + 0.5) / 3)


def test_the_terminal_chart(cli, trials: Path) -> None:
    result = cli("curve", trials, "--metric", "accuracy", "--cost", "gpu_hours")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == ("Expected best accuracy after n trials (Dodge et al. 2019), from 3 trials; "
                        "best observed: 0.9")  # fmt: skip
    assert lines[2].startswith("0.8333 ┤") and lines[2].endswith("•")
    assert any(line.startswith("   0.7 ┤•") for line in lines)
    assert "cost of n trials = n x 3.0 gpu_hours (the mean per trial)" in result.out
    # n = 2: E[max] = 7.1/9, E[max^2] = 5.77/9, std = sqrt(5.77/9 - (7.1/9)^2) = 0.137
    assert any(line.split() == ["2", "0.7889", "0.137", "6.0"] for line in lines)


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_plot_files(cli, trials: Path, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"curve.{suffix}"
    result = cli("curve", trials, "--metric", "accuracy", "--cost", "gpu_hours", "--plot", path)
    assert result.code == 0, result.err
    data = path.read_bytes()
    magic = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF"}[suffix]
    assert data.startswith(magic) and len(data) > 5000
    if suffix == "svg":
        assert b"hyperparameter trials (n)" in data or b"<svg" in data


def test_plot_without_matplotlib(cli, trials: Path, tmp_path: Path, monkeypatch) -> None:
    real = builtins.__import__

    def no_matplotlib(name: str, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    path = tmp_path / "curve.png"
    result = cli("curve", trials, "--metric", "accuracy", "--plot", path)
    assert result.code == 2 and result.out == "" and not path.exists()
    assert result.err == ("error: --plot needs matplotlib, which is not installed; install it "
                          "with: pip install 'greenai-cost[plot]'\n")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        (None, ["--metric", "accuracy"], "{path}: no such file"),
        ("trial,accuracy\n", ["--metric", "accuracy"],
         "{path}: no trials: expected one row per trial after the header"),
        ("", ["--metric", "accuracy"],
         "{path}:1: empty; expected a header row, then one row per trial"),
        ("trial,accuracy\n0,0.5\n", ["--metric", "acc"],
         "{path}:1: --metric: no column 'acc'; did you mean 'accuracy'? columns: trial, accuracy"),
        ("trial,accuracy\n0,0.5\n1,n/a\n", ["--metric", "accuracy"],
         "{path}:3: accuracy: expected a number, got 'n/a' (give every trial a value, or leave "
         "the row out)"),
        ("trial,accuracy\n0,0.5\n1,\n", ["--metric", "accuracy"],
         "{path}:3: accuracy: expected a number, got an empty cell"),
        ("trial,accuracy\n0,inf\n", ["--metric", "accuracy"],
         "{path}:2: accuracy: expected a finite number, got 'inf'"),
        ("trial,accuracy,hours\n0,0.5,-2\n", ["--metric", "accuracy", "--cost", "hours"],
         "{path}:2: hours: expected a cost of 0 or more, got '-2'"),
        ("trial,accuracy\n0,0.5\n", ["--metric", "accuracy", "--experiment", str(FINETUNE),
                                     "--cost", "watts"],
         "--cost: expected one of co2e, energy, hours, device_hours, cost with --experiment, "
         "got 'watts'"),
        ("trial,accuracy\n0,0.5\n", ["--metric", "accuracy", "--plot", "curve.jpg"],
         "curve.jpg: --plot writes .png, .svg or .pdf files, not '.jpg'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(
    cli, tmp_path: Path, text: str | None, args: list[str], expected: str
) -> None:
    path = tmp_path / "trials.csv"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = cli("curve", path, *args)
    assert result.code == 2 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("error: " + expected.format(path=path)), line


def test_bytes_that_are_not_text(cli, tmp_path: Path) -> None:
    path = tmp_path / "trials.csv"
    path.write_bytes(b"acc\n\xff\xfe\n")
    result = cli("curve", path, "--metric", "acc")
    assert result.code == 2
    assert result.err == f"error: {path}: not UTF-8 text; expected a CSV file\n"


# ----------------------------------------------------------------------------- large files


def _reference(values: np.ndarray, ns: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Dodge et al.'s sum as written (every weight a difference of two powers), and the variance
    about the mean (no E[X^2] - E[X]^2 cancellation): the slow, plain computation."""
    ordered = np.sort(values)
    steps = np.arange(len(ordered) + 1) / len(ordered)
    means, stds = [], []
    for n in ns:
        weights = np.diff(steps**n)
        mean = weights @ ordered
        means.append(mean)
        stds.append(np.sqrt(weights @ (ordered - mean) ** 2))
    return np.array(means), np.array(stds)


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(1).normal(0.8, 0.05, 10_000),
        np.round(np.random.default_rng(2).uniform(0.5, 0.9, 10_000), 2),  # many ties
        np.random.default_rng(3).lognormal(0, 3, 3_000),  # skewed, a long upper tail
        np.random.default_rng(4).normal(1e6, 1e-3, 2_000),  # far from 0: std by cancellation
    ],
)
def test_every_point_matches_the_plain_sum(values: np.ndarray) -> None:
    curve = build(values, "x")
    ns = [p.n for p in curve.points]
    means, stds = _reference(values, ns)
    span = values.max() - values.min()
    found = np.array([p.expected_max for p in curve.points])
    assert np.abs(found - means).max() <= 1e-12 * (np.abs(values).max() + span)
    assert np.array([p.std for p in curve.points]) == pytest.approx(
        stds, rel=1e-7, abs=1e-10 * span
    )


def test_a_million_trials_take_about_a_second() -> None:
    # Dodge et al.'s sum computed as written took 30 s for 10^6 scores; 20x headroom for CI
    values = np.random.default_rng(5).uniform(0, 1, 1_000_000)
    started = time.perf_counter()
    curve = build(values, "x")
    assert time.perf_counter() - started < 10
    assert curve.points[0].expected_max == pytest.approx(values.mean(), rel=1e-12)
    # for uniform scores, E[max of n] -> (n / (n + 1)); n = N here
    assert curve.points[-1].expected_max == pytest.approx(1_000_000 / 1_000_001, abs=1e-5)


def test_a_trials_file_that_never_ends_is_refused(tmp_path: Path) -> None:
    # /dev/zero reports a size of 0: only a bounded read stops it (run apart, memory capped)
    link = tmp_path / "trials.csv"
    link.symlink_to("/dev/zero")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "greenai", "curve", str(link), "--metric", "acc"],
        capture_output=True, text=True, timeout=120, preexec_fn=cap,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"error: {link}: more than 50,000,000 bytes; a trials CSV file is "
                           "expected to be under 50,000,000\n")  # fmt: skip


def test_a_large_file_reads_like_a_small_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    scores, hours = rng.uniform(0.5, 0.9, 20_000), rng.uniform(1, 3, 20_000)
    path = tmp_path / "trials.csv"
    rows = "".join(
        f"{i},{s!r},{h!r}\n"
        for i, (s, h) in enumerate(zip(scores.tolist(), hours.tolist(), strict=True))
    )
    path.write_text("trial,acc,hours\n" + rows + "\n \n", encoding="utf-8")  # blank rows too
    found = read_trials(path, "acc", "hours")
    assert found.scores.tolist() == scores.tolist() and found.costs.tolist() == hours.tolist()
    lines = rows.splitlines(keepends=True)
    lines[12_345:12_345] = ["7,0.5,-1\n", "8,0.5,-2\n"]  # the first bad row is the one named
    path.write_text("trial,acc,hours\n" + "".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_trials(path, "acc", "hours")
    assert str(error.value) == f"{path}:12347: hours: expected a cost of 0 or more, got '-1'"


# ----------------------------------------------------------------------------- hygiene


def _strict(text: str) -> list[dict]:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "scores",
    [
        [1e200, -1e200, 5e199],
        [1.7e308, -1.7e308, 0.0, 1e308],
        [1e-200, 3e-200, 2e-200],
        [-1e300] * 3,
    ],
)
def test_huge_scores_give_finite_strict_json_and_no_warnings(
    cli, tmp_path: Path, scores: list[float]
) -> None:
    path = tmp_path / "trials.csv"
    path.write_text("acc\n" + "".join(f"{s!r}\n" for s in scores), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow warning fails the command
        result = cli("curve", path, "--metric", "acc", "-f", "json")
    assert result.code == 0 and result.err == "", result.err
    points = _strict(result.out)
    scale = max(abs(s) for s in scores)
    small = build([s / scale for s in scores], "acc")  # the same curve at a sane scale
    for point, expected in zip(points, small.points, strict=True):
        assert point["expected_max"] == pytest.approx(expected.expected_max * scale, rel=1e-12)
        assert point["std"] == pytest.approx(expected.std * scale, rel=1e-9, abs=1e-15 * scale)
    assert points[0]["expected_max"] == pytest.approx(np.mean(np.array(scores) / 4) * 4)
    assert cli("curve", path, "--metric", "acc").code == 0  # the table too


def test_costs_that_overflow_are_refused(cli, tmp_path: Path) -> None:
    path = tmp_path / "trials.csv"
    path.write_text("acc,kwh\n0.5,1e308\n0.7,1.5e308\n", encoding="utf-8")
    result = cli("curve", path, "--metric", "acc", "--cost", "kwh", "-f", "json")
    assert result.code == 2 and result.out == ""
    assert result.err == ("error: --cost: the cost of 2 trials at 1.25e+308 kwh each is too large "
                          "for a double; give costs in a larger unit\n")  # fmt: skip


@pytest.mark.parametrize(
    ("header", "args", "expected"),
    [
        ("acc,acc", ["--metric", "acc"],
         "--metric: 2 columns are named 'acc' (columns 1 and 2); rename all but one"),
        ("trial,Acc,loss,ACC", ["--metric", "acc"],
         "--metric: 2 columns are named 'Acc' (columns 2 and 4); rename all but one"),
        ("h,acc,h,h", ["--metric", "acc", "--cost", "h"],
         "--cost: 3 columns are named 'h' (columns 1, 3 and 4); rename all but one"),
    ],
)  # fmt: skip
def test_a_column_named_twice_is_refused(
    cli, tmp_path: Path, header: str, args: list[str], expected: str
) -> None:
    path = tmp_path / "trials.csv"
    path.write_text(f"{header}\n{','.join(['1'] * header.count(',') + ['1'])}\n")
    result = cli("curve", path, *args)
    assert result.code == 2 and result.out == ""
    assert result.err == f"error: {path}:1: {expected}\n"


def test_an_exact_name_beats_a_case_folded_twin(cli, tmp_path: Path) -> None:
    path = tmp_path / "trials.csv"
    path.write_text("ACC,acc\n0.1,0.5\n0.2,0.7\n", encoding="utf-8")
    points = json.loads(cli("curve", path, "--metric", "acc", "-f", "json").out)
    assert points[0]["expected_max"] == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        ("acc\n" + "9" * 100_000 + "x\n", ["--metric", "acc"],
         "{path}:2: acc: expected a number, got '" + "9" * 40 + "…' (give every"),
        ("acc\n0.5\n", ["--metric", "a" * 250_000],
         "{path}:1: --metric: no column '" + "a" * 40 + "…'; columns: acc"),
        ("b" * 100_000 + ",acc\n0.5,0.5\n", ["--metric", "loss"],
         "{path}:1: --metric: no column 'loss'; columns: " + "b" * 40 + "…, acc"),
        (",".join(f"c{i}" for i in range(500)) + "\n", ["--metric", "loss"],
         "{path}:1: --metric: no column 'loss'; columns: c0, c1, c2"),
        ("x" * 100_000 + "\nnan\n", ["--metric", "x" * 100_000],
         "{path}:2: " + "x" * 40 + "…: expected a finite number, got 'nan'"),
    ],
)  # fmt: skip
def test_echoed_values_are_cut_short(
    cli, tmp_path: Path, text: str, args: list[str], expected: str
) -> None:
    path = tmp_path / "trials.csv"
    path.write_text(text, encoding="utf-8")
    result = cli("curve", path, *args)
    assert result.code == 2 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("error: " + expected.format(path=path)) and len(line) < 400, line


@pytest.mark.parametrize("name", ["[bold]gpu_hours", "gpu[/]hours", "[red]kWh[/red]", "[link=x]h"])
def test_column_names_are_not_rich_markup(cli, tmp_path: Path, name: str) -> None:
    path = tmp_path / "trials.csv"
    path.write_text(f'acc,"{name}"\n0.5,1\n0.7,3\n', encoding="utf-8")
    result = cli("curve", path, "--metric", "acc", "--cost", name)
    assert result.code == 0, result.err
    assert f"cost ({name})" in result.out  # the table's header, as written in the file
    assert f"n x 2.0 {name} (the mean per trial)" in result.out


@pytest.mark.parametrize(
    "body",
    [
        "0,0.5,1\n1,0.7,2\n",
        "0,0.5,1\n\n1,0.7,2\n\n\n",  # empty lines
        "0,0.5,1\n \n1,0.7,2\n , ,\n",  # whitespace-only rows
        "0,0.5,1\r\n1,0.7,2\r\n",
        "0,0.5,1\r1,0.7,2\r",  # old Mac line ends
        "0, 0.5 ,1\n1,\t0.7,2 \n",  # spaces around numbers
        "0,1_0.5,1\n1,١٢,2\n",  # what Python's float() reads and C parsers may not
        "0,0.5,1,extra\n1,0.7,2\n",  # a longer row
        '0,"0.5",1\n"1",0.7,"2"\n',  # quoted cells
        '0,0.5,1\n"1\n2",0.7,2\n',  # a quoted newline
        "0,+.5,1e0\n1,7e-1,2.\n",
        "0,0.5,0\n1,0.7,0\n",
    ],
)
@pytest.mark.parametrize("cost", [None, "h", "acc"])
def test_the_fast_path_reads_what_the_careful_one_does(
    tmp_path: Path, body: str, cost: str | None
) -> None:
    path = tmp_path / "trials.csv"
    path.write_bytes(("trial,acc,h\n" + body).encode())
    found = read_trials(path, "acc", cost)
    columns = ["trial", "acc", "h"]
    text = path.read_bytes().decode()  # no newline translation, as read_trials reads it
    cost_index = None if cost is None else columns.index(cost)
    scores, costs = _careful(text, 1, cost_index, columns, str(path))
    assert found.scores.tolist() == scores.tolist()
    assert (found.costs is None) == (costs is None)
    if costs is not None:
        assert found.costs.tolist() == costs.tolist()


@pytest.mark.parametrize(("metric", "cost"), [("a$\\foo{$b", "h"), ("acc", "$\\frac{$usd")])
def test_names_are_not_matplotlib_mathtext(cli, tmp_path: Path, metric: str, cost: str) -> None:
    path = tmp_path / "trials.csv"
    path.write_text(f'"{metric}","{cost}"\n0.5,1\n0.7,2\n', encoding="utf-8")
    plot = tmp_path / "curve.svg"
    result = cli("curve", path, "--metric", metric, "--cost", cost, "--plot", plot)
    assert result.code == 0, result.err
    drawn = plot.read_text(encoding="utf-8")
    assert f"<!-- Expected max {metric} (Dodge et al. 2019), 2 trials -->" in drawn
    assert f"<!-- cost of n trials ({cost}) -->" in drawn
