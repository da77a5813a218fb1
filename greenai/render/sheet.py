"""The neutral sheet, and one builder per result kind: what every format renders.

A `Sheet` is a table before any format touches it: header, rows of raw text cells (each renderer
escapes them for its consumer), which columns are numbers, how rows stand out (a total, the best
scenario, a failing file), notes, and assumption listings. The terminal, Markdown and LaTeX
renderers draw the same sheets, so a column exists once.

The estimate's columns are a declared list, `ESTIMATE_COLUMNS`: one `Column` spec (header, cell
getter, formatter) per column. A new figure on `Figures` (say embodied CO2e or water) is one
entry, and it appears in the table, Markdown and LaTeX, in `greenai compare` with `compared`,
and in the CSV (value, low, high) with `key`:

    Column("Water (L)", figure("water_l", number), key="water_l", compared="Water (L)"),
    Column("Embodied CO2e ({mass})", figure("embodied_co2e_kg", number, mass=True),
           key="embodied_co2e_kg"),

(`{mass}` in a header is the unit of CO2e; `mass=True` converts kilograms to it.) JSON needs no
entry: it is `Estimate.as_dict()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from greenai import units
from greenai.errors import InputError
from greenai.estimate import Assumption, Estimate, Figures, total
from greenai.render.numbers import (
    co2e,
    co2e_unit,
    count,
    flop,
    hours,
    listed,
    money,
    money_range,
    number,
    plural,
    power,
    ranged,
    ratio,
    score,
    significant,
)
from greenai.render.options import UnitSystem
from greenai.tables import Equivalent

if TYPE_CHECKING:
    import pandas as pd

    from greenai.checks import Outcome
    from greenai.compare import Comparison
    from greenai.curve import Curve
    from greenai.flops import Count


class Tone(StrEnum):
    """How a row stands out; each format says it its own way (bold, colour, a rule, a `*`)."""

    plain = "plain"
    total = "total"  # the sum of the rows above it
    best = "best"  # the scenario with the lowest figure sorted by
    warning = "warning"  # a file over budget
    error = "error"  # an invalid file


@dataclass(frozen=True, slots=True)
class Row:
    """Raw cells; `strong`: the cells a text format emphasises when the row is not plain
    (None: all of them)."""

    cells: tuple[str, ...]
    tone: Tone = Tone.plain
    strong: tuple[int, ...] | None = None

    def marked(self) -> list[str]:
        """The cells with the best scenario's `*` before the first, for formats without bold."""
        cells = list(self.cells)
        if self.tone is Tone.best:
            cells[0] = f"* {cells[0]}"
        return cells


