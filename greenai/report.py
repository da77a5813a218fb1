"""Renderers: estimates in, text out (table, JSON, CSV, Markdown, LaTeX). No I/O here.

The table follows Strubell et al. 2019, Table 3 (model, hardware, power, hours, kWh·PUE, CO2e,
cloud compute cost), with electricity cost and FPO beside, a total row when there are several
experiments, and the CO2e total in Strubell's Table 1 equivalents. Every format renders the same
rows; JSON is the machine-readable twin, with the keys of DESIGN.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from greenai import escape, units
from greenai.errors import InputError
from greenai.estimate import Assumption, Estimate, Figures, total
from greenai.tables import Equivalent

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from greenai.checks import Outcome
    from greenai.compare import Comparison
    from greenai.curve import Curve
    from greenai.flops import Count


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    latex = "latex"
    model_card = "model-card"


class UnitSystem(StrEnum):
    metric = "metric"
    imperial = "imperial"


# ----------------------------------------------------------------------------- numbers


def number(value: float | None) -> str:
    """Strubell's style: integers with thousands separators once a figure reaches 10."""
    if value is None:
        return "—"
    if abs(value) >= 10:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.1f}"
    return f"{value:.2g}"


def hours(value: float | None) -> str:
    if value is None or value != value:  # unknown: energy or device-hours given without hours
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def money(value: float | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.0f}" if abs(value) >= 10 else f"${value:,.2f}"


def money_range(value: tuple[float, float] | None) -> str:
    if value is None:
        return "—"
    low, high = value
    return money(low) if round(low) == round(high) else f"{money(low)}–{money(high)}"


_PREFIXES = [
    (1e24, "Y"),
    (1e21, "Z"),
    (1e18, "E"),
    (1e15, "P"),
    (1e12, "T"),
    (1e9, "G"),
    (1e6, "M"),
    (1e3, "k"),
]


def flop(value: float | None) -> str:
    """FLOP with an SI prefix (288 EFLOP); FPO counts one multiply-add as 2 FLOP."""
    return _scaled(value, _PREFIXES, "{} {}FLOP", "{:.3g} FLOP")


_COUNTS = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]


def count(value: float | None) -> str:
    """Examples and tokens as ML papers write them: 1.4T, 300B, 1.28M."""
    return _scaled(value, _COUNTS, "{}{}", "{:,.0f}")


def _scaled(value: float | None, scales: list[tuple[float, str]], big: str, small: str) -> str:
    if value is None:
        return "—"
    for scale, prefix in scales:
        if abs(value) >= scale:
            return big.format(f"{value / scale:,.3g}", prefix)
    return small.format(value)


def co2e(value_kg: float, system: UnitSystem) -> float:
    return float(units.convert(value_kg, "kg", "lb")) if system is UnitSystem.imperial else value_kg


def co2e_unit(system: UnitSystem) -> str:
    return "lbs" if system is UnitSystem.imperial else "kg"


# ----------------------------------------------------------------------------- rows


HEADERS = (
    "Model",
    "Hardware",
    "Region",
    "Power (W)",
    "Hours (all runs)",  # hours x runs, as every figure of the row; JSON's per_run has one run's
    "kWh·PUE",
    "CO2e",
    "Electricity",
    "Cloud compute cost",
    "FPO",
)
LABELS = 3  # Model, Hardware, Region: text that may fold; every column after them is a number


def ranged(figures: Figures, name: str, show: Callable[[float], str], ranges: bool) -> str:
    """A figure as `value (low–high)` where it has a range and `ranges` asks for it; the value
    alone where the bounds print the same (an exact figure)."""
    value = figures.bound(name)
    if value is None:
        return "—"
    text = show(value)
    if not ranges:
        return text
    low, high = (show(figures.bound(name, which) or 0.0) for which in ("low", "high"))
    return text if low == high == text else f"{text} ({low}–{high})"


def _power(value: float) -> str:
    return f"{value:,.2f}"


def _cells(
    name: str,
    hardware: str,
    region: str,
    figures: Figures,
    system: UnitSystem,
    ranges: bool = False,
) -> list[str]:
    return [
        name,
        hardware,
        region,
        ranged(figures, "power_w", _power, ranges),
        hours(figures.hours),
        ranged(figures, "energy_kwh", number, ranges),
        ranged(figures, "co2e_kg", lambda kg: number(co2e(kg, system)), ranges),
        ranged(figures, "electricity_cost_usd", money, ranges),
        money_range(figures.cloud_cost_usd),
        flop(figures.fpo),
    ]


