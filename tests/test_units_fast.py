"""The unit table that spares an estimate pint: every entry is pint's, and every reading it makes
is the one pint makes (the same value to 1e-12, or the same error)."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenai import tables, unit_table, units
from greenai.core import calculate

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(unit_table.UNITS)
BY_DIMENSION: dict[tuple[int, ...], list[str]] = defaultdict(list)
for _name in NAMES:
    BY_DIMENSION[unit_table.UNITS[_name][1]].append(_name)


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_unit_table", ROOT / "scripts" / "build_unit_table.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_entry_is_what_pint_says() -> None:
    ureg = units.registry()
    for name, (factor, exponents) in unit_table.UNITS.items():
        one = ureg.Quantity(f"1 {name}")
        assert one.to_root_units().magnitude == factor, name
        dimensions = dict(one.dimensionality)
        assert set(dimensions) <= set(unit_table.DIMENSIONS), name
        expected = tuple(dimensions.get(d, 0) for d in unit_table.DIMENSIONS)
        assert exponents == expected, name
        if name not in ("%", "dimensionless"):
            assert len(ureg.parse_unit_name(name)) == 1, f"{name} is ambiguous to pint"


def test_the_committed_table_is_a_fresh_build() -> None:
    """units.txt edited without rebuilding the table would make the two readers disagree."""
    build = builder()
    fresh = build.render(*build.build(units.registry()))
    assert (ROOT / "greenai" / "unit_table.py").read_text(encoding="utf-8") == fresh
    assert {"kWh", "MWh", "GB", "GiB", "lb", "h", "days", "USD", "GFLOP", "MACs", "%"} <= set(
        unit_table.UNITS
    )


def with_pint_only(value: object, unit: str) -> tuple[str, object]:
    """What `units.parse` gives when every unit expression goes to pint."""
    with mock.patch.object(units, "_fast_quantity", return_value=None):
        return outcome(value, unit)


def outcome(value: object, unit: str) -> tuple[str, object]:
    try:
        return "value", units.to(units.parse(value, unit), unit)
    except units.QuantityError as error:
        return "error", str(error)


def assert_same(fast: tuple[str, object], slow: tuple[str, object], text: str) -> None:
    assert fast[0] == slow[0], (text, fast, slow)
    if fast[0] == "value":
        assert math.isclose(fast[1], slow[1], rel_tol=1e-12), (text, fast, slow)  # type: ignore[arg-type]
    else:
        assert fast[1] == slow[1], text


ISSUE_EXAMPLES = [
    ("79.2 h", "hour"),
    ("3 days", "hour"),
    ("0.954 lb/kWh", "g/kWh"),
    ("433 g/kWh", "g/kWh"),
    ("433 gCO2e/kWh", "g/kWh"),
    ("300 W", "watt"),
    ("64 GB", "gigabyte"),
    ("2.48 USD/h", "USD/hour"),
    ("$2.48/h", "USD/hour"),
    ("3.3 GFLOP", "FLOP"),
    ("4.1 GMACs", "FLOP"),
    ("104 MWh", "kWh"),
    ("1,234.5 kWh", "kWh"),
    ("50 %", "dimensionless"),
    ("3kWh", "kWh"),
    ("0.12 USD/kWh", "USD/kWh"),
]


@pytest.mark.parametrize(("text", "unit"), ISSUE_EXAMPLES)
def test_plain_quantities_are_read_without_pint_and_as_pint_reads_them(text, unit) -> None:
    clean = units._commas(units._clean(text), text, "")
    assert units._fast_quantity(clean, units._reading(unit)) is not None
    assert_same(outcome(text, unit), with_pint_only(text, unit), text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("0123 h", "hour"),  # pint reads 0: the table must not read 123
        ("1e3J", "joule"),  # an imaginary number to Python's tokenizer
        ("1_000 h", "hour"),
        ("5 kg", "hour"),  # the error names pint's unit
        ("3 W h", "kWh"),
        ("2 * 3 h", "hour"),
        ("(1/2) h", "hour"),
        ("4 W**2/W", "watt"),
        ("1e400 h", "hour"),
        ("3 hourz", "hour"),
    ],
)
def test_what_the_table_does_not_read_is_pints(text: str, unit: str) -> None:
    assert_same(outcome(text, unit), with_pint_only(text, unit), text)


MAGNITUDES = st.one_of(
    st.floats(min_value=0, max_value=1e30, allow_nan=False).map(repr),
    st.floats(min_value=1e-30, max_value=1e30).map(lambda x: f"{x:e}"),
    st.floats(min_value=0, max_value=1e6).map(lambda x: f"{x:.3f}"),
    st.integers(min_value=0, max_value=10**25).map(str),
    st.from_regex(r"\A[-+]?0*\d{1,4}(\.\d{0,3})?([eE][-+]?\d{1,3})?\Z"),
)
SPACES = st.sampled_from(["", " ", "  ", "\t"])
OPERATORS = st.sampled_from(["*", "/", " / ", " * "])
UNIT_EXPRESSIONS = st.builds(
    lambda names, operators: (
        names[0] + "".join(op + name for op, name in zip(operators, names[1:], strict=False))
    ),
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=3),
    st.lists(OPERATORS, min_size=2, max_size=2),
)
DEFAULTS = st.sampled_from(["hour", "watt", "g/kWh", "USD/hour", "FLOP", "kWh", "dimensionless"])


@settings(deadline=None, max_examples=400)
@given(number=MAGNITUDES, space=SPACES, unit=UNIT_EXPRESSIONS, default=DEFAULTS)
def test_fast_readings_equal_pints(number: str, space: str, unit: str, default: str) -> None:
    text = f"{number}{space}{unit}"
    for wanted in (unit, default):  # the dimension of the text, and a fixed key's
        assert_same(outcome(text, wanted), with_pint_only(text, wanted), f"{text} in {wanted}")


@given(st.floats(min_value=1e-6, max_value=1e12), st.sampled_from(NAMES))
def test_plain_spaced_quantities_take_the_fast_path(value: float, name: str) -> None:
    assert units._fast_quantity(f"{value!r} {name}", unit_table.UNITS[name]) is not None


@settings(deadline=None)
@given(
    magnitude=st.floats(min_value=-1e30, max_value=1e30, allow_nan=False),
    dimension=st.sampled_from(sorted(BY_DIMENSION)),
    data=st.data(),
)
def test_conversions_equal_pints(magnitude: float, dimension, data) -> None:
    source = data.draw(st.sampled_from(BY_DIMENSION[dimension]))
    target = data.draw(st.sampled_from(BY_DIMENSION[dimension]))
    expected = units.registry().Quantity(magnitude, source).to(target).magnitude
    assert math.isclose(units.convert(magnitude, source, target), expected, rel_tol=1e-12)


def test_the_calculator_factors_are_pints() -> None:
    ureg = units.registry()
    kwh_per_wh, kg_per_g = calculate._factors()
    assert kwh_per_wh == pytest.approx(ureg.Quantity(1, "W*h").to("kWh").magnitude, rel=1e-15)
    assert kg_per_g == pytest.approx(ureg.Quantity(1, "g").to("kg").magnitude, rel=1e-15)
    assert units.convert(1000, "lb/MWh", "g/kWh") == pytest.approx(453.59237, rel=1e-15)


PROBE = """
import sys
from greenai.cli import main
try:
    main({args!r})
