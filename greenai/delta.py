"""What a change does to the price: each experiment file at the base commit and in the work tree.

`greenai check --base REF` prices every experiment file twice, at the merge base of REF and HEAD
(read through git, `greenai.git`) and as the work tree has it (as `greenai check` always does),
with the same calculator and tables, and compares energy, CO2e, water and cost per file and in
total. Files are paired by path, or by git's rename detection; a file only in the work tree is
new, one only at the base removed.

Ranges: the calculator gives each figure as (value, low, high). The change is given at the same
end of every range at both commits: low = head low - base low, high = head high - base high
(sorted), i.e. the change if every uncertain factor (PUE, intensity, price) sits at the same end
before and after. That is exact for a change of hours, runs or devices under the same factors,
which is what most changes are; where the factors themselves change (a new region) the two ends
are from different sources and the range is indicative, which the output says.

Tiers: `--warn-above` and `--fail-above` take an increase, absolute (`co2e=+5kg`) or relative
(`co2e=+10%`), checked per file or, with `--delta-total`, on the total. A relative tier needs a
base: it does not apply to a new file (an absolute one does). No printing here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from greenai import budget, experiment, units
from greenai.checks import Outcome
from greenai.errors import GreenAIError, InputError
from greenai.estimate import Estimate, Figures, estimate, total
from greenai.git import Tree
from greenai.status import ExitStatus
from greenai.tables import Tables

# metric: (figure of `Figures`, unit, label); the order the outputs show them in
METRICS = {
    "co2e": ("co2e_kg", "kg", "CO2e"),
    "energy": ("energy_kwh", "kWh", "energy"),
    "cost": ("cost_usd", "USD", "cost"),
    "water": ("water_l", "L", "water"),
}
_WHAT = {
    "co2e": "a mass of CO2e",
    "energy": "an amount of energy",
    "cost": "an amount of money",
    "water": "a volume of water",
}
_EXAMPLE = {"co2e": "+5kg", "energy": "+1MWh", "cost": "+100USD", "water": "+1000L"}

Triple = tuple[float, float, float]  # value, low, high


@dataclass(frozen=True, slots=True)
class Change:
    """One figure before and after. `base` or `head` is None where the file is absent on that
    side (it counts as zero: a new or removed file); `unknown` where a side that has the file
    does not know the figure (no WUE for water, no price for cost)."""

    metric: str
    base: Triple | None
    head: Triple | None
    unknown: bool = False
    note: str = ""  # e.g. the cost changed basis (electricity -> cloud)

    @property
    def delta(self) -> Triple | None:
        if self.unknown:
            return None
        before, after = self.base or (0.0, 0.0, 0.0), self.head or (0.0, 0.0, 0.0)
        low, high = sorted((after[1] - before[1], after[2] - before[2]))
        return after[0] - before[0], low, high

    @property
    def percent(self) -> float | None:
        """The change over the base value (0.5: +50%); None without a base, or a base of 0."""
        delta = self.delta
        if delta is None or self.base is None or self.base[0] == 0:
            return None
        return delta[0] / self.base[0]

    @property
    def changed(self) -> bool:
        """Whether the figure moved; an unknown one changed only if it became (un)known."""
        delta = self.delta
        if delta is None:
            return (self.base is None) != (self.head is None) or self.base != self.head
        return any(not math.isclose(x, 0.0, abs_tol=1e-12) for x in delta)


def _triple(figures: Figures, name: str) -> Triple | None:
    if name == "cost_usd":  # the one cost rule, its range from the same bill as its value
        if figures.cloud_cost_usd is not None:
            spot, on_demand = figures.cloud_cost_usd
            return on_demand, spot, on_demand
        name = "electricity_cost_usd"
    value = figures.bound(name)
    if value is None:
        return None
    low, high = figures.bound(name, "low"), figures.bound(name, "high")
    return value, value if low is None else low, value if high is None else high


def changes(base: Figures | None, head: Figures | None) -> dict[str, Change]:
    """Every metric's change between two price tags (None: the file is absent on that side)."""
    found = {}
    for metric, (name, _, _) in METRICS.items():
        before = None if base is None else _triple(base, name)
        after = None if head is None else _triple(head, name)
        unknown = (base is not None and before is None) or (head is not None and after is None)
        note = ""
        both = base is not None and head is not None and not unknown
        if metric == "cost" and both and base.cost_basis != head.cost_basis:  # type: ignore[union-attr]
            note = f"cost basis changed: {base.cost_basis} -> {head.cost_basis}"  # type: ignore[union-attr]
        found[metric] = Change(metric, before, after, unknown, note)
    return found


