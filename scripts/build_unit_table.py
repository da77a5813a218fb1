"""Build greenai/unit_table.py: every unit spelling of greenai/units.txt with its factor, from pint.

    python scripts/build_unit_table.py [--check]

greenai reads plain quantities ("79.2 h", "0.954 lb/kWh", "64 GB") without importing pint, which
costs more than the rest of an estimate. It needs, for each spelling a file may use, the factor to
the base units and the dimension; this script asks pint itself (with greenai's own definitions)
for both, so the table is pint's answer and nothing is typed by hand. Spellings: every name,
symbol and alias of units.txt, and, for the units that take SI or binary prefixes (listed in
PREFIXED), every prefix spelling before every spelling of the unit ("kWh", "kilowatt_hour",
"GiB", "µs"). A spelling pint refuses, or reads in more than one way, is left out: the reader
hands it to pint. tests/test_units_fast.py rebuilds the table in memory and checks it entry by
entry against pint, so the committed table can never drift from units.txt or from pint.

--check exits 1 when the committed table differs from a fresh build (for CI).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "greenai" / "units.txt"
OUT = ROOT / "greenai" / "unit_table.py"

# the units a prefix makes sense on (kWh, MJ, kg, Mt, GB, GFLOP, ms); not hours, pounds or dollars
PREFIXED = (
    "second",
    "gram",
    "tonne",
    "watt",
    "joule",
    "watt_hour",
    "byte",
    "floating_point_operation",
    "multiply_accumulate",
)
# names a quantity's unit may be given as that are not in units.txt's left-hand column
EXTRA = ("dimensionless",)

_LINE = re.compile(r"^\s*([^#=\s][^=]*?)\s*=\s*(.*?)\s*$")

HEADER = '''"""Factors of greenai's units, built from units.txt by scripts/build_unit_table.py.

Do not edit: rebuild with `python scripts/build_unit_table.py`. tests/test_units_fast.py checks
every entry against pint. Each entry: spelling -> (factor to the base units, exponent of each of
DIMENSIONS); "kWh" is 3.6e6 of the base unit watt x second, dimension [power] x [time].
"""
'''


def spellings(path: Path = DEFINITIONS) -> tuple[dict[str, list[str]], list[str]]:
    """(unit name -> its name, symbol and aliases; every prefix spelling) from a definition
    file in pint's grammar ("hour = 60 * minute = h = hr", "kilo- = 1e3 = k- = K-")."""
    units: dict[str, list[str]] = {}
    prefixes: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(raw.split("#", 1)[0])
        if not match:
            continue
        name, rest = match.groups()
        others = [part.strip() for part in rest.split("=")[1:]]
        others = [part for part in others if part and part != "_"]
        if name.endswith("-"):
            prefixes += [p[:-1] for p in (name, *others) if p.endswith("-")]
        else:
            units[name] = [name, *others]
    return units, prefixes


def candidates(path: Path = DEFINITIONS) -> list[str]:
    """Every spelling the table tries, in a stable order."""
    units, prefixes = spellings(path)
    found = [spelling for names in units.values() for spelling in names]
    for name in PREFIXED:
        found += [prefix + spelling for prefix in prefixes for spelling in units[name]]
    found += EXTRA
    return list(dict.fromkeys(found))


def reading_of(ureg: Any, spelling: str) -> tuple[float, dict[str, int]] | None:
    """(factor to base units, dimensions) of one of `spelling`, read as the reader reads a
    quantity ("1 kWh"); None where pint cannot read it."""
    try:
        one = ureg.Quantity(f"1 {spelling}")
    except Exception:  # pint raises several types for what it cannot read
        return None
    return float(one.to_root_units().magnitude), dict(one.dimensionality)


def build(ureg: Any = None) -> tuple[tuple[str, ...], dict[str, tuple[float, tuple[int, ...]]]]:
    """(the base dimensions, spelling -> (factor to base units, exponents)), from pint."""
    if ureg is None:
        from greenai import units

        ureg = units.registry()
    readings = {}
    for spelling in candidates():
        if spelling not in EXTRA and spelling != "%" and len(ureg.parse_unit_name(spelling)) != 1:
            continue  # unknown to pint, or read more than one way: pint decides at run time
        reading = reading_of(ureg, spelling)
        if reading is not None:
            readings[spelling] = reading
    names = tuple(sorted({d for _, dims in readings.values() for d in dims}))
    table = {
        spelling: (factor, tuple(int(dims.get(d, 0)) for d in names))
        for spelling, (factor, dims) in readings.items()
    }
    return names, table


def render(dimensions: tuple[str, ...], table: dict[str, tuple[float, tuple[int, ...]]]) -> str:
    """The module's text, formatted as `ruff format` leaves it."""
    quoted = ", ".join(f'"{name}"' for name in dimensions)
    one_line = f"DIMENSIONS = ({quoted})"
    if len(one_line) > 100:  # as ruff format splits it: one name a line, a trailing comma
        one_line = "\n".join(["DIMENSIONS = (", *(f'    "{name}",' for name in dimensions), ")"])
    lines = [HEADER, one_line, "", "UNITS = {"]
    lines += [
        f'    "{name}": ({repr(factor).replace("e+", "e")}, {dims!r}),'
        for name, (factor, dims) in table.items()
    ]
    lines += ["}", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    text = render(*build())
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.relative_to(ROOT)}: {'up to date' if same else 'STALE: rebuild it'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({text.count(chr(10)) - 12} units)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
