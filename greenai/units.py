"""The one pint registry of greenai, and the parsing of quantities written in experiment files.

Every unit conversion in greenai goes through this module: no hand-written factors for kWh or
pounds anywhere else. The registry is built lazily, once, from `units.txt` (a small definition
file), because pint's full default registry costs more start-up time than a whole estimate.

Importing pint at all costs about as much as the rest of an estimate, so plain quantities never
need it: "79.2 h", "0.954 lb/kWh", "64 GB" (a number, then units of `unit_table.py` joined by
* and /) are read with the factors of `unit_table.py`, which scripts/build_unit_table.py asks
pint for (from units.txt) and tests/test_units_fast.py checks entry by entry against pint, and
`convert` between such units likewise. Anything else (parentheses, powers, "2 * 3 h", a unit
the table lacks, an error message that names a unit) goes to pint, which decides; the fast
reading is taken only where it agrees with pint's, and the tests hold it to that.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greenai import durations
from greenai.unit_table import DIMENSIONS, UNITS

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
    from importlib import resources  # only here: a plain estimate never builds the registry

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


@dataclass(frozen=True, slots=True)
class Amount:
    """A quantity read from a file: its magnitude in the unit it was asked for (`parse`'s
    `default_unit`). Lighter than a pint Quantity, which would need pint imported."""

    magnitude: float
    unit: str

    def to(self, unit_text: str) -> Amount:
        return Amount(to(self, unit_text), unit_text)


def to(value: Amount | pint.Quantity, unit_text: str) -> Any:
    """The magnitude of `value` in `unit_text` (a float, or an array for array quantities)."""
    if isinstance(value, Amount):
        if unit_text == value.unit:
            return value.magnitude
        return convert(value.magnitude, value.unit, unit_text)
    return value.to(unit(unit_text)).magnitude


def convert(magnitude: Any, from_unit: str, to_unit: str) -> Any:
    """`magnitude` in `from_unit`, expressed in `to_unit` (for values stored as plain floats).
    Between units of the table (of the same dimension) without pint; otherwise pint decides."""
    source, target = _fast_unit(from_unit), _fast_unit(to_unit)
    if source is not None and target is not None and source[1] == target[1]:
        return magnitude * (source[0] / target[0])
    return quantity(magnitude, from_unit).to(unit(to_unit)).magnitude


Reading = tuple[float, tuple[int, ...]]  # (factor to the base units, exponent per dimension)

# A unit expression the table reads: names of unit_table.UNITS joined by * and / (left to right,
# as pint reads them), no parentheses, powers or spaces between names ("W h" is pint's).
_FAST_NAME = re.compile(r"[^\W\d]\w*|%")
_FAST_UNIT = re.compile(r"(?:[^\W\d]\w*|%)(?:[ \t]*[*/][ \t]*(?:[^\W\d]\w*|%))*")
# A number as Python's tokenizer (pint's) reads it to the same value as float(): ASCII digits
# (float() reads "٣", pint does not), no "0123" (pint reads 0 and 123), no "1_000", and, see
# _fast_quantity, no "1e3J" (an imaginary number).
_FAST_QUANTITY = re.compile(
    r"(?P<number>[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
    r"|[0-9]+[eE][-+]?[0-9]+|[1-9][0-9]*|0+))"
    r"(?P<space>[ \t]*)(?P<unit>" + _FAST_UNIT.pattern + r")"
)


@functools.lru_cache(maxsize=256)
def _fast_unit(text: str) -> Reading | None:
    """The factor and dimension of a unit expression from the table, None where pint must read
    it. The factors multiply left to right as pint's evaluator does."""
    if text in UNITS:
        return UNITS[text]
    if not _FAST_UNIT.fullmatch(text):
        return None
    factor, dimensions = 1.0, [0] * len(DIMENSIONS)
    sign = 1
    position = 0
    while position < len(text):
        if text[position] in " \t":
            position += 1
        elif text[position] in "*/":
            sign = 1 if text[position] == "*" else -1
            position += 1
        else:
            name = _FAST_NAME.match(text, position)
            if name is None or name.group() not in UNITS:
                return None
            scale, exponents = UNITS[name.group()]
            factor = factor * scale if sign > 0 else factor / scale
            dimensions = [d + sign * e for d, e in zip(dimensions, exponents, strict=True)]
            position = name.end()
    return factor, tuple(dimensions)


