"""`greenai batch --report`: a cluster's priced job log as one HTML page a computing centre can
publish as it is (a web server, an intranet, an e-mail attachment, paper).

The page is self-contained and inert: no script, no external file, no font or image to fetch.
Charts are inline SVG drawn here (bars with the range as a whisker and the wasted part darker),
each followed by the table of its figures, so a screen reader, a printout and a copy-paste all
get the numbers. A Content-Security-Policy meta tag allows only the page's own stylesheet (by
its SHA-256 hash), so even a string that escaped escaping could neither run nor load anything.

Every string of the summary (user, account and partition names, file names, assumption text,
notices) comes from a job log or a cluster file that greenai does not control: it goes through
`escape.html`, always. The output depends only on its arguments (no clock), so a golden file
can hold it.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from greenai.render import escape
from greenai.render.numbers import UNKNOWN, bounded, known, money, number, plural, ratio

_STYLE = """
:root { --ink: #1d2327; --muted: #5b646b; --line: #d5dade; --panel: #f5f7f8;
  --bar: #4c8c6b; --waste: #b5462f; --range: #1d2327; --paper: #fff; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6e9eb; --muted: #a6afb5; --line: #3a4247; --panel: #20272b;
    --bar: #6fb28d; --waste: #e0735a; --range: #e6e9eb; --paper: #14191c; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 68rem; padding: 1.5rem; color: var(--ink);
  background: var(--paper); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p.lead, .muted, figcaption, caption { color: var(--muted); }
nav ul { list-style: none; padding: 0; margin: .8rem 0 0; display: flex; flex-wrap: wrap;
  gap: .3rem 1.2rem; }
a { color: inherit; }
dl.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
  gap: .8rem; margin: 1.2rem 0; }