except SystemExit as done:
    assert not done.code, done.code
print("IMPORTED=" + ",".join(m for m in ("pint", "pandas", "numpy") if m in sys.modules))
"""

CONFIGS = [
    *sorted((ROOT / "configs" / "strubell2019").glob("*.yaml")),
    ROOT / "configs" / "today" / "finetune_8xh100_quebec.yaml",
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.name)
def test_one_estimate_imports_neither_pint_nor_pandas(config: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=["estimate", str(config)])],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stdout.splitlines() if x.startswith("IMPORTED=")][-1]
    imported = set(filter(None, line.removeprefix("IMPORTED=").split(",")))
    assert "numpy" in imported  # it did compute
    assert imported & {"pint", "pandas"} == set()


# ----------------------------------------------------------------------------- lazy tables


@pytest.mark.parametrize("name", ["hardware.csv", "regions.csv"])
def test_keyed_tables_have_one_record_a_line(name: str) -> None:
    """What lets a lookup scan for `\\nKEY,` instead of parsing the table (tables._KeyedRows)."""
    text = (ROOT / "data" / name).read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(records) == text.count("\n")
    keys = [row[0] for row in records[1:]]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("name", "key"), [("hardware.csv", "p100"), ("regions.csv", "us")])
def test_a_key_is_found_without_parsing_the_table(name: str, key: str) -> None:
    rows = tables._KeyedRows(name)
    assert key in rows and "no-such-key" not in rows
    assert "_all" not in rows.__dict__  # nothing parsed the whole table
    assert f"{key},x" not in rows  # a key no bare line can hold: asks the full parse
    with (ROOT / "data" / name).open(encoding="utf-8", newline="") as handle:
        full = {row[0]: row for row in list(csv.reader(handle))[1:]}
    for each, row in full.items():  # the scan gives each row exactly as the full parse does
        assert tables._KeyedRows(name)[each] == row
    assert dict(rows) == full and len(rows) == len(full)


def test_one_estimate_builds_only_the_rows_it_uses() -> None:
    data = tables.load.__wrapped__()  # a fresh load: another test may have listed every row
    data.region("us"), data.device("P100")
    assert "_all" not in data._hardware.__dict__  # type: ignore[attr-defined]
    assert data.regions["us"].name == "United States"
