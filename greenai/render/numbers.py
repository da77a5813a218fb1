"""How a figure is written in human formats: Strubell's style, money, FLOP, counts, ratios.

Pure functions from a number (None or NaN: unknown) to text; every renderer of tables uses
these, so a figure reads the same in the terminal, in Markdown and in LaTeX.
"""

from __future__ import annotations

from collections.abc import Callable

from greenai import units
from greenai.estimate import Figures
from greenai.render.options import UnitSystem

UNKNOWN = "—"


def number(value: float | None) -> str:
    """Strubell's style: integers with thousands separators once a figure reaches 10."""
    if value is None:
        return UNKNOWN
    if abs(value) >= 10:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.1f}"
    return f"{value:.2g}"


def significant(value: float | None) -> str:
    """Three significant digits at any scale (an SCI per token is 1e-5 g, per run 1e7 g)."""
    if value is None:
        return UNKNOWN
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def hours(value: float | None) -> str:
    if value is None or value != value:  # unknown: energy or device-hours given without hours
        return UNKNOWN
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def money(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    return f"${value:,.0f}" if abs(value) >= 10 else f"${value:,.2f}"


def money_range(value: tuple[float, float] | None) -> str:
    if value is None:
        return UNKNOWN
    low, high = value
    return money(low) if round(low) == round(high) else f"{money(low)}–{money(high)}"


def power(value: float) -> str:
    """Watts with two decimals, as Strubell's Table 3 gives them."""
    return f"{value:,.2f}"


_PREFIXES = [
    (1e24, "Y"),
    (1e21, "Z"),
    (1e18, "E"),
    (1e15, "P"),
    (1e12, "T"),
    (1e9, "G"),
    (1e6, "M"),
    (1e3, "k"),
]


def flop(value: float | None) -> str:
    """FLOP with an SI prefix (288 EFLOP); FPO counts one multiply-add as 2 FLOP."""
    return _scaled(value, _PREFIXES, "{} {}FLOP", "{:.3g} FLOP")


_COUNTS = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]


def count(value: float | None) -> str:
    """Examples and tokens as ML papers write them: 1.4T, 300B, 1.28M."""
    return _scaled(value, _COUNTS, "{}{}", "{:,.0f}")


def _scaled(value: float | None, scales: list[tuple[float, str]], big: str, small: str) -> str:
    if value is None:
        return UNKNOWN
    for scale, prefix in scales:
        if abs(value) >= scale:
            return big.format(f"{value / scale:,.3g}", prefix)
    return small.format(value)


def flop_value(value: float) -> str:
    """A FLOP count for an experiment file: exact while it is a whole number."""
    return f"{value:.0f} FLOP" if float(value).is_integer() else f"{value:.10g} FLOP"


def co2e(value_kg: float, system: UnitSystem) -> float:
    return float(units.convert(value_kg, "kg", "lb")) if system is UnitSystem.imperial else value_kg


def co2e_unit(system: UnitSystem) -> str:
    return "lbs" if system is UnitSystem.imperial else "kg"


def ranged(figures: Figures, name: str, show: Callable[[float], str], ranges: bool) -> str:
    """A figure as `value (low–high)` where it has a range and `ranges` asks for it; the value
    alone where the bounds print the same (an exact figure)."""
    value = figures.bound(name)
    if value is None:
        return UNKNOWN
    text = show(value)
    if not ranges:
        return text
    low, high = (show(figures.bound(name, which) or 0.0) for which in ("low", "high"))
    return text if low == high == text else f"{text} ({low}–{high})"


def known(value: float | None) -> float | None:
    """A figure from a summary that JSON carried: None and NaN both mean unknown, so that an
    unknown figure prints as UNKNOWN, never as 0 or "nan"."""
    return None if value is None or value != value else float(value)


def bounded(
    value: float | None, low: float | None, high: float | None, show: Callable[[float], str]
) -> str:
    """A figure with its range, `12.3 (9.8–15.1)`, from plain numbers (a JSON summary rather
    than `Figures`): the value alone where the bounds print the same; an unknown bound shows
    as UNKNOWN rather than disappearing, so a range that is not known reads as such."""
    value, low, high = known(value), known(low), known(high)
    if value is None:
        return UNKNOWN
    text = show(value)
    shown = [UNKNOWN if bound is None else show(bound) for bound in (low, high)]
    return text if shown[0] == shown[1] == text else f"{text} ({shown[0]}–{shown[1]})"


def ratio(value: float) -> str:
    """A factor against the baseline scenario: 0.42x, 1x, 3.1x."""
    if value != value:  # NaN: the baseline has no such figure
        return UNKNOWN
    return f"{value:.2g}x" if value < 10 else f"{value:,.0f}x"


def plural(count_: int, word: str) -> str:
    """1 row, 2 rows, 1,024 rows."""
    return f"{count_:,} {word}" + ("" if count_ == 1 else "s")


def score(value: float) -> str:
    """A metric of a hyperparameter search (accuracy, loss): four significant digits."""
    return f"{value:.4g}"


def listed(value: object) -> str:
    """A cell of a data listing: blank where the table has no value."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def number_or_none(value: float) -> float | None:
    """NaN (unknown) as JSON's null."""
    return None if value != value else float(value)


def usable(width: int) -> int:
    """A terminal that reports no width (0 columns: some CI pseudo-terminals) gets 80."""
    return width if width > 0 else 80