dl.totals div { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: .7rem .9rem; }
dl.totals dt { color: var(--muted); font-size: .85rem; }
dl.totals dd { margin: 0; }
dl.totals dd.value { font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
dl.totals dd.note { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem;
  font-variant-numeric: tabular-nums; }
caption { text-align: left; font-size: .9rem; padding-bottom: .3rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .5rem .25rem 0;
  vertical-align: top; text-align: left; }
th { font-weight: 600; }
td.num, th.num { text-align: right; padding-left: .5rem; white-space: nowrap; }
td.key { overflow-wrap: anywhere; max-width: 22rem; }
.empty { font-style: italic; color: var(--muted); }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0 .4rem; }
figure svg { max-width: 100%; height: auto; display: block; }
svg text { fill: var(--ink); font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; }
svg .bar { fill: var(--bar); }
svg .waste { fill: var(--waste); }
svg .range { stroke: var(--range); stroke-width: 1.2; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg text.tick { fill: var(--muted); font-size: 11px; }
.legend { font-size: .85rem; color: var(--muted); }
.swatch { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 .8em;
  vertical-align: -.05em; }
.swatch.bar { background: var(--bar); }
.swatch.waste { background: var(--waste); }
ul.plain { padding-left: 1.2rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .9em; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; padding-top: .6rem; border-top: 1px solid var(--line);
  color: var(--muted); font-size: .85rem; }
@media print {
  :root { --ink: #000; --muted: #444; --line: #bbb; --panel: #fff; --bar: #4c8c6b;
    --waste: #b5462f; --range: #000; --paper: #fff; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, table, dl.totals div { break-inside: avoid; }
  .swatch, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a { text-decoration: none; }
}
"""

# The stylesheet is the page's only active content; the policy names it by its hash, so an
# injected <style> or style="" attribute would be refused as well as any script or fetch.
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode("utf-8")).digest()).decode("ascii")
POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"
)

# What a chart shows at most; the table below it lists more (`top` rows) and says how many
# it left out.
_CHART_BARS = 12
_LABEL_CHARACTERS = 24

# Column headers of the group tables: by name, then any group the summary adds later.
_GROUPS = {
    "month": ("By month", "Month"),
    "partition": ("By partition", "Partition"),
    "user": ("Top users", "User"),
    "account": ("Top accounts", "Account"),
    "state": ("By job state", "State"),
}
_LIMITED = ("user", "account")  # groups that can have thousands of rows


@dataclass(frozen=True)
class _Bar:
    """One bar of a chart, in the chart's unit; None where the summary does not know."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    waste: float | None = None


def render(summary: Mapping[str, Any], generated: str | None = None, top: int = 25) -> str:
    """The page for a `greenai batch` JSON summary. `generated` (a date or time, as the caller
    wants it shown) is printed as given: the page reads no clock, so the same summary gives the
    same bytes. `top` caps the rows of the user and account tables (a national centre has
    thousands of users; their full list is in the CSV and JSON outputs)."""
    greenai = summary.get("greenai") or {}
    cluster = summary.get("cluster") or {}
    groups = summary.get("groups") or {}
    name = cluster.get("name")
    title = f"Footprint of {name}" if name else "Footprint of a cluster's jobs"
    sections = _sections(summary, groups, top)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta name="generator" content="greenai {_text(greenai.get("version") or UNKNOWN)}">',
        f"<title>{_text(title)} · greenai batch</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_text(title)}</h1>",
        f'<p class="lead">{_lead(summary, groups, generated)}</p>',
        _nav(sections),
        "</header>",
        "<main>",
        _totals(summary),
        *(html for _, _, html in sections),
        "</main>",
        _footer(greenai, generated),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --- text -----------------------------------------------------------------------------------


def _text(value: object) -> str:
    """Data as inert HTML text (and attribute value)."""
    return escape.html(str(value))


def _key(value: object) -> str:
    """A group's key as a table cell: an empty key is shown as such, not as a blank cell."""
    text = "" if value is None else str(value)
    return _text(text) if text else '<span class="empty">(none)</span>'


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else UNKNOWN


def _figure(value: object) -> float | None:
    return known(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _kwh(value: float) -> str:
    return number(value)


def _range(bounded_figure: object, show: Callable[[float], str]) -> str:
    """`{"value", "low", "high"}` as `12.3 (9.8–15.1)`; unknown where the summary has none."""
    if not isinstance(bounded_figure, Mapping):
        return UNKNOWN
    value, low, high = (_figure(bounded_figure.get(k)) for k in ("value", "low", "high"))
    return bounded(value, low, high, show)


def _value(bounded_figure: object, which: str = "value") -> float | None:
    if not isinstance(bounded_figure, Mapping):
        return None
    return _figure(bounded_figure.get(which))


def _plain(value: object, show: Callable[[float], str] = number) -> str:
    figure = _figure(value)
    return UNKNOWN if figure is None else show(figure)


_URL = re.compile(r"https?://[^\s<>\"'`]+")


def _linked(text: str) -> str:
    """A source: its http(s) addresses as links (a reader of a published page follows them),
    everything else as text. Only http and https: never javascript: or data:."""
    out, start = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:)]")
        end = match.start() + len(url)
        out.append(_text(text[start : match.start()]))
        out.append(f'<a href="{_text(url)}" rel="noopener noreferrer">{_text(url)}</a>')
        start = end
    out.append(_text(text[start:]))
    return "".join(out)


# --- page parts -----------------------------------------------------------------------------


def _lead(summary: Mapping[str, Any], groups: Mapping[str, Any], generated: str | None) -> str:
    jobs = summary.get("jobs") or {}
    months = [row.get("key") for row in groups.get("month") or [] if isinstance(row, Mapping)]
    months = [str(m) for m in months if m is not None]
    period = ""
    if months:
        first, last = months[0], months[-1]
        period = f" from {_text(first)}" + (f" to {_text(last)}" if last != first else "")
    cluster = summary.get("cluster") or {}
    where = f" (cluster file <code>{_text(cluster['file'])}</code>)" if cluster.get("file") else ""
    priced = jobs.get("priced")
    count = _count(priced) + (" job" if priced == 1 else " jobs")
    text = f"Energy, CO₂e and electricity cost of {count} run{period}{where}"
    if generated:
        text += f"; priced by greenai on {_text(generated)}"
    return text + "."


def _nav(sections: Sequence[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<li><a href="#{ident}">{_text(title)}</a></li>' for ident, title, _ in sections
    )
    return f'<nav aria-label="Sections"><ul>{items}</ul></nav>'


def _card(label: str, value: str, note: str = "") -> str:
    extra = f'<dd class="note">{note}</dd>' if note else ""
    return f'<div><dt>{label}</dt><dd class="value">{value}</dd>{extra}</div>'


def _range_note(bounded_figure: object, show: Callable[[float], str]) -> str:
    low, high = _value(bounded_figure, "low"), _value(bounded_figure, "high")
    if low is None and high is None:
        return ""
    shown = [UNKNOWN if b is None else show(b) for b in (low, high)]
    return "" if shown[0] == shown[1] else f"range {shown[0]}–{shown[1]}"


def _totals(summary: Mapping[str, Any]) -> str:
    totals = summary.get("totals") or {}
    waste = summary.get("waste") or {}
    jobs = summary.get("jobs") or {}
    failed = waste.get("failed") or {}
    energy, co2e = totals.get("energy_kwh"), totals.get("co2e_kg")
    cost = totals.get("electricity_cost_usd")
    cards = [
        _card("Energy (kWh)", _plain(_value(energy), _kwh), _range_note(energy, _kwh)),
        _card("CO₂e (kg)", _plain(_value(co2e)), _range_note(co2e, number)),
        _card("Electricity cost (USD)", _plain(_value(cost), money), _range_note(cost, money)),
        _card(
            "Jobs priced",
            _count(jobs.get("priced")),
            f"of {_count(jobs.get('jobs'))} jobs; {_count(jobs.get('rows_read'))} rows read",
        ),
        _card("CPU core-hours", _plain(totals.get("cpu_hours"))),
        _card("GPU hours", _plain(totals.get("gpu_hours"))),
        _card(
            "Failed jobs' energy (kWh)",
            _plain(_value(failed.get("energy_kwh")), _kwh),
            f"{_count(failed.get('jobs'))} jobs failed, timed out or were cancelled",
        ),
    ]
    measured_jobs = totals.get("measured_jobs")
    if isinstance(measured_jobs, int) and measured_jobs > 0:
        factor = _figure(totals.get("measured_over_estimated"))
        cards.append(
            _card(
                "Measured by SLURM (kWh)",
                _plain(totals.get("measured_energy_kwh"), _kwh),
                f"{plural(measured_jobs, 'job')} with ConsumedEnergyRaw; measured / estimated "
                f"on them: {UNKNOWN if factor is None else ratio(factor)}",
            )
        )
    return (
        '<section id="totals" aria-labelledby="totals-title">'
        '<h2 id="totals-title">Totals</h2>'
        f'<dl class="totals">{"".join(cards)}</dl>'
        '<p class="muted">Figures are estimates; where a range is given, the first figure is the '
        "estimate and the range is its low and high bound (see the assumptions below).</p>"
        "</section>"
    )


def _sections(
    summary: Mapping[str, Any], groups: Mapping[str, Any], top: int
) -> list[tuple[str, str, str]]:
    """(anchor, title, html) of each section after the totals, in reading order."""
    out = []
    order = [by for by in _GROUPS if by != "state"] + sorted(set(groups) - set(_GROUPS))
    for number_, by in enumerate(order, start=1):
        rows = groups.get(by)
        if not isinstance(rows, list):
            continue
        title, header = _GROUPS.get(by, (f"By {by}", by.capitalize()))
        out.append(
            (f"by-{number_}", title, _group_section(f"by-{number_}", by, title, header, rows, top))
        )
    out.append(("waste", "Waste", _waste(summary, groups)))
    out.append(("jobs", "Jobs read", _jobs(summary)))
    if summary.get("notices"):
        out.append(("notices", "Notices", _notices(summary["notices"])))
    out.append(("assumptions", "Assumptions and sources", _assumptions(summary)))
    return out


def _bars(rows: Iterable[Any]) -> list[_Bar]:
    bars = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        energy = row.get("energy_kwh")
        bars.append(
            _Bar(
                str(row.get("key", "")),
                _value(energy),
                _value(energy, "low"),
                _value(energy, "high"),
                _figure(row.get("waste_energy_kwh")),
            )
        )
    return bars


def _group_section(ident: str, by: str, title: str, header: str, rows: list[Any], top: int) -> str:
    rows = [row for row in rows if isinstance(row, Mapping)]
    limit = top if by in _LIMITED else len(rows)
    shown = rows[:limit]
    kind = header.lower()
    if by == "month":
        chart = _columns(
            f"{ident}-chart",
            f"Energy by month (kWh), {plural(len(rows), 'month')}",
            "Columns: energy of each month's jobs in kWh, the darker part wasted (failed "
            "jobs and memory never used), the whisker the low–high range. "
            "The table below gives the same figures.",
            _bars(rows),
        )
    else:
        drawn = rows[:_CHART_BARS]
        which = (
            f"the first {len(drawn)} of the {plural(len(rows), kind)} listed, by CO₂e"
            if len(drawn) < len(rows)
            else f"the {plural(len(rows), kind)} listed"
        )
        chart = _horizontal(
            f"{ident}-chart",
            f"Energy by {kind} (kWh): {which}",
            f"Bars: energy in kWh of {which}, in order of CO₂e; the darker part wasted (failed "
            "jobs and memory never used), the whisker the low–high range. "
            "The table below gives the figures.",
            _bars(drawn),
        )
    more = len(rows) - len(shown)
    # the summary may list only the top entries of a grouping: say "listed", never "every"
    caption = f"{title}: {plural(len(rows), kind)} listed in the summary" + (
        f", the first {len(shown):,} by CO₂e shown here ({more:,} more in its JSON)" if more else ""
    )
    return (
        f'<section id="{ident}" aria-labelledby="{ident}-title">'
        f'<h2 id="{ident}-title">{_text(title)}</h2>'
        f"{chart}"
        f"{_group_table(header, shown, caption)}"
        "</section>"
    )


def _group_table(header: str, rows: Sequence[Mapping[str, Any]], caption: str) -> str:
    head = (
        f'<tr><th scope="col">{_text(header)}</th><th scope="col" class="num">Jobs</th>'
        '<th scope="col" class="num">Energy (kWh)</th><th scope="col" class="num">CO₂e (kg)</th>'
        '<th scope="col" class="num">Electricity (USD)</th>'
        '<th scope="col" class="num">Wasted energy (kWh)</th></tr>'
    )
    body = "".join(
        f'<tr><th scope="row" class="key">{_key(row.get("key"))}</th>'
        f'<td class="num">{_count(row.get("jobs"))}</td>'
        f'<td class="num">{_range(row.get("energy_kwh"), _kwh)}</td>'
        f'<td class="num">{_range(row.get("co2e_kg"), number)}</td>'
        f'<td class="num">{_range(row.get("electricity_cost_usd"), money)}</td>'
        f'<td class="num">{_plain(row.get("waste_energy_kwh"), _kwh)}</td></tr>'
        for row in rows
    )
    return (
        f'<div class="scroll"><table><caption>{_text(caption)}</caption>'
        f"<thead>{head}</thead><tbody>{body}</tbody></table></div>"
    )


def _waste(summary: Mapping[str, Any], groups: Mapping[str, Any]) -> str:
    totals = summary.get("totals") or {}
    waste = summary.get("waste") or {}
    failed = waste.get("failed") or {}
    memory = waste.get("unused_memory") or {}
    energy = totals.get("energy_kwh")
    compared = [
        _Bar("All jobs", _value(energy), _value(energy, "low"), _value(energy, "high")),
        _Bar(
            "Failed jobs",
            _value(failed.get("energy_kwh")),
            _value(failed.get("energy_kwh"), "low"),
            _value(failed.get("energy_kwh"), "high"),
            _value(failed.get("energy_kwh")),
        ),
        _Bar(
            "Unused memory",
            _value(memory.get("energy_kwh")),
            _value(memory.get("energy_kwh"), "low"),
            _value(memory.get("energy_kwh"), "high"),
            _value(memory.get("energy_kwh")),
        ),
    ]
    chart = _horizontal(
        "waste-chart",
        "Energy wasted against all jobs' energy (kWh)",
        "Bars: energy in kWh of all priced jobs, of the jobs that failed, timed out or were "
        "cancelled after starting, and of memory requested but never used; the whisker the "
        "low–high range. The table below gives the figures.",
        compared,
    )
    table = (
        '<div class="scroll"><table><caption>Waste: the energy of work that produced nothing'
        "</caption><thead><tr>"
        '<th scope="col">What</th><th scope="col" class="num">Jobs</th>'
        '<th scope="col" class="num">Energy (kWh)</th><th scope="col" class="num">CO₂e (kg)</th>'
        '<th scope="col" class="num">Electricity (USD)</th></tr></thead><tbody>'
        '<tr><th scope="row">All priced jobs</th>'
        f'<td class="num">{_count((summary.get("jobs") or {}).get("priced"))}</td>'
        f'<td class="num">{_range(energy, _kwh)}</td>'
        f'<td class="num">{_range(totals.get("co2e_kg"), number)}</td>'
        f'<td class="num">{_range(totals.get("electricity_cost_usd"), money)}</td></tr>'
        '<tr><th scope="row">Failed, timed out or cancelled after starting</th>'
        f'<td class="num">{_count(failed.get("jobs"))}</td>'
        f'<td class="num">{_range(failed.get("energy_kwh"), _kwh)}</td>'
        f'<td class="num">{_range(failed.get("co2e_kg"), number)}</td>'
        f'<td class="num">{_range(failed.get("electricity_cost_usd"), money)}</td></tr>'
        '<tr><th scope="row">Memory requested but never used '
        f"({_plain(memory.get('gb_hours'))} GB-hours, ReqMem − MaxRSS)</th>"
        f'<td class="num">{_count(memory["jobs"]) if "jobs" in memory else ""}</td>'
        f'<td class="num">{_range(memory.get("energy_kwh"), _kwh)}</td>'
        f'<td class="num">{_range(memory.get("co2e_kg"), number)}</td>'
        f'<td class="num">{_range(memory.get("electricity_cost_usd"), money)}</td></tr>'
        "</tbody></table></div>"
        '<p class="muted">The two kinds of waste can overlap: a failed job\'s unused memory '
        "counts in both rows.</p>"
    )
    states = groups.get("state")
    by_state = ""
    if isinstance(states, list):
        rows = [row for row in states if isinstance(row, Mapping)]
        by_state = (
            '<h3 id="by-state">By job state</h3>'
            + _horizontal(
                "state-chart",
                "Energy by job state (kWh)",
                "Bars: energy in kWh of the jobs in each final state, in order of CO₂e; the "
                "darker part wasted; the whisker the low–high range. The table below gives the "
                "figures.",
                _bars(rows[:_CHART_BARS]),
            )
            + _group_table(
                "State", rows, f"By job state: {plural(len(rows), 'state')} listed in the summary"
            )
        )
    return (
        '<section id="waste" aria-labelledby="waste-title">'
        '<h2 id="waste-title">Waste</h2>'
        f"{chart}{table}{by_state}"
        "</section>"
    )


def _jobs(summary: Mapping[str, Any]) -> str:
    jobs = summary.get("jobs") or {}
    cluster = summary.get("cluster") or {}
    counts = [
        ("Rows read (jobs and their steps)", jobs.get("rows_read")),
        ("Jobs (steps folded into their job)", jobs.get("jobs")),
        ("Jobs priced", jobs.get("priced")),
        ("Jobs not priced", jobs.get("unpriced")),
        ("Malformed rows (skipped)", jobs.get("malformed")),
    ]
    rows = "".join(
        f'<tr><th scope="row">{label}</th><td class="num">{_count(value)}</td></tr>'
        for label, value in counts
    )
    logs = "".join(f"<li><code>{_text(log)}</code></li>" for log in summary.get("logs") or [])
    files = f'<h3>Job logs</h3><ul class="plain">{logs}</ul>' if logs else ""
    if cluster.get("file"):
        files += f"<p>Cluster file: <code>{_text(cluster['file'])}</code></p>"
    examples = [e for e in jobs.get("malformed_examples") or [] if isinstance(e, Mapping)]
    malformed = ""
    if examples:
        body = "".join(
            f"<tr><td><code>{_text(e.get('file', ''))}</code></td>"
            f'<td class="num">{_count(e.get("line"))}</td>'
            f"<td>{_text(e.get('reason', ''))}</td></tr>"
            for e in examples
        )
        malformed = (
            '<div class="scroll"><table><caption>Malformed rows: the first '
            f"{plural(len(examples), 'example')}</caption>"
            '<thead><tr><th scope="col">File</th><th scope="col" class="num">Line</th>'
            f'<th scope="col">Why it was skipped</th></tr></thead><tbody>{body}</tbody></table>'
            "</div>"
        )
    return (
        '<section id="jobs" aria-labelledby="jobs-title">'
        '<h2 id="jobs-title">Jobs read</h2>'
        f"<table><caption>What the logs held</caption><tbody>{rows}</tbody></table>"
        f"{malformed}{files}"
        "</section>"
    )


def _notices(notices: Sequence[Any]) -> str:
    items = "".join(f"<li>{_text(notice)}</li>" for notice in notices)
    return (
        '<section id="notices" aria-labelledby="notices-title">'
        f'<h2 id="notices-title">Notices</h2><ul class="plain">{items}</ul></section>'
    )


def _assumptions(summary: Mapping[str, Any]) -> str:
    listed = [a for a in summary.get("assumptions") or [] if isinstance(a, Mapping)]
    body = "".join(
        f'<tr><th scope="row">{_text(a.get("subject", ""))}</th><td>{_text(a.get("text", ""))}'
        f"</td><td>{_linked(str(a.get('source', '')))}</td></tr>"
        for a in listed
    )
    table = (
        '<div class="scroll"><table><caption>Every figure used, with where it comes from'
        '</caption><thead><tr><th scope="col">Subject</th><th scope="col">Assumption</th>'
        f'<th scope="col">Source</th></tr></thead><tbody>{body}</tbody></table></div>'
        if listed
        else '<p class="empty">The summary lists no assumptions.</p>'
    )
    return (
        '<section id="assumptions" aria-labelledby="assumptions-title">'
        f'<h2 id="assumptions-title">Assumptions and sources</h2>{table}</section>'
    )


def _footer(greenai: Mapping[str, Any], generated: str | None) -> str:
    version = _text(greenai.get("version", "")) or UNKNOWN
    command = _text(greenai.get("command", "batch"))
    when = f" on {_text(generated)}" if generated else ""
    return (
        f"<footer><p>Produced by greenai {version} (<code>greenai {command}</code>){when}. "
        "Energy = PUE × hours × power of the job's CPU cores, GPUs and memory; CO₂e and "
        "electricity cost = energy × the grid's carbon intensity and price (Lannelongue et al. "
        "2021, Green Algorithms; Strubell et al. 2019). This page loads nothing and runs no "
        "script.</p></footer>"
    )


# --- charts ---------------------------------------------------------------------------------


def _short(label: str) -> str:
    """A label that fits the chart's label column; the table and the tooltip keep it whole."""
    label = label or "(none)"
    return label if len(label) <= _LABEL_CHARACTERS else label[: _LABEL_CHARACTERS - 1] + "…"


def _ticks(top: float) -> list[float]:
    """Gridlines at a round spacing (1, 2 or 5 x 10^k), at most five intervals, the last at or
    above `top` so that every bar ends inside the grid."""
    wanted = top / 5
    magnitude = 10 ** math.floor(math.log10(wanted))
    step = next(magnitude * f for f in (1, 2, 5, 10) if magnitude * f >= wanted * (1 - 1e-12))
    return [step * i for i in range(math.ceil(top / step - 1e-9) + 1)]


def _scale(bars: Sequence[_Bar]) -> float:
    """The largest figure drawn (a value or a high bound); 0 where nothing is known."""
    figures = [f for bar in bars for f in (bar.value, bar.high) if f is not None and f > 0]
    return max(figures, default=0.0)


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{_text(title)}</title><desc id="{ident}-d">{_text(desc)}</desc>'
        + "".join(body)
        + "</svg>"
        + f'<figcaption>{_text(title)}<span class="legend"><span class="swatch bar"></span>'
        'energy<span class="swatch waste"></span>wasted; whisker: low–high range</span>'
        "</figcaption></figure>"
    )


def _nothing(title: str) -> str:
    return f'<p class="empty">{_text(title)}: no figure to draw.</p>'


def _f(value: float) -> str:
    return f"{value:.1f}"


def _horizontal(ident: str, title: str, desc: str, bars: Sequence[_Bar]) -> str:
    """Horizontal bars: long names (users, partitions) read left to right."""
    top = _scale(bars)
    if not bars or top <= 0:
        return _nothing(title)
    ticks = _ticks(top)
    top = max(top, ticks[-1])
    label_width, plot_width, value_width, row, head = 180, 400, 140, 26, 22
    width = label_width + plot_width + value_width
    height = head + row * len(bars) + 6

    def x(value: float) -> float:
        return label_width + plot_width * max(value, 0.0) / top

    body = []
    for tick in ticks:
        body.append(
            f'<line class="grid" x1="{_f(x(tick))}" y1="{head - 4}" x2="{_f(x(tick))}" '
            f'y2="{height - 6}"/><text class="tick" x="{_f(x(tick))}" y="{head - 8}" '
            f'text-anchor="middle">{number(tick)}</text>'
        )
    for index, bar in enumerate(bars):
        y = head + index * row
        middle = y + row / 2
        body.append(
            f'<text x="{label_width - 8}" y="{_f(middle + 4)}" text-anchor="end">'
            f"<title>{_text(bar.label)}</title>{_text(_short(bar.label))}</text>"
        )
        if bar.value is not None:
            body.append(
                f'<rect class="bar" x="{label_width}" y="{_f(y + 5)}" '
                f'width="{_f(x(bar.value) - label_width)}" height="{row - 10}"/>'
            )
            if bar.waste is not None and bar.waste > 0:
                wasted = min(bar.waste, bar.value)  # drawn inside its bar, never past it
                body.append(
                    f'<rect class="waste" x="{label_width}" y="{_f(y + 5)}" '
                    f'width="{_f(x(wasted) - label_width)}" height="{row - 10}"/>'
                )
        if bar.low is not None and bar.high is not None and bar.low != bar.high:
            low, high = _f(x(bar.low)), _f(x(bar.high))
            body.append(
                f'<line class="range" x1="{low}" y1="{_f(middle)}" x2="{high}" y2="{_f(middle)}"/>'
                f'<line class="range" x1="{low}" y1="{_f(middle - 4)}" x2="{low}" '
                f'y2="{_f(middle + 4)}"/><line class="range" x1="{high}" y1="{_f(middle - 4)}" '
                f'x2="{high}" y2="{_f(middle + 4)}"/>'
            )
        body.append(
            f'<text x="{width - 4}" y="{_f(middle + 4)}" text-anchor="end">'
            f"{_plain(bar.value, _kwh)} kWh</text>"
        )
    body.append(
        f'<line class="axis" x1="{label_width}" y1="{head - 4}" x2="{label_width}" '
        f'y2="{height - 6}"/>'
    )
    return _svg(ident, width, height, title, desc, body)


def _columns(ident: str, title: str, desc: str, bars: Sequence[_Bar]) -> str:
    """Vertical columns: months read as a time line, left to right."""
    top = _scale(bars)
    if not bars or top <= 0:
        return _nothing(title)
    ticks = _ticks(top)
    top = max(top, ticks[-1])
    axis_width, plot_height, foot, head = 64, 200, 34, 12
    slot = max(18.0, min(64.0, 640 / len(bars)))
    width = max(360, int(axis_width + slot * len(bars) + 12))
    height = head + plot_height + foot
    every = max(1, round(len(bars) / 12))  # at most about twelve month labels

    def y(value: float) -> float:
        return head + plot_height * (1 - max(value, 0.0) / top)

    body = []
    for tick in ticks:
        body.append(
            f'<line class="grid" x1="{axis_width}" y1="{_f(y(tick))}" x2="{width - 6}" '
            f'y2="{_f(y(tick))}"/><text class="tick" x="{axis_width - 6}" '
            f'y="{_f(y(tick) + 4)}" text-anchor="end">{number(tick)}</text>'
        )
    for index, bar in enumerate(bars):
        left = axis_width + index * slot
        center = left + slot / 2
        inner = slot * 0.7
        if bar.value is not None:
            body.append(
                f'<rect class="bar" x="{_f(center - inner / 2)}" y="{_f(y(bar.value))}" '
                f'width="{_f(inner)}" height="{_f(y(0) - y(bar.value))}">'
                f"<title>{_text(bar.label)}: {_plain(bar.value, _kwh)} kWh</title></rect>"
            )
            if bar.waste is not None and bar.waste > 0:
                wasted = min(bar.waste, bar.value)
                body.append(
                    f'<rect class="waste" x="{_f(center - inner / 2)}" y="{_f(y(wasted))}" '
                    f'width="{_f(inner)}" height="{_f(y(0) - y(wasted))}"/>'
                )
        if bar.low is not None and bar.high is not None and bar.low != bar.high:
            low, high = _f(y(bar.low)), _f(y(bar.high))
            body.append(
                f'<line class="range" x1="{_f(center)}" y1="{low}" x2="{_f(center)}" y2="{high}"/>'
                f'<line class="range" x1="{_f(center - 4)}" y1="{low}" x2="{_f(center + 4)}" '
                f'y2="{low}"/><line class="range" x1="{_f(center - 4)}" y1="{high}" '
                f'x2="{_f(center + 4)}" y2="{high}"/>'
            )
        if index % every == 0:
            body.append(
                f'<text x="{_f(center)}" y="{head + plot_height + 16}" text-anchor="middle">'
                f"{_text(_short(bar.label))}</text>"
            )
    body.append(
        f'<line class="axis" x1="{axis_width}" y1="{_f(y(0))}" x2="{width - 6}" y2="{_f(y(0))}"/>'
    )
    return _svg(ident, width, height, title, desc, body)
