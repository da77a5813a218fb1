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
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from greenai import estimate as calc
from greenai import experiment
from greenai.errors import InputError
from greenai.estimate import Assumption, Estimate, Figures, Work
from greenai.experiment import Experiment
from greenai.tables import Device, Tables

if TYPE_CHECKING:
    import pandas as pd

PARTS = {
    "hardware": "machine",
    "memory": "machine",
    "power": "machine",
    "region": "site",
    "pue": "site",
    "carbon_intensity": "site",
    "electricity_price": "site",
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
    for item in (part.strip() for part in _COMMA.split(rest)):
        if not item:
            raise InputError(f"--vary {key}: empty value in {rest!r}", key=key)
        if item.startswith("@"):
            if key != "region":
                raise InputError(f"--vary {key}: sets such as {item} are for region only", key=key)
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
    return Variation(key, tuple(values), tuple(labels))


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
    """The priced grid: one row per scenario in `frame`, baseline (all first values) first."""

    frame: pd.DataFrame
    keys: list[str]
    assumptions: list[str]
    warnings: list[str]
    _notes: dict[tuple[int, str, int], tuple[Assumption, ...]]
    _names: list[tuple[str, str]]
    _works: dict[tuple[int, int], Work] = dataclasses.field(default_factory=dict)

    def estimates(self, frame: pd.DataFrame | None = None) -> list[Estimate]:
        """Estimate objects for the rows of `frame` (default: all), for the renderers."""
        rows = self.frame if frame is None else frame
        return [self._estimate(row) for row in rows.itertuples(index=False)]

    def scenario(self, row: Any) -> dict[str, str]:
        return {key: getattr(row, _column(key)) for key in self.keys}

    def _estimate(self, row: Any) -> Estimate:
        def figures(share: float) -> Figures:
            cloud = None
            if not np.isnan(row.cloud_cost_usd_low):
                cloud = (row.cloud_cost_usd_low * share, row.cloud_cost_usd_high * share)
            price = row.electricity_cost_usd
            return Figures(
                hours=_known(row.hours * share),
                power_w=_known(row.power_w),
                energy_kwh=row.energy_kwh * share,
                co2e_kg=row.co2e_kg * share,
                electricity_cost_usd=None if np.isnan(price) else price * share,
                cloud_cost_usd=cloud,
                device_hours=_known(row.device_hours * share),
                fpo=None if np.isnan(row.fpo) else row.fpo * share,
            )

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
            runs=int(row.runs),
            pue=row.pue,
            carbon_intensity_g_per_kwh=row.carbon_intensity_g_per_kwh,
            total=figures(1.0),
            per_run=figures(1.0 / row.runs),
            assumptions=notes,
            work=self._works.get((row.file_index, row.work)),
        )


def _known(value: float) -> float | None:
    """NaN in the frame is a figure the file does not determine (energy given without hours)."""
    return None if np.isnan(value) else float(value)


def _column(key: str) -> str:
    return "vary_" + key.replace(".", "__")


