"""`greenai batch` in the terminal, in Markdown, CSV and JSON: the summary dict, drawn.

Every figure comes from the summary (greenai.batch.summary's contract); nothing is recomputed
here. The terminal and Markdown draw the same sheets: totals, waste, then one table per group
asked for; CSV is one record per group entry (the totals as group "total"), with each figure's
low and high; JSON is the summary itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from greenai.render import escape
from greenai.render.numbers import UNKNOWN, bounded, known, money, number, plural
from greenai.render.sheet import Row, Sheet, Tone

TITLES = {
    "user": "By user",
    "account": "By account",
    "partition": "By partition",
    "state": "By state",
    "month": "By month",
}
FIGURES = ("energy_kwh", "co2e_kg", "electricity_cost_usd")


def _b(bound: dict[str, float] | None, show: Any = number, ranges: bool = True) -> str:
    """A summary's {"value", "low", "high"} as the HTML page writes it (numbers.bounded)."""
    if bound is None:
        return UNKNOWN
    if not ranges:
        value = known(bound["value"])
        return UNKNOWN if value is None else show(value)
    return bounded(bound["value"], bound["low"], bound["high"], show)


def sheets(summary: dict[str, Any], by: Sequence[str], ranges: bool = True) -> list[Sheet]:
    """The totals sheet (with waste and the measured energy), then one per group in `by`."""
    jobs = summary["jobs"]
    totals = summary["totals"]
    waste = summary["waste"]
    failed, unused = waste["failed"], waste["unused_memory"]
    rows = [
        Row(
            (
                "All jobs",
                f"{jobs['priced']:,}",
                _b(totals["energy_kwh"], ranges=ranges),
                _b(totals["co2e_kg"], ranges=ranges),
                _b(totals["electricity_cost_usd"], money, ranges),
            ),
            Tone.total,
        ),
        Row(
            (
                "Failed, timed out, cancelled",
                f"{failed['jobs']:,}",
                _b(failed["energy_kwh"], ranges=ranges),
                _b(failed["co2e_kg"], ranges=ranges),
                _b(failed["electricity_cost_usd"], money, ranges),
            )
        ),
        Row(
            (
                f"Unused memory ({number(unused['gb_hours'])} GB-hours)",
                "",
                _b(unused["energy_kwh"], ranges=ranges),
                _b(unused["co2e_kg"], ranges=ranges),
                "",
            )
        ),
    ]
    lead = [
        f"{summary['cluster']['name'] or summary['cluster']['file']}: "
        f"{plural(jobs['jobs'], 'job')} from {plural(jobs['rows_read'], 'log row')} "
        f"({jobs['priced']:,} priced, {jobs['unpriced']:,} unpriced, "
        f"{jobs['malformed']:,} malformed rows)",
        f"{number(totals['cpu_hours'])} core-hours, {number(totals['gpu_hours'])} GPU-hours",
    ]
    if totals["measured_energy_kwh"] is not None:
        lead.append(
            f"Measured (ConsumedEnergyRaw x PUE): {number(totals['measured_energy_kwh'])} kWh "
            f"over {plural(totals['measured_jobs'], 'job')}, "
            f"{totals['measured_over_estimated']:.3g} x "
            "the estimate of the same jobs"
        )
    header = ("", "Jobs", "kWh·PUE", "CO2e (kg)", "Electricity")
    found = [
        Sheet(
            header,
            tuple(rows),
            (False, True, True, True, True),
            title="Totals",
            lead=tuple(lead),
            notes=tuple(summary["notices"]),
        )
    ]
    for dim in by:
        entries = summary["groups"].get(dim, [])
        body = tuple(
            Row(
                (
                    e["key"] or "(none)",
                    f"{e['jobs']:,}",
                    _b(e["energy_kwh"], ranges=ranges),
                    _b(e["co2e_kg"], ranges=ranges),
                    _b(e["electricity_cost_usd"], money, ranges),
                    number(e["waste_energy_kwh"]),
                )
            )
            for e in entries
        )
        found.append(
            Sheet(
                (dim.title(), "Jobs", "kWh·PUE", "CO2e (kg)", "Electricity", "Waste kWh"),
                body,
                (False, True, True, True, True, True),
                title=TITLES[dim],
            )
        )
    return found


def terminal(summary: dict[str, Any], by: Sequence[str], color: bool, width: int) -> str:
    from greenai.render import terminal as term

    return "".join(term.sheet(s, color, width) for s in sheets(summary, by))


def markdown(summary: dict[str, Any], by: Sequence[str]) -> str:
    from greenai.render.markdown import table

    lines: list[str] = []
    for sheet in sheets(summary, by):
        lines += [f"### {escape.markdown(sheet.title)}", ""]
        if sheet.lead:
            lines += [escape.markdown(line) + "  " for line in sheet.lead]
            lines.append("")
        lines += [*table(sheet), ""]
        lines += [f"- {escape.markdown(n)}" for n in sheet.notes]
        if sheet.notes:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def as_csv(summary: dict[str, Any], by: Sequence[str]) -> str:
    """One record per group entry, and the totals as group 'total'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["group", "key", "jobs"]
    for name in FIGURES:
        header += [name, f"{name}_low", f"{name}_high"]
    writer.writerow([*header, "waste_energy_kwh"])

    def bounds(entry: dict[str, Any]) -> list[object]:
        cells: list[object] = []
        for name in FIGURES:
            found = entry.get(name)
            cells += ["", "", ""] if found is None else [found[b] for b in ("value", "low", "high")]
        return cells

    totals = summary["totals"]
    failed = summary["waste"]["failed"]
    writer.writerow(["total", "", summary["jobs"]["priced"], *bounds(totals), ""])
    writer.writerow(["waste", "failed", failed["jobs"], *bounds(failed), ""])
    for dim in by:
        for e in summary["groups"].get(dim, []):
            key = escape.csv_cell(e["key"])
            writer.writerow([dim, key, e["jobs"], *bounds(e), e["waste_energy_kwh"]])
    return buffer.getvalue()


def as_json(summary: dict[str, Any]) -> str:
    from greenai.render.json import dumps

    return dumps(summary)
