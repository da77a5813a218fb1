"""The core (issue 14): one calculator over columns, ranges, layering, and the library API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenai
from greenai import compare, tables
from greenai.core import calculate
from greenai.estimate import estimate
from greenai.experiment import load
from tests.conftest import CONFIGS, ROOT

DATA = tables.load()
ELMO = CONFIGS / "strubell2019" / "elmo.yaml"
FIGURES = ("energy_kwh", "co2e_kg", "electricity_cost_usd", "cost_usd", "power_w",
           "embodied_co2e_kg", "total_co2e_kg", "water_l")  # fmt: skip


def test_price_takes_a_plain_dict_a_path_and_overrides() -> None:
    # 8 x 700 W (H100 TDP) x 24 h x PUE 1.58 = 212.3 kWh; x 3 runs
    found = greenai.price({"hardware": "8 x H100", "hours": 24, "region": "fr"}, runs=3)
    assert found.runs == 3
    assert found.total.energy_kwh == pytest.approx(8 * 700 * 24 * 1.58 / 1000 * 3)
    assert found.as_dict()["ranges"]["energy_kwh"]["low"] == pytest.approx(
        found.total.energy_kwh * 0.15
    )
    elmo = greenai.price(ELMO)
    assert round(elmo.total.energy_kwh) == 275  # Strubell et al. 2019, Table 3
    moved = greenai.price(str(ELMO), region="fr")
    assert moved.region == "fr" and moved.total.energy_kwh == elmo.total.energy_kwh


def test_price_refuses_bad_input_by_key() -> None:
    from greenai.errors import InputError

    with pytest.raises(InputError) as error:
        greenai.price({"hardware": "8 x H100", "hours": -1, "region": "fr"})
    assert error.value.key == "hours"


def test_calculator_bounds_pass_through_and_nan_means_unknown() -> None:
    nan = np.full((2, 1), np.nan)
    columns = {
        "power_w": calculate.bounded([1000.0, 2000.0], [500.0, 1000.0], [1000.0, 2500.0]),
        "devices": calculate.exact([4.0, 8.0]),
        "hours": calculate.exact([10.0, 1.0]),
        "runs": calculate.exact([2.0, 1.0]),
        "pue": calculate.exact([1.5, 1.0]),
        "carbon_intensity_g_per_kwh": calculate.exact([400.0, 50.0]),
        "electricity_price_usd_per_kwh": calculate.exact([0.1, np.nan]),
        "cloud_usd_per_hour": np.array([[np.nan] * 3, [20.0, 8.0, 20.0]]),
        "fpo_per_run": nan,
        "it_energy_kwh": nan,
        "device_hours": nan,
    }
    out = calculate.calculate(columns)
    assert out["energy_kwh"].shape == (2, 3)
    assert out["energy_kwh"][0].tolist() == pytest.approx([30.0, 15.0, 30.0])  # kW x h x PUE x 2
    assert out["co2e_kg"][0].tolist() == pytest.approx([12.0, 6.0, 12.0])
    assert out["cost_usd"][0].tolist() == pytest.approx([3.0, 1.5, 3.0])  # electricity
    assert out["cost_usd"][1].tolist() == pytest.approx([20.0, 8.0, 20.0])  # cloud, one cost rule
    assert np.isnan(out["electricity_cost_usd"][1]).all()
    columns["hours"] = calculate.exact([1e308, 1.0])
    with pytest.raises(greenai.errors.InputError, match="not finite"):
        calculate.calculate(columns)


def test_strubell_figures_are_exact_and_their_ranges_collapse() -> None:
    # the rows Strubell et al. measured (the TPU rows have no power: TDP, with its range)
    measured = ("transformer_base", "transformer_big", "elmo", "bert_base_v100", "nas_p100")
    for path in (CONFIGS / "strubell2019" / f"{name}.yaml" for name in measured):
        found = estimate(load(path, DATA), DATA)
        for name, (low, high) in found.total.ranges.items():
            # prices, and embodied CO2e (its sources and lifetimes, issue 14), keep their ranges
            if name not in ("cloud_cost_usd", "cost_usd", "embodied_co2e_kg", "total_co2e_kg"):
                assert low == high == found.total.bound(name), (path.name, name)


DEVICES = ["V100", "A100", "H100", "B200"]  # B200: no embodied footprint (unknown)
REGIONS = ["fr", "us-va", "gcp:us-central1", "aws:us-east-1"]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    devices=st.lists(st.sampled_from(DEVICES), min_size=1, max_size=3, unique=True),
    regions=st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True),
    runs=st.lists(st.integers(1, 9), min_size=1, max_size=2, unique=True),
    top=st.one_of(st.none(), st.integers(1, 5)),
)
def test_compare_agrees_with_estimate_row_by_row(tmp_path_factory, devices, regions, runs, top):
    folder = tmp_path_factory.mktemp("grid")
    path = folder / "plan.yaml"
    path.write_text("name: plan\nhardware: 4 x A100\nhours: 12.5\nregion: fr\n")
    texts = [
        "hardware.device=" + ",".join(devices),
        "region=" + ",".join(regions),
        "runs=" + ",".join(map(str, runs)),
    ]
    variations = [compare.parse_variation(text, DATA) for text in texts]
    grid = compare.compare([path], variations, DATA, top=top)
    size = len(devices) * len(regions) * len(runs)
    assert grid.scenarios == size and len(grid.frame) == min(top or size, size)
    values = grid.frame["co2e_kg"].to_numpy()
    assert (np.diff(values) >= 0).all()  # sorted by the value
    for row, priced in zip(grid.frame.itertuples(), grid.estimates(), strict=True):
        scenario = grid.scenario(row)
        sets = [f"hardware.device={scenario['hardware.device']}",
                f"region={scenario['region']}", f"runs={scenario['runs']}"]  # fmt: skip
        single = estimate(load(path, DATA, sets), DATA)
        for name in FIGURES:
            for which in calculate.BOUNDS:
                one, many = single.total.bound(name, which), priced.total.bound(name, which)
                assert (one is None) == (many is None), (scenario, name, which)
                if one is not None:
                    assert many == pytest.approx(one, rel=1e-12), (scenario, name, which)
            low, high = priced.total.bound(name, "low"), priced.total.bound(name, "high")
            value = priced.total.bound(name)
            if value is not None:
                assert low <= value <= high, (scenario, name)


def _imports(path: Path) -> set[str]:
    """The greenai modules `path` imports at module level (TYPE_CHECKING blocks included)."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        blocks = node.body if isinstance(node, ast.If) else [node]
        for item in blocks:
            if (
                isinstance(item, ast.ImportFrom)
                and item.module
                and item.module.startswith("greenai")
            ):
                found.add(item.module)
                found.update(f"{item.module}.{a.name}" for a in item.names)
            elif isinstance(item, ast.Import):
                found.update(a.name for a in item.names if a.name.startswith("greenai"))
    return found


def test_no_import_circle() -> None:
    package = ROOT / "greenai"
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
        for p in package.rglob("*.py")
    }
    edges = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    for name in ("greenai.budget", "greenai.core.budgets", "greenai.estimate"):
        assert name in edges
    assert "greenai.estimate" not in edges["greenai.budget"]

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        for target in edges[module]:
            if target != "greenai":
                visit(target, (*trail, module))

    for module in edges:
        visit(module, ())


PROBE = """
import sys
import greenai.core.calculate, greenai.core.resolve, greenai.core.budgets, greenai.estimate
import greenai.compare, greenai
greenai.price({"hardware": "8 x H100", "hours": 24, "region": "fr"})
print(",".join(sorted(m for m in ("typer", "rich", "pandas") if m in sys.modules)))
"""


def test_the_core_and_price_import_neither_typer_nor_rich_nor_pandas() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