def _fast_quantity(text: str, default: Reading) -> float | None:
    """The magnitude in the default unit of `NUMBER UNIT` text, read with the table; None for
    anything pint must read (or that is an error, so that pint's message names the units)."""
    match = _FAST_QUANTITY.fullmatch(text)
    if match is None:
        return None
    number, unit_text = match.group("number"), match.group("unit")
    if not match.group("space") and unit_text[0] in "jJ" and "e" in number.lower():
        return None  # "1e3J" is an imaginary number to Python's tokenizer (pint's)
    reading = _fast_unit(unit_text)
    magnitude = float(number)
    if reading is None or not math.isfinite(magnitude):
        return None
    factor, dimensions = reading
    if not any(dimensions) and any(default[1]):  # "50 %" of a non-dimensionless key: 0.5 of it
        return magnitude * factor
    if dimensions != default[1]:
        return None
    return magnitude * (factor / default[0])


def _clean(text: str) -> str:
    text = _GAS.sub("", text.strip())
    text = _DOLLAR.sub(r"\1 USD", text)
    return text.replace("·", "*").replace("×", "*")


MAX_TEXT = 100  # "0.954 lb/kWh" is 12 characters; pint's evaluator has no budget of its own
MAX_EXPONENT = 99  # 10^21 FLOP is a real figure; 9**9**9 is a big-int computation that never ends

# The grammar a quantity string may have before pint sees it: numbers, unit names, * / and
# parentheses, powers with small literal exponents, signs only where they are signs. pint
# evaluates integer powers as Python big ints and sums of anything, so "9**9**9 h" hangs.
_TOKEN = re.compile(
    r"(?P<space>[ \t]+)|(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[^\W\d][\w]*|%)|(?P<power>\*\*|\^)|(?P<op>[*/])|(?P<sign>[-+])|(?P<paren>[()])"
)
_BASE_PREFIX = re.compile(r"[-+]?0[xXoObB]")  # hex, octal, binary: YAML 1.1 and pint disagree
_GROUPED = re.compile(r"\d[\d,]*,[\d,]*(?:\.\d*)?")  # a number with commas in it
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")


def parse(value: Any, default_unit: str, expected: str | None = None) -> Amount:
    """Parse a value from an experiment file into an Amount in `default_unit`.

    A bare number (int or float, or a numeric string) takes `default_unit`, the documented unit
    of its key; a string with a unit must have the same dimension. A clock time ("1:30",
    "2-12:00:00") is a duration where `default_unit` is a time, and refused elsewhere.
    `expected` names the kind of quantity in error messages ("a duration", "a power").

    Raises QuantityError and nothing else, whatever `value` is: this is where text from files,
    --set and --budget meets pint.
    """
    what = expected or f"a quantity in {default_unit}"
    try:
        return Amount(_parse(value, default_unit, what), default_unit)
    except QuantityError:
        raise
    except Exception as error:  # pint and float() raise many types on strange input
        raise QuantityError(
            f"expected {what} (e.g. '{_example(default_unit)}'), could not read "
            f"{_shown(value)}: {_reason(error)}"
        ) from None


def _reading(unit_text: str) -> Reading:
    """Factor and dimension of a unit: from the table, else from pint (which raises for a unit
    it does not know)."""
    found = _fast_unit(unit_text)
    if found is not None:
        return found
    factor, _ = registry().get_root_units(unit(unit_text))
    dimensions = unit(unit_text).dimensionality
    if set(dimensions) - set(DIMENSIONS):
        raise ValueError(f"{unit_text!r} has a dimension units.txt does not define")
    return float(factor), tuple(int(dimensions.get(name, 0)) for name in DIMENSIONS)


def _parse(value: Any, default_unit: str, what: str) -> float:
    """The magnitude of `value` in `default_unit` (see `parse`)."""
    example = f"expected {what} (e.g. '{_example(default_unit)}')"
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"{example}, got {value!r}")
    default = _reading(default_unit)
    if isinstance(value, int | float):
        try:
            magnitude = float(value)
        except OverflowError:
            raise QuantityError(f"{example}, got a number of {len(str(value)):,} digits") from None
    elif isinstance(value, str):
        text = _clean(value)
        if not text:
            raise QuantityError(f"{example}, got ''")
        if len(text) > MAX_TEXT:
            raise QuantityError(f"{example}, got {len(text):,} characters (at most {MAX_TEXT})")
        if durations.is_clock(text):
            magnitude = _clock(text, value, default_unit, default, example)
        else:
            if _BASE_PREFIX.match(text):
                raise QuantityError(
                    f"{example}, got {value!r}: numbers are read as decimal only (no 0x, 0o, 0b)"
                )
            text = _commas(text, value, example)
            try:
                magnitude = float(text)
            except ValueError:
                _check_grammar(text, value, example)
                fast = _fast_quantity(text, default)
                magnitude = (
                    _with_pint(text, value, default_unit, what, example) if fast is None else fast
                )
    else:
        raise QuantityError(
            f"{example}, got a "
            + (
                "list"
                if isinstance(value, list)
                else "mapping"
                if isinstance(value, dict)
                else type(value).__name__
            )
        )
    if not math.isfinite(magnitude):
        raise QuantityError(f"expected {what} that is a finite number, got {value!r}")
    return magnitude


