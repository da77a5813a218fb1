"""`greenai curve`: Dodge et al.'s expected maximum, against hand computation and sampling."""

from __future__ import annotations

import builtins
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenai.curve import build, expected_max
from tests.conftest import CONFIGS

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