def rows(
    estimates: Sequence[Estimate], system: UnitSystem, ranges: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Header and body rows shared by the table, Markdown and LaTeX renderers (raw text: each
    renderer escapes it for its consumer); `ranges` adds each figure's (low–high)."""
    header = list(HEADERS)
    header[header.index("CO2e")] = f"CO2e ({co2e_unit(system)})"
    # a staged file: one row per stage ("file: stage"), then the file's subtotal
    shown = [row for e in estimates for row in _stage_rows(e)]
    body = [_cells(name, e.hardware, e.region or "—", e.total, system, ranges) for name, e in shown]
    if len(estimates) > 1:
        summed = total(estimates)
        last = _cells("Total", "", "", summed, system, ranges)
        last[3] = ""  # the power of different experiments does not add up to anything
        body.append(last)
    if any(e.runs != 1 for _, e in shown):
        at = header.index("kWh·PUE")
        header.insert(at, "Runs")
        runs = [str(e.runs) for _, e in shown]
        if len(estimates) > 1:
            runs.append(str(sum(e.runs for e in estimates)))
        for row, count_ in zip(body, runs, strict=True):
            row.insert(at, count_)
    if all(e.total.fpo is None for _, e in shown):
        index = header.index("FPO")
        header.pop(index)
        for row in body:
            row.pop(index)
    return header, body


WORK_TITLE = "FPO as Green AI asks (Schwartz et al.): E per example x D examples x H runs"
WORK_HEADERS = ("Model", "E: FPO per example", "D: per run", "H: runs", "FPO", "Peak", "MFU")


def work_rows(estimates: Sequence[Estimate]) -> list[list[str]]:
    """One row per experiment that gives FPO: the E x D x H breakdown, the machine's peak
    FLOP/s and the model FLOP utilisation that links FPO to hours (assumed or implied)."""
    body = []
    for name, e in (row for item in estimates for row in _stage_rows(item)):
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
            why = {
                "implied": "implied by the hours",
                "file": "from the file; hours derived",
                "default": "default; hours derived",
            }[w.mfu_from or "implied"]
            mfu = f"{w.mfu:.3g} ({why})"
        body.append([name, per, examples, str(w.runs), flop(w.total), peak, mfu])
    return body


def _stage_rows(estimate: Estimate) -> list[tuple[str, Estimate]]:
    """(row name, estimate): a staged file's stages as "file: stage", then the file itself."""
    stages = [(f"{estimate.name}: {stage.name}", stage) for stage in estimate.stages]
    return [*stages, (estimate.name, estimate)]


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


EQUIVALENTS_SOURCE = "Strubell et al. 2019, Table 1"


# ----------------------------------------------------------------------------- renderers


def _json(value: object) -> str:
    """JSON that keeps every string exact and is inert in a terminal or a CI log."""
    return escape.json_text(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def render(
    estimates: Sequence[Estimate],
    form: Format,
    system: UnitSystem = UnitSystem.metric,
    equivalent_table: Sequence[Equivalent] = (),
    assumptions: bool = False,
    color: bool = False,
    width: int = 160,
    training_type: str = "pre-training",
    ranges: bool = False,
) -> str:
    """`ranges`: figures as `value (low–high)` in the table, Markdown and LaTeX; JSON and CSV
    always carry the bounds (in their own keys and columns)."""
    if form is Format.json:
        return _json([e.as_dict() for e in estimates])
    if form is Format.csv:
        return render_csv(estimates, system, assumptions)
    if form is Format.markdown:
        return render_markdown(estimates, system, equivalent_table, assumptions, ranges)
    if form is Format.latex:
        return render_latex(estimates, system, assumptions, ranges)
    if form is Format.model_card:
        return render_model_card(estimates, training_type)
    return render_table(estimates, system, equivalent_table, assumptions, color, width, ranges)


def render_table(
    estimates: Sequence[Estimate],
    system: UnitSystem,
    equivalent_table: Sequence[Equivalent],
    assumptions: bool,
    color: bool,
    width: int,
    ranges: bool = False,
) -> str:
    header, body = rows(estimates, system, ranges)
    buffer = io.StringIO()
    console = _console(buffer, color, width)
    several = len(estimates) > 1
    _sheet(
        console,
        header,
        body,
        numeric=[index >= LABELS for index in range(len(header))],
        styles=[None] * (len(body) - several) + (["bold"] if several else []),
        total=several,
    )
    work = work_rows(estimates)
    if work:
        _say(console, f"{WORK_TITLE}:", "bold", gap=True)
        _sheet(console, list(WORK_HEADERS), work, numeric=[0 < i < 6 for i in range(7)])
    lines = equivalents(estimates, equivalent_table, system)
    if lines:
        _say(console, f"CO2e in everyday terms ({EQUIVALENTS_SOURCE}):", "dim", gap=True)
        for line in lines:
            _say(console, f"  {line}", "dim")
    if assumptions:
        for estimate in estimates:
            _say(console, f"Assumptions for {estimate.name} ({estimate.file}):", "bold", gap=True)
            _assumption_sheet(console, estimate.assumptions)
    return _text(buffer)


# ----------------------------------------------------------------------------- terminal sheets

# A label column keeps at least this many characters (or its whole text, when shorter) before
# the sheet gives up on columns and lists one card per row.
LABEL_MIN = 12
CARD_MIN = 24  # cards fold text at no fewer columns: a 1-column terminal wraps lines itself
LABEL_ROOM = 20  # ... and before number headers wrap onto several lines
_GAP = 2  # SIMPLE_HEAD without edges: one space of padding either side of each inner border


def _say(console: Console, text: str, style: str | None = None, gap: bool = False) -> None:
    """A line of prose (after an empty line, with `gap`): escaped as a whole, since it may
    quote a file; never read as markup; never wrapped by rich (the terminal soft-wraps it),
    so a number in it is never split."""
    from rich.text import Text

    if gap:
        console.print("")
    console.print(Text(escape.terminal(text), style=style or ""), soft_wrap=True)


def _sheet(
    console: Console,
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    styles: Sequence[str | None] | None = None,
    total: bool = False,
) -> None:
    """A table for the terminal whose numbers never wrap: label columns fold, number columns
    keep their longest figure; below the width where that fits, one card per row (``Label:
    value`` lines). Every cell is escaped text (escape.terminal), never rich markup."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    header = [escape.terminal(h) for h in header]
    body = [[escape.terminal(c) for c in row] for row in body]
    styles = list(styles) if styles is not None else [None] * len(body)
    width = console.width
    widest = [max((cell_len(row[i]) for row in body), default=0) for i in range(len(header))]
    natural = [max(cell_len(h), w) for h, w in zip(header, widest, strict=True)]
    gaps = _GAP * (len(header) - 1)
    fixed: list[int | None] = [None] * len(header)
    if sum(natural) + gaps > width:
        # Numbers keep their whole header if the labels still get LABEL_ROOM each, else their
        # longest figure (the header wraps at its spaces); labels fold into what is left.
        words = [max((cell_len(w) for w in h.split()), default=0) for h in header]
        tight = [max(widest[i], words[i], 1) for i in range(len(header))]
        for sizes, least in ((natural, LABEL_ROOM), (tight, LABEL_MIN)):
            room = width - gaps - sum(n for n, num in zip(sizes, numeric, strict=True) if num)
            labels = [min(n, least) for n, num in zip(natural, numeric, strict=True) if not num]
            if room >= sum(labels):
                fixed = [n if num else None for n, num in zip(sizes, numeric, strict=True)]
                break
        else:
            _cards(console, header, body, numeric, styles)
            return
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for title, is_number, size in zip(header, numeric, fixed, strict=True):
        table.add_column(
            Text(title),
            justify="right" if is_number else "left",
            overflow="fold",
            no_wrap=is_number and size is None,
            width=size,
        )
    for index, (row, style) in enumerate(zip(body, styles, strict=True)):
        table.add_row(
            *(Text(cell) for cell in row),
            style=style,
            end_section=total and index == len(body) - 2,
        )
    console.print(table)


def _cards(
    console: Console,
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    styles: Sequence[str | None],
) -> None:
    """One block per row: its first cell as a title, then ``Label: value``. Text folds at the
    width (CARD_MIN at least); a number stays whole, on a line of its own when the label and it
    do not fit."""
    from rich.cells import cell_len
    from rich.text import Text

    width = max(console.width, CARD_MIN)
    for index, (row, style) in enumerate(zip(body, styles, strict=True)):
        if index:
            console.print("")
        for line in _fold(row[0] or "—", width):
            console.print(Text(line, style="bold" if style is None else style), soft_wrap=True)
        for title, cell, is_number in zip(header[1:], row[1:], numeric[1:], strict=True):
            if not cell:
                continue
            line = f"  {title}: {cell}"
            if not is_number:
                lines = _fold(line, width, indent="    ")
            elif cell_len(line) <= width:
                lines = [line]
            else:
                lines = [f"  {title}:", f"    {cell}"]
            for text in lines:
                console.print(Text(text, style=style or ""), soft_wrap=True)


def _fold(text: str, width: int, indent: str = "") -> list[str]:
    """`text` cut into lines of `width` characters at most (at spaces where it can), the
    lines after the first indented; nothing dropped."""
    import textwrap

    room = max(width, len(indent) + 1)
    return textwrap.wrap(
        text,
        room,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [text]


def _assumption_sheet(console: Console, items: Sequence[Assumption]) -> None:
    rows_ = [[a.what, a.value, a.source] for a in items]
    _sheet(console, ["what", "value", "source"], rows_, [False] * 3)


# the bounds of each figure with a range, after the older columns (a reader by name sees no change)
RANGED_CSV = ("power_w", "energy_kwh", "co2e_kg", "electricity_cost_usd", "cost_usd")
RANGE_COLUMNS = [f"{name}_{which}" for name in RANGED_CSV for which in ("low", "high")]


# issue 14, after every older column: embodied and total CO2e (in the --units mass) and on-site
# water (L), each with its low and high; empty where unknown
EMBODIED_WATER_CSV = ("embodied_co2e_kg", "total_co2e_kg", "water_l")
EMBODIED_WATER_COLUMNS = [f"{n}{s}" for n in EMBODIED_WATER_CSV for s in ("", "_low", "_high")]


def _embodied_water(
    bound: Callable[[str, str], float | None], system: UnitSystem
) -> list[float | None]:
    cells: list[float | None] = []
    for name in EMBODIED_WATER_CSV:
        for which in ("value", "low", "high"):
            value = bound(name, which)
            mass = name != "water_l" and value is not None and value == value
            cells.append(co2e(value, system) if mass else value)  # type: ignore[arg-type]
    return cells


def _bounds(figures: Figures, system: UnitSystem) -> list[float | None]:
    cells = []
    for name in RANGED_CSV:
        for which in ("low", "high"):
            value = figures.bound(name, which)
            cells.append(co2e(value, system) if name == "co2e_kg" and value is not None else value)
    return cells


def render_csv(estimates: Sequence[Estimate], system: UnitSystem, assumptions: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    mass = "co2e_lb" if system is UnitSystem.imperial else "co2e_kg"
    writer.writerow(
        [
            "name",
            "file",
            "hardware",
            "runs",
            "hours",
            "power_w",
            "pue",
            "carbon_intensity_g_per_kwh",
            "energy_kwh",
            mass,
            "electricity_cost_usd",
            "cloud_cost_usd_low",
            "cloud_cost_usd_high",
            "device_hours",
            "fpo",
            "fpo_per_example",
            "fpo_examples_per_run",
            "fpo_example",
            "precision",
            "peak_flop_per_s",
            "mfu",
            "mfu_from",
            *(c.replace("co2e_kg", mass) for c in RANGE_COLUMNS),
            *(c.replace("co2e_kg", mass) for c in EMBODIED_WATER_COLUMNS),
        ]
    )
    for e in estimates:
        t = e.total
        cloud = t.cloud_cost_usd or (None, None)
        w = e.work
        writer.writerow(
            [
                escape.csv_cell(v)
                for v in (
                    e.name,
                    e.file,
                    e.hardware,
                    e.runs,
                    t.hours,
                    t.power_w,
                    e.pue,
                    e.carbon_intensity_g_per_kwh,
                    t.energy_kwh,
                    co2e(t.co2e_kg, system),
                    t.electricity_cost_usd,
                    cloud[0],
                    cloud[1],
                    t.device_hours,
                    t.fpo,
                    *(
                        (w.per_example, w.examples, w.example, w.precision, w.peak_flop_per_s)
                        if w is not None
                        else (None,) * 5
                    ),
                    w.mfu if w is not None else None,
                    w.mfu_from if w is not None else None,
                    *_bounds(t, system),
                    *_embodied_water(t.bound, system),
                )
            ]
        )
    if assumptions:
        writer.writerow([])
        writer.writerow(["name", "file", "what", "value", "source"])
        for e in estimates:
            for item in e.assumptions:
                cells = (e.name, e.file, item.what, item.value, item.source)
                writer.writerow([escape.csv_cell(v) for v in cells])
    return buffer.getvalue()


def _md(text: str) -> str:
    return escape.markdown(text)


def render_markdown(
    estimates: Sequence[Estimate],
    system: UnitSystem,
    equivalent_table: Sequence[Equivalent],
    assumptions: bool,
    ranges: bool = False,
) -> str:
    header, body = rows(estimates, system, ranges)
    align = ["---" if i < LABELS else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    for index, row in enumerate(body):
        cells = [_md(c) for c in row]
        if len(estimates) > 1 and index == len(body) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    work = work_rows(estimates)
    if work:
        lines += ["", f"{WORK_TITLE}:", ""]
        lines += ["| " + " | ".join(WORK_HEADERS) + " |"]
        lines += ["| --- | " + " | ".join("---:" for _ in WORK_HEADERS[1:]) + " |"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in work]
    extra = equivalents(estimates, equivalent_table, system)
    if extra:
        lines += ["", f"CO2e in everyday terms ({EQUIVALENTS_SOURCE}): " + "; ".join(extra) + "."]
    if assumptions:
        for estimate in estimates:
            lines += ["", f"Assumptions for {_md(estimate.name)}:", ""]
            lines += [
                f"- {_md(a.what)}: {_md(a.value)} ({_md(a.source)})" for a in estimate.assumptions
            ]
    return "\n".join(lines) + "\n"


def latex_escape(text: str) -> str:
    return escape.latex(text)


def latex_table(
    command: str, header: list[str], body: list[list[str]], spec: str, caption: str, total: bool
) -> list[str]:
    """A booktabs table (needs \\usepackage{booktabs}); `total`: a rule above the last row."""
    lines = [
        f"% greenai {command}: requires \\usepackage{{booktabs}}",
        "\\begin{table}[t]",
        "\\centering",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(latex_escape(h).replace("CO2e", "CO$_2$e") for h in header) + " \\\\",
        "\\midrule",
    ]
    for index, row in enumerate(body):
        if total and index == len(body) - 1:
            lines.append("\\midrule")
        lines.append(" & ".join(latex_escape(c) for c in row) + " \\\\")
    return [*lines, "\\bottomrule", "\\end{tabular}", f"\\caption{{{caption}}}", "\\end{table}"]


def render_latex(
    estimates: Sequence[Estimate], system: UnitSystem, assumptions: bool, ranges: bool = False
) -> str:
    """A booktabs table laid out as Strubell et al.'s Table 3 (needs \\usepackage{booktabs})."""
    header, body = rows(estimates, system, ranges)
    caption = f"Estimated cost of training, CO$_2$e in {co2e_unit(system)} (computed with greenai)."
    spec = "l" * LABELS + "r" * (len(header) - LABELS)
    lines = latex_table("estimate", header, body, spec, caption, len(estimates) > 1)
    if assumptions:
        for estimate in estimates:
            lines.append(f"% Assumptions for {latex_escape(estimate.name)}:")
            lines += [
                f"%   {latex_escape(a.what)}: {latex_escape(a.value)} ({latex_escape(a.source)})"
                for a in estimate.assumptions
            ]
    return "\n".join(lines) + "\n"


def render_model_card(estimates: Sequence[Estimate], training_type: str) -> str:
    """The `co2_eq_emissions` block of a Hugging Face model card's YAML metadata
    (https://huggingface.co/docs/hub/model-cards-co2): emissions in grams; several files add up."""
    import yaml

    from greenai import __version__

    grams = float(f"{sum(e.total.co2e_kg for e in estimates) * 1000:.6g}")  # 6 significant
    method = "; ".join(
        f"{e.name}: {e.total.energy_kwh:,.6g} kWh x {e.carbon_intensity_g_per_kwh:g} g/kWh"
        for e in estimates
    )
    block: dict[str, object] = {
        "emissions": int(grams) if grams.is_integer() else grams,
        "source": f"greenai {__version__} estimate (Strubell et al. 2019 method): {method}",
        "training_type": training_type,
    }
    places = list(dict.fromkeys(e.location for e in estimates if e.location))
    if places:
        block["geographical_location"] = "; ".join(places)
    block["hardware_used"] = "; ".join(dict.fromkeys(_hardware_words(e) for e in estimates))
    # every string escaped like terminal text (no control character, no workflow command),
    # then quoted by the YAML dumper wherever YAML needs it
    block = {k: escape.terminal(v) if isinstance(v, str) else v for k, v in block.items()}
    text = yaml.safe_dump(
        {"co2_eq_emissions": block}, sort_keys=False, allow_unicode=True, width=1000
    )
    return text


def _hardware_words(estimate: Estimate) -> str:
    """'64 x NVIDIA V100' rather than Strubell's 'V100x64'."""
    parts = []
    for part in estimate.hardware.split(" + "):
        name, _, times = part.rpartition("x")
        parts.append(f"{times} x {name.strip()}" if times.isdigit() else part)
    return " + ".join(parts)


# ----------------------------------------------------------------------------- greenai fpo


def _flop_value(value: float) -> str:
    """A FLOP count for an experiment file: exact while it is a whole number."""
    return f"{value:.0f} FLOP" if float(value).is_integer() else f"{value:.10g} FLOP"


def fpo_block(count: Count, examples: float | None, command: str) -> str:
    """The `fpo:` block of an experiment file, ready to paste."""
    what = "forward + backward" if count.training else "forward"
    lines = [
        f"# {escape.terminal(command)}",
        f"# counted by PyTorch {count.torch_version} (FlopCounterMode), {what} pass, "
        f"batch of {count.batch}",
        "fpo:",
        f"  per_example: {_flop_value(count.per_example)}",
    ]
    if examples is not None:
        lines.append(f"  examples: {examples:.10g}")
    else:
        lines.append("  # examples: N  (examples per run; needed with per_example)")
    return "\n".join(lines) + "\n"


def render_fpo(
    count: Count, form: str, examples: float | None, command: str, width: int = 160
) -> str:
    """`greenai fpo`: the count by operator, per batch and per example, and the fpo block."""
    if form == "json":
        found = count.as_dict()
        if examples is not None:
            found["examples"] = examples
        return _json(found)
    if form == "yaml":
        return fpo_block(count, examples, command)
    buffer = io.StringIO()
    console = _console(buffer, False, width)
    what = "forward + backward" if count.training else "forward"
    _say(console, f"FPO of {count.target} ({what}, batch of {count.batch}):")
    operators = [
        [op, flop(value), f"{value / count.total:.1%}" if count.total else "—"]
        for op, value in count.by_operator.items()
    ]
    _sheet(console, ["Operator", "FPO", "Share"], operators, [False, True, True])
    _say(console, f"Per batch of {count.batch}: {flop(count.total)}")
    _say(console, f"Per example:    {flop(count.per_example)}")
    _say(console, "")
    for line in fpo_block(count, examples, command).splitlines():
        _say(console, line)
    return _text(buffer)


# ----------------------------------------------------------------------------- greenai curve


def _score(value: float) -> str:
    return f"{value:.4g}"


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
            rows.append([str(p.n), _score(p.expected_max), _score(p.std), cost])
    return rows


def chart(curve: Curve, columns: int = 60, lines: int = 12) -> list[str]:
    """A text plot of the expected best score against n (and the cost of n trials)."""
    points = curve.points
    low = min(p.expected_max for p in points)
    high = max(p.expected_max for p in points)
    last = points[-1].n
    grid = [[" "] * columns for _ in range(lines)]
    for p in points:
        x = 0 if last == 1 else round((p.n - 1) / (last - 1) * (columns - 1))
        y = 0 if high == low else round((p.expected_max - low) / (high - low) * (lines - 1))
        grid[lines - 1 - y][x] = "•"
    labels = [_score(high), _score(low)]
    pad = max(len(label) for label in labels)
    out = []
    for index, row in enumerate(grid):
        label = labels[0] if index == 0 else labels[1] if index == lines - 1 else ""
        edge = "┤" if label else "│"
        out.append(f"{label:>{pad}} {edge}{''.join(row).rstrip()}")
    out.append(" " * pad + " └" + "─" * columns)
    axis = f"1{'trials (n)':^{columns - len(str(last)) - 1}}{last}"
    out.append(" " * (pad + 2) + axis)
    if points[-1].cost is not None and curve.cost_label:
        first, end = number(points[0].cost), number(points[-1].cost)
        label = escape.terminal(curve.cost_label)
        middle = columns - len(first) - len(end)
        out.append(" " * (pad + 2) + f"{first}{label:^{middle}}{end}")
    return out


def render_curve(curve: Curve, form: str, width: int = 160) -> str:
    """`greenai curve`: a chart and the table by default; every point as JSON or CSV."""
    key = "expected_min" if curve.minimize else "expected_max"
    if form == "json":
        points = [p.as_dict() for p in curve.points]
        if curve.minimize:
            points = [{k.replace("expected_max", key): v for k, v in p.items()} for p in points]
        return _json(points)
    if form == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["n", key, "std", "cost"])
        for p in curve.points:
            writer.writerow([p.n, p.expected_max, p.std, "" if p.cost is None else p.cost])
        return buffer.getvalue()
    width = _usable(width)
    best = "lowest" if curve.minimize else "best"
    lines = [
        f"Expected {best} {curve.metric} after n trials (Dodge et al. 2019), from "
        f"{curve.trials} trials; {best} observed: {_score(curve.best)}",
        "",
        *chart(curve, columns=max(20, min(60, width - 20))),
        "",
    ]
    header = ["n", f"expected {'min' if curve.minimize else 'max'}", "± std"]
    if curve.cost_label:
        header.append(f"cost ({curve.cost_label})")
    body = [row[: len(header)] for row in curve_rows(curve)]
    buffer = io.StringIO()
    console = _console(buffer, False, width)
    for line in lines:
        _say(console, line)
    _sheet(console, header, body, [True] * len(header))
    if curve.cost_per_trial is not None:
        _say(
            console,
            f"cost of n trials = n x {number(curve.cost_per_trial)} {curve.cost_label} "
            "(the mean per trial)",
        )
    return _text(buffer)


def plot_curve(curve: Curve, kind: str) -> bytes:
    """The curve as a PNG, SVG or PDF figure (matplotlib, the optional extra greenai[plot]):
    against n, and against cost when there is one."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metric = curve.metric.replace("$", r"\$")  # names from the file: no mathtext in them
    label = (curve.cost_label or "").replace("$", r"\$")
    n = [p.n for p in curve.points]
    mean = [p.expected_max for p in curve.points]
    # shade +- one standard deviation, not past the observed range (as Dodge et al. plot it)
    floor, ceiling = (curve.best, max(mean)) if curve.minimize else (min(mean), curve.best)
    low = [max(p.expected_max - p.std, floor) for p in curve.points]
    high = [min(p.expected_max + p.std, ceiling) for p in curve.points]
    costed = curve.points[-1].cost is not None
    figure, axes = plt.subplots(1, 2 if costed else 1, figsize=(10 if costed else 5.5, 4))
    panels = list(axes) if costed else [axes]
    xs = [(n, "hyperparameter trials (n)")]
    if costed:
        xs.append(([p.cost for p in curve.points], f"cost of n trials ({label})"))
    name = "min" if curve.minimize else "max"
    for panel, (x, label) in zip(panels, xs, strict=True):
        panel.plot(x, mean, color="#1b7837")
        panel.fill_between(x, low, high, color="#1b7837", alpha=0.2, linewidth=0)
        panel.set_xscale("log")
        panel.set_xlabel(label)
        panel.set_ylabel(f"expected {name} {metric}")
        panel.grid(True, alpha=0.3)
    figure.suptitle(f"Expected {name} {metric} (Dodge et al. 2019), {curve.trials} trials")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, metadata={"Date": None} if kind == "svg" else None)
    plt.close(figure)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- listings


def render_records(
    records: Sequence[dict[str, object]],
    columns: Sequence[tuple[str, str]],
    form: Format,
    color: bool = False,
    width: int = 160,
) -> str:
    """A listing (regions, hardware, prices) as a table (chosen columns), JSON or CSV (all)."""
    if form is Format.json:
        return _json(list(records))
    if form is Format.csv:
        buffer = io.StringIO()
        fields = list(records[0]) if records else [c for c, _ in columns]
        writer = csv.DictWriter(buffer, fields, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: escape.csv_cell("" if v is None else v) for k, v in record.items()})
        return buffer.getvalue()
    if form is not Format.table:
        raise ValueError(f"listings come as table, json or csv, not {form}")
    header = [title for _, title in columns]
    numeric = [any(isinstance(r.get(c), int | float) for r in records) for c, _ in columns]
    body = [[_listed(record.get(column)) for column, _ in columns] for record in records]
    buffer = io.StringIO()
    console = _console(buffer, color, width)
    _sheet(console, header, body, numeric)
    _say(console, plural(len(records), "row"), "dim")
    return _text(buffer)


def plural(count_: int, word: str) -> str:
    """1 row, 2 rows, 1,024 rows."""
    return f"{count_:,} {word}" + ("" if count_ == 1 else "s")


def _listed(value: object) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _console(buffer: io.StringIO, color: bool, width: int) -> Console:
    """A rich console that renders into `buffer`: colour only when asked (a TTY)."""
    from rich.console import Console

    return Console(
        file=buffer,
        width=_usable(width),
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
    )


def _usable(width: int) -> int:
    """A terminal that reports no width (0 columns: some CI pseudo-terminals) gets 80."""
    return width if width > 0 else 80


def _text(buffer: io.StringIO) -> str:
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


# ----------------------------------------------------------------------------- comparisons


def ratio(value: float) -> str:
    """A factor against the baseline scenario: 0.42x, 1x, 3.1x."""
    if value != value:  # NaN: the baseline has no such figure
        return "—"
    return f"{value:.2g}x" if value < 10 else f"{value:,.0f}x"


def comparison_rows(
    comparison: Comparison,
    shown: pd.DataFrame,
    system: UnitSystem,
    best: int | None,
    ranges: bool = True,
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a what-if grid: the varied values, the figures, the ratios."""
    several = comparison.files > 1
    header = (["Model"] if several else []) + list(comparison.keys)
    if "hardware" not in comparison.keys:
        header.append("Hardware")
    header += [
        "Hours",
        "kWh·PUE",
        f"CO2e ({co2e_unit(system)})",
        "Electricity",
        "Cloud compute cost",
        "kWh vs base",
        "CO2e vs base",
        "Cost vs base",
    ]
    body = []
    for row, estimate in zip(shown.itertuples(), comparison.estimates(shown), strict=True):
        cells = [estimate.name] if several else []
        cells += list(comparison.titled(row).values())
        if "hardware" not in comparison.keys:
            cells.append(estimate.hardware)
        t = estimate.total
        cells += [
            hours(t.hours),
            ranged(t, "energy_kwh", number, ranges),
            ranged(t, "co2e_kg", lambda kg: number(co2e(kg, system)), ranges),
            ranged(t, "electricity_cost_usd", money, ranges),
            money_range(t.cloud_cost_usd),
            ratio(row.energy_ratio),
            ratio(row.co2e_ratio),
            ratio(row.cost_ratio),
        ]
        if best is not None and row.Index == best:
            cells[0] = f"* {cells[0]}"
        body.append(cells)
    return header, body


def render_comparison(
    comparison: Comparison,
    shown: pd.DataFrame,
    form: Format,
    system: UnitSystem = UnitSystem.metric,
    best: int | None = None,
    best_by: str = "CO2e",
    assumptions: bool = False,
    color: bool = False,
    width: int = 160,
    ranges: bool = True,
) -> str:
    """A what-if grid in any format of `estimate`; `best` is the frame index to highlight;
    `ranges` shows each figure's (low–high) beside its value (rows are sorted by the value)."""
    if form is Format.json:
        items = []
        for row, estimate in zip(shown.itertuples(), comparison.estimates(shown), strict=True):
            item = estimate.as_dict()
            item["scenario"] = comparison.scenario(row)
            item["hours_from"] = row.hours_from  # file, fpo or peak_flops (--scale-hours-by)
            item["ratio"] = {
                "energy_kwh": _number_or_none(row.energy_ratio),
                "co2e_kg": _number_or_none(row.co2e_ratio),
                "cost_usd": _number_or_none(row.cost_ratio),
            }
            items.append(item)
        return _json(items)
    if form is Format.csv:
        return _comparison_csv(comparison, shown, system)
    header, body = comparison_rows(comparison, shown, system, best, ranges)
    left = {"Model", "Hardware", *comparison.keys}
    scenarios = plural(comparison.scenarios, "scenario")
    notes = [f"* lowest {best_by} of the {scenarios}"] if best else []
    notes += [f"Assumption: {text}" for text in comparison.assumptions]
    if len(shown) < comparison.scenarios:
        notes.append(f"{len(shown):,} of {comparison.scenarios:,} scenarios shown")
    listing = []
    if assumptions:
        for row, estimate in zip(shown.itertuples(), comparison.estimates(shown), strict=True):
            scenario = ", ".join(f"{k}={v}" for k, v in comparison.scenario(row).items())
            listing.append((f"{estimate.name} ({scenario})", estimate.assumptions))
    if form is Format.markdown:
        align = ["---" if c in left else "---:" for c in header]
        lines = ["| " + " | ".join(_md(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
        for row in body:
            marked = row[0].startswith("* ")  # the best scenario, in bold
            cells = [_md(c) for c in [row[0][2:] if marked else row[0], *row[1:]]]
            if marked:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        notes = [_md(n.replace("* lowest", "In bold: the lowest", 1)) for n in notes]
        lines += ["", *notes] if notes else []
        lines = [*(_md(n) for n in comparison.lead), "", *lines] if comparison.lead else lines
        for title, items in listing:
            lines += ["", f"Assumptions for {_md(title)}:", ""]
            lines += [f"- {_md(a.what)}: {_md(a.value)} ({_md(a.source)})" for a in items]
        return "\n".join(lines) + "\n"
    if form is Format.latex:
        spec = "".join("l" if c in left else "r" for c in header)
        caption = "What-if comparison (computed with greenai)."
        lines = [f"% {latex_escape(n)}" for n in comparison.lead]
        lines += latex_table("compare", header, body, spec, caption, total=False)
        lines += [f"% {latex_escape(n)}" for n in notes]
        return "\n".join(lines) + "\n"
    buffer = io.StringIO()
    console = _console(buffer, color, width)
    for note in comparison.lead:
        _say(console, note, "dim")
    _sheet(
        console,
        header,
        body,
        [title not in left for title in header],
        styles=["bold green" if row[0].startswith("* ") else None for row in body],
    )
    for note in notes:
        _say(console, note, "dim")
    for title, items in listing:
        _say(console, f"Assumptions for {title}:", "bold", gap=True)
        _assumption_sheet(console, items)
    return _text(buffer)


def _number_or_none(value: float) -> float | None:
    return None if value != value else float(value)


def _comparison_csv(comparison: Comparison, shown: pd.DataFrame, system: UnitSystem) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    mass = "co2e_lb" if system is UnitSystem.imperial else "co2e_kg"
    figures = ["runs", "hours", "power_w", "pue", "carbon_intensity_g_per_kwh", "energy_kwh",
               mass, "electricity_cost_usd", "cloud_cost_usd_low", "cloud_cost_usd_high",
               "device_hours", "fpo", "hours_from", "energy_ratio", "co2e_ratio",
               "cost_ratio", *RANGE_COLUMNS]  # fmt: skip
    named = [f.replace("co2e_kg", mass) if f.startswith("co2e_kg_") else f for f in figures]
    named += [c.replace("co2e_kg", mass) for c in EMBODIED_WATER_COLUMNS]
    writer.writerow(
        ["name", "file", *(f"scenario.{k}" for k in comparison.keys), "hardware", *named]
    )
    for row in shown.itertuples():
        values = {f: getattr(row, f, None) for f in figures}
        values[mass] = co2e(row.co2e_kg, system)
        for which in ("low", "high"):
            values[f"co2e_kg_{which}"] = co2e(getattr(row, f"co2e_kg_{which}"), system)
        cells = [row.name, row.file, *comparison.scenario(row).values(), row.hardware]
        cells += ["" if v != v else v for v in values.values()]  # NaN: unknown
        cells += [
            "" if v != v else v
            for v in _embodied_water(
                lambda n, w, r=row: getattr(r, n if w == "value" else f"{n}_{w}"), system
            )
        ]
        writer.writerow([escape.csv_cell(c) for c in cells])
    return buffer.getvalue()


# ----------------------------------------------------------------------------- check


def check_rows(
    outcomes: Sequence[Outcome], system: UnitSystem
) -> tuple[list[str], list[list[str]]]:
    header = ["File", "Model", "Status", f"CO2e ({co2e_unit(system)})", "kWh·PUE", "Cost", "Note"]
    body = []
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
            notes.append(_error_text(outcome))
        cells.append("; ".join(notes))
        body.append(cells)
    return header, body


def _error_text(outcome: Outcome) -> str:
    """The error without its file and line, which the row or annotation already shows."""
    error = outcome.error
    if isinstance(error, InputError) and error.where.split(" (")[0] == outcome.path:
        return f"{error.key}: {error.message}" if error.key else error.message
    return str(error)


def render_check(
    outcomes: Sequence[Outcome],
    form: str,
    system: UnitSystem = UnitSystem.metric,
    color: bool = False,
    width: int = 160,
) -> str:
    """The summary of `greenai check` as table, json, markdown or github (a job summary)."""
    from greenai.checks import summary

    if form == "json":
        items = []
        for o in outcomes:
            error = o.error
            items.append(
                {
                    "file": o.path,
                    "status": o.status,
                    "error": None
                    if error is None
                    else {
                        "message": str(error),
                        "line": o.line,
                        "key": getattr(error, "key", "") or None,
                    },
                    "breaches": [
                        {
                            "metric": b.budget.metric,
                            "limit": b.budget.limit,
                            "value": b.value,
                            "over_by": b.over_by,
                            "message": b.message(),
                        }
                        for b in o.breaches
                    ],
                    "estimate": o.estimate.as_dict() if o.estimate else None,
                }
            )
        return _json(items)
    header, body = check_rows(outcomes, system)
    if form in ("markdown", "github"):
        lines = ["## greenai check", "", summary(outcomes) + ".", ""]
        lines += [
            "| " + " | ".join(_md(h) for h in header) + " |",
            "| --- | --- | --- | ---: | ---: | ---: | --- |",
        ]
        for row in body:
            row = [f"**{c}**" if i == 2 and c != "ok" else _md(c) for i, c in enumerate(row)]
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines) + "\n"
    styles = {"ok": None, "over budget": "yellow", "invalid": "red"}
    buffer = io.StringIO()
    console = _console(buffer, color, width)
    _sheet(
        console,
        header,
        body,
        [3 <= index <= 5 for index in range(len(header))],
        styles=[styles[outcome.status] for outcome in outcomes],
    )
    _say(console, summary(outcomes), "bold")
    return _text(buffer)


_escape_data = escape.annotation_data
_escape_property = escape.annotation_property


def _split_location(text: str, path: str) -> tuple[str, int | None, str]:
    """ "FILE:LINE: key: message" into its parts (the format of greenai's errors)."""
    rest = text[len(path) :] if text.startswith(path) else text
    line = None
    if rest.startswith(":") and rest[1:].split(":", 1)[0].isdigit():
        number, rest = rest[1:].split(":", 1)
        line = int(number)
    return path, line, rest.lstrip(": ").strip()


def github_annotations(outcomes: Sequence[Outcome]) -> str:
    """GitHub Actions workflow commands: an error on the file and line of each invalid file
    and each busted budget (the budget's own line when it is in the file)."""
    lines = []
    for outcome in outcomes:
        for warning in outcome.warnings:
            place, line, message = _split_location(warning, outcome.path)
            where = f"file={_escape_property(place)}" + (f",line={line}" if line else "")
            title = "title=greenai%3A unusual value"
            lines.append(f"::warning {where},{title}::{_escape_data(message)}")
        if outcome.error is not None:
            place = f"file={_escape_property(outcome.path)}"
            if outcome.line:
                place += f",line={outcome.line}"
            message = _escape_data(_error_text(outcome).strip())
            lines.append(f"::error {place},title=greenai%3A invalid experiment file::{message}")
        for breach in outcome.breaches:
            if outcome.path == "total":
                lines.append(
                    f"::error title=greenai%3A over budget::{_escape_data(breach.message())}"
                )
                continue
            line = breach.budget.line or 1
            place = f"file={_escape_property(outcome.path)},line={line}"
            message = _escape_data(breach.message())
            lines.append(f"::error {place},title=greenai%3A over budget::{message}")
    return "\n".join(lines) + ("\n" if lines else "")
