"""`greenai check --base`: the change per file and in total, as a sheet and as JSON.

The sheet is what the terminal, Markdown, the job summary and the pull-request comment draw:
a row per file (biggest change of CO2e first; invalid files on top), the total change last.
Cells are raw text; each renderer escapes them for its consumer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from greenai.delta import METRICS, Change, Crossing, Delta, FileDelta, signed_percent
from greenai.render.json import dumps
from greenai.render.numbers import UNKNOWN, co2e, co2e_unit, money, number, plural
from greenai.render.options import UnitSystem
from greenai.render.sheet import Row, Sheet, Tone, error_text

RANGES_NOTE = (
    "Ranges of a change: head low - base low .. head high - base high, i.e. every uncertain "
    "factor (PUE, intensity, price) at the same end at both commits; exact when only hours, "
    "runs or devices change, indicative where the factors change too (another region)."
)


def amount(metric: str, value: float, system: UnitSystem, sign: bool = False) -> str:
    """A figure of `metric` in its display unit (CO2e in lbs when imperial), signed if asked."""
    if metric == "co2e":
        value = co2e(value, system)
    text = (
        money(abs(value) if sign else value)
        if metric == "cost"
        else number(abs(value) if sign else value)
    )
    return ("-" if value < 0 else "+") + text if sign else text


def change_cell(change: Change | None, system: UnitSystem, ranges: bool) -> str:
    """`+326 (+100%)`, `+326 (new)`, `-40 (-100%)`, with `; 290 to 360` when ranges are shown."""
    if change is None or change.delta is None:
        return UNKNOWN
    value, low, high = change.delta
    text = amount(change.metric, value, system, sign=True)
    share = change.percent
    if change.base is None and change.head is not None:
        said = "new"
    elif change.head is None and change.base is not None:
        said = "removed"
    else:
        said = signed_percent(share) if share is not None else ""
    if ranges and (low, high) != (value, value):
        bounds = " to ".join(amount(change.metric, x, system, sign=True) for x in (low, high))
        if bounds != f"{text} to {text}":
            said = f"{said}; {bounds}" if said else bounds
    return f"{text} ({said})" if said else text


def head_cell(item: FileDelta, system: UnitSystem) -> str:
    """The file's CO2e in the work tree (also where the base's file was invalid)."""
    priced = item.head.estimate if item.head is not None else None
    return UNKNOWN if priced is None else amount("co2e", priced.total.co2e_kg, system)


def _note(item: FileDelta, crossings: Sequence[Crossing]) -> str:
    notes = []
    if item.renamed_from:
        notes.append(f"renamed from {item.renamed_from}")
    if item.head is not None and item.head.error is not None:
        notes.append(error_text(item.head))
    if item.base_error is not None:
        notes.append(f"invalid at the base: {item.base_reason}")
    notes += [c.note for c in item.changes.values() if c.note]
    notes += [_above(c) for c in crossings if c.subject == item.path]
    if item.head is not None:
        notes += [b.detail() for b in item.head.breaches]
    return "; ".join(notes)


def _above(crossing: Crossing) -> str:
    """A tier crossed, short: the row shows the change itself."""
    return f"above {crossing.tier.shown()}"


def _tone(item: FileDelta, crossings: Sequence[Crossing]) -> Tone:
    mine = [c.tier.level for c in crossings if c.subject == item.path]
    over = item.head is not None and bool(item.head.breaches)
    if item.status == "invalid" or "fail" in mine:
        return Tone.error
    if item.status == "base invalid" or "warn" in mine or over:
        return Tone.warning
    return Tone.plain


HEADER = ("File", "Status", "CO2e ({mass})", "Δ CO2e", "Δ energy (kWh)", "Δ cost", "Δ water (L)")


def header(system: UnitSystem) -> tuple[str, ...]:
    return (*(h.format(mass=co2e_unit(system)) for h in HEADER), "Note")


def row(item: FileDelta, delta: Delta, system: UnitSystem, ranges: bool) -> Row:
    cells = [item.path, item.status, head_cell(item, system)]
    cells += [change_cell(item.changes.get(m), system, ranges) for m in METRICS]
    cells.append(_note(item, delta.crossings))
    return Row(tuple(cells), _tone(item, delta.crossings), strong=(1,))


def total_row(delta: Delta, system: UnitSystem, ranges: bool) -> Row:
    head = delta.total["co2e"].head
    cells = ["total", "", UNKNOWN if head is None else amount("co2e", head[0], system)]
    cells += [change_cell(delta.total.get(m), system, ranges) for m in METRICS]
    cells.append("")  # the total's notes go below the table (total_notes)
    return Row(tuple(cells), Tone.total)


def total_notes(delta: Delta) -> list[str]:
    """What the total row means where it is not plain: its cost basis, its tiers crossed, and
    the files it leaves out."""
    notes = [c.note for c in delta.total.values() if c.note]
    notes += [_above(c) for c in delta.crossings if c.subject == "total"]
    if delta.left_out:
        notes.append(f"leaves out {plural(len(delta.left_out), 'invalid file')}")
    return [f"Total: {'; '.join(notes)}."] if notes else []


def lead(delta: Delta) -> str:
    """Against main (merge base 1a2b3c4): 3 files: 1 changed, 1 new, 0 removed, 1 unchanged."""
    kinds = ["changed", "new", "removed", "unchanged", "base invalid", "invalid"]
    counts = [f"{delta.count(k)} {k}" for k in kinds if delta.count(k) or k in kinds[:4]]
    files = plural(len(delta.files), "file")
    return f"Against {delta.ref} (merge base {delta.short}): {files}: {', '.join(counts)}."


def verdict(delta: Delta) -> str:
    """The tiers in one line: where they apply, and how many changes are above them."""
    if not delta.crossings:
        return ""
    where = "the total" if delta.delta_total else "each file"
    fails, warns = len(delta.failures()), len(delta.warnings())
    parts = [f"{plural(fails, 'change')} above the fail tier"] if fails else []
    parts += [f"{plural(warns, 'change')} above the warn tier"] if warns else []
    return ", ".join(parts) + f" (tiers checked on {where})."


def sheet(delta: Delta, system: UnitSystem, ranges: bool = False) -> Sheet:
    """A row per file and the total; the Note column only where a row has a note."""
    rows = [row(item, delta, system, ranges) for item in delta.files]
    rows.append(total_row(delta, system, ranges))
    notes = [n for n in (verdict(delta),) if n] + total_notes(delta)
    if ranges:
        notes.append(RANGES_NOTE)
    titles = header(system)
    if not any(r.cells[-1] for r in rows):
        titles = titles[:-1]
        rows = [replace(r, cells=r.cells[:-1]) for r in rows]
    numeric = tuple(2 <= i <= 6 for i in range(len(titles)))
    return Sheet(titles, tuple(rows), numeric, lead=(lead(delta),), notes=tuple(notes))


def _figures(change: Change) -> dict[str, object]:
    def triple(value: tuple[float, float, float] | None) -> dict[str, float] | None:
        return None if value is None else dict(zip(("value", "low", "high"), value, strict=True))

    return {
        "base": triple(change.base),
        "head": triple(change.head),
        "delta": triple(change.delta),
        "percent": None if change.percent is None else change.percent * 100,
        "unknown": change.unknown,
        "note": change.note or None,
    }


def _crossing(found: Crossing) -> dict[str, object]:
    tier = found.tier
    return {
        "level": tier.level,
        "metric": tier.metric,
        "relative": tier.relative,
        "amount": tier.amount * 100 if tier.relative else tier.amount,
        "unit": "%" if tier.relative else METRICS[tier.metric][1],
        "subject": found.subject,
        "message": found.message(),
    }


def as_json(delta: Delta) -> str:
    """The comparison for machines: units in the keys' documentation (kg, kWh, USD, L), every
    figure as value/low/high, percent as a number (12.5 for +12.5%), null where unknown."""
    files = []
    for item in delta.files:
        head = item.head
        files.append(
            {
                "file": item.path,
                "status": item.status,
                "renamed_from": item.renamed_from,
                "error": None if head is None or head.error is None else str(head.error),
                "base_error": None if item.base_error is None else str(item.base_error),
                "changes": {m: _figures(c) for m, c in item.changes.items()},
                "breaches": [b.message() for b in head.breaches] if head is not None else [],
            }
        )
    return dumps(
        {
            "base": {"ref": delta.ref, "commit": delta.commit},
            "units": {m: unit for m, (_, unit, _) in METRICS.items()},
            "files": files,
            "total": {m: _figures(c) for m, c in delta.total.items()},
            "left_out_of_total": [f.path for f in delta.left_out],
            "tiers_on": "total" if delta.delta_total else "file",
            "crossings": [_crossing(c) for c in delta.crossings],
        }
    )
