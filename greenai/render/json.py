"""The JSON renderer: the machine-readable twin of every table, with the keys of DESIGN.md.

Strings stay exact (json.dumps escapes what a terminal or a runner would obey, and
escape.json_text the rest); NaN never appears (`allow_nan=False`): unknown is null.

Every priced object carries `provenance` (greenai.provenance): greenai's version, the data
tables' digests and the inputs as read, which `greenai verify` recomputes the figures from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from greenai import provenance
from greenai.estimate import Estimate
from greenai.render import escape
from greenai.render.numbers import number_or_none

if TYPE_CHECKING:
    import pandas as pd

    from greenai.checks import Outcome
    from greenai.compare import Comparison
    from greenai.curve import Curve
    from greenai.flops import Count
    from greenai.verify import Verdict


def dumps(value: object) -> str:
    """JSON that keeps every string exact and is inert in a terminal or a CI log."""
    return escape.json_text(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def dumps_each(values: Iterable[object]) -> str:
    """`dumps(list(values))`, byte for byte, from one value at a time: the text of a long list
    is built without every value's objects alive at once (compare's every-row JSON)."""
    parts = []
    for value in values:
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
        parts.append("  " + text.replace("\n", "\n  "))
    if not parts:
        return dumps([])
    return escape.json_text("[\n" + ",\n".join(parts) + "\n]") + "\n"


def estimates(items: Sequence[Estimate]) -> str:
    return dumps([_priced(e, "estimate") for e in items])


def _priced(estimate: Estimate, command: str) -> dict[str, object]:
    """The estimate's object with its provenance (last, after the figures it vouches for)."""
    unit = estimate.total.per_unit
    options = {"per": unit.per if unit is not None else None}
    block = provenance.record(estimate.inputs, command, options)
    return {**estimate.as_dict(), "provenance": block}


def comparison(grid: Comparison, shown: pd.DataFrame) -> str:
    """Each scenario's estimate, with the scenario, where its hours came from, and its ratios."""

    def items() -> Iterator[dict[str, object]]:
        for row, estimate in zip(shown.itertuples(), grid.each_estimate(shown), strict=True):
            item = estimate.as_dict()
            item["scenario"] = grid.scenario(row)
            item["hours_from"] = row.hours_from  # file, fpo or peak_flops (--scale-hours-by)
            item["ratio"] = {
                "energy_kwh": number_or_none(row.energy_ratio),
                "co2e_kg": number_or_none(row.co2e_ratio),
                "cost_usd": number_or_none(row.cost_ratio),
            }
            item["provenance"] = provenance.record(grid.inputs(row), "compare")
            yield item

    return dumps_each(items())


def check(outcomes: Sequence[Outcome]) -> str:
    """Each file: status, error (message, line, key), breaches, estimate."""
    items = []
    for o in outcomes:
        error = o.error
        items.append(
            {
                "file": o.path,
                "status": o.status,
                "error": None
                if error is None
                else {
                    "message": str(error),
                    "line": o.line,
                    "key": getattr(error, "key", "") or None,
                },
                "breaches": [
                    {
                        "metric": b.budget.metric,
                        "limit": b.budget.limit,
                        "value": b.value,
                        "over_by": b.over_by,
                        "message": b.message(),
                    }
                    for b in o.breaches
                ],
                "estimate": _priced(o.estimate, "check") if o.estimate else None,
            }
        )
    return dumps(items)


def fpo(count: Count, examples: float | None) -> str:
    found = count.as_dict()
    if examples is not None:
        found["examples"] = examples
    return dumps(found)


def curve(found: Curve) -> str:
    """Every point; `expected_min` in place of `expected_max` when lower is better."""
    points = [p.as_dict() for p in found.points]
    if found.minimize:
        key = "expected_min"
        points = [{k.replace("expected_max", key): v for k, v in p.items()} for p in points]
    return dumps(points)


def records(rows: Sequence[dict[str, object]]) -> str:
    return dumps(list(rows))


def verification(verdict: Verdict) -> str:
    """`greenai verify`: the verdict, each object's figures (recorded, now, holds) and why."""
    return dumps(verdict.as_dict())