def _with_pint(text: str, value: str, default_unit: str, what: str, example: str) -> float:
    """What pint reads `text` as, in `default_unit`: for what the table cannot read."""
    ureg = registry()
    default = unit(default_unit)
    try:
        result = ureg.Quantity(text)
    except Exception as error:  # pint raises several types for unparsable text
        raise QuantityError(f"{example}, could not read {value!r}: {_reason(error)}") from None
    if not isinstance(result, ureg.Quantity):  # a bare expression such as "2*3"
        result = ureg.Quantity(float(result), default)
    elif result.dimensionless and not default.dimensionless:
        result = ureg.Quantity(result.to("").magnitude, default)
    if result.dimensionality != default.dimensionality:
        raise QuantityError(
            f"expected {what} (convertible to {default_unit}), got {value!r} "
            f"which is in {result.units:~P}"
        )
    return result.to(default).magnitude


def _clock(text: str, value: str, default_unit: str, default: Reading, example: str) -> float:
    """A clock time as a duration in `default_unit`; refused for any other kind of quantity,
    never read as a number (pint reads "1:30" as 30)."""
    if default[1] != _reading("hour")[1]:
        raise QuantityError(
            f"{example}, got {value!r}, which looks like a clock time ({durations.FORMS}); "
            "clock times are read only where a duration is expected"
        )
    try:
        seconds = durations.parse_seconds(text)
    except durations.DurationError as error:
        raise QuantityError(f"{example}, could not read a clock time: {error}") from None
    return convert(seconds / 3600, "hour", default_unit)


def _commas(text: str, value: str, example: str) -> str:
    """`text` without thousands separators; a comma that could be a decimal comma is refused.

    "1,234.5" and "1,234,567" are unambiguous; "2,5" is a decimal comma (pint would read 25) and
    "1,234" could be either, so both are refused with the spelling to use instead.
    """
    if text.lstrip().startswith("[") or text.rstrip().endswith("]"):  # a quoted YAML list
        raise QuantityError(
            f"{example}, got {value!r}: a list is written in YAML, each value with its unit: "
            "[0.74 USD/h, 2.48 USD/h]"
        )
    for number in _GROUPED.findall(text):
        plain = number.replace(",", "")
        if _THOUSANDS.fullmatch(number) and (number.count(",") > 1 or "." in number):
            text = text.replace(number, plain, 1)
            continue
        if number.count(",") == 1 and _THOUSANDS.fullmatch(number):
            decimal = number.replace(",", ".")
            raise QuantityError(
                f"{example}, got {value!r}: is {number!r} {plain} (thousands separator) or "
                f"{decimal} (decimal comma)? write {plain} or {decimal}"
            )
        if number.count(",") == 1 and "." not in number:
            fixed = value.replace(number, number.replace(",", "."), 1).strip()
            raise QuantityError(f"{example}, got {value!r}: decimal comma? write {fixed}")
        raise QuantityError(
            f"{example}, got {value!r}: a comma in a number is read only as a thousands "
            f"separator (1,234.5); write {plain}"
        )
    return text


def _check_grammar(text: str, value: str, example: str) -> None:
    """Refuse what a quantity never needs before pint evaluates it (see _TOKEN)."""

    def refuse(why: str) -> QuantityError:
        return QuantityError(f"{example}, could not read {value!r}: {why}")

    previous = ""  # the kind of the last token that was not a space ("(" or ")" for those)
    exponent = False  # the last token was an exponent: a power of it would be a tower
    position = 0
    while position < len(text):
        token = _TOKEN.match(text, position)
        if token is None:
            if text[position] == ":":
                raise refuse("a clock time is H:MM[:SS] or D-HH:MM:SS, with no unit")
            raise refuse(f"unexpected {text[position]!r}")
        position = token.end()
        kind = token.lastgroup or ""
        if kind == "space":
            continue
        if kind == "sign" and previous not in ("", "op", "("):
            raise refuse(f"{token.group()!r} between values; write one value, not a sum")
        if kind == "power":
            if previous not in ("number", "name") or exponent:
                raise refuse("a power applies to a unit or a number, once (no 2**3**4)")
            power = _TOKEN.match(text, position)
            while power and power.lastgroup in ("space", "sign"):
                power = _TOKEN.match(text, power.end())
            digits = power.group() if power and power.lastgroup == "number" else ""
            if not digits.isdigit() or int(digits) > MAX_EXPONENT or not power:
                raise refuse(f"an exponent must be a whole number up to {MAX_EXPONENT}")
            if text[position : power.start()].replace(" ", "") not in ("", "-", "+"):
                raise refuse("an exponent takes one sign at most")
            position, previous, exponent = power.end(), "number", True
            continue
        exponent = False
        previous = token.group() if kind == "paren" else kind


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text):,} characters)"


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
