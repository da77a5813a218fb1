"""`greenai verify REPORT.json`: does each figure of a JSON report still hold?

A report of `estimate`, `compare` or `check -f json` records, in each priced object, greenai's
version, the data tables' digests and the inputs as read (greenai.provenance). Verify prices
those recorded inputs again, through the same code as the command that wrote them (the
experiment mapping validated and estimated as `greenai.price` does; a compare row through
`greenai.compare.compare` with its scenario), and compares every number of the object with the
new one (relative tolerance 1e-9). A figure that moved is explained by what differs between then
and now: the data tables (which ones), greenai's version, or the recorded inputs themselves
(edited, where the file they name is still there, unchanged, and reads otherwise). A file that
changed on disk since is said, but never used: the recorded inputs are what the figure came from.

Not figures, so not compared: a compare row's ratios (against another row of its grid), the
breaches of a check (the budgets are options of that run) and the text of the assumptions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from greenai import provenance
from greenai.errors import GreenAIError, InputError
from greenai.files import read_limited

TOLERANCE = 1e-9  # relative: JSON numbers round-trip exactly, so this only absorbs platforms
# read whole into memory: about 200,000 compare rows (9.6 KB each as JSON); larger is refused
MAX_REPORT_BYTES = 2_000_000_000
COMMANDS = ("estimate", "compare", "check")
# the figures of DESIGN.md's JSON object: compared even where unknown (null then, known now is a
# change); a nested null (per_run, ranges, fpo_breakdown, stages) is not a figure of its own
MAIN = (
    "runs",
    "hours",
    "power_w",
    "pue",
    "carbon_intensity_g_per_kwh",
    "energy_kwh",
    "co2e_kg",
    "embodied_co2e_kg",
    "total_co2e_kg",
    "water_l",
    "electricity_cost_usd",
    "cloud_cost_usd",
    "cloud_cost_usd.low",
    "cloud_cost_usd.high",
    "device_hours",
    "fpo",
)
NOT_FIGURES = ("provenance", "assumptions", "scenario", "ratio")
# what the table shows of an object whose figures all hold (JSON lists every figure)
SHOWN = ("energy_kwh", "co2e_kg")


@dataclass(frozen=True, slots=True)
class Figure:
    """One number of a report: as recorded, as computed now (None: unknown, or not computed)."""

    name: str
    recorded: float | None
    now: float | None
    holds: bool
    main: bool


@dataclass(frozen=True, slots=True)
class Item:
    """One priced object of the report (a row of it): its figures and what differs since."""

    index: int
    name: str
    file: str
    command: str
    figures: tuple[Figure, ...]
    causes: tuple[str, ...] = ()  # what differs from then: data, version, inputs
    notes: tuple[str, ...] = ()  # what is worth saying although it moves no figure
    error: str | None = None  # the recorded inputs cannot be priced now
    scenario: tuple[tuple[str, str], ...] = ()  # a compare row's

    @property
    def label(self) -> str:
        """The object as a reader finds it in the report: its name, a compare row's scenario."""
        if not self.scenario:
            return self.name
        return f"{self.name} [{', '.join(f'{k}={v}' for k, v in self.scenario)}]"

    def summary(self) -> str:
        held = sum(f.holds for f in self.figures)
        return f"{held:,} of {len(self.figures):,} figures hold"

    @property
    def holds(self) -> bool:
        return self.error is None and all(f.holds for f in self.figures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.index,
            "name": self.name,
            "file": self.file,
            "command": self.command,
            **({"scenario": dict(self.scenario)} if self.scenario else {}),
            "holds": self.holds,
            "error": self.error,
            "why": list(self.causes) if not self.holds else [],
            "notes": list(self.notes),
            "figures": [
                {"figure": f.name, "recorded": f.recorded, "now": f.now, "holds": f.holds}
                for f in self.figures
            ],
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    report: str
    items: tuple[Item, ...]
    skipped: tuple[str, ...] = field(default=())  # check outcomes without figures

    @property
    def holds(self) -> bool:
        return all(item.holds for item in self.items)

    def counts(self) -> tuple[int, int]:
        """(figures that hold, figures) over the whole report."""
        figures = [f for item in self.items for f in item.figures]
        return sum(f.holds for f in figures), len(figures)

    def summary(self) -> str:
        held, figures = self.counts()
        failed = [item for item in self.items if not item.holds]
        text = f"{held:,} of {figures:,} figures hold"
        if failed:
            text += f"; {len(failed):,} of {len(self.items):,} objects differ"
        return text

    def as_dict(self) -> dict[str, Any]:
        held, figures = self.counts()
        return {
            "report": self.report,
            "holds": self.holds,
            "figures": figures,
            "figures_hold": held,
            "skipped": list(self.skipped),
            "items": [item.as_dict() for item in self.items],
        }


# ----------------------------------------------------------------------------- reading


def _bad(where: str, message: str) -> InputError:
    return InputError(message, where=where)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def read(path: Path) -> Any:
    """The report's JSON; one InputError line (exit 2) for a file that is not JSON."""
    where = str(path)
    data = read_limited(path, MAX_REPORT_BYTES, "a greenai JSON report")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise _bad(where, "not UTF-8 text; expected a greenai JSON report") from None
    except (ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise _bad(where, f"not JSON ({reason}); expected a greenai JSON report") from None


def priced(report: Any, where: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The priced objects of a report, each with its position, and what was skipped (a check's
    invalid files). A report is a list of them, or one object cut out of one."""
    items = report if isinstance(report, list) else [report]
    found: list[tuple[int, dict[str, Any]]] = []
    skipped: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _bad(where, f"item {index} is not an object; not a greenai JSON report")
        if "provenance" not in item and "estimate" in item and "status" in item:  # check
            if item["estimate"] is None:
                skipped.append(f"item {index}: {_text(item.get('file'))} has no figures")
                continue
            item = item["estimate"]
            if not isinstance(item, dict):
                raise _bad(where, f"item {index}: estimate is not an object")
        if "provenance" not in item:
            raise _bad(
                where,
                f"item {index} has no provenance; not a greenai JSON report, or one written "
                "before greenai recorded its inputs (estimate, compare or check -f json)",
            )
        _check_provenance(item["provenance"], index, where)
        found.append((index, item))
    if not found and not skipped:
        raise _bad(where, "no priced objects; expected a greenai JSON report")
    return found, skipped


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _check_provenance(block: Any, index: int, where: str) -> None:
    """Refuse what this greenai cannot read, naming the key: a newer format, a missing field."""
    at = f"item {index}: provenance"
    if not isinstance(block, dict):
        raise _bad(where, f"{at} is not an object")
    version = block.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(where, f"{at}.format_version: expected a whole number >= 1, got {version!r}")
    if version > provenance.FORMAT_VERSION:
        from greenai import __version__

        raise _bad(
            where,
            f"{at}: written by a newer greenai (report format {version}; greenai {__version__} "
            f"reads format {provenance.FORMAT_VERSION} and older); verify it with that greenai",
        )
    if not isinstance(block.get("greenai"), str):
        raise _bad(where, f"{at}.greenai: expected the version that wrote it (text)")
    if block.get("command") not in COMMANDS:
        raise _bad(where, f"{at}.command: expected one of {', '.join(COMMANDS)}")
    data = block.get("data")
    tables = data.get("tables") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("sha256"), str)
        or not isinstance(tables, dict)
        or not all(isinstance(v, str) for v in tables.values())
    ):
        raise _bad(where, f"{at}.data: expected sha256 and tables {{name: sha256}}")
    options = block.get("options", {})
    if not isinstance(options, dict) or not all(
        isinstance(options.get(key), str | None) for key in ("per", "scale_hours_by")
    ):
        raise _bad(where, f"{at}.options: expected {{per, scale_hours_by}} as text or null")
    inputs = block.get("inputs")
    if inputs is None:
        return
    if not isinstance(inputs, dict) or not isinstance(inputs.get("path"), str):
        raise _bad(where, f"{at}.inputs: expected an object with path, sha256, set, experiment")
    if not isinstance(inputs.get("sha256"), str | None):
        raise _bad(where, f"{at}.inputs.sha256: expected text")
    if not isinstance(inputs.get("set", []), list) or not all(
        isinstance(s, str) for s in inputs.get("set", [])
    ):
        raise _bad(where, f"{at}.inputs.set: expected a list of KEY=VALUE texts")
    if not isinstance(inputs.get("experiment"), dict | None):
        raise _bad(where, f"{at}.inputs.experiment: expected an object")
    if block["command"] == "compare":
        scenario = inputs.get("scenario", {})
        if not isinstance(scenario, dict) or not all(isinstance(v, str) for v in scenario.values()):
            raise _bad(where, f"{at}.inputs.scenario: expected {{key: value}} texts")


def _recipe(block: Mapping[str, Any]) -> dict[str, Any] | None:
    """What to price again: the recorded inputs with the options that change figures (--per,
    --scale-hours-by); None where the report records no experiment."""
    inputs = block.get("inputs")
    if not inputs or inputs.get("experiment") is None:
        return None
    options = block.get("options", {})
    return {**inputs, "per": options.get("per"), "scale_hours_by": options.get("scale_hours_by")}


# ----------------------------------------------------------------------------- verifying


def verify(path: Path) -> Verdict:
    """Every priced object of the report at `path`, priced again from its recorded inputs."""
    from greenai import tables

    where = str(path)
    found, skipped = priced(read(path), where)
    data = tables.load()
    grids = _Grids(found)
    items = tuple(_item(index, item, data, grids) for index, item in found)
    return Verdict(where, items, tuple(skipped))


def _item(index: int, item: dict[str, Any], data: Any, grids: _Grids) -> Item:
    block = item["provenance"]
    command = block["command"]
    inputs = block.get("inputs")
    recipe = _recipe(block)
    name = _text(item.get("name", ""))
    file = inputs["path"] if inputs else _text(item.get("file", ""))
    causes, notes = _differences(block, data)
    error = None
    now: dict[str, Any] = {}
    if recipe is None:
        error = "the report records no inputs to price again"
    else:
        try:
            now = _recompute(command, recipe, data, grids)
        except GreenAIError as failure:
            error = f"the recorded inputs cannot be priced now: {failure}"
    figures = tuple(_compare(item, now, error is None))
    scenario = tuple((inputs or {}).get("scenario", {}).items()) if command == "compare" else ()
    found = Item(index, name, file, command, figures, error=error, scenario=scenario)
    if found.holds:
        return replace(found, notes=(*causes, *notes))
    if not causes and error is None:
        causes = [
            "same greenai, data and inputs: the figure in the report was edited, or depends on "
            "something the report does not record (the platform)"
        ]
    return replace(found, causes=tuple(causes), notes=tuple(notes))


def _document(inputs: Mapping[str, Any]) -> Any:
    from greenai import experiment as reader

    try:
        return reader.recorded(inputs["experiment"], inputs.get("set", []))
    except InputError as error:
        raise error.located(f"{inputs['path']} (--set)", None, error.key) from None


def _recompute(command: str, inputs: Mapping[str, Any], data: Any, grids: _Grids) -> dict[str, Any]:
    """The object the command would write now for the recorded inputs (without provenance)."""
    if command == "compare":
        return grids.row(inputs, data)
    from greenai import experiment as reader
    from greenai.estimate import estimate

    loaded = reader.validate(_document(inputs), inputs["path"], data)
    found = estimate(loaded, data)
    if inputs.get("per") is not None:
        from greenai import functional

        found = functional.attach(loaded, found, inputs["per"])
    return found.as_dict()


def _grid(inputs: Mapping[str, Any]) -> str:
    """What compare rows share when they come from one grid: the file as read, the options and
    the keys varied."""
    return provenance.canonical(
        [
            inputs["path"],
            inputs.get("experiment"),
            inputs.get("set", []),
            inputs.get("scale_hours_by"),
            list(inputs.get("scenario", {})),
        ]
    )


class _Grids:
    """Compare rows priced again a grid at a time: the rows of one grid in the report become one
    `compare` over the values their scenarios hold (so 10,000 rows are one grid, not 10,000),
    and a row is looked up by its scenario. A row's figures depend on its scenario alone, not
    on the other rows of its grid. Should that grid fail (a value no longer valid), each row
    is priced alone, so that the error is that row's."""

    def __init__(self, found: Sequence[tuple[int, dict[str, Any]]]) -> None:
        self._values: dict[str, dict[str, list[str]]] = {}
        self._priced: dict[str, dict[str, dict[str, Any]] | None] = {}
        for _, item in found:
            block = item["provenance"]
            inputs = _recipe(block)
            if block["command"] != "compare" or inputs is None:
                continue
            scenario = inputs.get("scenario", {})
            values = self._values.setdefault(_grid(inputs), {key: [] for key in scenario})
            for key, value in scenario.items():
                if value not in values[key]:
                    values[key].append(value)

    def row(self, inputs: Mapping[str, Any], data: Any) -> dict[str, Any]:
        group = _grid(inputs)
        if group not in self._priced:
            try:
                self._priced[group] = self._price(inputs, self._values.get(group, {}), data)
            except GreenAIError:
                self._priced[group] = None
        rows = self._priced[group]
        scenario = provenance.canonical(inputs.get("scenario", {}))
        if rows is not None and scenario in rows:
            return rows[scenario]
        alone = {key: [value] for key, value in inputs.get("scenario", {}).items()}
        return self._price(inputs, alone, data)[scenario]

    @staticmethod
    def _price(
        inputs: Mapping[str, Any], values: Mapping[str, list[str]], data: Any
    ) -> dict[str, dict[str, Any]]:
        """Each row's object (scenario as canonical JSON -> object without provenance)."""
        from greenai import compare as grid

        where = inputs["path"]
        variations = [
            grid.parse_variation(f"{key}={','.join(labels)}", data)
            for key, labels in values.items()
        ]
        comparison = grid.compare(
            [where],
            variations,
            data,
            scale_hours_by=inputs.get("scale_hours_by") or "auto",
            documents={where: _document(inputs)},
        )
        shown = grid.ordered(comparison, grid.SortBy.none, None)
        rows = {}
        for row, estimate in zip(shown.itertuples(), comparison.estimates(shown), strict=True):
            found = estimate.as_dict()
            found["hours_from"] = row.hours_from
            rows[provenance.canonical(comparison.scenario(row))] = found
        return rows


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, number or None) for every figure of an object; lists by position."""
    if isinstance(value, dict):
        for key, child in value.items():
            if path == "" and key in NOT_FIGURES:
                continue
            yield from _leaves(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _leaves(child, f"{path}[{i}]")
    elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        yield path, value


def _at(value: Any, path: str) -> Any:
    """The value at a path of `_leaves` (a missing step: None)."""
    for step in path.replace("[", ".[").split("."):
        if step.startswith("["):
            i = int(step[1:-1])
            value = value[i] if isinstance(value, list) and i < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value


def _same(recorded: Any, now: Any) -> bool:
    if recorded is None or now is None:
        return recorded is None and now is None
    if not isinstance(now, int | float) or isinstance(now, bool):
        return False
    if not (math.isfinite(recorded) and math.isfinite(now)):
        return recorded == now
    return math.isclose(recorded, now, rel_tol=TOLERANCE, abs_tol=0.0)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def _compare(recorded: dict[str, Any], now: dict[str, Any], computed: bool) -> Iterator[Figure]:
    for path, value in _leaves(recorded):
        if value is None and path not in MAIN:
            continue  # an unknown nested figure (a per-run cloud cost of an unpriced file)
        current = _at(now, path) if computed else None
        holds = computed and _same(value, current)
        yield Figure(path, value, _number(current), holds, path in MAIN)


def _differences(block: Mapping[str, Any], data: Any) -> tuple[list[str], list[str]]:
    """(what differs since the report that can move a figure, what else is worth saying)."""
    from greenai import __version__

    causes: list[str] = []
    notes: list[str] = []
    then = block["data"]
    now = provenance.data_digests()
    if then["sha256"] != now["sha256"] or then["tables"] != now["tables"]:
        old, new = then["tables"], now["tables"]
        changed = sorted(n for n in old.keys() & new.keys() if old[n] != new[n])
        gone = sorted(old.keys() - new.keys())
        added = sorted(new.keys() - old.keys())
        parts = [f"{', '.join(changed)} changed"] if changed else []
        parts += [f"{', '.join(gone)} removed"] if gone else []
        parts += [f"{', '.join(added)} added"] if added else []
        if not parts:
            parts = ["the recorded digest of all tables does not match its tables"]
        causes.append("data changed: " + "; ".join(parts))
    if block["greenai"] != __version__:
        wrote = block["greenai"]
        causes.append(f"greenai changed: {wrote} wrote the report; this is {__version__}")
    inputs = block.get("inputs")
    if inputs is not None:
        edited, note = _inputs_on_disk(inputs)
        causes += edited
        notes += note
    return causes, notes


def _inputs_on_disk(inputs: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The recorded file now: gone, changed (said, not used) or the same (then the recorded
    experiment must be that file with the recorded --set, or the report's inputs were edited)."""
    from greenai import experiment as reader

    where = inputs["path"]
    if "\0" in where:  # no file has such a name (os.open would raise ValueError)
        return [], [f"{where!r} is not a file name; the recorded inputs were used"]
    try:
        data = read_limited(Path(where), reader.MAX_FILE_BYTES, "an experiment file")
    except InputError as error:
        return [], [f"{where} cannot be read now ({error.message}); the recorded inputs were used"]
    if inputs.get("sha256") != provenance.digest(data):
        return [], [f"{where} changed on disk since the report; the recorded inputs were used"]
    try:
        document = reader.read_overridden(Path(where), inputs.get("set", []))
    except InputError:
        return ["inputs changed: the recorded --set no longer applies to the file it names"], []
    if provenance.canonical(provenance.plain(document)) != provenance.canonical(
        inputs.get("experiment")
    ):
        return [
            f"inputs changed: the recorded experiment is not {where} with the recorded --set "
            "(the report's inputs were edited)"
        ], []
    return [], []


def exit_status(verdict: Verdict) -> int:
    """0: every figure holds; 1: one differs or cannot be priced (2, a bad report, is raised)."""
    from greenai.status import ExitStatus

    return int(ExitStatus.OK if verdict.holds else ExitStatus.OVER_BUDGET)


def rows(verdict: Verdict) -> Sequence[tuple[Item, Figure]]:
    """What a table lists: each object's energy and CO2e, and every figure that differs."""
    return [(i, f) for i in verdict.items for f in i.figures if f.name in SHOWN or not f.holds]