@dataclass
class FileDelta:
    """One file at both commits. `path` as the work tree names it (the base's name for a
    removed file); `renamed_from` where git saw a rename."""

    path: str
    status: str  # changed, unchanged, new, removed, base invalid, invalid
    head: Outcome | None = None
    base: Estimate | None = None
    base_error: GreenAIError | None = None
    renamed_from: str | None = None
    changes: dict[str, Change] = field(default_factory=dict)

    @property
    def base_reason(self) -> str:
        """Why the base's file is invalid, without its name (the row or annotation has it)."""
        error = self.base_error
        if not isinstance(error, InputError):
            return str(error)
        line = f"line {error.line}" if error.line is not None else ""
        key = error.key if error.key.isprintable() else repr(error.key)
        return ": ".join(part for part in (line, key, error.message) if part)

    @property
    def comparable(self) -> bool:
        """Priced on every side it exists on: it counts in the total change."""
        return self.status in ("changed", "unchanged", "new", "removed")


@dataclass(frozen=True, slots=True)
class Tier:
    """An increase that warns or fails: absolute (in the metric's unit) or relative."""

    metric: str
    amount: float  # in METRICS[metric][1], or a fraction (0.1) when `relative`
    relative: bool
    text: str  # as the user wrote it
    level: str  # warn or fail

    @property
    def option(self) -> str:
        return f"--{self.level}-above"

    def shown(self) -> str:
        return f"{self.option} {self.metric}={self.text}"


def parse_tier(text: str, level: str) -> Tier:
    """`co2e=+5kg`, `cost=+100USD`, `energy=+1MWh`, `water=+1000L` or `co2e=+10%` (the `+` may
    be left out: a tier is always an increase)."""
    option = f"--{level}-above"
    metric, sep, value = text.partition("=")
    metric = metric.strip().lower()
    value = value.strip()
    if not sep or metric not in METRICS or not value.lstrip("+").strip():
        examples = ", ".join(f"{m}={e}" for m, e in _EXAMPLE.items())
        raise InputError(
            f"{option} expects one of {examples} or a share such as co2e=+10%; got {text!r}"
        )
    amount_text = value[1:].strip() if value.startswith("+") else value
    if amount_text.startswith("-"):
        raise InputError(f"{option} {metric}: a tier is an increase; got {value!r}")
    if amount_text.endswith("%"):
        try:
            share = float(amount_text[:-1].strip())
        except ValueError:
            share = math.nan
        if not math.isfinite(share) or share < 0:
            raise InputError(f"{option} {metric}: expected a share such as +10%, got {value!r}")
        return Tier(metric, share / 100, True, f"+{amount_text}", level)
    try:
        if metric in budget.METRICS:
            amount = budget.parse(metric, amount_text)
        else:
            unit = METRICS[metric][1]
            amount = float(units.to(units.parse(amount_text, unit, _WHAT[metric]), unit))
            if amount < 0:
                raise units.QuantityError(f"expected {_WHAT[metric]} of zero or more")
    except units.QuantityError as error:
        raise InputError(f"{option} {metric}: {error}") from None
    return Tier(metric, amount, False, f"+{amount_text}", level)


