"""The one pint registry of greenai, and the parsing of quantities written in experiment files.

Every unit conversion in greenai goes through `registry()`: no hand-written factors for kWh or
pounds anywhere else. The registry is built lazily, once, from `units.txt` (a small definition
file), because pint's full default registry costs more start-up time than a whole estimate.
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pint is imported lazily: `greenai --help` must not pay for it.
    import pint

# "433 gCO2e/kWh", "0.954 lbCO2/kWh": the gas is part of the label, not of the unit.
_GAS = re.compile(r"(?<=[a-zA-Z])\s*CO2(?:e|eq|-eq|-e)?\b|\bCO2(?:e|eq|-eq|-e)?\s*")
_DOLLAR = re.compile(r"\$\s*([0-9.eE+-]+)")


class QuantityError(ValueError):
    """A value that is not a quantity of the expected kind; the message says what was expected."""


@functools.cache
def registry() -> pint.UnitRegistry:
    """The application's single registry (pint's advice: one registry per application)."""
    import pint

    definitions = resources.files("greenai").joinpath("units.txt")
    with resources.as_file(definitions) as path:
        ureg = pint.UnitRegistry(str(path), autoconvert_offset_to_baseunit=True, cache_folder=None)
    ureg.formatter.default_format = "~P"
    return ureg


@functools.lru_cache(maxsize=256)
def unit(text: str) -> pint.Unit:
    """The Unit named by `text`, parsed once: pint re-parses unit strings on every call, which
    dominates the cost of a what-if grid or a fuzz run."""
    return registry().Unit(text)


def quantity(value: Any, unit_text: str) -> pint.Quantity:
    """A pint Quantity of `value` in `unit_text` (value may be a number or a numpy array)."""
    return registry().Quantity(value, unit(unit_text))


def to(value: pint.Quantity, unit_text: str) -> Any:
    """The magnitude of `value` in `unit_text` (a float, or an array for array quantities)."""
    return value.to(unit(unit_text)).magnitude


def convert(magnitude: Any, from_unit: str, to_unit: str) -> Any:
    """`magnitude` in `from_unit`, expressed in `to_unit` (for values stored as plain floats)."""
    return quantity(magnitude, from_unit).to(unit(to_unit)).magnitude


def _clean(text: str) -> str:
    text = _GAS.sub("", text.strip())
    text = _DOLLAR.sub(r"\1 USD", text)
    return text.replace("·", "*").replace("×", "*")


def parse(value: Any, default_unit: str, expected: str | None = None) -> pint.Quantity:
    """Parse a value from an experiment file into a Quantity with the dimension of `default_unit`.

    A bare number (int or float, or a numeric string) takes `default_unit`, the documented unit
    of its key; a string with a unit must have the same dimension. `expected` names the kind
    of quantity in error messages ("a duration", "a power").
    """
    what = expected or f"a quantity in {default_unit}"
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"expected {what} (e.g. '{_example(default_unit)}'), got {value!r}")
    ureg = registry()
    default = unit(default_unit)
    if isinstance(value, int | float):
        result = ureg.Quantity(float(value), default)
    elif isinstance(value, str):
        text = _clean(value)
        if not text:
            raise QuantityError(f"expected {what} (e.g. '{_example(default_unit)}'), got ''")
        try:
            result = ureg.Quantity(float(text), default)
        except ValueError:
            try:
                result = ureg.Quantity(text)
            except Exception as error:  # pint raises several types for unparsable text
                raise QuantityError(
                    f"expected {what} (e.g. '{_example(default_unit)}'), could not read "
                    f"{value!r}: {_reason(error)}"
                ) from None
            if not isinstance(result, ureg.Quantity):  # a bare expression such as "2*3"
                result = ureg.Quantity(float(result), default)
            elif result.dimensionless and not default.dimensionless:
                result = ureg.Quantity(result.to("").magnitude, default)
    else:
        raise QuantityError(
            f"expected {what} (e.g. '{_example(default_unit)}'), got a "
            + (
                "list"
                if isinstance(value, list)
                else "mapping"
                if isinstance(value, dict)
                else type(value).__name__
            )
        )
    if result.dimensionality != default.dimensionality:
        raise QuantityError(
            f"expected {what} (convertible to {default_unit}), got {value!r} "
            f"which is in {result.units:~P}"
        )
    magnitude = result.to(default).magnitude
    if not math.isfinite(magnitude):
        raise QuantityError(f"expected {what} that is a finite number, got {value!r}")
    return result


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.rstrip(".")


_EXAMPLES = {
    "hour": "79.2 h",
    "watt": "300 W",
    "gigabyte": "64 GB",
    "g/kWh": "433 g/kWh",
    "USD/kWh": "0.12 USD/kWh",
    "USD/hour": "2.48 USD/h",
    "FLOP": "3.3 GFLOP",
}


def _example(unit: str) -> str:
    return _EXAMPLES.get(unit, f"1 {unit}")