def compare(
    files: Sequence[str | Path],
    variations: Sequence[Variation],
    tables: Tables,
    overrides: Sequence[str] = (),
    scale_hours_by: str | None = None,
) -> Comparison:
    """Price every file under every combination of `variations`."""
    import pandas as pd

    keys = [v.key for v in variations]
    if len(set(keys)) != len(keys):
        raise InputError("--vary: the same key is varied twice", key=keys[0])
    if scale_hours_by not in (None, "peak_flops"):
        raise InputError(f"--scale-hours-by expects peak_flops, got {scale_hours_by!r}")
    frames = []
    notes: dict[tuple[int, str, int], tuple[Assumption, ...]] = {}
    names: list[tuple[str, str]] = []
    assumptions: list[str] = []
    warnings: list[str] = []
    works: dict[tuple[int, int], Work] = {}
    for index, path in enumerate(files):
        frame, file_notes, name, extra, unusual = _one_file(
            index, Path(path), variations, tables, overrides, scale_hours_by, works
        )
        warnings += [w for w in unusual if w not in warnings]
        frames.append(frame)
        notes.update(file_notes)
        names.append((name, str(path)))
        assumptions += [a for a in extra if a not in assumptions]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    # cost: the cloud bill (on-demand) where there is one, else the electricity bill; a cost
    # ratio only compares like with like
    cloud = frame["cloud_cost_usd_high"].notna()
    frame["cost_usd"] = frame["cloud_cost_usd_high"].where(cloud, frame["electricity_cost_usd"])
    frame["cost_basis"] = np.where(cloud, "cloud", "electricity")
    for column in ("energy_kwh", "co2e_kg", "cost_usd"):
        base = frame[column].iloc[0]
        frame[column.rsplit("_", 1)[0] + "_ratio"] = frame[column] / base if base else np.nan
    same = frame["cost_basis"] == frame["cost_basis"].iloc[0]
    frame["cost_ratio"] = frame["cost_ratio"].where(same)
    return Comparison(frame, keys, assumptions, warnings, notes, names, works)