@dataclass(frozen=True, slots=True)
class Crossing:
    """A change above a tier: the file (or "total"), the tier and the change."""

    tier: Tier
    subject: str
    change: Change

    def detail(self) -> str:
        delta, share = self.change.delta, self.change.percent
        assert delta is not None
        unit = METRICS[self.tier.metric][1]
        what = f"{METRICS[self.tier.metric][2]} {signed(delta[0], unit)}"
        if share is not None:
            what += f" ({signed_percent(share)})"
        return f"{what} is above {self.tier.shown()}"

    def message(self) -> str:
        return f"{self.subject}: {self.detail()}"


def signed(value: float, unit: str) -> str:
    """A change with its sign and unit: +12.5 kg, -$1,200, +0 kWh."""
    sign = "-" if value < 0 else "+"
    return sign + budget.show(abs(value), unit)


def signed_percent(share: float) -> str:
    return f"{share:+,.0%}" if abs(share) >= 0.01 or share == 0 else f"{share:+.2%}"


def crossings(
    subjects: Iterable[tuple[str, Mapping[str, Change]]], tiers: Sequence[Tier]
) -> list[Crossing]:
    """Every tier each subject's change is above (a relative tier: where there is a base)."""
    found = []
    for subject, figures in subjects:
        for tier in tiers:
            change = figures.get(tier.metric)
            if change is None or change.delta is None:
                continue
            if tier.relative:
                share = change.percent
                if share is not None and share > tier.amount:
                    found.append(Crossing(tier, subject, change))
            elif change.delta[0] > tier.amount:
                found.append(Crossing(tier, subject, change))
    return found


@dataclass
class Delta:
    """The whole comparison: the base commit, each file, the total change, the tiers crossed."""

    ref: str
    commit: str
    files: list[FileDelta]
    total: dict[str, Change]
    crossings: list[Crossing] = field(default_factory=list)
    delta_total: bool = False

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def left_out(self) -> list[FileDelta]:
        """Files not in the total change: invalid at the base or in the work tree."""
        return [f for f in self.files if not f.comparable]

    def warnings(self) -> list[Crossing]:
        return [c for c in self.crossings if c.tier.level == "warn"]

    def failures(self) -> list[Crossing]:
        return [c for c in self.crossings if c.tier.level == "fail"]

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)


def price_base(
    tree: Tree, found: Mapping[str, str], tables: Tables, overrides: Sequence[str] = ()
) -> dict[str, Estimate | GreenAIError]:
    """Each base file's estimate, or the error that stopped it (an invalid file at the base is
    reported and the comparison goes on: the change may be the fix)."""
    blobs = tree.read(found)
    priced: dict[str, Estimate | GreenAIError] = {}
    for repo_path, shown in found.items():
        where = f"{shown} (at base {tree.short})"
        data = blobs[repo_path]
        try:
            if isinstance(data, str):
                raise InputError(data, where=where)
            priced[repo_path] = estimate(
                experiment.load_bytes(data, where, tables, overrides), tables
            )
        except GreenAIError as error:
            priced[repo_path] = error
        except Exception as error:  # a bug of ours on this file: still compare the others
            failed = InputError(
                f"internal error: {type(error).__name__}: {error} (report it)", where=where
            )
            failed.exit_status = ExitStatus.INTERNAL_ERROR
            priced[repo_path] = failed
    return priced


