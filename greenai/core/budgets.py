"""The budget check: an estimate's figures against the limits of `greenai.budget`.

It sits above the calculator (it reads `Figures`) while the limits sit below the experiment file
that carries them, so no module imports one that imports it back. A breach keeps its fields
(budget, subject, value, what was compared, which bound) until a renderer builds text from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from greenai.budget import METRICS, Budget, show
from greenai.errors import InputError
from greenai.estimate import Estimate, Figures

BOUNDS = ("value", "low", "high")
# `co2e` checks operational CO2e (the electricity), as every published figure counts it;
# `co2e_total` adds embodied CO2e where it is known (else it equals the operational figure)
FIGURE = {
    "co2e": ("co2e_kg", "CO2e"),
    "energy": ("energy_kwh", "energy"),
    "co2e_total": ("total_co2e_kg", "total CO2e (operational + embodied)"),
}


@dataclass(frozen=True, slots=True)
class Breach:
    budget: Budget
    subject: str  # the experiment's file, or "total"
    value: float
    basis: str  # what was compared ("cloud cost (on-demand)", "CO2e", ...)
    bound: str = "value"  # which bound of the figure: value, low or high (--budget-on)

    @property
    def over_by(self) -> float:
        return self.value - self.budget.limit

    @property
    def origin(self) -> str:
        if self.budget.where == "--budget":
            return "--budget"
        return f"budget in {self.budget.where}" + (
            f":{self.budget.line}" if self.budget.line else ""
        )

    def detail(self) -> str:
        """The breach without its subject (a row or an annotation names the file already)."""
        unit = METRICS[self.budget.metric][0]
        value, limit, over = (show(x, unit) for x in (self.value, self.budget.limit, self.over_by))
        share = f", +{self.over_by / self.budget.limit:,.0%}" if self.budget.limit else ""
        which = "" if self.bound == "value" else f" ({self.bound} end of its range)"
        return f"{self.basis}{which} {value} > {limit} (by {over}{share}; {self.origin})"

    def __str__(self) -> str:
        return f"{self.subject}: over budget: {self.detail()}"

    def message(self) -> str:
        return str(self)


def figure(figures: Figures, metric: str, subject: str, bound: str = "value") -> tuple[float, str]:
    """The figure a budget of `metric` is compared with, and its name.

    Cost follows the one cost rule (`greenai.core.calculate.cost`): the cloud bill where a cloud
    price is known (value and high: on-demand, the money a plan would take at most; low: spot),
    else the electricity bill.
    """
    if bound not in BOUNDS:
        raise InputError(f"--budget-on expects value, low or high, got {bound!r}", key="budget")
    if metric in FIGURE:
        name, basis = FIGURE[metric]
        found = figures.bound(name, bound)
        assert found is not None  # energy and CO2e (operational, total) are always known
        return found, basis
    cost = figures.bound("cost_usd", bound)
    if cost is None:
        raise InputError(
            f"{subject}: cannot check a cost budget: no cloud price and no electricity price is "
            "known (give cloud: or electricity_price:)",
            key="budget",
        )
    return cost, figures.cost_basis or "cost"


def check(
    estimates: Sequence[Estimate],
    budgets: Iterable[Budget],
    file_budgets: dict[str, Sequence[Budget]] | None = None,
    total: Figures | None = None,
    bound: str = "value",
) -> list[Breach]:
    """Every budget each estimate (or, given `total`, the sum of them) exceeds, at `bound`.

    `budgets` apply to each estimate, or to `total` when it is given (--budget-total);
    `file_budgets` (by file) apply to the estimate of that file.
    """
    breaches = []
    shared = list(budgets)
    for estimate in estimates:
        own = list((file_budgets or {}).get(estimate.file, ()))
        for budget in own + ([] if total is not None else shared):
            value, basis = figure(estimate.total, budget.metric, estimate.file, bound)
            if value > budget.limit:
                breaches.append(Breach(budget, estimate.file, value, basis, bound))
    if total is not None:
        for budget in shared:
            value, basis = figure(total, budget.metric, "total", bound)
            if value > budget.limit:
                breaches.append(Breach(budget, "total", value, f"total {basis}", bound))
    return breaches
