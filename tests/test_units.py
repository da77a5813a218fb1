"""Quantity parsing: units, bare numbers, dimensions (hypothesis for the parser)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenai import units

TIME = {
    "s": 1 / 3600,
    "min": 1 / 60,
    "h": 1.0,
    "hours": 1.0,
    "day": 24.0,
    "days": 24.0,
    "week": 168.0,
}


@given(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False), st.sampled_from(sorted(TIME)))
def test_durations_in_any_time_unit(value: float, unit: str) -> None:
    parsed = units.to(units.parse(f"{value!r} {unit}", "hour"), "hour")
    assert math.isclose(parsed, value * TIME[unit], rel_tol=1e-9)


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_bare_numbers_take_the_key_unit(value: float) -> None:
    assert units.to(units.parse(value, "watt"), "watt") == pytest.approx(value)
    assert units.to(units.parse(str(value), "watt"), "watt") == pytest.approx(value)


@given(st.text(max_size=30))
def test_any_text_gives_a_finite_duration_or_a_quantity_error(text: str) -> None:
    try:
        hours = units.to(units.parse(text, "hour"), "hour")
    except units.QuantityError as error:
        assert str(error).startswith("expected")
    else:
        assert math.isfinite(hours)


def test_published_conversions() -> None:
    # Strubell's 0.954 lb/kWh is 432.7 g/kWh; eGRID-style lb/MWh to g/kWh
    assert units.to(units.parse("0.954 lb/kWh", "g/kWh"), "g/kWh") == pytest.approx(
        432.727, abs=1e-3
    )
    assert units.convert(1000, "lb/MWh", "g/kWh") == pytest.approx(453.59237)
    assert units.to(units.parse("433 gCO2e/kWh", "g/kWh"), "g/kWh") == 433
    assert units.to(units.parse("3.3 days", "hour"), "hour") == pytest.approx(79.2)
    # ResNet-50: about 4.1 GMACs = 8.2 GFLOP (DESIGN.md: one multiply-add is 2 FLOP)
    assert units.to(units.parse("4.1 GMACs", "FLOP"), "FLOP") == pytest.approx(8.2e9)
    assert units.to(units.parse("$2.48/h", "USD/hour"), "USD/hour") == 2.48


@pytest.mark.parametrize("text", ["5 kg", "3 W", "12 GB"])
def test_wrong_dimension_is_refused(text: str) -> None:
    with pytest.raises(units.QuantityError, match="convertible to hour"):
        units.parse(text, "hour")


@pytest.mark.parametrize("value", ["nan", "inf h", float("inf"), None, True, [1]])
def test_non_finite_and_non_quantities_are_refused(value) -> None:
    with pytest.raises(units.QuantityError):
        units.parse(value, "hour")