def _one_file(
    index: int,
    path: Path,
    variations: Sequence[Variation],
    tables: Tables,
    overrides: Sequence[str],
    scale_hours_by: str | None,
    works: dict[tuple[int, int], Work],
) -> tuple[
    pd.DataFrame, dict[tuple[int, str, int], tuple[Assumption, ...]], str, list[str], list[str]
]:
    import pandas as pd

    document = experiment.read_overridden(path, overrides)
    where = str(path)
    given = [key for key in ("stages", "energy", "device_hours") if key in document]
    if given:
        if variations or scale_hours_by:
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

    def resolve(part: str) -> list[tuple[tuple[int, ...], Experiment, list[Assumption]]]:
        """Every combination of this part's values, on top of the other parts' first values."""
        own = parts[part]
        others = [v for v in variations if v.part != part]
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

    machines = resolve("machine")
    sites = resolve("site")
    schedules = resolve("schedule")
    file_notes: dict[tuple[int, str, int], tuple[Assumption, ...]] = {}

    def chosen(part: str, combo: tuple[int, ...]) -> list[tuple[Variation, int]]:
        return list(zip(parts[part], combo, strict=True))

    def noted(part: str, i: int, scenario: list[tuple[Variation, int]], fn: Any, *args: Any) -> Any:
        out: list[Assumption] = []
        try:
            value = fn(*args, out)
        except InputError as error:
            raise _scenario_error(error, path, scenario) from None
        file_notes[(index, part, i)] = file_notes.get((index, part, i), ()) + tuple(out)
        return value

    # machine: power, devices, throughput
    power = np.empty(len(machines))
    devices = np.empty(len(machines))
    labels = []
    for i, (combo, m, extra) in enumerate(machines):
        file_notes[(index, "machine", i)] = tuple(extra)
        power[i] = noted("machine", i, chosen("machine", combo), calc.resolve_power, m)
        devices[i] = sum(g.count for g in m.hardware)
        labels.append(m.label())
    scale = np.ones(len(machines))
    assumptions: list[str] = []
    if scale_hours_by:
        scale, text = _throughput_scale(document, where, variations, tables, machines)
        assumptions.append(text)

    # site: PUE, carbon intensity, electricity price
    pue = np.empty(len(sites))
    intensity = np.empty(len(sites))
    price = np.full(len(sites), np.nan)
    for i, (combo, s, extra) in enumerate(sites):
        file_notes[(index, "site", i)] = tuple(extra)
        here = chosen("site", combo)
        pue[i] = noted("site", i, here, calc.resolve_pue, s)
        intensity[i] = noted("site", i, here, calc.resolve_intensity, s, tables)
        found = noted("site", i, here, calc.resolve_electricity_price, s, tables)
        if found is not None:
            price[i] = found

    # cloud: USD per wall-clock hour for each machine at each site (spot .. on-demand)
    rate = np.full((len(machines), len(sites), 2), np.nan)
    cloud_index = np.arange(len(machines) * len(sites)).reshape(len(machines), len(sites))
    pairs = itertools.product(enumerate(machines), enumerate(sites))
    for (mi, (m_combo, m, _)), (si, (s_combo, s, _)) in pairs:
        if s.cloud is None:
            continue
        both = dataclasses.replace(s, hardware=m.hardware)
        here = chosen("machine", m_combo) + chosen("site", s_combo)
        ci = int(cloud_index[mi, si])
        priced = noted("cloud", ci, here, calc.resolve_cloud_prices, both, tables)
        if priced is not None:
            rate[mi, si, 0] = sum(g.count * low for g, (low, _) in priced)
            rate[mi, si, 1] = sum(g.count * high for g, (_, high) in priced)

    # schedule: runs, FPO per run, and hours per run on each machine (hours derived from the
    # FPO depend on the machine's peak FLOP/s; hours given are scaled by --scale-hours-by)
    hours = np.empty((len(machines), len(schedules)))
    runs = np.empty(len(schedules))
    fpo = np.full(len(schedules), np.nan)
    work_index = np.arange(len(machines) * len(schedules)).reshape(len(machines), len(schedules))
    unusual: list[str] = []
    name = ""
    for i, (combo, o, extra) in enumerate(schedules):
        file_notes[(index, "schedule", i)] = tuple(extra)
        runs[i] = o.runs
        name = name or o.name
        if o.fpo is None:  # hours as given: the same on every machine, but for --scale-hours-by
            assert o.hours is not None
            hours[:, i] = o.hours * scale
        else:
            for mi, (m_combo, m, _) in enumerate(machines):
                both = dataclasses.replace(o, hardware=m.hardware)
                here = chosen("machine", m_combo) + chosen("schedule", combo)
                wi = int(work_index[mi, i])
                run_hours, work = noted("work", wi, here, calc.resolve_schedule, both)
                hours[mi, i] = run_hours if o.hours is None else run_hours * scale[mi]
                if work is not None:
                    fpo[i] = work.per_run
                    if o.hours is not None and work.mfu is not None:
                        work = dataclasses.replace(work, mfu=work.mfu / scale[mi])
                    works[(index, wi)] = work
                    unusual += calc.implausible(both, work)
        if o.runs != 1:
            file_notes[(index, "schedule", i)] += (Assumption("runs", str(o.runs), calc.FILE),)

    # the grid: one row per scenario, the first variation varying slowest
    sizes = [len(v.values) for v in variations]
    grid = [a.ravel() for a in np.indices(sizes)] if sizes else []
    count = int(np.prod(sizes)) if sizes else 1

    def part_index(part: str) -> np.ndarray:
        own = [i for i, v in enumerate(variations) if v.part == part]
        if not own:
            return np.zeros(count, dtype=int)
        return np.ravel_multi_index([grid[i] for i in own], [sizes[i] for i in own])

    m, s, o = part_index("machine"), part_index("site"), part_index("schedule")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below, by name
        total_hours = hours[m, o] * runs[o]
        energy = calc.energy_kwh(power[m], total_hours, pue[s])
        frame = pd.DataFrame(
            {
                "file_index": index,
                "file": where,
                "name": name,
                **{
                    _column(v.key): np.asarray(v.labels, dtype=object)[grid[i]]
                    for i, v in enumerate(variations)
                },
                "hardware": np.asarray(labels, dtype=object)[m],
                "runs": runs[o],
                "hours": total_hours,
                "power_w": power[m],
                "pue": pue[s],
                "carbon_intensity_g_per_kwh": intensity[s],
                "energy_kwh": energy,
                "co2e_kg": calc.co2e_kg(energy, intensity[s]),
                "electricity_cost_usd": calc.energy_cost_usd(energy, price[s]),
                "cloud_cost_usd_low": calc.compute_cost_usd(total_hours, rate[m, s, 0]),
                "cloud_cost_usd_high": calc.compute_cost_usd(total_hours, rate[m, s, 1]),
                "device_hours": devices[m] * total_hours,
                "fpo": fpo[o] * runs[o],
                "machine": m,
                "site": s,
                "cloud": cloud_index[m, s],
                "work": work_index[m, o],
                "schedule": o,
            }
        )
    numbers = frame.select_dtypes("number").to_numpy(dtype=float)
    if np.isinf(numbers).any():
        raise InputError(
            "the figures are too large to compute (not finite); check hours, power, counts and "
            "runs for a misplaced exponent",
            where=where,
        )
    unusual = [w for part in (machines, sites, schedules) for _, r, _ in part
               for w in r.warnings] + unusual  # fmt: skip
    return frame, file_notes, name, assumptions, unusual


