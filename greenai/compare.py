"""What-if grids: experiment files times the cartesian product of `--vary` values, priced at once.

A scenario's figures depend on three independent parts of an experiment: the machine (hardware,
memory, power), the site (region, PUE, carbon intensity, electricity price, cloud) and the
schedule (hours, runs, FPO). Each distinct value of a part is validated and resolved once, by the
same code as a single estimate (so it gets the same errors and the same assumptions); the grid
itself is array arithmetic through the calculators of `greenai.estimate`, with units by pint.
Varying the region over every country of the world and the hardware over five GPUs validates
213 + 5 partial experiments, not 1,065.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from greenai import estimate as calc
from greenai import experiment
from greenai.core import calculate as calculator
from greenai.core.resolve import machine_rate, resolve_embodied, resolve_wue
from greenai.errors import InputError
from greenai.estimate import Assumption, Estimate, Figures, Work
from greenai.experiment import Experiment
from greenai.provenance import Inputs
from greenai.tables import Device, Tables

if TYPE_CHECKING:
    import pandas as pd

PARTS = {
    "hardware": "machine",
    "memory": "machine",
    "power": "machine",
    "embodied": "machine",
    "region": "site",
    "site": "site",
    "pue": "site",
    "wue": "site",
    "carbon_intensity": "site",
    "electricity_price": "site",
    "basis": "site",
    "cloud": "site",
    "hours": "schedule",
    "duration": "schedule",
    "runs": "schedule",
    "fpo": "schedule",
}
REGION_SETS = {
    "@countries": "every country",
    "@subdivisions": "every state, province and other subdivision",
    "@grids": "every grid zone (bidding zones, balancing authorities)",
    "@cloud": "every cloud region of AWS, Azure and Google Cloud",
    "@cloud:PROVIDER": "every cloud region of one provider (aws, azure, gcp)",
}
_COMMA = re.compile(r",(?![^\[]*\])")  # split on commas outside [low, high] lists
# The most scenarios one `compare` builds unless --max-scenarios says otherwise. Measured with
# `python benchmarks/compare.py --large` on the project's 2-core machine: with --top 10 the grid
# is streamed and memory does not grow with it (10,000,000 scenarios: 2.7 s, 0.10 GB max RSS;
# 100,000,000: 22 s, 0.2 GB), but without --top every row is kept and shown (1,000,000: 5 s,
# 1.4 GB before rendering, so 10,000,000 would need ~14 GB). The default bounds that case; with
# --top the limit only bounds time, so it is a hundred times larger (about 20-30 s here).
MAX_SCENARIOS = 1_000_000
MAX_STREAMED = 100_000_000


class HoursRule(StrEnum):
    """How a varied machine changes the hours per run (`--scale-hours-by`).

    auto: from the FPO where the file gives fpo (at the MFU the file's hours imply on its own
    hardware, or the file's/default MFU when it gives no hours), else held as given;
    held: as the file gives them on every machine (the file's own work-rate assumption);
    peak_flops: the file's hours x its machine's dense peak FLOP/s / the varied machine's
    (device count included: 8 -> 4 devices doubles the hours)."""

    auto = "auto"
    held = "held"
    peak_flops = "peak_flops"


def hours_rule(text: str | None) -> HoursRule:
    """`--scale-hours-by`: auto (the default), held (alias none) or peak_flops."""
    if text is None:
        return HoursRule.auto
    wanted = text.strip().lower()
    if wanted == "none":
        return HoursRule.held
    try:
        return HoursRule(wanted)
    except ValueError:
        raise InputError(
            f"--scale-hours-by expects auto, held (or none) or peak_flops, got {text!r}"
        ) from None


class SortBy(StrEnum):
    co2e = "co2e"
    energy = "energy"
    cost = "cost"
    none = "none"


@dataclass(frozen=True, slots=True)
class Variation:
    """One `--vary KEY=V1,V2,...`: the dotted key and its values (as YAML would read them)."""

    key: str
    values: tuple[Any, ...]
    labels: tuple[str, ...]
    titles: tuple[str, ...] = ()  # what a table shows: "fr (France)" for the label "fr"
    region_set: str | None = None  # "@cloud" when the values came from a set (our order)

    def title(self, i: int) -> str:
        return self.titles[i] if self.titles else self.labels[i]

    @property
    def part(self) -> str:
        return PARTS[self.key.split(".")[0]]


def parse_variation(text: str, tables: Tables) -> Variation:
    """KEY=V1,V2,... from the command line; `region=@countries` and the like expand to keys."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key or not rest.strip():
        raise InputError(f"--vary expects KEY=V1,V2,... (e.g. region=fr,us-va), got {text!r}")
    top = key.split(".")[0]
    if top not in PARTS:
        near = difflib.get_close_matches(top, list(PARTS), n=1, cutoff=0.6)
        hint = f"did you mean {near[0]!r}?" if near else f"expected one of: {', '.join(PARTS)}"
        raise InputError(f"--vary: cannot vary {key!r}; {hint}", key=key)
    values: list[Any] = []
    labels: list[str] = []
    sets: list[str] = []
    for item in (part.strip() for part in _COMMA.split(rest)):
        if not item:
            raise InputError(f"--vary {key}: empty value in {rest!r}", key=key)
        if item.startswith("@"):
            if key != "region":
                raise InputError(f"--vary {key}: sets such as {item} are for region only", key=key)
            sets.append(item)
            for region in region_set(item, tables):
                values.append(region)
                labels.append(region)
            continue
        _, value = experiment.parse_override(f"{key}={item}")
        values.append(value)
        labels.append(item)
    if len(set(labels)) != len(labels):
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        raise InputError(f"--vary {key}: {', '.join(repeated)} given twice", key=key)
    titles = tuple(region_title(label, tables) for label in labels) if key == "region" else ()
    only_sets = len(sets) == 1 and rest.strip() == sets[0]
    return Variation(key, tuple(values), tuple(labels), titles, sets[0] if only_sets else None)


def region_title(label: str, tables: Tables) -> str:
    """A region key with where it is, for a reader who does not know ISO codes by heart:
    'fr (France)', 'us-va (Virginia, United States)', 'gcp:us-central1 (Iowa, United States)',
    'au-tas-fi (Flinders Island, Australia)'."""
    try:
        region = tables.region(label)
    except InputError:
        return label  # validation names the unknown region, with suggestions
    places = [r.name for r in tables.lineage(region) if r.kind in ("subdivision", "country")]
    if region.kind not in ("cloud", "subdivision", "country"):  # a grid zone: its own name too
        places.insert(0, region.name)
    where = ", ".join(p for p in dict.fromkeys(places) if p and p.lower() != label.lower())
    return f"{label} ({where})" if where else label


def region_set(name: str, tables: Tables) -> list[str]:
    """The region keys of a shortcut (`@countries`, `@cloud:gcp`, ...) that have an intensity."""
    kind, _, provider = name[1:].partition(":")
    kinds = {
        "countries": "country",
        "subdivisions": "subdivision",
        "grids": "grid",
        "cloud": "cloud",
    }
    if kind not in kinds or (provider and kind != "cloud"):
        raise InputError(
            f"unknown region set {name!r}; expected one of: {', '.join(REGION_SETS)}", key="region"
        )
    providers = {r.provider for r in tables.regions.values() if r.provider}
    if provider and provider not in providers:
        raise InputError(
            f"unknown cloud provider {provider!r} in {name}; expected one of: "
            f"{', '.join(sorted(providers))}",
            key="region",
        )
    keys = [
        r.key
        for r in tables.regions.values()
        if r.kind == kinds[kind]
        and (not provider or r.provider == provider)
        and tables.carbon_intensity(r) is not None
    ]
    return sorted(keys)


# ----------------------------------------------------------------------------- the grid


@dataclass
class Comparison:
    """The priced grid, as far as the output needs it: the rows to show (`frame`, sorted and
    cut to --top, indexed by scenario position; the baseline, all first values, is position 0)
    with their figures straight from the calculator, and how many scenarios were priced.

    A grid of ten million scenarios is streamed through the calculator in blocks; only the rows
    shown are ever kept, so memory does not grow with the grid."""

    frame: pd.DataFrame
    keys: list[str]
    assumptions: list[str]
    warnings: list[str]
    _notes: dict[tuple[int, str, int], tuple[Assumption, ...]]
    _names: list[tuple[str, str]]
    _works: dict[tuple[int, int], Work] = dataclasses.field(default_factory=dict)
    # one-line notes a reader needs before the rows: what the ratios are against, and how the
    # hours follow a varied machine
    lead: list[str] = dataclasses.field(default_factory=list)
    _titles: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    _inputs: list[Inputs] = dataclasses.field(default_factory=list)  # each file, as read
    rule: str = "auto"  # --scale-hours-by, as a HoursRule value
    scenarios: int = 0  # how many were priced (the frame holds those shown)
    best: int | None = None  # the position of the lowest figure of the sort (CO2e by default)
    figures: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)  # rows of `frame`

    @property
    def files(self) -> int:
        return len(self._names)

    def estimates(self, frame: pd.DataFrame | None = None) -> list[Estimate]:
        """Estimate objects for the rows of `frame` (default: all shown), from the figures the
        calculator gave for them (nothing is recomputed)."""
        return list(self.each_estimate(frame))

    def each_estimate(self, frame: pd.DataFrame | None = None) -> Iterator[Estimate]:
        """`estimates`, one at a time: a JSON report of every row holds one row's objects at
        once, not a million."""
        rows = self.frame if frame is None else frame
        where = {position: i for i, position in enumerate(self.frame.index)}
        for position, row in zip(rows.index, rows.itertuples(index=False), strict=True):
            yield self._estimate(row, where[position])

    def scenario(self, row: Any) -> dict[str, str]:
        return {key: getattr(row, _column(key)) for key in self.keys}

    def inputs(self, row: Any) -> Inputs | None:
        """What the row was priced from, for its provenance: its file as read, its scenario."""
        if row.file_index >= len(self._inputs):
            return None
        found = self._inputs[row.file_index]
        return dataclasses.replace(found, scenario=self.scenario(row), scale_hours_by=self.rule)

    def titled(self, row: Any) -> dict[str, str]:
        """The scenario as a table shows it: regions with their names ('fr (France)')."""
        return {
            key: self._titles.get(key, {}).get(value, value)
            for key, value in self.scenario(row).items()
        }

    def _estimate(self, row: Any, i: int) -> Estimate:
        runs = float(row.runs)
        # one run: every figure over the runs, but power (a rate), a property of the machine;
        # this row's only (dividing every row's would make a report of n rows cost n^2)
        one = {
            name: (array[i : i + 1] if name == "power_w" else array[i : i + 1] / runs)
            for name, array in self.figures.items()
        }
        notes = tuple(
            note
            for part, index in (
                ("machine", row.machine),
                ("site", row.site),
                ("cloud", row.cloud),
                ("work", row.work),
                ("schedule", row.schedule),
            )
            for note in self._notes.get((row.file_index, part, index), ())
        )
        name, file = self._names[row.file_index]
        return Estimate(
            name=name,
            file=file,
            hardware=row.hardware,
            runs=int(runs),
            pue=row.pue,
            carbon_intensity_g_per_kwh=row.carbon_intensity_g_per_kwh,
            total=Figures.from_arrays(self.figures, i),
            per_run=Figures.from_arrays(one, 0),
            assumptions=notes,
            work=self._works.get((row.file_index, row.work)),
        )


def _column(key: str) -> str:
    return "vary_" + key.replace(".", "__")


def scenario_count(files: Sequence[Any], variations: Sequence[Variation]) -> int:
    """Files x the product of the axis lengths: what a grid will hold, known before building."""
    count = len(files)
    for variation in variations:
        count *= len(variation.values)
    return count


# site keys that set one figure of a site and nothing else, validated once per value rather than
# once per combination with the other site keys (region x 100 PUE values: 100 + 100, not 10,000)
SITE_ALONE = ("pue", "wue")
SORT_FIGURE = {"co2e": "co2e_kg", "energy": "energy_kwh", "cost": "cost_usd"}
# Scenarios priced per step of the stream: 65,536 rows x 11 columns x 3 bounds x 8 bytes is
# about 17 MB of inputs and as much again of figures, whatever the size of the grid.
BLOCK = 65_536


def compare(
    files: Sequence[str | Path],
    variations: Sequence[Variation],
    tables: Tables,
    overrides: Sequence[str] = (),
    scale_hours_by: str | None = None,
    max_scenarios: int | None = None,
    sort: SortBy = SortBy.co2e,
    top: int | None = None,
    documents: Mapping[str, Any] | None = None,
) -> Comparison:
    """Price every file under every combination of `variations`, keep the `top` rows by `sort`
    (all rows when `top` is None). A grid over `max_scenarios` is refused before anything is
    built; by default MAX_SCENARIOS when every row is kept, MAX_STREAMED with `top` (the grid
    is then streamed, and memory stays flat). `documents`: a file's document as recorded in a
    report (after its --set), used in place of reading the file (`greenai verify`)."""
    if max_scenarios is None:
        max_scenarios = MAX_SCENARIOS if top is None else MAX_STREAMED
    keys = [v.key for v in variations]
    if len(set(keys)) != len(keys):
        raise InputError("--vary: the same key is varied twice", key=keys[0])
    rule = hours_rule(scale_hours_by)
    count = scenario_count(files, variations)
    if count > max_scenarios:
        sizes = " x ".join(str(n) for n in [len(files), *(len(v.values) for v in variations)])
        raise InputError(
            f"compare: {count:,} scenarios ({sizes}: files x --vary values) is over the limit "
            f"of {max_scenarios:,}; vary fewer values, or raise the limit with --max-scenarios N"
        )
    read = _reader(overrides, documents or {})
    variations = _own_first(files, variations, tables, read)
    grids: list[_Grid] = []
    notes: dict[tuple[int, str, int], tuple[Assumption, ...]] = {}
    names: list[tuple[str, str]] = []
    assumptions: list[str] = []
    warnings: list[str] = []
    lead: list[str] = []
    works: dict[tuple[int, int], Work] = {}
    inputs: list[Inputs] = []
    for index, path in enumerate(files):
        document = read(path)
        inputs.append(Inputs(str(path), None, tuple(overrides), document))  # hashed if recorded
        grid, file_notes, name, extra, unusual = _one_file(
            index, Path(path), copy.deepcopy(document), variations, tables, rule, works
        )
        warnings += [w for w in unusual if w not in warnings]
        grids.append(grid)
        notes.update(file_notes)
        names.append((name, str(path)))
        if len(files) > 1:
            extra = [f"{name}: {text}" for text in extra]
        lead += [a for a in extra if a not in lead]
    kept, best = _stream(grids, sort, top)
    frame, figures = _rows(grids, kept)
    if count > 1:
        lead.insert(0, _base_note(files, names, variations, tables, read))
    mixed = calc.mixed_bases(note for site in notes.values() for note in site)
    if mixed:
        lead.append(mixed)
    titles = {v.key: dict(zip(v.labels, v.titles, strict=True)) for v in variations if v.titles}
    comparison = Comparison(frame, keys, assumptions, warnings, notes, names, works)
    comparison.lead = lead
    comparison._titles = titles
    comparison.scenarios = count
    comparison.best = best if count > 1 else None
    comparison.figures = figures
    comparison._inputs = inputs
    comparison.rule = rule.value
    return comparison


def _reader(overrides: Sequence[str], documents: Mapping[str, Any]) -> Any:
    """A file's document after the overrides: as recorded where given, else read (once)."""
    read: dict[str, Any] = {}

    def document(path: str | Path) -> Any:
        where = str(path)
        if where not in read:
            given = documents.get(where)
            read[where] = (
                experiment.read_overridden(Path(path), overrides) if given is None else given
            )
        return copy.deepcopy(read[where])

    return document


def _blocks(grids: Sequence[_Grid]) -> Iterator[tuple[_Grid, int, np.ndarray]]:
    """(grid, position of its first scenario, scenario numbers) in blocks of BLOCK."""
    offset = 0
    for grid in grids:
        for start in range(0, grid.count, BLOCK):
            yield grid, offset, np.arange(start, min(start + BLOCK, grid.count))
        offset += grid.count


def _stream(grids: Sequence[_Grid], sort: SortBy, top: int | None) -> tuple[np.ndarray, int | None]:
    """The positions of the rows to show, in order (by the sort figure's value, unknown last,
    ties in grid order), and the position of the lowest figure (`best`), found block by block:
    only the `top` best so far are kept between blocks (numpy's argpartition)."""
    column = SORT_FIGURE.get(sort.value)
    best_column = SORT_FIGURE.get(sort.value, "co2e_kg")
    total = sum(g.count for g in grids)
    wanted = total if top is None else min(top, total)
    if column is None:  # grid order: the first rows are the ones shown, nothing to price
        return np.arange(wanted), _lowest(grids, best_column)
    keys: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    held = 0
    best_value, best_at = np.inf, None
    for grid, offset, flat in _blocks(grids):
        figures = grid.figures(flat)
        values = figures[column][:, calculator.VALUE]
        lowest = figures[best_column][:, calculator.VALUE] if best_column != column else values
        best_value, best_at = _fold_min(lowest, flat + offset, best_value, best_at)
        keys.append(np.where(np.isnan(values), np.inf, values))  # unknown sorts last
        positions.append(flat + offset)
        held += len(flat)
        if held > max(2 * wanted, BLOCK):  # cut back to the best `wanted` (none if all are)
            key, position = np.concatenate(keys), np.concatenate(positions)
            chosen = _smallest(key, position, wanted)
            keys, positions, held = [key[chosen]], [position[chosen]], len(chosen)
    key, position = np.concatenate(keys), np.concatenate(positions)
    if len(key) > wanted:
        chosen = _smallest(key, position, wanted)
        key, position = key[chosen], position[chosen]
    order = np.lexsort((position, key))
    return position[order], best_at


def _lowest(grids: Sequence[_Grid], column: str) -> int | None:
    best_value, best_at = np.inf, None
    for grid, offset, flat in _blocks(grids):
        values = grid.figures(flat)[column][:, calculator.VALUE]
        best_value, best_at = _fold_min(values, flat + offset, best_value, best_at)
    return best_at


def _fold_min(
    values: np.ndarray, positions: np.ndarray, best: float, at: int | None
) -> tuple[float, int | None]:
    """The lowest known value so far and its (first) position."""
    if np.isnan(values).all():
        return best, at
    i = int(np.nanargmin(values))
    if values[i] < best:
        return float(values[i]), int(positions[i])
    return best, at


def _smallest(keys: np.ndarray, positions: np.ndarray, n: int) -> np.ndarray:
    """Indices of the `n` smallest keys, ties broken by the lower position (grid order)."""
    threshold = np.partition(keys, n - 1)[n - 1]
    below = np.flatnonzero(keys < threshold)
    tied = np.flatnonzero(keys == threshold)
    tied = tied[np.argsort(positions[tied], kind="stable")][: n - len(below)]
    return np.concatenate([below, tied])


def _rows(
    grids: Sequence[_Grid], positions: np.ndarray
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The rows shown: their scenario labels and figures, and the ratios to the baseline."""
    import pandas as pd

    starts = np.cumsum([0] + [g.count for g in grids])
    base = grids[0].figures(np.zeros(1, dtype=np.intp))
    parts: list[pd.DataFrame] = []
    figures: dict[str, list[np.ndarray]] = {name: [] for name in calculator.FIGURES}
    order = []
    for i, grid in enumerate(grids):
        mine = np.flatnonzero((positions >= starts[i]) & (positions < starts[i + 1]))
        if not len(mine):
            continue
        order.append(mine)
        flat = positions[mine] - starts[i]
        found = grid.figures(flat)
        for name in calculator.FIGURES:
            figures[name].append(found[name])
        parts.append(_frame(grid, flat, found, positions[mine]))
    if parts:
        frame = pd.concat(parts) if len(parts) > 1 else parts[0]
        joined = {name: np.concatenate(arrays) for name, arrays in figures.items()}
        within = np.argsort(np.concatenate(order), kind="stable")  # back to the shown order
        frame = frame.iloc[within]
        joined = {name: array[within] for name, array in joined.items()}
    else:
        frame, joined = pd.DataFrame(), {}
    value = calculator.VALUE
    for name in ("energy_kwh", "co2e_kg", "cost_usd"):
        reference = base[name][0, value]
        ratio = frame[name] / reference if reference else np.nan
        frame[name.rsplit("_", 1)[0] + "_ratio"] = ratio
    # a cost ratio only compares like with like (cloud with cloud)
    base_cloud = not np.isnan(base["cloud_cost_usd"][0, value])
    frame["cost_ratio"] = frame["cost_ratio"].where(
        frame["cost_basis"].eq("cloud" if base_cloud else "electricity")
    )
    return frame, joined


def _frame(
    grid: _Grid, flat: np.ndarray, figures: dict[str, np.ndarray], positions: np.ndarray
) -> pd.DataFrame:
    import pandas as pd

    *coords, m, s, o = grid.parts(flat)
    value, low, high = calculator.VALUE, calculator.LOW, calculator.HIGH
    columns: dict[str, Any] = {
        "file_index": grid.index,
        "file": grid.where,
        "name": grid.name,
        **{
            _column(v.key): np.asarray(v.labels, dtype=object)[coords[i]]
            for i, v in enumerate(grid.variations)
        },
        "hardware": grid.labels[m],
        "runs": grid.runs[o],
        "pue": grid.pue[s],
        "carbon_intensity_g_per_kwh": grid.intensity[s, value],
    }
    for name in calculator.FIGURES:
        columns[name] = figures[name][:, value]
    for name in (
        "energy_kwh",
        "co2e_kg",
        "electricity_cost_usd",
        "cost_usd",
        "power_w",
        "embodied_co2e_kg",
        "total_co2e_kg",
        "water_l",
    ):
        columns[f"{name}_low"] = figures[name][:, low]
        columns[f"{name}_high"] = figures[name][:, high]
    columns["cloud_cost_usd_low"] = figures["cloud_cost_usd"][:, low]
    columns["cloud_cost_usd_high"] = figures["cloud_cost_usd"][:, high]
    columns["cost_basis"] = np.where(
        np.isnan(figures["cloud_cost_usd"][:, value]), "electricity", "cloud"
    )
    columns["hours_from"] = grid.hours_from[o]
    columns["machine"] = m
    columns["site"] = s
    columns["cloud"] = grid.cloud_index[m, s]
    columns["work"] = grid.work_index[m, o]
    columns["schedule"] = o
    return pd.DataFrame(columns, index=pd.Index(positions, name="position"))


def _own_value(document: Any, variation: Variation, tables: Tables) -> int | None:
    """The index of the file's own setting among a variation's values, if it is one of them."""
    path = variation.key.split(".")
    current = _current(document, path)
    if current is None:
        return None
    for i, value in enumerate(variation.values):
        if path[0] == "region":
            try:
                same = tables.region(str(value)).key == tables.region(str(current)).key
            except InputError:
                same = False
        elif path[-1] in ("hardware", "device"):
            same = not _changes_device(document, value, path, tables)
            if same and path == ["hardware"] and isinstance(value, str):
                counts = [g.get("count", 1) for g in experiment.hardware_groups(current)]
                given = [g.get("count") for g in experiment.hardware_groups(value)]
                same = given == [None] or given == counts  # a bare name keeps the count
        else:
            same = value == current or str(value) == str(current)
        if same:
            return i
    return None


def _current(document: Any, path: Sequence[str]) -> Any:
    """The file's own value at a dotted key (None where the file does not set it)."""
    current: Any = document
    for step in path:
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return None
    return current


def _own_first(
    files: Sequence[str | Path],
    variations: Sequence[Variation],
    tables: Tables,
    read: Any,
) -> list[Variation]:
    """A region set comes in our (alphabetical) order; put the first file's own region first,
    so that the ratios are against the file as written. Lists typed out keep the user's order."""
    if not files or not any(v.region_set for v in variations):
        return list(variations)
    document = read(files[0])
    ordered = []
    for variation in variations:
        own = _own_value(document, variation, tables) if variation.region_set else None
        if own:
            order = [own, *(i for i in range(len(variation.values)) if i != own)]
            variation = dataclasses.replace(
                variation,
                values=tuple(variation.values[i] for i in order),
                labels=tuple(variation.labels[i] for i in order),
                titles=tuple(variation.titles[i] for i in order) if variation.titles else (),
            )
        ordered.append(variation)
    return ordered


def _base_note(
    files: Sequence[str | Path],
    names: Sequence[tuple[str, str]],
    variations: Sequence[Variation],
    tables: Tables,
    read: Any,
) -> str:
    """Which scenario the ratios are against, and whether that is the file as written."""
    document = read(files[0])
    parts = []
    for variation in variations:
        own = _own_value(document, variation, tables)
        what = variation.key.split(".")[-1].replace("_", " ")
        mine = _current(document, variation.key.split("."))
        if own == 0:
            why = f"the file's own {what}"
        elif variation.region_set:
            why = f"the first of {variation.region_set}; the file's own {what}"
            why += f", {mine}," if isinstance(mine, str | int | float) else ""
            why += " is not in the set"
        else:
            why = "the first value given"
            if own is not None:
                why += f"; the file's own {what} is {variation.labels[own]}"
            elif isinstance(mine, str | int | float):
                why += f"; the file's own {what} is {mine}"
        parts.append(f"{variation.key}={variation.title(0)}, {why}")
    if len(files) > 1:
        parts.insert(0, f"{names[0][0]} ({names[0][1]})")
    return "Ratios (vs base) are against " + "; ".join(parts or ["the first scenario"]) + "."


def _one_file(
    index: int,
    path: Path,
    document: Any,
    variations: Sequence[Variation],
    tables: Tables,
    rule: HoursRule,
    works: dict[tuple[int, int], Work],
) -> tuple[
    pd.DataFrame, dict[tuple[int, str, int], tuple[Assumption, ...]], str, list[str], list[str]
]:

    where = str(path)
    given = [key for key in ("stages", "energy", "device_hours") if key in document]
    if given:
        if variations or rule is HoursRule.peak_flops:
            raise InputError(
                f"--vary and --scale-hours-by need hours x power, and this file gives "
                f"{' and '.join(given)}; compare such files as they are, or price one what-if "
                "at a time with greenai estimate --set",
                where=where,
                key=given[0],
            )
        return _as_given(index, document, where, tables, works)
    parts = {
        part: [v for v in variations if v.part == part] for part in ("machine", "site", "schedule")
    }

    def resolve(own: list[Variation]) -> list[tuple[tuple[int, ...], Experiment, list[Assumption]]]:
        """Every combination of these variations' values, on top of the others' first values."""
        others = [v for v in variations if v not in own]
        found = []
        for combo in itertools.product(*(range(len(v.values)) for v in own)):
            doc = copy.deepcopy(document)
            extra: list[Assumption] = []
            chosen = [(v, 0) for v in others] + list(zip(own, combo, strict=True))
            for variation, i in chosen:
                _apply(doc, variation, i, tables, extra)
            try:
                resolved = experiment.validate(doc, where, tables)
            except InputError as error:
                raise _scenario_error(error, path, chosen) from None
            found.append((combo, resolved, extra))
        return found

    machines = resolve(parts["machine"])
    # the site: every combination of the keys that interact (region, site, basis, cloud, ...),
    # and each value of a key that only sets one figure (pue, wue) validated once on its own
    alone = [v for v in parts["site"] if v.key in SITE_ALONE]
    bases = resolve([v for v in parts["site"] if v not in alone])
    singles = [resolve([v]) for v in alone]
    schedules = resolve(parts["schedule"])
    file_notes: dict[tuple[int, str, int], tuple[Assumption, ...]] = {}

    def chosen(part: str, combo: tuple[int, ...]) -> list[tuple[Variation, int]]:
        return list(zip(parts[part], combo, strict=True))

    def attempt(scenario: list[tuple[Variation, int]], fn: Any, *args: Any) -> Any:
        """fn(*args, notes) -> (its value, its notes), its error naming the scenario."""
        out: list[Assumption] = []
        try:
            return fn(*args, out), tuple(out)
        except InputError as error:
            raise _scenario_error(error, path, scenario) from None

    def noted(part: str, i: int, scenario: list[tuple[Variation, int]], fn: Any, *args: Any) -> Any:
        value, out = attempt(scenario, fn, *args)
        file_notes[(index, part, i)] = file_notes.get((index, part, i), ()) + out
        return value

    # machine: power, devices, throughput, embodied CO2e per device-hour (NaN: unknown)
    power = np.empty((len(machines), 3))
    devices = np.empty(len(machines))
    embodied = np.full((len(machines), 3), np.nan)
    labels = []
    for i, (combo, m, extra) in enumerate(machines):
        file_notes[(index, "machine", i)] = tuple(extra)
        power[i] = noted("machine", i, chosen("machine", combo), calc.resolve_power, m)
        rate = noted("machine", i, chosen("machine", combo), resolve_embodied, m)
        if rate is not None:
            embodied[i] = rate
        devices[i] = sum(g.count for g in m.hardware)
        labels.append(m.label())
    scale = np.ones(len(machines))
    lead: list[str] = []
    if rule is HoursRule.peak_flops and any(o.hours is not None for _, o, _ in schedules):
        scale, text = _throughput_scale(document, where, variations, tables, machines)
        lead.append(text)

    # site: PUE, water usage effectiveness (NaN: unknown), carbon intensity, electricity price,
    # for each base site (the interacting keys' combination, r); then each site of the grid (s)
    # is its base with the figure of each key validated alone (an explicit pue or wue is the
    # figure, whatever the region: resolve_pue and resolve_wue return it before anything else)
    rest = [v for v in parts["site"] if v not in alone]
    base_pue = np.empty(len(bases))
    base_wue = np.full(len(bases), np.nan)
    base_intensity = np.empty((len(bases), 3))  # (value, low, high): the source's last years
    base_price = np.full(len(bases), np.nan)
    base_notes: list[tuple[tuple[Assumption, ...], ...]] = []
    for r, (combo, b, extra) in enumerate(bases):
        here = list(zip(rest, combo, strict=True))
        base_pue[r], pue_notes = attempt(here, calc.resolve_pue, b)
        water, wue_notes = attempt(here, resolve_wue, b)
        if water is not None:
            base_wue[r] = water
        base_intensity[r], intensity_notes = attempt(here, calc.resolve_intensity, b, tables)
        found, price_notes = attempt(here, calc.resolve_electricity_price, b, tables)
        if found is not None:
            base_price[r] = found
        base_notes.append((tuple(extra), pue_notes, wue_notes, intensity_notes + price_notes))
    site_sizes = [len(v.values) for v in parts["site"]]
    n_sites = int(np.prod(site_sizes)) if site_sizes else 1
    coords = np.unravel_index(np.arange(n_sites), site_sizes) if site_sizes else ()
    own_index = {v.key: i for i, v in enumerate(parts["site"])}
    if rest:
        base_of = np.ravel_multi_index(
            [coords[own_index[v.key]] for v in rest], [len(v.values) for v in rest]
        )
    else:
        base_of = np.zeros(n_sites, dtype=np.intp)
    pue = base_pue[base_of]
    wue = base_wue[base_of]
    intensity = base_intensity[base_of]
    price = base_price[base_of]
    # per key validated alone: its figure and note for each value, and each site's value
    slot = {"pue": 1, "wue": 2}
    alone_notes: list[tuple[int, np.ndarray, list[tuple[Assumption, ...]]]] = []
    for variation, found_alone in zip(alone, singles, strict=True):
        figure = np.empty(len(found_alone))
        said = []
        for j, (_, a, _) in enumerate(found_alone):
            fn = calc.resolve_pue if variation.key == "pue" else resolve_wue
            figure[j], out = attempt([(variation, j)], fn, a)
            said.append(out)
        which = coords[own_index[variation.key]]
        if variation.key == "pue":
            pue = figure[which]
        else:
            wue = figure[which]
        alone_notes.append((slot[variation.key], which, said))
    if alone_notes:
        for i in range(n_sites):
            extra, *figured = base_notes[base_of[i]]
            for at, which, said in alone_notes:
                figured[at - 1] = said[which[i]]
            file_notes[(index, "site", i)] = extra + sum(figured, ())
    else:
        for i, (extra, *figured) in enumerate(base_notes):
            file_notes[(index, "site", i)] = extra + sum(figured, ())

    # cloud: USD per wall-clock hour for each machine at each base site (spot .. on-demand),
    # and the host's watts (the instance type depends on the machine and the provider); the
    # keys validated alone (pue, wue) play no part in either
    rate = np.full((len(machines), len(bases), 3), np.nan)
    host = np.zeros((len(machines), len(bases), 3))
    pairs = itertools.product(enumerate(machines), enumerate(bases))
    for (mi, (m_combo, m, _)), (bi, (b_combo, b, _)) in pairs:
        both = dataclasses.replace(b, hardware=m.hardware, power_w=m.power_w, memory_gb=m.memory_gb)
        here = chosen("machine", m_combo) + list(zip(rest, b_combo, strict=True))
        ci = mi * len(bases) + bi
        if b.cloud is not None:
            priced = noted("cloud", ci, here, calc.resolve_cloud_prices, both, tables)
            if priced is not None:
                rate[mi, bi] = machine_rate(priced)
        host[mi, bi] = noted("cloud", ci, here, calc.resolve_host, both, tables)
    rate, host = rate[:, base_of], host[:, base_of]
    cloud_index = np.arange(len(machines))[:, None] * len(bases) + base_of[None, :]

    # schedule: runs, FPO per run, and hours per run on each machine. Hours derived from the
    # FPO depend on the machine's peak FLOP/s; hours given follow the rule of --scale-hours-by:
    # auto carries the file's FPO to each machine at the MFU its hours imply on its own machine
    hours = np.empty((len(machines), len(schedules)))
    runs = np.empty(len(schedules))
    fpo = np.full(len(schedules), np.nan)
    hours_from = np.empty(len(schedules), dtype=object)
    work_index = np.arange(len(machines) * len(schedules)).reshape(len(machines), len(schedules))
    unusual: list[str] = []
    name = ""
    how: list[tuple[str, Work | None]] = []  # how each schedule's hours follow the machine
    own: Experiment | None = None
    for i, (combo, o, extra) in enumerate(schedules):
        file_notes[(index, "schedule", i)] = tuple(extra)
        runs[i] = o.runs
        name = name or o.name
        given = "peak_flops" if rule is HoursRule.peak_flops else "file"
        if o.fpo is None:  # hours as given: the same on every machine, but for --scale-hours-by
            assert o.hours is not None
            hours[:, i] = o.hours * scale
            hours_from[i] = given
            how.append(("no fpo to derive them from" if rule is HoursRule.auto else "held", None))
            continue
        carried: Work | None = None  # the file's own machine's work, whose MFU is carried over
        if rule is HoursRule.auto and o.hours is not None:
            own = own or _own_experiment(document, where, variations, tables)
            try:
                _, carried = calc.resolve_schedule(
                    dataclasses.replace(o, hardware=own.hardware), []
                )
            except InputError as error:
                raise _scenario_error(error, path, chosen("schedule", combo)) from None
            if carried is None or carried.mfu is None:
                carried = None
                how.append(("no peak FLOP/s for the file's own hardware to carry fpo over", None))
            else:
                how.append((own.label(), carried))
        else:
            how.append(("fpo" if o.hours is None else "held", None))
        hours_from[i] = "fpo" if o.hours is None or carried is not None else given
        for mi, (m_combo, m, _) in enumerate(machines):
            both = dataclasses.replace(o, hardware=m.hardware)
            here = chosen("machine", m_combo) + chosen("schedule", combo)
            wi = int(work_index[mi, i])
            run_hours, work = noted("work", wi, here, calc.resolve_schedule, both)
            if carried is not None:
                assert o.hours is not None and own is not None and work is not None
                run_hours, work = noted(
                    "work", wi, here, _at_carried_mfu, o.hours, work, carried, own.label()
                )
            elif o.hours is not None:
                run_hours *= scale[mi]
                if work is not None and work.mfu is not None:
                    work = dataclasses.replace(work, mfu=work.mfu / scale[mi])
            hours[mi, i] = run_hours
            if work is not None:
                fpo[i] = work.per_run
                works[(index, wi)] = work
                unusual += calc.implausible(both, work)
        if o.runs != 1:
            runs_note = Assumption("runs", str(o.runs), calc.FILE, "runs", "given")
            file_notes[(index, "schedule", i)] += (runs_note,)
    if any(v.key.split(".")[0] == "hardware" for v in variations) and not lead:
        lead += _hours_note(*how[0], schedules[0][1], len(schedules) > 1, rule)
    unusual = [w for part in (machines, bases, *singles, schedules) for _, r, _ in part
               for w in r.warnings] + unusual  # fmt: skip
    grid = _Grid(
        index=index,
        where=where,
        name=name,
        variations=list(variations),
        power=power[:, None, :] + host,
        devices=devices,
        rate=rate,
        pue=pue,
        embodied=embodied,
        wue=wue,
        intensity=intensity,
        price=price,
        hours=hours,
        runs=runs,
        fpo=fpo,
        hours_from=hours_from,
        labels=np.asarray(labels, dtype=object),
        cloud_index=cloud_index,
        work_index=work_index,
    )
    return grid, file_notes, name, lead, unusual


@dataclass
class _Grid:
    """One file's resolved parts: the calculator's columns for each machine (m), site (s) and
    schedule (o), from which any block of its scenarios is gathered without building the rest.
    A scenario's position in the grid is the first variation varying slowest."""

    index: int
    where: str
    name: str
    variations: list[Variation]
    power: np.ndarray  # (m, s, 3) W: devices + host
    devices: np.ndarray  # (m,)
    rate: np.ndarray  # (m, s, 3) USD per machine-hour (on-demand, spot, on-demand); NaN: none
    pue: np.ndarray  # (s,)
    embodied: np.ndarray  # (m, 3) kg CO2e per device-hour (value, low, high); NaN: unknown
    wue: np.ndarray  # (s,) L of on-site water per kWh of IT energy; NaN: unknown
    intensity: np.ndarray  # (s, 3) g/kWh (value, low, high)
    price: np.ndarray  # (s,)
    hours: np.ndarray  # (m, o)
    runs: np.ndarray  # (o,)
    fpo: np.ndarray  # (o,)
    hours_from: np.ndarray  # (o,)
    labels: np.ndarray  # (m,) hardware labels
    cloud_index: np.ndarray  # (m, s)
    work_index: np.ndarray  # (m, o)
    given: dict[str, np.ndarray] | None = None  # a file priced as given: its figures
    # the tables that hold one value for the whole grid, as that value (found once, on the
    # first block; see `columns`)
    single: dict[str, np.ndarray | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def sizes(self) -> list[int]:
        return [len(v.values) for v in self.variations]

    @property
    def count(self) -> int:
        return int(np.prod(self.sizes)) if self.sizes else 1

    def parts(self, flat: np.ndarray) -> tuple[np.ndarray, ...]:
        """(grid coordinates per variation, machine, site, schedule) of scenarios `flat`."""
        sizes = self.sizes
        coords = np.unravel_index(flat, sizes) if sizes else ()

        def part_index(part: str) -> np.ndarray:
            own = [i for i, v in enumerate(self.variations) if v.part == part]
            if not own:
                return np.zeros(len(flat), dtype=np.intp)
            return np.ravel_multi_index([coords[i] for i in own], [sizes[i] for i in own])

        return (
            *coords,
            part_index("machine"),
            part_index("site"),
            part_index("schedule"),
        )

    def figures(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Every figure of scenarios `flat`, through the calculator (a block at a time)."""
        if self.given is not None:
            return {name: np.broadcast_to(a, (len(flat), 3)) for name, a in self.given.items()}
        try:
            found = calculator.calculate(self.columns(flat))
        except InputError as error:
            raise error.located(self.where, None, error.key) from None
        # a grid whose every column is one value (a --vary that changes nothing priced) comes
        # back as one row: each scenario gets it
        return {name: np.broadcast_to(a, (len(flat), 3)) for name, a in found.items()}

    def columns(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """The calculator's inputs for scenarios `flat`. A table that holds one value for the
        whole grid (the runs, a WUE nobody publishes, an FPO not given) is passed as that value,
        broadcast, not gathered for every scenario: less to copy, and the calculator's
        all-unknown shortcuts apply."""
        *_, m, s, o = self.parts(flat)
        nan = np.full((1, 1), np.nan)

        def take(name: str, index: tuple[np.ndarray, ...], bounded: bool) -> np.ndarray:
            table = getattr(self, name)
            if name not in self.single:
                self.single[name] = _single(table, len(index))
            one = self.single[name]
            if one is not None:
                return one
            found = table[index]
            return found if bounded else found[:, None]

        return {
            "power_w": take("power", (m, s), True),
            "devices": take("devices", (m,), False),
            "hours": take("hours", (m, o), False),
            "runs": take("runs", (o,), False),
            "pue": take("pue", (s,), False),
            "carbon_intensity_g_per_kwh": take("intensity", (s,), True),
            "electricity_price_usd_per_kwh": take("price", (s,), False),
            "cloud_usd_per_hour": take("rate", (m, s), True),
            "fpo_per_run": take("fpo", (o,), False),
            "it_energy_kwh": nan,
            "device_hours": nan,
            "embodied_kg_per_device_hour": take("embodied", (m,), True),
            "wue_l_per_kwh": take("wue", (s,), False),
        }


def _single(table: np.ndarray, axes: int) -> np.ndarray | None:
    """The one value every entry of `table` holds (NaN included), as a calculator row ((1, 3)
    with a trailing (value, low, high) axis, else (1, 1)); None where entries differ."""
    first = table[(0,) * axes]
    if np.array_equal(table, np.broadcast_to(first, table.shape), equal_nan=True):
        return np.asarray(first, dtype=float).reshape(1, -1)
    return None


def _figures_of(figures: Figures) -> dict[str, np.ndarray]:
    """An estimate's figures as the calculator's (1, 3) arrays (NaN: unknown)."""
    found = {}
    for name in calculator.FIGURES:
        bounds = [figures.bound(name, which) for which in calculator.BOUNDS]
        found[name] = np.array([[np.nan if b is None else b for b in bounds]])
    return found


def _as_given(
    index: int,
    document: Any,
    where: str,
    tables: Tables,
    works: dict[tuple[int, int], Work],
) -> tuple[_Grid, dict[tuple[int, str, int], tuple[Assumption, ...]], str, list[str], list[str]]:
    """One row for a file that gives stages, energy or device-hours: its estimate as it is
    (a staged file's columns are its stages' summed figures, carried as given energy)."""
    loaded = experiment.validate(document, where, tables)
    priced = calc.estimate(loaded, tables)
    if priced.work is not None:
        works[(index, 0)] = priced.work
    empty = np.zeros((1, 1))
    grid = _Grid(
        index=index,
        where=where,
        name=priced.name,
        variations=[],
        power=np.zeros((1, 1, 3)),
        devices=np.ones(1),
        rate=np.zeros((1, 1, 3)),
        pue=np.array([priced.pue]),
        embodied=np.full((1, 3), np.nan),  # unused: the figures are given
        wue=np.full(1, np.nan),
        intensity=np.full((1, 3), priced.carbon_intensity_g_per_kwh),  # unused: figures given
        price=np.ones(1),
        hours=empty,
        runs=np.array([float(priced.runs)]),
        fpo=np.ones(1),
        hours_from=np.asarray(["file"], dtype=object),
        labels=np.asarray([priced.hardware], dtype=object),
        cloud_index=np.zeros((1, 1), dtype=int),
        work_index=np.zeros((1, 1), dtype=int),
        given=_figures_of(priced.total),
    )
    notes = {(index, "machine", 0): priced.assumptions}
    return grid, notes, priced.name, [], list(priced.warnings)


def _apply(doc: Any, variation: Variation, i: int, tables: Tables, notes: list[Assumption]) -> None:
    """Set one varied value in a raw document. A bare device name for `hardware` keeps the
    file's count and utilization, and "N x DEVICE" its utilization (so "8 x H100" on a file of
    8 H100s at 70 % is the file's own machine); a measured power does not travel to other
    hardware, nor a whole machine's measured power to another device count."""
    value = variation.values[i]
    path = variation.key.split(".")
    changed = path[0] == "hardware" and _changes_device(doc, value, path, tables)
    counted = isinstance(value, str) and experiment.is_hardware_text(value)
    if path == ["hardware"] and counted:
        groups = experiment.hardware_groups(doc.get("hardware"))
        (new,) = experiment.hardware_groups(value)
        if len(groups) == 1:
            for key in ("utilization",) if changed else ("utilization", "power"):
                if key in groups[0]:
                    new[key] = groups[0][key]
                    new.lines[key] = 0
            if changed and "power" in groups[0]:
                notes.append(_power_left_out(groups[0]["power"]))
            resized = new.get("count") != groups[0].get("count", 1)
            value = experiment.sequence([new])
        else:
            resized = True
        if resized and "power" in doc:
            notes.append(_power_left_out(doc.pop("power")))
    elif path[0] == "hardware" and path[-1] == "count" and "power" in doc:
        groups = experiment.hardware_groups(doc.get("hardware"))
        index = int(path[1]) if len(path) > 2 and path[1].isdigit() else 0
        if index >= len(groups) or str(groups[index].get("count", 1)) != str(value):
            notes.append(_power_left_out(doc.pop("power")))
    if path == ["hardware"] and isinstance(value, str) and not counted:
        groups = experiment.hardware_groups(doc.get("hardware"))
        if len(groups) != 1:
            raise InputError(
                f"--vary hardware={value}: the file has {len(groups)} device groups; "
                "give counts (e.g. '8 x H100') or vary hardware.0.device",
                key="hardware",
            )
        (base,) = groups
        group = experiment.mapping({"device": value})
        for key in ("count", "utilization") if changed else ("count", "utilization", "power"):
            if key in base:
                group[key] = base[key]
                group.lines[key] = 0
        if changed and "power" in base:
            notes.append(_power_left_out(base["power"]))
        value = experiment.sequence([group])
    elif changed and path[-1] == "device":
        groups = experiment.hardware_groups(doc.get("hardware"))
        index = int(path[1]) if len(path) > 2 and path[1].isdigit() else 0
        if index < len(groups) and "power" in groups[index]:
            notes.append(_power_left_out(groups[index].pop("power")))
            doc["hardware"] = groups
    if changed and "power" in doc:
        notes.append(_power_left_out(doc.pop("power")))
    if path == ["region"] and str(value) != str(doc.get("region")):
        for key in ("carbon_intensity", "electricity_price"):
            if key in doc and doc.lines.get(key) != 0:  # the file's figure, not a --set
                notes.append(
                    Assumption(
                        f"file's {key.replace('_', ' ')} left out",
                        f"{doc[key]} is for the file's own region ({doc.get('region')})",
                        "greenai compare: the varied region's figure is used",
                    )
                )
                doc.pop(key)
    experiment.apply_override(doc, path, value)


def _power_left_out(measured: Any) -> Assumption:
    return Assumption(
        "measured power left out",
        f"{measured} was measured on the file's own hardware",
        "greenai compare: TDP x utilization for the varied hardware",
    )


def _changes_device(doc: Any, value: Any, path: list[str], tables: Tables) -> bool:
    if path[-1] not in ("hardware", "device"):
        return False
    try:
        before = {
            tables.device(str(g.get("device"))).key
            for g in experiment.hardware_groups(doc.get("hardware"))
        }
        new = experiment.hardware_groups(value) if path == ["hardware"] else [{"device": value}]
        after = {tables.device(str(g.get("device"))).key for g in new}
    except InputError:
        return False  # validation reports the unknown name, with suggestions
    return before != after


def _scenario_error(
    error: InputError, path: Path, chosen: Sequence[tuple[Variation, int]]
) -> InputError:
    """Name the varied values that led to `error` (the file's own line may not be the cause)."""
    for variation, i in chosen:
        if error.key.split(".")[0] == variation.key.split(".")[0]:
            error.where = f"{path} (--vary {variation.key}={variation.labels[i]})"
            error.line = None
            return error
    if chosen:
        values = ", ".join(f"{v.key}={v.labels[i]}" for v, i in chosen)
        error.where = f"{path} (scenario {values})"
        error.line = None
    return error.located(str(path), error.line, error.key)


def _at_carried_mfu(
    given: float, work: Work, carried: Work, own_label: str, notes: list[Assumption]
) -> tuple[float, Work]:
    """Hours per run of the file's FPO on another machine, at the MFU that the file's hours
    imply on its own machine: the work is fixed, the machine's throughput changes."""
    peak, mfu = work.peak_flop_per_s, carried.mfu
    assert mfu is not None
    if not peak:
        raise InputError(
            "cannot carry the file's fpo to this hardware: no peak FLOP/s in data/hardware.csv; "
            "--scale-hours-by held keeps the file's hours",
            key="hardware",
        )
    if peak == carried.peak_flop_per_s and work.precision == carried.precision:
        return given, work  # the file's own throughput: its hours, exactly
    hours = work.per_run / (peak * mfu) / 3600
    notes.append(
        Assumption(
            "hours per run (derived)",
            f"{hours:,.4g} h = {work.per_run:.4g} FLOP / ({peak / 1e12:,.6g} TFLOP/s x "
            f"{mfu:.3g}) / 3600",
            f"greenai compare: FPO / (peak FLOP/s x MFU); the MFU that the file's {given:g} h "
            f"imply on {own_label}",
        )
    )
    return hours, dataclasses.replace(work, mfu=mfu, hours_derived=True)


def _hours_note(
    how: str, carried: Work | None, schedule: Experiment, several: bool, rule: HoursRule
) -> list[str]:
    """One line saying how the hours follow a varied machine (the baseline schedule's way):
    `how` is the file's own hardware when `carried` holds the MFU carried over, else a reason."""
    if carried is not None:
        implied = (
            "the MFU that the file's hours imply"
            if several
            else f"MFU {carried.mfu:.2g}, what the file's {schedule.hours:g} h imply"
        )
        return [
            f"Hours follow from the FPO: peak FLOP/s x device count x {implied} on {how} "
            "(--scale-hours-by held keeps the file's hours)."
        ]
    if how == "fpo":
        mfu = schedule.fpo.mfu if schedule.fpo and schedule.fpo.mfu else calc.DEFAULT_MFU
        return [
            "Hours follow from the FPO: peak FLOP/s x device count x MFU "
            f"{mfu:g} (the file gives no hours)."
        ]
    given = (
        "the file's hours"
        if several or schedule.hours is None
        else f"the file's {schedule.hours:g} h per run"
    )
    why = "--scale-hours-by held" if rule is HoursRule.held else how
    return [
        f"Hours are held at {given} on every hardware ({why}); --scale-hours-by peak_flops "
        "rescales them by peak FLOP/s x device count."
    ]


def _own_experiment(
    document: Any, where: str, variations: Sequence[Variation], tables: Tables
) -> Experiment:
    """The file's own machine, with the other parts at their first varied values."""
    doc = copy.deepcopy(document)
    for variation in variations:
        if variation.part != "machine":
            _apply(doc, variation, 0, tables, [])
    return experiment.validate(doc, where, tables)


def _throughput_scale(
    document: Any,
    where: str,
    variations: Sequence[Variation],
    tables: Tables,
    machines: list[tuple[tuple[int, ...], Experiment, list[Assumption]]],
) -> tuple[np.ndarray, str]:
    """Hours on each machine = the file's hours x (the file's peak FLOP/s / the machine's)."""
    own = _own_experiment(document, where, variations, tables)
    groups = [own.hardware] + [m.hardware for _, m, _ in machines]
    every: list[Device] = [g.device for hardware in groups for g in hardware]
    # the first precision that every device of the comparison has a dense peak for
    precision = next(
        (p for p in calc.DEFAULT_PRECISIONS if all(d.peak_tflops(p) for d in every)), None
    )
    if precision is None:
        missing = sorted({d.name for d in every if not d.fp32_tflops})
        raise InputError(
            "--scale-hours-by peak_flops: no precision with a peak FLOP/s for every device "
            f"(none known for {', '.join(missing)})",
            key="hardware",
        )

    def flops(hardware: Sequence[Any]) -> float:
        return sum(g.count * (g.device.peak_tflops(precision) or 0.0) for g in hardware)

    reference = flops(own.hardware)
    scale = np.array([reference / flops(m.hardware) for _, m, _ in machines])
    text = (
        f"Hours scaled by peak dense {precision} FLOP/s x device count relative to {own.label()} "
        f"({reference:,.0f} TFLOP/s), the hardware the file's hours are for "
        "(--scale-hours-by peak_flops)."
    )
    return scale, text


def ordered(comparison: Comparison, sort: SortBy, top: int | None) -> pd.DataFrame:
    """The rows to show: sorted (NaN last, ties in grid order) and cut to `top`."""
    frame = comparison.frame
    column = {"co2e": "co2e_kg", "energy": "energy_kwh", "cost": "cost_usd"}.get(sort.value)
    if column is not None:
        frame = frame.sort_values(column, kind="stable", na_position="last")
    if top is not None:
        frame = frame.head(top)
    return frame


def best(comparison: Comparison, sort: SortBy) -> int | None:
    """The position of the lowest figure over every scenario priced (CO2e unless sorting by
    energy or cost), found while streaming; None for a single scenario."""
    return comparison.best
