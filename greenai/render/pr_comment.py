"""The pull-request comment of `greenai check --base` (`--format pr-comment`, `--comment FILE`).

Short on top: a hidden marker (so the Action finds and updates its own comment rather than
adding one per push), a headline with the total change, the verdict, and a table of the files
that changed, biggest change of CO2e first. Everything else (every file with its range and
notes, the assumptions of the changed files) is folded in `<details>`.

Every string from a file (names, paths, notes, error messages) goes through
escape.github_markdown: it cannot end its cell, open HTML, mention anyone, link or show an image.
GitHub refuses comments over 65,536 characters, so the folded parts are cut to fit, with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from greenai.delta import METRICS, Delta
from greenai.render import escape, markdown
from greenai.render.delta import change_cell, lead, sheet, verdict
from greenai.render.options import UnitSystem
from greenai.render.sheet import Row, Sheet
from greenai.status import ExitStatus

MARKER = "<!-- greenai-check -->"
MAX_CHARS = 65_536  # GitHub's limit on a comment's body
SHOWN = 10  # files in the table on top; the rest are folded
_md = escape.github_markdown


def _without_note(table: Sheet, rows: Sequence[Row]) -> Sheet:
    """The table on top: no Note column (notes are folded below)."""
    if table.header[-1] != "Note":
        return replace(table, rows=tuple(rows))
    return replace(
        table,
        header=table.header[:-1],
        rows=tuple(replace(r, cells=r.cells[:-1]) for r in rows),
        numeric=table.numeric[:-1],
        right=None,
    )


def headline(delta: Delta, system: UnitSystem) -> str:
    """`CO2e +326 kg (+100%), energy +754 kWh (+100%), cost +$6,285 (+100%)` against the base."""
    parts = []
    for metric, (_, unit, label) in METRICS.items():
        change = delta.total[metric]
        if change.delta is None:
            continue
        shown = change_cell(change, system, ranges=False)
        unit_shown = {"kg": "kg" if system is UnitSystem.metric else "lbs", "USD": ""}.get(
            unit, unit
        )
        value, _, rest = shown.partition(" ")
        parts.append(
            f"{label} {value}{' ' + unit_shown if unit_shown else ''}{' ' + rest if rest else ''}"
        )
    return ", ".join(parts)


def _verdict_line(delta: Delta, status: ExitStatus) -> str:
    passed = status is ExitStatus.OK
    word = "**Passed**" if passed else "**Failed**"
    reasons = []
    invalid = delta.count("invalid")
    if invalid:
        reasons.append(f"{invalid} invalid file{'s' if invalid != 1 else ''}")
    over = sum(bool(f.head and f.head.breaches) for f in delta.files)
    if over:
        reasons.append(f"{over} over budget")
    said = verdict(delta)
    if said:
        reasons.append(said.rstrip("."))
    if delta.count("base invalid"):
        reasons.append(f"{delta.count('base invalid')} invalid at the base (reported, not failed)")
    return word + (": " + "; ".join(reasons) if reasons else "") + "."


def _assumptions(delta: Delta) -> list[str]:
    lines = []
    for item in delta.files:
        head = item.head.estimate if item.head is not None else None
        if head is None or item.status == "unchanged":
            continue
        lines += ["", f"**{_md(item.path)}** ({_md(head.name)}):", ""]
        lines += [f"- {_md(a.what)}: {_md(a.value)} ({_md(a.source)})" for a in head.assumptions]
    return lines


def _folded(full: Sheet, rows: Sequence[Row], left_out: int, said: str) -> list[str]:
    """Every file with its range and note, and the sheet's notes less `said` (the verdict,
    said on top already)."""
    cut = (
        [
            f"_{left_out} more files left out to stay under GitHub's size limit: see the job "
            "summary or run `greenai check --base`._",
            "",
        ]
        if left_out
        else []
    )
    return [
        "",
        "<details><summary>Every file, with ranges and notes</summary>",
        "",
        *markdown.table(replace(full, rows=tuple(rows)), _md),
        "",
        *(f"{_md(note)}\n" for note in full.notes if note != said),
        *cut,
        "</details>",
    ]


def render(
    delta: Delta, status: ExitStatus, system: UnitSystem = UnitSystem.metric, version: str = ""
) -> str:
    """The comment body (Markdown, GitHub-flavoured), at most MAX_CHARS characters."""
    full = sheet(delta, system, ranges=True)
    brief = sheet(delta, system, ranges=False)
    changed = [r for r, f in zip(brief.rows, delta.files, strict=False) if f.status != "unchanged"]
    head = [
        MARKER,
        f"### greenai: {_md(headline(delta, system)) or 'no experiment files'}",
        "",
        _md(lead(delta)),
        "",
        _verdict_line(delta, status),
        "",
    ]
    if len(changed) > SHOWN:
        head += [f"The {SHOWN} biggest changes of CO2e; every file is below.", ""]
    head += markdown.table(_without_note(brief, [*changed[:SHOWN], brief.rows[-1]]), _md)
    rows = list(full.rows)  # every file, then the total
    assumed = _assumptions(delta)
    folded_assumptions = [
        "",
        "<details><summary>Assumptions of the changed files</summary>",
        *assumed,
        "",
        "</details>",
    ]
    tail = [
        "",
        f"greenai {_md(version)}: the same data tables and formula at both commits.",
    ]
    body = "\n".join(
        [
            *head,
            *_folded(full, rows, 0, verdict(delta)),
            *(folded_assumptions if assumed else []),
            *tail,
        ]
    )
    kept = len(delta.files)
    while len(body) + 1 > MAX_CHARS and kept > 0:  # the assumptions go first, then files
        body = "\n".join(
            [
                *head,
                *_folded(full, [*rows[:kept], rows[-1]], len(delta.files) - kept, verdict(delta)),
                *tail,
            ]
        )
        kept = kept * 3 // 4 if len(body) + 1 > MAX_CHARS else kept
    return body + "\n"