def compare(
    tree: Tree,
    outcomes: Sequence[Outcome],
    base_files: Mapping[str, str],
    tables: Tables,
    overrides: Sequence[str] = (),
    renamed: Mapping[str, str] | None = None,
    tiers: Sequence[Tier] = (),
    delta_total: bool = False,
) -> Delta:
    """Pair the work tree's outcomes (`greenai.checks.run`) with the base's files and compare.

    `base_files`: {repository path: shown path} (`greenai.checks.find_at_base`); `renamed`:
    {new repository path: old} (`greenai.git.renames`), used for a new file whose old path is
    at the base and gone from the work tree.
    """
    priced = price_base(tree, base_files, tables, overrides)
    heads = [o for o in outcomes if o.path != "total"]
    head_paths = {tree.repo_path(o.path): o for o in heads}
    paired: dict[str, str] = {}  # head repository path -> base repository path
    for head_path in head_paths:
        if head_path in priced:
            paired[head_path] = head_path
    for new, old in (renamed or {}).items():
        if new in head_paths and new not in paired and old in priced and old not in head_paths:
            paired[new] = old
    files = []
    for head_path, outcome in head_paths.items():
        old = paired.get(head_path)
        base = priced.get(old) if old is not None else None
        item = FileDelta(outcome.path, "new", head=outcome)
        if old is not None and old != head_path:
            item.renamed_from = base_files[old]
        if isinstance(base, Estimate):
            item.base = base
        elif base is not None:
            item.base_error = base
        if outcome.estimate is None:
            item.status = "invalid"
        elif item.base_error is not None:
            item.status = "base invalid"
        else:
            item.changes = changes(item.base.total if item.base else None, outcome.estimate.total)
            if item.base is not None:
                changed = any(c.changed for c in item.changes.values())
                item.status = "changed" if changed or item.renamed_from else "unchanged"
        files.append(item)
    for old, result in priced.items():
        if old in paired.values():
            continue
        item = FileDelta(base_files[old], "removed")
        if isinstance(result, Estimate):
            item.base = result
            item.changes = changes(result.total, None)
        else:
            item.base_error = result
            item.status = "base invalid"
        files.append(item)
    counted = [f for f in files if f.comparable]
    before = [f.base for f in counted if f.base is not None]
    after = [f.head.estimate for f in counted if f.head is not None and f.head.estimate]
    summed = totals(before, after)
    found = Delta(tree.ref, tree.commit, files, summed, delta_total=delta_total)
    if delta_total:
        found.crossings = crossings([("total", summed)], tiers)
    else:
        found.crossings = crossings([(f.path, f.changes) for f in counted], tiers)
    found.files.sort(key=_order)
    return found


def totals(base: Sequence[Estimate], head: Sequence[Estimate]) -> dict[str, Change]:
    """The total change of files at the base and in the work tree (an empty side: absent).

    Cost is the sum of each file's own bill by the one cost rule (cloud on-demand where the
    file has a cloud price, else electricity), the figure each file's row shows, so that the
    total is the sum of the rows; where the files' bills differ the total says so.
    `greenai.estimate.total` keeps a cloud total only where every file has one.
    """
    found = changes(total(base) if base else None, total(head) if head else None)

    def bills(parts: Sequence[Estimate]) -> Triple | None:
        each = [_triple(p.total, "cost_usd") for p in parts]
        if not parts or None in each:
            return None
        return tuple(sum(t[i] for t in each) for i in range(3))  # type: ignore[index,return-value]

    before, after = bills(base), bills(head)
    unknown = (bool(base) and before is None) or (bool(head) and after is None)
    kinds = {p.total.cost_basis for p in [*base, *head]}
    note = found["cost"].note
    if len(kinds) > 1 and not unknown:
        note = "its cost adds each file's own bill (cloud on-demand where priced, else electricity)"
    found["cost"] = Change("cost", before, after, unknown, note)
    return found


def _order(item: FileDelta) -> tuple[int, float, str]:
    """Invalid files first, then the biggest change of CO2e (either way), then the name."""
    rank = {"invalid": 0, "base invalid": 1}.get(item.status, 2)
    change = item.changes.get("co2e")
    size = abs(change.delta[0]) if change is not None and change.delta is not None else 0.0
    return rank, -size, item.path


def exit_status(delta: Delta, outcomes: Sequence[Outcome], checked: ExitStatus) -> ExitStatus:
    """`greenai.checks.exit_status` of the work tree, raised to 1 over a fail tier (a greenai
    bug on a base file is 3 too; an invalid base file alone is not a failure: it is reported)."""
    internal = ExitStatus.INTERNAL_ERROR
    if any(f.base_error is not None and f.base_error.exit_status == internal for f in delta.files):
        return internal
    if checked is not ExitStatus.OK:
        return checked
    return ExitStatus.OVER_BUDGET if delta.failures() else ExitStatus.OK
