"""Money in other currencies: "0.25 EUR/kWh" or "2 GBP/h" become US dollars before pint sees them.

pint has no currencies, and a rate is data with a date, not a unit definition: the rates live in
data/currencies.csv (ECB reference rates, the mean of a stated period), read only when a file
writes a currency other than USD. Nothing here imports pint.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from greenai.errors import DataError

# A number, then a three-letter currency code: "0.25 EUR/kWh", "2GBP/h", "1.5e-1 chf / kWh".
_MONEY = re.compile(r"^\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z]{3})\b(.*)$")


@dataclass(frozen=True, slots=True)
class Rate:
    """US dollars per unit of a currency, averaged over a period (ECB reference rates)."""

    currency: str
    usd_per_unit: float
    period: str
    first_date: str
    last_date: str
    source: str


@dataclass(frozen=True, slots=True)
class Converted:
    """A money quantity rewritten in USD, and how: for the assumptions of the output."""

    text: str  # the quantity in USD, for the unit parser ("0.270875 USD/kWh")
    given: str  # as the file wrote it ("0.25 EUR/kWh")
    rate: Rate

    def note(self) -> str:
        return (
            f"{self.given.strip()} at {self.rate.usd_per_unit:.6g} USD/{self.rate.currency}, "
            f"ECB mean {self.rate.period}"
        )


class CurrencyError(ValueError):
    """A currency code greenai has no rate for."""


@functools.cache
def rates() -> dict[str, Rate]:
    """The latest period's rate per currency (data/currencies.csv)."""
    from greenai.tables import _rows, data_dir

    found: dict[str, Rate] = {}
    try:
        for row in _rows("currencies.csv"):
            rate = Rate(
                row["currency"],
                float(row["usd_per_unit"]),
                row["period"],
                row["first_date"],
                row["last_date"],
                row["source"],
            )
            if rate.currency not in found or rate.last_date > found[rate.currency].last_date:
                found[rate.currency] = rate
    except (KeyError, ValueError) as error:
        raise DataError(
            f"data table currencies.csv in {data_dir()} is malformed: {error}"
        ) from None
    return found


def to_usd(value: object) -> Converted | None:
    """`value` rewritten in USD when it is a number with a currency code other than USD; None
    for anything else (a bare number, "0.12 USD/kWh", "300 W"), which the caller parses as is.
    A three-letter code that is a currency greenai has no rate for raises CurrencyError."""
    if not isinstance(value, str):
        return None
    match = _MONEY.match(value)
    if match is None:
        return None
    amount, code, rest = match.group(1), match.group(2).upper(), match.group(3)
    if code == "USD":
        return None
    known = rates()
    if code not in known:
        if match.group(2).isupper():  # "TWD", "AED": looks like a currency, has no ECB rate
            names = ", ".join(sorted(known))
            raise CurrencyError(
                f"no exchange rate for {code} (ECB reference rates cover {names}); give the "
                "amount in USD"
            )
        return None  # a unit that happens to have three letters ("2 kWh")
    rate = known[code]
    usd = float(amount) * rate.usd_per_unit
    return Converted(f"{usd!r} USD{rest}", value, rate)
