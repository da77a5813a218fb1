"""Carbon, money and energy budgets: the check a CI job fails on.

A budget is a limit on one figure of an estimate (its total over all runs): `co2e` in mass,
`cost` in USD, `energy` in energy units. Budgets come from the command line
(`--budget co2e=50kg`) or from an experiment file's `budget:` mapping; a breach says which budget,
where it was set, and by how much the estimate exceeds it. No printing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from greenai import units
from greenai.errors import InputError

if TYPE_CHECKING:  # experiment files carry budgets, so this module sits below estimate
    from greenai.estimate import Estimate, Figures

# metric: (unit the limit is kept in, what it is, example)
METRICS = {
    "co2e": ("kg", "a mass of CO2e", "50 kg"),
    "cost": ("USD", "an amount of money", "1000 USD"),
    "energy": ("kWh", "an amount of energy", "2 MWh"),
}


@dataclass(frozen=True, slots=True)
class Budget:
    metric: str
    limit: float  # in METRICS[metric][0]
    text: str  # as the user wrote it
    where: str = "--budget"  # a file name, or --budget
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Breach:
    budget: Budget
    subject: str  # the experiment's file, or "total"
    value: float
    basis: str  # what was compared ("cloud cost, on-demand", "CO2e", ...)

    @property
    def over_by(self) -> float:
        return self.value - self.budget.limit

    def message(self) -> str:
        unit = METRICS[self.budget.metric][0]
        value, limit, over = (_show(x, unit) for x in (self.value, self.budget.limit, self.over_by))
        share = f", +{self.over_by / self.budget.limit:,.0%}" if self.budget.limit else ""
        origin = (
            "--budget"
            if self.budget.where == "--budget"
            else f"budget in {self.budget.where}"
            + (f":{self.budget.line}" if self.budget.line else "")
        )
        return (
            f"{self.subject}: over budget: {self.basis} {value} > {limit} "
            f"(by {over}{share}; {origin})"
        )


def parse(metric: str, value: object, where: str = "--budget") -> float:
    """The limit of `metric` as a number in its unit; raises QuantityError if it is not one."""
    unit, what, _ = METRICS[metric]
    limit = float(units.to(units.parse(value, unit, what), unit))
    if limit < 0:
        raise units.QuantityError(f"expected {what} of zero or more, got {value!r}")
    return limit


def from_option(text: str) -> Budget:
    """`co2e=50kg`, `cost=1000USD`, `energy=2MWh` from the command line."""
    metric, sep, value = text.partition("=")
    metric = metric.strip().lower()
    if not sep or metric not in METRICS or not value.strip():
        examples = ", ".join(f"{m}={e.replace(' ', '')}" for m, (_, _, e) in METRICS.items())
        raise InputError(f"--budget expects one of {examples}; got {text!r}", key="budget")
    try:
        limit = parse(metric, value.strip())
    except units.QuantityError as error:
        raise InputError(f"--budget {metric}: {error}", key="budget") from None
    return Budget(metric, limit, value.strip())


def figure(figures: Figures, metric: str, subject: str) -> tuple[float, str]:
    """The figure a budget of `metric` is compared with, and its name.

    Cost is the cloud bill at on-demand prices (the high end of the range) where a cloud price
    is known, else the electricity bill: the money a plan would take at most.
    """
    if metric == "co2e":
        return figures.co2e_kg, "CO2e"
    if metric == "energy":
        return figures.energy_kwh, "energy"
    if figures.cloud_cost_usd is not None:
        return figures.cloud_cost_usd[1], "cloud cost (on-demand)"
    if figures.electricity_cost_usd is not None:
        return figures.electricity_cost_usd, "electricity cost"
    raise InputError(
        f"{subject}: cannot check a cost budget: no cloud price and no electricity price is "
        "known (give cloud: or electricity_price:)",
        key="budget",
    )


def check(
    estimates: Sequence[Estimate],
    budgets: Iterable[Budget],
    file_budgets: dict[str, Sequence[Budget]] | None = None,
    total: Figures | None = None,
) -> list[Breach]:
    """Every budget each estimate (or, given `total`, the sum of them) exceeds.

    `budgets` apply to each estimate, or to `total` when it is given (--budget-total);
    `file_budgets` (by file) apply to the estimate of that file.
    """
    breaches = []
    shared = list(budgets)
    for estimate in estimates:
        own = list((file_budgets or {}).get(estimate.file, ()))
        for budget in own + ([] if total is not None else shared):
            value, basis = figure(estimate.total, budget.metric, estimate.file)
            if value > budget.limit:
                breaches.append(Breach(budget, estimate.file, value, basis))
    if total is not None:
        for budget in shared:
            value, basis = figure(total, budget.metric, "total")
            if value > budget.limit:
                breaches.append(Breach(budget, "total", value, f"total {basis}"))
    return breaches


def _show(value: float, unit: str) -> str:
    if unit == "USD":
        return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"
    return f"{value:,.4g} {unit}" if abs(value) < 1000 else f"{value:,.0f} {unit}"
