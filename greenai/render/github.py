"""GitHub Actions: workflow-command annotations and the job summary of `greenai check`.

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
