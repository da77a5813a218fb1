"""Carbon, money and energy budgets: the limits, as read from a file or the command line.

A budget is a limit on one figure of an estimate (its total over all runs): `co2e` in mass,
`cost` in USD, `energy` in energy units. Budgets come from the command line
(`--budget co2e=50kg`) or from an experiment file's `budget:` mapping. Experiment files carry
budgets, so this module sits below `experiment` and imports nothing of the estimate; the check of
figures against limits is `greenai.core.budgets`, above the calculator. No printing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from greenai import units
from greenai.errors import InputError

# metric: (unit the limit is kept in, what it is, example)
METRICS = {
    "co2e": ("kg", "a mass of CO2e", "50 kg"),
    "cost": ("USD", "an amount of money", "1000 USD"),
    "energy": ("kWh", "an amount of energy", "2 MWh"),
    # issue 14: operational + embodied CO2e (`co2e` stays operational, as published figures are)
    "co2e_total": ("kg", "a mass of CO2e", "60 kg"),
}


@dataclass(frozen=True, slots=True)
class Budget:
    metric: str
    limit: float  # in METRICS[metric][0]
    text: str  # as the user wrote it
    where: str = "--budget"  # a file name, or --budget
    line: int | None = None


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


def show(value: float, unit: str) -> str:
    if unit == "USD":
        return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"
    return f"{value:,.4g} {unit}" if abs(value) < 1000 else f"{value:,.0f} {unit}"
