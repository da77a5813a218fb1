"""`greenai check`: validate and price every experiment file of a repository, for CI.

One bad file must not hide the others: each file gets an `Outcome` (priced, over budget, or
invalid with the error's file, line and key), and the exit status sums them up: 2 if any file is
invalid, else 1 if any is over budget, else 0. No printing here; see report.render_check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from greenai import budget, experiment
from greenai.core import budgets as budget_check
from greenai.errors import GreenAIError, InputError
from greenai.estimate import Estimate, estimate, total
from greenai.status import ExitStatus
from greenai.tables import Tables

DEFAULT_PATTERN = "configs/**/*.y*ml"


@dataclass
class Outcome:
    path: str
    estimate: Estimate | None = None
    error: GreenAIError | None = None
    breaches: list[budget_check.Breach] = field(default_factory=list)
    warnings: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        if self.error is not None:
            return "invalid"
        return "over budget" if self.breaches else "ok"

    @property
    def line(self) -> int | None:
        return self.error.line if isinstance(self.error, InputError) else None


def find(paths: Sequence[str | Path], root: Path | None = None) -> list[Path]:
    """The experiment files under `paths` (files as given, folders searched for *.yaml and
    *.yml), or under configs/ when no path is given."""
    base = root or Path()
    if not paths:
        found = sorted(base.glob(DEFAULT_PATTERN))
        if not found:
            raise InputError(
                f"no experiment files match {DEFAULT_PATTERN} in {base.resolve()}; "
                "give files or folders to check"
            )
        return found
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            inside = sorted(p for p in item.rglob("*") if p.suffix in (".yaml", ".yml"))
            if not inside:
                raise InputError(f"{item}: no .yaml or .yml files in this folder")
            files += inside
        else:
            files.append(item)  # a missing file becomes an invalid outcome, named
    return list(dict.fromkeys(files))


def run(
    files: Sequence[Path],
    tables: Tables,
    budgets: Sequence[budget.Budget] = (),
    overrides: Sequence[str] = (),
    budget_total: bool = False,
    budget_on: str = "value",
) -> list[Outcome]:
    """Each file's outcome; budgets are checked at `budget_on` (value, low or high)."""
    outcomes = []
    for path in files:
        outcome = Outcome(str(path))
        try:
            loaded = experiment.load(path, tables, overrides)
            outcome.warnings = loaded.warnings
            outcome.estimate = estimate(loaded, tables)
            outcome.warnings += outcome.estimate.warnings
            outcome.breaches = budget_check.check(
                [outcome.estimate],
                () if budget_total else budgets,
                {loaded.file: loaded.budgets},
                bound=budget_on,
            )
        except GreenAIError as error:
            outcome.error = error
        outcomes.append(outcome)
    if budget_total and budgets:
        priced = [o.estimate for o in outcomes if o.estimate is not None]
        if priced:
            for breach in budget_check.check(priced, budgets, None, total(priced), budget_on):
                outcomes.append(Outcome("total", breaches=[breach]))
    return outcomes


def exit_status(outcomes: Sequence[Outcome]) -> ExitStatus:
    if any(o.status == "invalid" for o in outcomes):
        return ExitStatus.BAD_INPUT
    if any(o.breaches for o in outcomes):
        return ExitStatus.OVER_BUDGET
    return ExitStatus.OK


def summary(outcomes: Sequence[Outcome]) -> str:
    files = [o for o in outcomes if o.path != "total"]
    counts = {s: sum(o.status == s for o in files) for s in ("ok", "over budget", "invalid")}
    text = (
        f"{len(files)} file{'s' if len(files) != 1 else ''}: {counts['ok']} within budget, "
        f"{counts['over budget']} over budget, {counts['invalid']} invalid"
    )
    if any(o.path == "total" for o in outcomes):
        text += "; the total is over budget"
    return text
