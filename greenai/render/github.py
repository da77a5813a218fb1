"""GitHub Actions: workflow-command annotations, the job summary and the step outputs of
`greenai check` (and of `greenai check --base`: the change against the base commit).

Annotations are built from fields, never from text parsed back: a warning is a `Notice` (file,
line, key, message), an error an `InputError` with its line, a breach its budget's line. Every
value is escaped as the runner unescapes it (escape.annotation_data, annotation_property).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from greenai.notice import Notice
from greenai.render import escape, markdown
from greenai.render.options import UnitSystem
from greenai.render.sheet import error_text

if TYPE_CHECKING:
    from greenai.checks import Outcome
    from greenai.delta import Delta

_data = escape.annotation_data
_property = escape.annotation_property


def _warning(outcome: Outcome, warning: Notice | str) -> str:
    """An unusual value, on its line when the file has one. A warning still made as text
    (greenai.core.resolve.implausible) is said whole, less the file the annotation names."""
    if isinstance(warning, Notice):
        line = warning.line
        key = warning.key if warning.key.isprintable() else repr(warning.key)  # as errors say
        message = f"{key}: {warning.message}" if key else warning.message
    else:
        line = None
        message = str(warning).removeprefix(f"{outcome.path}: ")
    where = f"file={_property(outcome.path)}" + (f",line={line}" if line else "")
    return f"::warning {where},title=greenai%3A unusual value::{_data(message.strip())}"


def annotations(outcomes: Sequence[Outcome]) -> str:
    """An error on the file and line of each invalid file and each busted budget (the budget's
    own line when it is in the file), a warning on each unusual value."""
    lines = []
    for outcome in outcomes:
        lines += [_warning(outcome, warning) for warning in outcome.warnings]
        if outcome.error is not None:
            place = f"file={_property(outcome.path)}"
            if outcome.line:
                place += f",line={outcome.line}"
            message = _data(error_text(outcome).strip())
            lines.append(f"::error {place},title=greenai%3A invalid experiment file::{message}")
        for breach in outcome.breaches:
            if outcome.path == "total":
                lines.append(f"::error title=greenai%3A over budget::{_data(breach.message())}")
                continue
            line = breach.budget.line or 1
            place = f"file={_property(outcome.path)},line={line}"
            lines.append(f"::error {place},title=greenai%3A over budget::{_data(breach.message())}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary(outcomes: Sequence[Outcome], system: UnitSystem = UnitSystem.metric) -> str:
    """The job summary ($GITHUB_STEP_SUMMARY): the Markdown of `greenai check`."""
    return markdown.check(outcomes, system)


# ----------------------------------------------------------------------------- --base


def delta_annotations(delta: Delta) -> str:
    """A warning or an error for each change above a tier (on its file; the total's on none),
    and a warning for each file that is invalid at the base (reported, not failed)."""
    lines = []
    for crossing in delta.crossings:
        kind = "error" if crossing.tier.level == "fail" else "warning"
        title = f"greenai%3A change above the {crossing.tier.level} tier"
        place = "" if crossing.subject == "total" else f"file={_property(crossing.subject)},"
        message = crossing.message() if crossing.subject == "total" else crossing.detail()
        lines.append(f"::{kind} {place}title={title}::{_data(message)}")
    for item in delta.files:
        if item.status == "base invalid" and item.base_error is not None:
            place = f"file={_property(item.path)}"
            message = _data(f"invalid at the base commit {delta.short}: {item.base_reason}")
            lines.append(f"::warning {place},title=greenai%3A invalid at the base::{message}")
    return "\n".join(lines) + ("\n" if lines else "")


def delta_summary(delta: Delta, system: UnitSystem = UnitSystem.metric) -> str:
    """The job summary of `greenai check --base`: what changed, each file, the notes. Text
    from files is escaped for GitHub (no mention, link or HTML: escape.github_markdown)."""
    from greenai.render import delta as delta_render

    table = delta_render.sheet(delta, system, ranges=True)
    md = escape.github_markdown
    lines = ["## greenai check", "", md(table.lead[0]), ""]
    lines += markdown.table(table, md)
    lines += ["", *(md(note) for note in table.notes)] if table.notes else []
    return "\n".join(lines) + "\n"


OUTPUTS = (
    ("co2e-kg", "co2e", "head"),
    ("energy-kwh", "energy", "head"),
    ("cost-usd", "cost", "head"),
    ("water-l", "water", "head"),
    ("delta-co2e-kg", "co2e", "delta"),
    ("delta-energy-kwh", "energy", "delta"),
    ("delta-cost-usd", "cost", "delta"),
    ("delta-water-l", "water", "delta"),
)


def plain(value: float | None) -> str:
    """A number for an output: digits, a point and a sign, never an exponent; empty where
    the figure is unknown."""
    if value is None or value != value:
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def outputs(outcomes: Sequence[Outcome], delta: Delta | None, passed: bool) -> str:
    """`key=value` lines for $GITHUB_OUTPUT: the totals of the work tree's priced files
    (co2e-kg, energy-kwh, cost-usd, water-l), their change against the base (delta-*, empty
    without --base) and `passed` (true or false). Values are numbers or booleans, never text
    from a file, so no line can start another output."""
    from greenai.delta import totals

    head = totals([], [o.estimate for o in outcomes if o.estimate is not None])
    lines = []
    for key, metric, side in OUTPUTS:
        if side == "head":
            found = head[metric].head
            value = None if found is None or head[metric].unknown else found[0]
        elif delta is None:
            value = None
        else:
            moved = delta.total[metric].delta
            value = None if moved is None else moved[0]
        lines.append(f"{key}={plain(value)}")
    lines.append(f"passed={'true' if passed else 'false'}")
    return "\n".join(lines) + "\n"