@dataclass(frozen=True, slots=True)
class Listed:
    """Assumptions under a title; the terminal adds `detail` (the file) in brackets."""

    title: str
    items: tuple[Assumption, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Sheet:
    """A table and the prose around it. `numeric`: number columns (right-justified; never
    folded in the terminal); `right`: Markdown's right-aligned columns where they differ from
    the numbers (None: the numbers). `marked` says what the best row is ("lowest CO2e of the 12
    scenarios"); `lead` comes before the table, `notes` after it."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    numeric: tuple[bool, ...]
    title: str = ""
    right: tuple[bool, ...] | None = None
    lead: tuple[str, ...] = ()
    marked: str = ""
    notes: tuple[str, ...] = ()
    assumptions: tuple[Listed, ...] = field(default=())

    @property
    def body(self) -> list[list[str]]:
        """Rows as lists of text, the best one marked with `*` (the shape older callers use)."""
        return [row.marked() for row in self.rows]

    @property
    def total(self) -> bool:
        """Whether the last row sums the others (a rule above it)."""
        return bool(self.rows) and self.rows[-1].tone is Tone.total

    @property
    def aligned_right(self) -> tuple[bool, ...]:
        return self.numeric if self.right is None else self.right


# ----------------------------------------------------------------------------- estimate


@dataclass(frozen=True, slots=True)
class Line:
    """One row of the estimate sheet before it is written: a file, a stage or the total."""

    name: str
    hardware: str
    region: str
    runs: int
    figures: Figures


@dataclass(frozen=True, slots=True)
class Style:
    """How figures are written: CO2e in `system`'s unit; `ranges`: `value (low–high)`."""

    system: UnitSystem = UnitSystem.metric
    ranges: bool = False


Cell = Callable[[Line, Style], str]


def figure(name: str, show: Callable[[float], str], mass: bool = False) -> Cell:
    """The cell of the `Figures` attribute `name`, written by `show`, with its range when the
    style asks; `mass`: kilograms shown in the style's unit (kg or lbs)."""

    def cell(line: Line, style: Style) -> str:
        shown = (lambda kg: show(co2e(kg, style.system))) if mass else show
        return ranged(line.figures, name, shown, style.ranges)

    return cell


def _always(lines: Sequence[Line]) -> bool:
    return True


def _known(lines: Sequence[Line], name: str) -> bool:
    return any(line.figures.bound(name) is not None for line in lines)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the estimate sheet. `header` may say `{mass}` (kg or lbs); `summed`: False
    leaves the total row blank (powers do not add up); `shown`: whether the column is there for
    these rows (FPO only when a file gives it); `compared`: its header in `greenai compare`'s
    grid (None: not there); `key`: a figure added after the CSV's historic columns, which then
    gets `key`, `key_low` and `key_high` columns at the CSV's end."""

    header: str
    cell: Cell
    numeric: bool = True
    summed: bool = True
    shown: Callable[[Sequence[Line]], bool] = _always
    compared: str | None = None
    key: str | None = None


def _units(figures: Figures) -> str:
    unit = figures.per_unit
    return "—" if unit is None else count(unit.units)


# how a functional unit of --per is named in a header: one (per) and many (units)
PER_WORDS = {
    "token": ("token", "tokens"),
    "example": ("example", "examples"),
    "pflop": ("PFLOP", "PFLOP"),
    "run": ("run", "runs"),
    "parameter": ("parameter", "parameters"),
}
SCI_SOURCE = "Green Software Foundation, Software Carbon Intensity, ISO/IEC 21031:2024"


def _label(attribute: str) -> Column:
    return Column(attribute.title(), lambda line, style: getattr(line, attribute), numeric=False)


ESTIMATE_COLUMNS: tuple[Column, ...] = (
    Column("Model", lambda line, style: line.name, numeric=False),
    _label("hardware"),
    _label("region"),
    Column("Power (W)", figure("power_w", power), summed=False),
    # hours x runs, as every figure of the row; JSON's per_run has one run's
    Column("Hours (all runs)", lambda line, style: hours(line.figures.hours), compared="Hours"),
    Column(
        "Runs",
        lambda line, style: str(line.runs),
        shown=lambda lines: any(line.runs != 1 for line in lines),
    ),
    Column("kWh·PUE", figure("energy_kwh", number), compared="kWh·PUE"),
    # on-site water and embodied CO2e: shown where some row knows them (a cloud region with a
    # published WUE; a device in data/embodied.csv), "—" for the others; the CSV carries both
    Column(
        "Water (L)",
        figure("water_l", number),
        shown=lambda lines: _known(lines, "water_l"),
        compared="Water (L)",
        key="water_l",
    ),
    Column("CO2e ({mass})", figure("co2e_kg", number, mass=True), compared="CO2e ({mass})"),
    Column(
        "Embodied ({mass})",
        figure("embodied_co2e_kg", number, mass=True),
        shown=lambda lines: _known(lines, "embodied_co2e_kg"),
        key="embodied_co2e_kg",  # not in compare's table (its CSV and JSON): width for ratios
    ),
    Column(
        "Total CO2e ({mass})",
        figure("total_co2e_kg", number, mass=True),
        shown=lambda lines: False,  # operational + embodied: the CSV's, the table has both parts
        key="total_co2e_kg",
    ),
    Column("Electricity", figure("electricity_cost_usd", money), compared="Electricity"),
    Column(
        "Cloud compute cost",
        lambda line, style: money_range(line.figures.cloud_cost_usd),
        compared="Cloud compute cost",
    ),
    Column(
        "FPO",
        lambda line, style: flop(line.figures.fpo),
        shown=lambda lines: any(line.figures.fpo is not None for line in lines),
    ),
    # --per: the declared functional unit R and the SCI over it, (E x I + M) / R (ISO/IEC
    # 21031:2024); the CSV gives them columns of their own (per, functional_units, sci_g_...)
    Column(
        "R ({units})",
        lambda line, style: _units(line.figures),
        shown=lambda lines: _known(lines, "sci_g"),
    ),
    Column(
        "SCI (g CO2e/{per})",
        figure("sci_g", significant),
        shown=lambda lines: _known(lines, "sci_g"),
    ),
)
LABELS = 3  # Model, Hardware, Region: text that may fold; every column after them is a number


# Beyond Strubell's Table 3: in the terminal these columns get a sheet of their own below it, so
# the table keeps its width (a 160-column terminal still shows it whole); other formats have no
# width to keep and show them in the one table.
APART = ("Water (L)", "Embodied ({mass})", "R ({units})", "SCI (g CO2e/{per})")


def apart(table: Sheet, system: UnitSystem) -> tuple[Sheet, Sheet | None]:
    """The estimate sheet without the APART columns, and a sheet of the model and those columns
    (None when no row shows any of them)."""
    moved = {title.split(" (")[0] for title in APART}  # the name, before its unit
    keep = [i for i, h in enumerate(table.header) if h.split(" (")[0] not in moved]
    taken = [i for i, h in enumerate(table.header) if h.split(" (")[0] in moved]
    if not taken:
        return table, None

    def pick(indices: list[int]) -> Sheet:
        return Sheet(
            header=tuple(table.header[i] for i in indices),
            rows=tuple(Row(tuple(row.cells[i] for i in indices), row.tone) for row in table.rows),
            numeric=tuple(table.numeric[i] for i in indices),
        )

    main = pick(keep)
    extra = pick([0, *taken])
    sci = any(h.startswith("SCI (") for h in extra.header)
    plain = any(h.split(" (")[0] in ("Water", "Embodied") for h in extra.header)
    title = "Embodied CO2e and water" if plain else ""
    if sci:
        per_unit = "carbon per functional unit (SCI)"
        title = f"{title}; {per_unit}" if title else per_unit[0].upper() + per_unit[1:]
    titled = Sheet(
        header=extra.header,
        rows=extra.rows,
        numeric=extra.numeric,
        title=title,
    )
    return Sheet(
        header=main.header,
        rows=main.rows,
        numeric=main.numeric,
        title=table.title,
        right=None,
        lead=table.lead,
        marked=table.marked,
        notes=table.notes,
        assumptions=table.assumptions,
    ), titled


def stage_rows(estimate: Estimate) -> list[tuple[str, Estimate]]:
    """(row name, estimate): a staged file's stages as "file: stage", then the file itself."""
    stages = [(f"{estimate.name}: {stage.name}", stage) for stage in estimate.stages]
    return [*stages, (estimate.name, estimate)]


def _header(title: str, system: UnitSystem, per: str = "") -> str:
    one, many = PER_WORDS.get(per, (per, per))
    return title.replace("{mass}", co2e_unit(system)).replace("{per}", one).replace("{units}", many)


def per_of(estimates: Sequence[Estimate]) -> str:
    """The --per unit of these estimates ("" without --per)."""
    found = [e.total.per_unit.per for e in estimates if e.total.per_unit is not None]
    return found[0] if found else ""


def sci_notes(estimates: Sequence[Estimate]) -> list[str]:
    """What the SCI columns hold and how R was counted, said beside them (the SCI asks for R
    to be declared), and whose SCI lacks M because the hardware's embodied CO2e is unknown."""
    per = per_of(estimates)
    if not per:
        return []
    one, _ = PER_WORDS[per]
    lines = [
        f"SCI = (E x I + M) / R ({SCI_SOURCE}): g CO2e of all runs, operational (E x I) plus "
        f"embodied (M), per {one}"
        + (" (1 PFLOP = 10^15 FLOP)" if per == "pflop" else "")
        + "; R: "
        + "; ".join(f"{e.name}: {e.total.per_unit.counted}" for e in estimates if e.total.per_unit)
    ]
    lacking = [e.name for e in estimates if e.total.per_unit and not e.total.per_unit.embodied]
    if lacking:
        lines.append(
            "M unknown (no embodied CO2e for the hardware), so the SCI is (E x I) / R alone for: "
            + "; ".join(lacking)
        )
    return lines


def estimate_sheet(
    estimates: Sequence[Estimate], system: UnitSystem, ranges: bool = False
) -> Sheet:
    """Strubell's Table 3: one row per file (a staged file: one per stage, then the file), a
    total row when there are several files."""
    style = Style(system, ranges)
    lines = [
        Line(name, e.hardware, e.region or "—", e.runs, e.total)
        for item in estimates
        for name, e in stage_rows(item)
    ]
    columns = [column for column in ESTIMATE_COLUMNS if column.shown(lines)]
    per = per_of(estimates)
    rows = [Row(tuple(c.cell(line, style) for c in columns)) for line in lines]
    if len(estimates) > 1:
        summed = Line("Total", "", "", sum(e.runs for e in estimates), total(estimates))
        cells = tuple(c.cell(summed, style) if c.summed else "" for c in columns)
        rows.append(Row(cells, Tone.total))
    return Sheet(
        header=tuple(_header(c.header, system, per) for c in columns),
        rows=tuple(rows),
        numeric=tuple(c.numeric for c in columns),
    )


WORK_TITLE = "FPO as Green AI asks (Schwartz et al.): E per example x D examples x H runs"
WORK_HEADERS = ("Model", "E: FPO per example", "D: per run", "H: runs", "FPO", "Peak", "MFU")
_MFU_FROM = {
    "implied": "implied by the hours",
    "file": "from the file; hours derived",
    "default": "default; hours derived",
}


def work_sheet(estimates: Sequence[Estimate]) -> Sheet:
    """One row per experiment that gives FPO: the E x D x H breakdown, the machine's peak
    FLOP/s and the model FLOP utilisation that links FPO to hours (assumed or implied)."""
    body = []
    for name, e in (row for item in estimates for row in stage_rows(item)):
        w = e.work
        if w is None:
            continue
        per = f"{flop(w.per_example)}/{w.example}" if w.per_example is not None else "—"
        examples = f"{count(w.examples)} {w.example}s" if w.examples is not None else "—"
        peak = (
            f"{flop(w.peak_flop_per_s)}/s {w.precision}" if w.peak_flop_per_s is not None else "—"
        )
        mfu = "—"
        if w.mfu is not None:
            mfu = f"{w.mfu:.3g} ({_MFU_FROM[w.mfu_from or 'implied']})"
        body.append(Row((name, per, examples, str(w.runs), flop(w.total), peak, mfu)))
    width = len(WORK_HEADERS)
    return Sheet(
        header=WORK_HEADERS,
        rows=tuple(body),
        # MFU carries words: it folds in the terminal, yet Markdown aligns it with the numbers
        numeric=tuple(0 < i < width - 1 for i in range(width)),
        right=tuple(i > 0 for i in range(width)),
        title=WORK_TITLE,
    )


EQUIVALENTS_SOURCE = "Strubell et al. 2019, Table 1"


def equivalents(
    estimates: Sequence[Estimate], table: Sequence[Equivalent], system: UnitSystem
) -> list[str]:
    """The total CO2e in Strubell's Table 1 terms (flights, lives, cars)."""
    total_lb = float(units.convert(sum(e.total.co2e_kg for e in estimates), "kg", "lb"))
    shown = ("flight_ny_sf", "american_life_year", "car_lifetime")
    lines = []
    for item in table:
        if item.key in shown:
            amount = total_lb / item.co2e_lb
            each = number(co2e(units.convert(item.co2e_lb, "lb", "kg"), system))
            lines.append(f"{amount:,.3g} x {item.name} ({each} {co2e_unit(system)} each)")
    return lines


def estimate_assumptions(estimates: Sequence[Estimate]) -> tuple[Listed, ...]:
    return tuple(Listed(e.name, e.assumptions, detail=e.file) for e in estimates)


ASSUMPTION_HEADER = ("what", "value", "source")


def assumption_sheet(items: Sequence[Assumption]) -> Sheet:
    rows = tuple(Row((a.what, a.value, a.source)) for a in items)
    return Sheet(ASSUMPTION_HEADER, rows, (False, False, False))


# ----------------------------------------------------------------------------- comparison


def comparison_sheet(
    comparison: Comparison,
    shown: pd.DataFrame,
    system: UnitSystem,
    best: int | None,
    ranges: bool = True,
    best_by: str = "CO2e",
    assumptions: bool = False,
) -> Sheet:
    """A what-if grid: the varied values, the figures (the estimate's `compared` columns), the
    ratios to the baseline; `best` is the frame index of the row to mark."""
    several = comparison.files > 1
    estimates = comparison.estimates(shown)
    lines = [Line(e.name, e.hardware, "", e.runs, e.total) for e in estimates]
    # the estimate's compared columns, each where some row has it (water, embodied CO2e)
    figures = [c for c in ESTIMATE_COLUMNS if c.compared is not None and c.shown(lines)]
    header = (["Model"] if several else []) + list(comparison.keys)
    if "hardware" not in comparison.keys:
        header.append("Hardware")
    left = {"Model", "Hardware", *comparison.keys}
    header += [_header(c.compared or "", system) for c in figures]
    header += ["kWh vs base", "CO2e vs base", "Cost vs base"]
    style = Style(system, ranges)
    rows = []
    for row, estimate, line in zip(shown.itertuples(), estimates, lines, strict=True):
        cells = [estimate.name] if several else []
        cells += list(comparison.titled(row).values())
        if "hardware" not in comparison.keys:
            cells.append(estimate.hardware)
        cells += [c.cell(line, style) for c in figures]
        cells += [ratio(row.energy_ratio), ratio(row.co2e_ratio), ratio(row.cost_ratio)]
        tone = Tone.best if best is not None and row.Index == best else Tone.plain
        rows.append(Row(tuple(cells), tone))
    notes = [f"Assumption: {text}" for text in comparison.assumptions]
    if len(shown) < comparison.scenarios:
        notes.append(f"{len(shown):,} of {comparison.scenarios:,} scenarios shown")
    listing = []
    if assumptions:
        for row, estimate in zip(shown.itertuples(), estimates, strict=True):
            scenario = ", ".join(f"{k}={v}" for k, v in comparison.scenario(row).items())
            listing.append(Listed(f"{estimate.name} ({scenario})", estimate.assumptions))
    return Sheet(
        header=tuple(header),
        rows=tuple(rows),
        numeric=tuple(title not in left for title in header),
        lead=tuple(comparison.lead),
        marked=f"lowest {best_by} of the {plural(comparison.scenarios, 'scenario')}"
        if best
        else "",
        notes=tuple(notes),
        assumptions=tuple(listing),
    )


# ----------------------------------------------------------------------------- check

_TONES = {"ok": Tone.plain, "over budget": Tone.warning, "invalid": Tone.error}
STATUS = 2  # the column of the status, which a job summary makes bold


def check_sheet(outcomes: Sequence[Outcome], system: UnitSystem) -> Sheet:
    """`greenai check`: a row per file (and the total when it is over budget)."""
    header = ("File", "Model", "Status", f"CO2e ({co2e_unit(system)})", "kWh·PUE", "Cost", "Note")
    rows = []
    for outcome in outcomes:
        e = outcome.estimate
        if outcome.path == "total":
            cells = ["total", "", outcome.status, "", "", ""]
        elif e is None:
            cells = [outcome.path, "", outcome.status, "—", "—", "—"]
        else:
            cost = (
                money(e.total.cloud_cost_usd[1])
                if e.total.cloud_cost_usd
                else money(e.total.electricity_cost_usd)
            )
            cells = [
                outcome.path,
                e.name,
                outcome.status,
                number(co2e(e.total.co2e_kg, system)),
                number(e.total.energy_kwh),
                cost,
            ]
        notes = [b.detail() for b in outcome.breaches]
        if outcome.error is not None:
            notes.append(error_text(outcome))
        cells.append("; ".join(notes))
        rows.append(Row(tuple(cells), _TONES[outcome.status], strong=(STATUS,)))
    return Sheet(header, tuple(rows), tuple(3 <= i <= 5 for i in range(len(header))))


def error_text(outcome: Outcome) -> str:
    """The error without its file and line, which the row or annotation already shows."""
    error = outcome.error
    if isinstance(error, InputError) and error.where.split(" (")[0] == outcome.path:
        return f"{error.key}: {error.message}" if error.key else error.message
    return str(error)


# ----------------------------------------------------------------------------- listings


def listing_sheet(
    records: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]]
) -> Sheet:
    """A data listing (regions, hardware, prices): the chosen columns, and the row count."""
    numeric = [any(isinstance(r.get(c), int | float) for r in records) for c, _ in columns]
    rows = [Row(tuple(listed(record.get(column)) for column, _ in columns)) for record in records]
    return Sheet(
        header=tuple(title for _, title in columns),
        rows=tuple(rows),
        numeric=tuple(numeric),
        notes=(plural(len(records), "row"),),
    )


