"""The CSV renderer: one record per experiment, scenario, curve point or listed row.

Numbers are written as they are (no thousands separators, no units in cells: the header says
the unit); text cells are made safe for a spreadsheet and a CI log (escape.csv_cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from greenai.estimate import Estimate, Figures
from greenai.render import escape, sheet
from greenai.render.numbers import co2e
from greenai.render.options import UnitSystem

if TYPE_CHECKING:
    import pandas as pd

    from greenai.compare import Comparison
    from greenai.curve import Curve

# the bounds of each figure with a range, after the older columns (a reader by name sees no change)
RANGED_CSV = ("power_w", "energy_kwh", "co2e_kg", "electricity_cost_usd", "cost_usd")
RANGE_COLUMNS = [f"{name}_{which}" for name in RANGED_CSV for which in ("low", "high")]


def _work(attribute: str) -> Callable[[Estimate, UnitSystem], object]:
    return lambda e, system: getattr(e.work, attribute) if e.work is not None else None


def _cloud(which: int) -> Callable[[Estimate, UnitSystem], object]:
    return lambda e, system: (e.total.cloud_cost_usd or (None, None))[which]


# The estimate's columns in their historic order ("co2e_kg" is "co2e_lb" in imperial units).
FIELDS: tuple[tuple[str, Callable[[Estimate, UnitSystem], object]], ...] = (
    ("name", lambda e, system: e.name),
    ("file", lambda e, system: e.file),
    ("hardware", lambda e, system: e.hardware),
    ("runs", lambda e, system: e.runs),
    ("hours", lambda e, system: e.total.hours),
    ("power_w", lambda e, system: e.total.power_w),
    ("pue", lambda e, system: e.pue),
    ("carbon_intensity_g_per_kwh", lambda e, system: e.carbon_intensity_g_per_kwh),
    ("energy_kwh", lambda e, system: e.total.energy_kwh),
    ("co2e_kg", lambda e, system: co2e(e.total.co2e_kg, system)),
    ("electricity_cost_usd", lambda e, system: e.total.electricity_cost_usd),
    ("cloud_cost_usd_low", _cloud(0)),
    ("cloud_cost_usd_high", _cloud(1)),
    ("device_hours", lambda e, system: e.total.device_hours),
    ("fpo", lambda e, system: e.total.fpo),
    ("fpo_per_example", _work("per_example")),
    ("fpo_examples_per_run", _work("examples")),
    ("fpo_example", _work("example")),
    ("precision", _work("precision")),
    ("peak_flop_per_s", _work("peak_flop_per_s")),
    ("mfu", _work("mfu")),
    ("mfu_from", _work("mfu_from")),
)


def _mass(name: str, system: UnitSystem) -> str:
    return name.replace("co2e_kg", "co2e_lb") if system is UnitSystem.imperial else name


def _bounds(figures: Figures, names: Sequence[str], system: UnitSystem) -> list[float | None]:
    """Each figure's low and high (CO2e in the unit system's mass)."""
    cells = []
    for name in names:
        for which in ("low", "high"):
            value = figures.bound(name, which)
            mass = name.startswith("co2e_kg") and value is not None
            cells.append(co2e(value, system) if mass else value)  # type: ignore[arg-type]
    return cells


SCI_COLUMNS = (
    "per",
    "functional_units",
    "embodied_included",
    "sci_g_per_unit",
    "sci_g_per_unit_low",
    "sci_g_per_unit_high",
)


def _sci(figures: Figures) -> list[object]:
    unit = figures.per_unit
    if unit is None:
        return [None] * len(SCI_COLUMNS)
    low, high = figures.ranges["sci_g"]
    return [unit.per, unit.units, unit.embodied, figures.sci_g, low, high]


def _added(system: UnitSystem) -> list[tuple[str, str, str]]:
    """(column, figure, value|low|high) for each `Column` of the table with a `key`, less the
    columns the CSV has already."""
    taken = {name for name, _ in FIELDS} | set(RANGE_COLUMNS)
    added = []
    for column in sheet.ESTIMATE_COLUMNS:
        for which, end in (("value", ""), ("low", "_low"), ("high", "_high")):
            if column.key is not None and f"{column.key}{end}" not in taken:
                added.append((_mass(f"{column.key}{end}", system), column.key, which))
    return added


def estimates(items: Sequence[Estimate], system: UnitSystem, assumptions: bool) -> str:
    """A row per file: FIELDS, the bounds of RANGED_CSV, then each later figure of the table
    (a `Column` with a `key`) as value, low and high; assumptions as a second table."""
    added = _added(system)
    # --per: the functional unit, R and the SCI (g CO2e per unit, whatever --units says: the
    # SCI's own unit), last, so that a CSV without --per keeps its columns
    per = any(e.total.per_unit is not None for e in items)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            *(_mass(name, system) for name, _ in FIELDS),
            *(_mass(c, system) for c in RANGE_COLUMNS),
            *(name for name, _, _ in added),
            *(SCI_COLUMNS if per else ()),
        ]
    )
    for e in items:
        cells = [value(e, system) for _, value in FIELDS]
        cells += _bounds(e.total, RANGED_CSV, system)
        for _, key, which in added:
            value = e.total.bound(key, which)
            mass = key.endswith("co2e_kg") and value is not None
            cells.append(co2e(value, system) if mass else value)  # type: ignore[arg-type]
        if per:
            cells += _sci(e.total)
        writer.writerow([escape.csv_cell(v) for v in cells])
    if assumptions:
        writer.writerow([])
        writer.writerow(["name", "file", "what", "value", "source"])
        for e in items:
            for item in e.assumptions:
                cells = (e.name, e.file, item.what, item.value, item.source)
                writer.writerow([escape.csv_cell(v) for v in cells])
    return buffer.getvalue()


def comparison(grid: Comparison, shown: pd.DataFrame, system: UnitSystem) -> str:
    """A row per scenario: the varied values, the figures, the ratios and the bounds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    mass = "co2e_lb" if system is UnitSystem.imperial else "co2e_kg"
    figures = ["runs", "hours", "power_w", "pue", "carbon_intensity_g_per_kwh", "energy_kwh",
               mass, "electricity_cost_usd", "cloud_cost_usd_low", "cloud_cost_usd_high",
               "device_hours", "fpo", "hours_from", "energy_ratio", "co2e_ratio",
               "cost_ratio", *RANGE_COLUMNS]  # fmt: skip
    named = [f.replace("co2e_kg", mass) if f.startswith("co2e_kg_") else f for f in figures]
    # after every older column, as in the estimate's CSV: the table's keyed figures (embodied
    # and total CO2e in the --units mass, on-site water), each with its low and high
    added = _added(system)
    named += [column for column, _, _ in added]
    writer.writerow(["name", "file", *(f"scenario.{k}" for k in grid.keys), "hardware", *named])
    for row in shown.itertuples():
        values = {f: getattr(row, f, None) for f in figures}
        values[mass] = co2e(row.co2e_kg, system)
        for which in ("low", "high"):
            values[f"co2e_kg_{which}"] = co2e(getattr(row, f"co2e_kg_{which}"), system)
        cells = [row.name, row.file, *grid.scenario(row).values(), row.hardware]
        cells += ["" if v != v else v for v in values.values()]  # NaN: unknown
        for _, key, which in added:
            value = getattr(row, key if which == "value" else f"{key}_{which}", None)
            if value is None or value != value:
                cells.append("")
            else:
                cells.append(co2e(value, system) if key.endswith("co2e_kg") else value)
        writer.writerow([escape.csv_cell(c) for c in cells])
    return buffer.getvalue()


def curve(found: Curve) -> str:
    """Every point of the curve (expected_min when lower is better)."""
    key = "expected_min" if found.minimize else "expected_max"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["n", key, "std", "cost"])
    for p in found.points:
        writer.writerow([p.n, p.expected_max, p.std, "" if p.cost is None else p.cost])
    return buffer.getvalue()


def records(rows: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]]) -> str:
    """A data listing with every field of the table (not only the columns a terminal shows)."""
    buffer = io.StringIO()
    fields = list(rows[0]) if rows else [c for c, _ in columns]
    writer = csv.DictWriter(buffer, fields, lineterminator="\n")
    writer.writeheader()
    for record in rows:
        writer.writerow({k: escape.csv_cell("" if v is None else v) for k, v in record.items()})
    return buffer.getvalue()