def _as_given(
    index: int,
    document: Any,
    where: str,
    tables: Tables,
    works: dict[tuple[int, int], Work],
) -> tuple[
    pd.DataFrame, dict[tuple[int, str, int], tuple[Assumption, ...]], str, list[str], list[str]
]:
    """One row for a file that gives stages, energy or device-hours: its estimate as it is."""
    import pandas as pd

    priced = calc.estimate(experiment.validate(document, where, tables), tables)
    t = priced.total
    cloud = t.cloud_cost_usd or (np.nan, np.nan)
    if priced.work is not None:
        works[(index, 0)] = priced.work
    frame = pd.DataFrame(
        {
            "file_index": [index],
            "file": where,
            "name": priced.name,
            "hardware": priced.hardware,
            "runs": float(priced.runs),
            "hours": np.nan if t.hours is None else t.hours,
            "power_w": np.nan if t.power_w is None else t.power_w,
            "pue": priced.pue,
            "carbon_intensity_g_per_kwh": priced.carbon_intensity_g_per_kwh,
            "energy_kwh": t.energy_kwh,
            "co2e_kg": t.co2e_kg,
            "electricity_cost_usd": np.nan
            if t.electricity_cost_usd is None
            else t.electricity_cost_usd,
            "cloud_cost_usd_low": cloud[0],
            "cloud_cost_usd_high": cloud[1],
            "device_hours": np.nan if t.device_hours is None else t.device_hours,
            "fpo": np.nan if t.fpo is None else t.fpo,
            "machine": 0,
            "site": 0,
            "cloud": 0,
            "work": 0,
            "schedule": 0,
        }
    )
    notes = {(index, "machine", 0): priced.assumptions}
    return frame, notes, priced.name, [], list(priced.warnings)


def _apply(doc: Any, variation: Variation, i: int, tables: Tables, notes: list[Assumption]) -> None:
    """Set one varied value in a raw document. A bare device name for `hardware` keeps the
    file's count and utilization; a measured power does not travel to other hardware."""
    value = variation.values[i]
    path = variation.key.split(".")
    changed = path[0] == "hardware" and _changes_device(doc, value, path, tables)
    if path == ["hardware"] and isinstance(value, str) and not experiment.is_hardware_text(value):
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


def _throughput_scale(
    document: Any,
    where: str,
    variations: Sequence[Variation],
    tables: Tables,
    machines: list[tuple[tuple[int, ...], Experiment, list[Assumption]]],
) -> tuple[np.ndarray, str]:
    """Hours on each machine = the file's hours x (the file's peak FLOP/s / the machine's)."""
    doc = copy.deepcopy(document)
    for variation in variations:
        if variation.part != "machine":
            _apply(doc, variation, 0, tables, [])
    own = experiment.validate(doc, where, tables)
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
        f"hours scaled by peak dense {precision} FLOP/s relative to {own.label()} "
        f"({reference:,.0f} TFLOP/s), the hardware the file's hours are for (--scale-hours-by)"
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
    """The frame index of the lowest figure (CO2e unless sorting by energy or cost)."""
    column = {"energy": "energy_kwh", "cost": "cost_usd"}.get(sort.value, "co2e_kg")
    values = comparison.frame[column]
    if len(values) < 2 or values.isna().all():
        return None
    return int(values.idxmin())