# ----------------------------------------------------------------------------- curve, fpo


def curve_rows(curve: Curve) -> list[list[str]]:
    """n = 1, 2, 3, 5, 10, 20, 50, ... and N: the expected best score, its spread and cost."""
    wanted = {1, 2, 3, 5}
    step = 10
    while step <= curve.trials:
        wanted |= {step, 2 * step, 5 * step}
        step *= 10
    wanted.add(curve.trials)
    rows = []
    for p in curve.points:
        if p.n in wanted:
            cost = "" if p.cost is None else number(p.cost)
            rows.append([str(p.n), score(p.expected_max), score(p.std), cost])
    return rows


def curve_sheet(curve: Curve) -> Sheet:
    """The rows of `curve_rows`, with a cost column when the curve has a cost label."""
    header = ["n", f"expected {'min' if curve.minimize else 'max'}", "± std"]
    if curve.cost_label:
        header.append(f"cost ({curve.cost_label})")
    rows = tuple(Row(tuple(row[: len(header)])) for row in curve_rows(curve))
    return Sheet(tuple(header), rows, (True,) * len(header))


def operator_sheet(count_: Count) -> Sheet:
    """`greenai fpo`: FLOP by operator, and each operator's share."""
    rows = [
        Row((op, flop(value), f"{value / count_.total:.1%}" if count_.total else "—"))
        for op, value in count_.by_operator.items()
    ]
    return Sheet(("Operator", "FPO", "Share"), tuple(rows), (False, True, True))
