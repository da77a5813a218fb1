"""The experiment file: YAML in, a validated `Experiment` out.

Validation is strict because a number quoted in a paper must not come from a typo: unknown keys,
duplicate keys, values of the wrong dimension and impossible values are errors that name the
file, the line and the key. Names of devices and regions are resolved against the data tables
here, so that "did you mean ...?" can point at the line that holds the name.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from greenai import budget, currency, durations, units
from greenai.budget import Budget
from greenai.errors import InputError
from greenai.files import read_limited
from greenai.notice import Notice
from greenai.provenance import Inputs
from greenai.pyyaml import yaml
from greenai.tables import (
    BASES,
    SLICE_NAME,
    Device,
    Region,
    Tables,
    instance,
    instance_names,
    normalize,
    sites,
)

MAX_WHOLE = 10**9  # runs or devices in one group: far above any real experiment, far below inf
MAX_FILE_BYTES = 256_000  # an experiment file is a few hundred bytes; refuse what is not one

TOP_KEYS = (
    "name",
    "hardware",
    "memory",
    "power",
    "embodied",
    "hours",
    "duration",
    "energy",
    "device_hours",
    "runs",
    "region",
    "site",
    "pue",
    "wue",
    "carbon_intensity",
    "electricity_price",
    "basis",
    "cloud",
    "fpo",
    "budget",
    "stages",
)
# A stage is a whole experiment body; name and budget of the file stay with the file.
STAGE_KEYS = tuple(k for k in TOP_KEYS if k not in ("budget", "stages"))
# Inherited top-level keys that a stage's own key replaces as one slot (hours and duration are
# two spellings of the same figure).
_SAME_SLOT = {"hours": ("duration",), "duration": ("hours",)}
DEVICE_KEYS = ("device", "count", "power", "utilization")
CLOUD_KEYS = ("provider", "instance", "price", "as_of")
EMBODIED_KEYS = ("lifetime", "use_share", "host")
BUDGET_KEYS = ("co2e", "cost", "energy", "co2e_total")
FPO_KEYS = ("per_example", "examples", "parameters", "tokens", "total", "mode", "precision", "mfu")
FPO_MODES = {"training": 6.0, "inference": 2.0}  # FPO per parameter per token (Kaplan et al.)
# The dense peak columns of data/hardware.csv, in the order a default precision is chosen.
PRECISIONS = ("bf16", "fp16", "tf32", "fp32", "fp8")

# Upper ends of what real experiments have, for warnings (a value above is possible, but more
# often a typo or a wrong unit): (limit, unit, why).
USUAL = {
    "power": (
        2_000.0,
        "W per device",
        "the highest accelerator TDP in data/hardware.csv is 1,400 W",
    ),
    "count": (100_000.0, "devices", "100,000 accelerators in one job"),
    "hours": (300_000.0, "hours", "the longest in Strubell et al.'s Table 3 is 274,120 h"),
    "duration": (300_000.0, "hours", "the longest in Strubell et al.'s Table 3 is 274,120 h"),
    "energy": (
        100_000_000.0,
        "kWh",
        "Llama 3.1's 39.3M H100-hours at 700 W are about 27.5 GWh",
    ),
    "device_hours": (
        100_000_000.0,
        "device-hours",
        "Llama 3.1 used 39.3M H100-hours (Meta's model card)",
    ),
    "runs": (10_000.0, "runs", "a large hyperparameter search"),
    "pue": (3.0, "", "the Uptime Institute's 2018 global average is 1.58"),
    "carbon_intensity": (1_500.0, "g/kWh", "the highest grid in data/regions.csv is 1,306 g/kWh"),
    "electricity_price": (1.0, "USD/kWh", "the highest in data/regions.csv is 0.41 USD/kWh"),
    "memory": (100_000.0, "GB", "100 TB of host memory"),
    "price": (200.0, "USD per device-hour", "the highest in data/prices.csv is 13.45 USD/h"),
}

# Lower ends, for warnings about a value far below anything real (most often a unit slip):
# (limit, unit, why).
USUAL_LOW = {
    "carbon_intensity": (
        1.0,
        "g/kWh",
        "the lowest annual grid average in greenai's sources is Quebec's direct-combustion "
        "intensity, 1.2 g/kWh (ECCC, National Inventory Report 2022, Annex 13, 2016-2019)",
    ),
}
# A GPU's idle draw as a share of its TDP, for the low-side check of a measured power. The Teads
# "AWS EC2 Carbon Footprint Dataset" gives GPUWatt @ Idle / GPUWatt @ 100% = 34.8 / 305.6 (V100,
# K80, M60), 8.1 / 71.3 (T4), 371.6 / 3259.3 (8 x A100): 0.114 (cloud-carbon-coefficients
# aws-instances.csv @dda7621, 2023); for an H100 SXM (700 W) that is ~80 W.
GPU_IDLE_FRACTION = 0.114
GPU_IDLE_SOURCE = "Teads AWS EC2 dataset: GPU idle = 11.4 % of full load"
# Kinds of place (`site:`): the keys of data/sites.csv, "cloud" (the provider's own PUE), and
# other names people use for them.
SITE_ALIASES = {
    "cloud": "cloud",
    "datacentre": "datacenter",
    "dc": "datacenter",
    "colocation": "datacenter",
    "serverroom": "server-room",
    "servercloset": "server-room",
    "onpremises": "server-room",
    "onprem": "server-room",
    "workstation": "desktop",
    "pc": "desktop",
    "personalcomputer": "desktop",
    "notebook": "laptop",
}

_HARDWARE_TEXT = re.compile(r"^\s*(\d+)\s*[x×*]\s*(.+?)\s*$", re.IGNORECASE)
_COUNT_LAST = re.compile(r"^\s*(.+?)\s*[x×*]\s*(\d+)\s*$", re.IGNORECASE)  # "H100 x 8"
_COUNT_TEXT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([kKMBGT]?)\s*$")
_COUNT_SUFFIX = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class DeviceGroup:
    """`count` identical devices; power and utilization as measured or given, else None."""

    device: Device
    count: int
    power_w: float | None = None
    utilization: float | None = None


@dataclass(frozen=True, slots=True)
class Cloud:
    provider: str | None
    price_usd_per_device_hour: tuple[float, float] | None = None
    as_of: date | None = None
    inferred: bool = False  # provider taken from a `provider:region` region key
    instance: str | None = None  # an instance type of data/instances.csv (its host is priced)


@dataclass(frozen=True, slots=True)
class EmbodiedSettings:
    """`embodied:` of a file: how a device's manufacturing footprint is spread over its hours.
    None: greenai.embodied's sourced default (5 years, range 3..6; use share 0.85)."""

    lifetime_years: float | None = None
    use_share: float | None = None
    host: bool = False  # add the device's share of its server (where data/embodied.csv has one)


@dataclass(frozen=True, slots=True)
class Fpo:
    """Work per run, in one of the forms of DESIGN.md; `per_run()` gives the FLOP count."""

    per_example: float | None = None
    examples: float | None = None
    parameters: float | None = None
    tokens: float | None = None
    total: float | None = None
    mode: str = "training"
    precision: str | None = None  # the peak FLOP/s column that turns FPO into hours
    mfu: float | None = None  # model FLOP utilisation: achieved / peak


@dataclass(frozen=True, slots=True)
class Experiment:
    name: str
    file: str
    hardware: tuple[DeviceGroup, ...]
    hours: float | None  # None: derived from the FPO (greenai.estimate.resolve_schedule)
    runs: int = 1
    region: Region | None = None
    site: str | None = None  # a key of data/sites.csv, or "cloud"
    memory_gb: float | None = None
    power_w: float | None = None
    pue: float | None = None
    carbon_intensity_g_per_kwh: float | None = None
    electricity_price_usd_per_kwh: float | None = None
    cloud: Cloud | None = None
    fpo: Fpo | None = None
    budgets: tuple[Budget, ...] = ()
    warnings: tuple[Notice, ...] = ()  # values far outside the usual range, file and line
    # IT energy per run before PUE, as published (replaces hours x power)
    energy_kwh: float | None = None
    # device-hours per run, as published (replaces count x hours; one device group)
    device_hours: float | None = None
    count_given: bool = True  # False: `hardware` named a device without a count
    # A staged file: each stage a complete Experiment; the file is their sum. The file itself
    # then has no hardware of its own (hardware == ()).
    stages: tuple[Experiment, ...] = ()
    basis: str | None = None  # intensity basis (greenai.tables.BASES); None: the default
    # money the file gave in another currency: (key, how it was converted, rate source)
    conversions: tuple[tuple[str, str, str], ...] = ()
    # on-site water per kWh of IT energy (L/kWh), as given; None: the region's published figure
    wue_l_per_kwh: float | None = None
    embodied: EmbodiedSettings | None = None  # None: greenai.embodied's defaults
    inputs: Inputs | None = None  # the file as read (`load`), for a report's provenance

    def label(self) -> str:
        """The hardware as Strubell et al. wrote it ("V100x64"), groups joined with " + "."""
        if self.stages:
            return " + ".join(dict.fromkeys(stage.label() for stage in self.stages))
        parts = []
        for group in self.hardware:
            short = re.sub(r"^(NVIDIA|AMD|Google|Intel)\s+", "", group.device.name)
            if not self.count_given and (self.energy_kwh or self.device_hours):
                parts.append(short)  # a published total: the count is not known, not 1
                continue
            parts.append(f"{short}{' ' if ' ' in short else ''}x{group.count}")
        return " + ".join(parts)


# ----------------------------------------------------------------------------- YAML with lines


class _Map(dict):
    """A mapping that remembers the line of each key (0: set on the command line)."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}
        self.raw: bytes | None = None  # the file's bytes, on the top-level mapping (provenance)


class _List(list):
    def __init__(self, items: Sequence[Any] = (), line: int = 0, lines: Sequence[int] = ()) -> None:
        super().__init__(items)
        self.line = line
        self.lines = list(lines)


# libyaml's parser when PyYAML has it (its wheels do): about 10x faster on large input.
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc,valid-type]
    """SafeLoader that records line numbers, refuses duplicate keys (PyYAML keeps the last) and
    reads plain scalars the way a person means them (see `_SCHEMA`)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}


# Which plain (unquoted) scalars are not text: YAML 1.2's core schema, not PyYAML's YAML 1.1.
# YAML 1.1 read `hours: 1:30` as the base-60 integer 90, `runs: 010` as octal 8, `region: NO`
# (Norway) as false and `name: 2019-02-30` as a date that does not exist. Under these rules
# numbers are decimal whatever their leading zeros (012 is twelve, as YAML 1.2 reads it; 0x, 0o
# and 0b forms are text), only true/false are booleans, and dates and clock times stay text, for
# the key that expects them to read (`cloud.as_of` reads its date, `hours` its clock time).
_SCHEMA = (
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", "~nN"),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+(?:_[0-9]+)*", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"<<", "<"),
)
for _tag, _pattern, _first in _SCHEMA:
    _Loader.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), list(_first) or [None])
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile("^$"), [""])

MAX_INT_DIGITS = 30  # 10^30 is beyond any count, FLOP total or price greenai needs


def _scalar_error(node: yaml.Node, message: str) -> InputError:
    return InputError(message, line=node.start_mark.line + 1)


def _construct_int(loader: _Loader, node: yaml.Node) -> int:
    text = _scalar_text(loader, node, "int").replace("_", "")
    digits = text.lstrip("+-")
    if not digits.isdigit() or not digits.isascii() or text.count("-") + text.count("+") > 1:
        raise _scalar_error(node, f"!!int {text!r} is not a whole number")
    if len(digits) > MAX_INT_DIGITS:
        raise _scalar_error(
            node, f"a number of {len(digits):,} digits; greenai reads up to {MAX_INT_DIGITS}"
        )
    return int(text)


def _construct_float(loader: _Loader, node: yaml.Node) -> float:
    text = _scalar_text(loader, node, "float").replace("_", "")
    special = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
    if text.lower() in special:
        return special[text.lower()]
    try:
        if not text.isascii() or len(text) > 1_000:
            raise ValueError
        return float(text)
    except ValueError:
        raise _scalar_error(node, f"!!float {text!r} is not a number") from None


def _construct_bool(loader: _Loader, node: yaml.Node) -> bool:
    text = _scalar_text(loader, node, "bool")
    if text.lower() not in ("true", "false"):
        raise _scalar_error(node, f"!!bool {text!r} is not true or false")
    return text.lower() == "true"


def _construct_timestamp(loader: _Loader, node: yaml.Node) -> str:
    """A date stays text (as written) for the key that reads it; an impossible one is refused."""
    text = _scalar_text(loader, node, "timestamp")
    try:
        yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except Exception:  # PyYAML raises AttributeError or ValueError for a bad timestamp
        raise _scalar_error(node, f"!!timestamp {text!r} is not a date (YYYY-MM-DD)") from None
    return text


def _refuse_binary(loader: _Loader, node: yaml.Node) -> None:
    raise _scalar_error(node, "!!binary: no key of an experiment file takes binary data")


def _refuse_merge(loader: _Loader, node: yaml.Node) -> None:
    raise _scalar_error(node, "YAML merge keys (<<) are not read; write the keys out")


def _scalar_text(loader: _Loader, node: yaml.Node, tag: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _scalar_error(node, f"!!{tag} expects a single value, got a {node.id}")
    return str(loader.construct_scalar(node)).strip()


_CONSTRUCTORS = {
    "int": _construct_int,
    "float": _construct_float,
    "bool": _construct_bool,
    "timestamp": _construct_timestamp,
    "binary": _refuse_binary,
    "merge": _refuse_merge,
}
for _tag, _constructor in _CONSTRUCTORS.items():
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _constructor)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    if not isinstance(node, yaml.MappingNode):
        raise _scalar_error(node, f"!!map expects a mapping, got a {node.id}")
    mapping = _Map(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise InputError(f"keys must be names, got {key!r}", line=line)
        if key in mapping:
            raise InputError(
                f"duplicate key (first given on line {mapping.lines[key]})", line=line, key=key
            )
        try:
            mapping[key] = loader.construct_object(value_node, deep=True)
        except InputError as error:
            raise _inside(error, key, line) from None
        mapping.lines[key] = line
    return mapping


def _inside(error: InputError, step: str, line: int) -> InputError:
    """The error of a nested value, with the key path from this level down ("fpo.total")."""
    error.key = f"{step}.{error.key}" if error.key else step
    error.line = error.line if error.line is not None else line
    return error


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _List:
    if not isinstance(node, yaml.SequenceNode):
        raise _scalar_error(node, f"!!seq expects a list, got a {node.id}")
    items = []
    for index, child in enumerate(node.value):
        try:
            items.append(loader.construct_object(child, deep=True))
        except InputError as error:
            raise _inside(error, str(index), child.start_mark.line + 1) from None
    return _List(items, node.start_mark.line + 1, [c.start_mark.line + 1 for c in node.value])


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


MAX_DEPTH = 32  # an experiment file nests 3 deep; 1,000-level nesting would exhaust recursion
MAX_NODES = 100_000  # nodes after expanding aliases: refuses "billion laughs" before building


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} levels deep; an experiment file is a few levels of keys"


def _guard(text: str, where: str) -> None:
    """Refuse deep nesting and alias bombs from the event stream, before anything is built.

    PyYAML's parser is iterative, its composer recursive; and a few hundred bytes of nested
    aliases can stand for billions of nodes. Counting each anchor's expanded size as the events
    go by bounds both time and memory.
    """
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, expanded nodes so far] per open collection
    total = 0
    try:
        events = list(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        # libyaml (PyYAML 6.0.4 and later) stops deep nesting itself, with its own words
        if "nesting depth" not in str(error.problem):
            raise
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise InputError(_too_deep(), where=where, line=line) from None
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_DEPTH + 1:
                line = event.start_mark.line + 1
                raise InputError(_too_deep(), where=where, line=line)
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            anchor, count = None, sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, count = event.anchor, 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = count
        stack[-1][1] += count
        total += count if isinstance(event, yaml.AliasEvent) else 0
        if stack[-1][1] > MAX_NODES or total > MAX_NODES:
            raise InputError(
                f"aliases expand to more than {MAX_NODES:,} values; refusing a YAML alias bomb",
                where=where,
                line=event.start_mark.line + 1,
            )


def read_yaml(path: Path) -> _Map:
    """The file's top-level mapping, with line numbers; InputError for anything else."""
    return parse_yaml(read_limited(path, MAX_FILE_BYTES, "an experiment file"), str(path))


def parse_yaml(data: bytes, where: str) -> _Map:
    """The top-level mapping of a file's bytes read elsewhere (a blob of a git commit, for
    `greenai check --base`), under the same limits as a file on disk; `where` names it."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"file is {len(data):,} bytes; an experiment file is expected to be under "
            f"{MAX_FILE_BYTES:,}",
            where=where,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", where=where, line=line) from None
    try:
        _guard(text, where)
        document = yaml.load(text, Loader=_Loader)
    except InputError as error:
        raise error.located(where, error.line, error.key) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", where=where, line=line) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise InputError(f"invalid YAML: {type(error).__name__}", where=where) from None
    if document is None:
        raise InputError(
            "empty file; expected a mapping with at least hardware, hours and region", where=where
        )
    if not isinstance(document, _Map):
        raise InputError(
            f"expected a mapping of keys (hardware:, hours:, region: ...), got a {_kind(document)}",
            where=where,
            line=1,
        )
    document.raw = data
    return document


# Words people write for a key, by meaning: "location" is region, not "duration" (its nearest
# spelling). Each word maps to the keys it may mean, tried in order at the level where it was
# written; "cloud.price" means the key price under cloud:, for a word written one level up.
_MEANINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "location loc zone country country_code datacenter data_center dc grid area place "
        "cloud_region",
        ("region",),
    ),
    (
        "gpu gpus accelerator accelerators device devices hw chip chips tpu tpus cpu cpus "
        "machine machines gpu_type device_type model type",
        ("hardware", "device"),
    ),
    (
        "num_gpus n_gpus ngpus gpu_count num_devices n_devices device_count number quantity "
        "num n nodes",
        ("hardware", "count"),
    ),
    (
        "time walltime wall_time wallclock wall_clock training_time train_time runtime run_time "
        "elapsed hour hrs days length training_hours train_hours",
        ("hours", "duration"),
    ),
    ("repeats repeat repetitions trials seeds num_runs n_runs run num_trials restarts", ("runs",)),
    (
        "co2 carbon co2e co2_intensity intensity emission_factor emissions_factor grid_intensity "
        "carbon_factor ci emissions",
        ("carbon_intensity", "co2e", "budget.co2e"),
    ),
    (
        "price electricity_cost energy_price power_price tariff electricity kwh_price "
        "price_per_kwh",
        ("electricity_price", "price", "cloud.price"),
    ),
    (
        "cost rate hourly_price price_per_hour hourly_rate usd_per_hour money usd dollars spend",
        ("price", "cost", "cloud.price", "budget.cost"),
    ),
    ("vendor cloud_provider csp platform", ("provider", "cloud.provider")),
    ("provider", ("cloud.provider",)),
    ("date asof as_of_date price_date prices_as_of when", ("as_of", "cloud.as_of")),
    ("watts wattage power_draw draw tdp avg_power average_power power_w", ("power",)),
    (
        "util utilisation usage load gpu_util gpu_utilization tdp_fraction",
        ("utilization", "mfu", "hardware.utilization"),
    ),
    ("ram dram mem host_memory memory_gb ram_gb", ("memory",)),
    ("efficiency datacenter_pue data_center_pue power_usage_effectiveness", ("pue",)),
    ("flops flop flops_total total_flops total_flop compute work", ("fpo", "total")),
    (
        "params n_params num_params parameter_count model_size size weights",
        ("parameters", "fpo.parameters"),
    ),
    ("num_tokens n_tokens token_count training_tokens dataset_tokens", ("tokens", "fpo.tokens")),
    (
        "samples num_examples n_examples num_samples n_samples dataset_size dataset",
        ("examples", "fpo.examples"),
    ),
    (
        "flops_per_example flop_per_example per_sample flops_per_sample",
        ("per_example", "fpo.per_example"),
    ),
    ("dtype datatype numeric_precision", ("precision", "fpo.precision")),
    ("model_flops_utilization model_flop_utilisation", ("mfu", "fpo.mfu")),
    ("kwh energy_kwh mwh", ("energy", "budget.energy")),
    ("title label experiment experiment_name id", ("name",)),
    ("limits limit budgets max", ("budget",)),
)
_MEANING = {word: keys for words, keys in _MEANINGS for word in words.split()}


def suggest_key(key: str, allowed: Sequence[str]) -> list[str]:
    """What an unknown key probably meant, as quoted names ("'region'", "'price' under
    cloud:"): the same key in another case or spelling, then its meaning, then its spelling."""
    normal = re.sub(r"[\s.-]+", "_", key.strip().lower())
    if normal in allowed:
        return [repr(normal)]
    found = []
    for meant in _MEANING.get(normal, ()):
        parent, _, child = meant.rpartition(".")
        if not parent and meant in allowed:
            found.append(repr(meant))
        elif parent and parent in allowed:
            found.append(f"{child!r} under {parent}:")
    if found:
        return found[:2]
    return [repr(k) for k in difflib.get_close_matches(normal, allowed, n=1, cutoff=0.6)]


def _value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text):,} characters)"


def _hint(value: Any) -> str:
    """Why a value that is not a number might have been meant as one."""
    if isinstance(value, str) and durations.is_clock(value):
        return "; a clock time (H:MM) is read only where a duration is expected"
    return ""


def _figure(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    return type(value).__name__


# ----------------------------------------------------------------------------- --set


MAX_SET_CHARS = 4_000  # one --set value: a name, a number, a short list; not a whole file


def parse_override(text: str) -> tuple[list[str], Any]:
    """KEY=VALUE from the command line; VALUE is read as YAML ("[0.74, 2.48]", "8", "aws").

    The value gets what a file gets: a size limit, the alias-bomb and nesting guard, and the
    loader's rules for plain scalars. Text that is not valid YAML is taken as a string.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"--set expects KEY=VALUE (e.g. region=fr), got {_short(text)}")
    if len(text) > MAX_SET_CHARS:
        raise InputError(
            f"--set value of {len(text):,} characters; at most {MAX_SET_CHARS:,} are read",
            key=key[:60],
        )
    try:
        _guard(value, "")
        parsed = yaml.load(value, Loader=_Loader) if value.strip() else None
    except InputError as error:
        error.line = None  # the line of the value on the command line: always 1
        raise error.located("", None, key) from None
    except (yaml.YAMLError, RecursionError):
        parsed = value
    return key.split("."), parsed


def _short(text: str) -> str:
    return repr(text) if len(text) <= 80 else f"{text[:60]!r}... ({len(text):,} characters)"


def apply_override(document: _Map, path: list[str], value: Any) -> None:
    """Set a dotted key in the raw document, as if the file had said it (line 0 = --set)."""
    if path[0] == "hardware" and len(path) > 1:
        groups = _hardware_as_list(document.get("hardware"))
        index = 0
        rest = path[1:]
        if rest[0].isdigit():
            index, rest = int(rest[0]), rest[1:]
        elif len(groups) > 1:
            raise InputError(
                f"hardware has {len(groups)} device groups; name one, e.g. hardware.0.{rest[0]}",
                key=".".join(path),
            )
        if index >= len(groups) or not rest:
            raise InputError(f"no hardware group {index}", key=".".join(path))
        groups[index][rest[0]] = value
        groups[index].lines[rest[0]] = 0
        document["hardware"] = groups
        document.lines["hardware"] = document.lines.get("hardware", 0)
        return
    if path[0] in ("hours", "duration"):  # one replaces the other
        other = "duration" if path[0] == "hours" else "hours"
        document.pop(other, None)
    target = document
    for part in path[:-1]:
        child = target.get(part)
        if not isinstance(child, _Map):
            child = _Map(0)
            if part == "cloud" and isinstance(target.get(part), str):
                child["provider"] = target[part]
                child.lines["provider"] = 0
            target[part] = child
            target.lines[part] = target.lines.get(part, 0)
        target = child
    target[path[-1]] = value
    target.lines[path[-1]] = 0


def mapping(values: Mapping[str, Any]) -> _Map:
    """A document mapping built in code (as if set on the command line: line 0)."""
    result = _Map(0)
    for key, value in values.items():
        result[key] = value
        result.lines[key] = 0
    return result


def sequence(items: Sequence[Any]) -> _List:
    return _List(items, 0, [0] * len(items))


def recorded(value: Any, overrides: Sequence[str] = ()) -> Any:
    """A document as a report recorded it (plain JSON, after its --set), made readable again:
    mappings and lists without line numbers, so that its keys read as the file's own (compare
    treats a --set figure otherwise) and errors name no line, then the recorded --set applied
    again (the same values, now marked as set on the command line)."""

    def rebuilt(item: Any) -> Any:
        if isinstance(item, Mapping):
            found = _Map(0)
            found.update((str(k), rebuilt(v)) for k, v in item.items())
            return found
        if isinstance(item, list):
            return _List([rebuilt(v) for v in item])
        return item

    document = rebuilt(value)
    for text in overrides:
        apply_override(document, *parse_override(text))
    return document


def is_hardware_text(text: str) -> bool:
    """Whether `text` is the "N x DEVICE" form of `hardware`, or a TPU slice ("v5p-64"), which
    says its own size."""
    return _HARDWARE_TEXT.match(text) is not None or SLICE_NAME.match(text) is not None


def hardware_groups(raw: Any) -> _List:
    """Any form of `hardware` as a list of mappings (see `_hardware_as_list`)."""
    return _hardware_as_list(raw)


def _hardware_as_list(raw: Any) -> _List:
    """Any form of `hardware` as a list of mappings, so one group's field can be overridden."""
    if isinstance(raw, _List):
        items = raw
    elif raw is None:
        items = _List([_Map(0)])
    else:
        items = _List([raw])
    groups = _List()
    for item in items:
        if isinstance(item, str) and (match := _HARDWARE_TEXT.match(item)):
            group = _Map(0)
            group.update(device=match.group(2), count=int(match.group(1)))
            group.lines.update(device=0, count=0)
            item = group
        elif isinstance(item, str):
            group = _Map(0)
            group["device"] = item
            group.lines["device"] = 0
            item = group
        groups.append(item)
    return groups


# ----------------------------------------------------------------------------- validation


class _Check:
    """Validation of one document, with the file name for every error."""

    def __init__(self, where: str, tables: Tables, scopes: dict[str, str] | None = None) -> None:
        self.where = where
        self.tables = tables
        self.warnings: list[Notice] = []
        # top-level key -> the path it came from in a staged file ("stages.1"); a key that is
        # not listed was inherited from the top level (or the file has no stages)
        self.scopes = scopes or {}
        self.scope = ""  # the stage being validated, for keys that are missing

    def usual(
        self,
        mapping: Any,
        key: str,
        value: float,
        path: str = "",
        *,
        limit: str = "",
        said: str = "",
    ) -> None:
        """Note a value that is possible but far outside what real experiments have.

        `limit` names the USUAL entry when it is not `key`; `said` is how the file gave it, when
        the value compared is derived from it (a machine's power per device)."""
        high, unit, why = USUAL[limit or key]
        if value > high:
            unit = f" {unit}" if unit else ""
            shown = _figure(value) + unit
            shown = f"{said} ({shown})" if said else shown
            self.note(
                f"{shown} is far above the usual range (up to {high:,g}{unit}: {why}); check it",
                mapping,
                key,
                path,
            )

    def low(self, mapping: Any, key: str, value: float, hint: str, path: str = "") -> None:
        """Note a value far below anything real, with the reading the file likely meant."""
        limit, unit, why = USUAL_LOW[key]
        if 0 < value < limit:
            self.note(
                f"{_figure(value)} {unit} is below the usual range (from {limit:g} {unit}: "
                f"{why}); {hint}",
                mapping,
                key,
                path,
            )

    def note(self, message: str, mapping: Any, key: str, path: str = "") -> None:
        """A warning, located like an error (file, line, key) and kept as those fields."""
        self.warnings.append(Notice.at(self.error(message, mapping, key, path)))

    def error(self, message: str, mapping: Any, key: str, path: str = "") -> InputError:
        lines = getattr(mapping, "lines", {})
        line = lines.get(key) if isinstance(lines, dict) else None
        full = f"{path}.{key}" if path else key
        scope = self.scopes.get(full.split(".")[0], "")
        full = f"{scope}.{full}" if scope else full
        if line == 0:
            return InputError(message, where=f"{self.where} (--set)", key=full)
        if line is None:
            line = getattr(mapping, "line", None) or None
        return InputError(message, where=self.where, line=line, key=full)

    def keys(self, mapping: _Map, allowed: Sequence[str], path: str = "") -> None:
        for key in mapping:
            if key not in allowed:
                near = suggest_key(key, allowed)
                hint = (
                    f"did you mean {' or '.join(near)}?"
                    if near
                    else f"expected one of: {', '.join(allowed)}"
                )
                raise self.error(f"unknown key; {hint}", mapping, key, path)

    def quantity(self, mapping: Any, key: str, unit: str, what: str, path: str = "") -> float:
        try:
            return float(units.to(units.parse(mapping[key], unit, what), unit))
        except units.QuantityError as error:
            raise self.error(str(error), mapping, key, path) from None

    def positive(self, mapping: Any, key: str, unit: str, what: str, path: str = "") -> float:
        value = self.quantity(mapping, key, unit, what, path)
        if value <= 0:
            raise self.error(
                f"expected {what} greater than zero, got {mapping[key]!r}", mapping, key, path
            )
        return value

    def non_negative(self, mapping: Any, key: str, unit: str, what: str, path: str = "") -> float:
        value = self.quantity(mapping, key, unit, what, path)
        if value < 0:
            raise self.error(
                f"expected {what} of zero or more, got {mapping[key]!r}", mapping, key, path
            )
        return value

    def whole(self, mapping: Any, key: str, what: str, path: str = "") -> int:
        value = mapping[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(
                f"expected {what} (a whole number, 1 or more), got {_value(value)}{_hint(value)}",
                mapping,
                key,
                path,
            )
        if value > MAX_WHOLE:
            raise self.error(
                f"expected {what} up to {MAX_WHOLE:,} (a whole number), got {_figure(value)}",
                mapping,
                key,
                path,
            )
        return value

    def count(self, mapping: Any, key: str, what: str, path: str = "") -> float:
        """A large count such as 1.2e9 examples, "7B" parameters or "1,200,000" examples."""
        value = mapping[key]
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and (match := _COUNT_TEXT.match(value.replace("_", ""))):
            number = float(match.group(1)) * _COUNT_SUFFIX[match.group(2)]
        elif isinstance(value, str) and "," in value and not durations.is_clock(value):
            try:  # thousands separators, read by the one rule for commas in numbers
                number = units.to(units.parse(value, "dimensionless", what), "dimensionless")
            except units.QuantityError as error:
                raise self.error(str(error), mapping, key, path) from None
        if number is None or not math.isfinite(number) or number <= 0:
            raise self.error(
                f"expected {what} (a positive number such as 1.2e9 or 7B), got "
                f"{_value(value)}{_hint(value)}",
                mapping,
                key,
                path,
            )
        return number

    def fraction(self, mapping: Any, key: str, what: str, path: str = "") -> float:
        value = self.quantity(mapping, key, "dimensionless", what, path)
        if 1 < value <= 100 and not isinstance(mapping[key], str):
            raise self.error(
                f"expected {what} as a fraction between 0 and 1, got {mapping[key]!r}; "
                f"did you mean {value / 100:g} ({value:g} %)?",
                mapping,
                key,
                path,
            )
        if not 0 < value <= 1:
            raise self.error(
                f"expected {what} as a fraction between 0 and 1, got {mapping[key]!r}",
                mapping,
                key,
                path,
            )
        return value

    def text(self, mapping: Any, key: str, what: str, path: str = "") -> str:
        value = mapping[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                f"expected {what} (text), got {_kind(value)} {value!r}", mapping, key, path
            )
        return value.strip()


def validate(document: _Map, where: str, tables: Tables) -> Experiment:
    """A validated Experiment from the raw document of `where`."""
    check = _Check(where, tables)
    check.keys(document, TOP_KEYS)
    name = check.text(document, "name", "a name") if "name" in document else Path(where).stem
    if "stages" in document:
        return _staged(check, document, name)
    budgets = _budgets(check, document) if "budget" in document else ()
    return _body(check, document, name, budgets)


def _staged(check: _Check, document: _Map, name: str) -> Experiment:
    """A file of stages: each stage is the top-level keys (defaults) with its own keys on top.

    A stage's key replaces the inherited one of the same name (hours and duration count as one);
    any other clash between an inherited key and a stage's own (power inherited, energy in the
    stage) is refused by the same rules as in a flat file, with both lines named.
    """
    raw = document["stages"]
    if not isinstance(raw, _List) or not raw:
        raise check.error(
            "expected a list of stages, each a mapping (hardware:, hours:, region: ...), "
            f"got {_kind(raw)}",
            document,
            "stages",
        )
    budgets = _budgets(check, document) if "budget" in document else ()
    defaults = [key for key in document if key not in ("name", "budget", "stages")]
    stages = []
    for index, item in enumerate(raw):
        path = f"stages.{index}"
        if not isinstance(item, _Map):
            holder = _Map(raw.lines[index] if index < len(raw.lines) else raw.line)
            holder[path] = item
            raise check.error(
                "expected a stage as a mapping (hardware:, hours:, region: ...), "
                f"got {_kind(item)}",
                holder,
                path,
            )
        check.keys(item, STAGE_KEYS, path)
        merged = _Map(item.line)
        scopes: dict[str, str] = {}
        for key in defaults:
            if key in item or any(other in item for other in _SAME_SLOT.get(key, ())):
                continue
            merged[key] = document[key]
            merged.lines[key] = document.lines.get(key, 0)
        for key in item:
            merged[key] = item[key]
            merged.lines[key] = item.lines.get(key, item.line)
            scopes[key] = path
        stage_check = _Check(check.where, check.tables, scopes)
        stage_check.scope = path
        title = (
            stage_check.text(item, "name", "a stage name")
            if "name" in item
            else f"stage {index + 1}"
        )
        stages.append(_body(stage_check, merged, title, ()))
    warnings = dict.fromkeys(w for stage in stages for w in stage.warnings)
    return Experiment(
        name=name,
        file=check.where,
        hardware=(),
        hours=None,
        budgets=budgets,
        warnings=tuple(warnings),
        stages=tuple(stages),
    )


def _refuse(check: _Check, document: _Map, key: str, others: Sequence[str], why: str) -> None:
    """One line naming both keys and where each is given: `key` may not come with `others`."""
    for other in others:
        if other not in document:
            continue
        line = document.lines.get(other)
        where = "set with --set" if line == 0 else f"line {line}" if line else "given"
        if check.scopes and other not in check.scopes:
            where += ", inherited from the top level"
        raise check.error(
            f"give {key} or {other}, not both ({other}: {where}); {why}", document, key
        )


def _group_keys(document: _Map, keys: Sequence[str]) -> list[tuple[str, int | None]]:
    """`hardware.N.KEY` given in the file, with its line, for each of `keys`."""
    raw = document.get("hardware")
    items = raw if isinstance(raw, _List) else [raw]
    found = []
    for index, item in enumerate(items):
        if isinstance(item, _Map):
            for key in keys:
                if key in item:
                    name = (
                        f"hardware.{index}.{key}" if isinstance(raw, _List) else f"hardware.{key}"
                    )
                    found.append((name, item.lines.get(key)))
    return found


def _count_given(raw: Any) -> bool:
    if isinstance(raw, _List) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, str):
        return _HARDWARE_TEXT.match(raw) is not None
    return not isinstance(raw, _Map) or "count" in raw


def _body(check: _Check, document: _Map, name: str, budgets: tuple[Budget, ...]) -> Experiment:
    """One experiment body: a flat file, or one stage merged with its inherited defaults."""
    where = check.where
    scoped = (lambda key: f"{check.scope}.{key}") if check.scope else (lambda key: key)
    line = document.line if check.scope else None  # a missing key of a stage: the stage's line
    if "hardware" not in document:
        raise InputError(
            "missing key 'hardware' (e.g. hardware: 8 x V100)",
            where=where,
            line=line,
            key=scoped("hardware"),
        )
    hardware = _hardware(check, document)

    if "hours" in document and "duration" in document:
        raise check.error("give hours or duration, not both", document, "duration")
    energy = None
    if "energy" in document:
        _refuse(
            check,
            document,
            "energy",
            ("power", "memory"),
            "the energy given is the IT energy of the whole run (before PUE)",
        )
        for key, line in _group_keys(document, ("power", "utilization")):
            shown = "set with --set" if line == 0 else f"line {line}"
            raise check.error(
                f"give energy or {key}, not both ({key}: {shown}); the energy given replaces "
                "hours x power",
                document,
                "energy",
            )
        energy = check.positive(document, "energy", "kWh", "an energy (e.g. 104 MWh)")
        check.usual(document, "energy", energy)
    device_hours = None
    if "device_hours" in document:
        _refuse(
            check,
            document,
            "device_hours",
            ("hours", "duration", "power", "memory"),
            "device_hours replaces count x hours (give the device's power under hardware)",
        )
        if len(hardware) > 1:
            raise check.error(
                f"device_hours needs one device type, got {len(hardware)} device groups under "
                "hardware; give one stage per device type",
                document,
                "device_hours",
            )
        device_hours = check.positive(
            document, "device_hours", "hour", "device-hours (e.g. 7.7e6 h)"
        )
        check.usual(document, "device_hours", device_hours)
    hours = None
    if "hours" in document:
        hours = check.positive(document, "hours", "hour", "a duration")
    elif "duration" in document:
        hours = check.positive(document, "duration", "hour", "a duration")
    elif "fpo" not in document and energy is None and device_hours is None:
        raise InputError(
            "missing key 'hours' (wall-clock per run, e.g. hours: 79.2 or duration: 3.3 days; "
            "or give fpo to derive the hours from the compute, or energy or device_hours as "
            "published)",
            where=where,
            line=line,
            key=scoped("hours"),
        )
    if hours is not None:
        check.usual(document, "duration" if "duration" in document else "hours", hours)
    runs = check.whole(document, "runs", "the number of runs") if "runs" in document else 1
    if "runs" in document:
        check.usual(document, "runs", runs)

    region = None
    if "region" in document:
        text = check.text(document, "region", "a region key")
        try:
            region = check.tables.region(text)
        except InputError as error:
            raise error.located(*_location(check, document, "region")) from None

    values: dict[str, Any] = {}
    if "site" in document:
        values["site"] = _site(check, document)
    if "memory" in document:
        values["memory_gb"] = check.positive(document, "memory", "gigabyte", "a memory size")
        check.usual(document, "memory", values["memory_gb"])
    if "power" in document:
        values["power_w"] = check.positive(document, "power", "watt", "a power")
        per_device = values["power_w"] / sum(g.count for g in hardware)
        check.usual(document, "power", per_device, said=f"{_figure(values['power_w'])} W")
        _machine_below_idle(check, document, values["power_w"], hardware)
    if "pue" in document:
        pue = check.quantity(document, "pue", "dimensionless", "a PUE")
        if pue < 1:
            raise check.error(
                f"expected a PUE of 1.0 or more (total facility energy / IT energy), "
                f"got {document['pue']!r}",
                document,
                "pue",
            )
        values["pue"] = pue
        check.usual(document, "pue", pue)
    if "carbon_intensity" in document:
        values["carbon_intensity_g_per_kwh"] = check.non_negative(
            document, "carbon_intensity", "g/kWh", "a carbon intensity"
        )
        check.usual(document, "carbon_intensity", values["carbon_intensity_g_per_kwh"])
        given = values["carbon_intensity_g_per_kwh"]
        check.low(
            document,
            "carbon_intensity",
            given,
            f"did you mean {given:g} kg/kWh = {given * 1000:g} g/kWh? (a bare number is g/kWh)",
        )
    conversions: list[tuple[str, str, str]] = []
    if "electricity_price" in document:
        values["electricity_price_usd_per_kwh"] = _money(
            check, document, "electricity_price", "USD/kWh", "an electricity price", conversions
        )
        check.usual(document, "electricity_price", values["electricity_price_usd_per_kwh"])
    if "basis" in document:
        values["basis"] = _basis(check, document)
    if "wue" in document:
        values["wue_l_per_kwh"] = _wue(check, document)
    if "embodied" in document:
        values["embodied"] = _embodied(check, document)
    if region is None and "carbon_intensity_g_per_kwh" not in values:
        raise InputError(
            "missing key 'region' (a key of data/regions.csv such as us, fr or "
            "gcp:us-central1), or give carbon_intensity",
            where=where,
            line=line,
            key=scoped("region"),
        )

    cloud = _cloud(check, document, region, conversions) if "cloud" in document else None
    values["conversions"] = tuple(conversions)
    if cloud is None and region is not None and region.provider is not None:
        cloud = Cloud(provider=region.provider, inferred=True)
    fpo = _fpo(check, document["fpo"]) if "fpo" in document else None

    return Experiment(
        name=name,
        file=where,
        hardware=hardware,
        hours=hours,
        runs=runs,
        region=region,
        cloud=cloud,
        fpo=fpo,
        budgets=budgets,
        warnings=tuple(check.warnings),
        energy_kwh=energy,
        device_hours=device_hours,
        count_given=_count_given(document["hardware"]),
        **values,
    )


def _location(check: _Check, mapping: Any, key: str, path: str = "") -> tuple[str, int | None, str]:
    error = check.error("", mapping, key, path)
    return error.where, error.line, error.key


def _hardware(check: _Check, document: _Map) -> tuple[DeviceGroup, ...]:
    raw = document["hardware"]
    if isinstance(raw, str):
        match = _HARDWARE_TEXT.match(raw)
        if match:
            count, name = int(match.group(1)), match.group(2)
        else:
            count, name = 1, raw.strip()
        if count < 1:
            raise check.error(
                f"expected a device count of 1 or more, got {raw!r}", document, "hardware"
            )
        check.usual(document, "hardware", count, limit="count")
        try:
            device, count = _chips(check.tables, name, count)
        except InputError as error:
            if not match and (backwards := _COUNT_LAST.match(raw)):  # not "8 x opteronx2170"
                count_first = f"{backwards.group(2)} x {backwards.group(1)}"
                raise check.error(
                    f"expected 'N x DEVICE' with the count first; write {count_first}",
                    document,
                    "hardware",
                ) from None
            raise error.located(*_location(check, document, "hardware")) from None
        return (DeviceGroup(device, count),)
    if isinstance(raw, _Map):
        return (_group(check, raw, "hardware"),)
    if isinstance(raw, _List) and raw:
        groups = []
        for index, item in enumerate(raw):
            if isinstance(item, str):
                single = _Map(raw.lines[index] if index < len(raw.lines) else raw.line)
                single["hardware"] = item
                single.lines["hardware"] = single.line
                groups.append(_hardware(check, single)[0])
            elif isinstance(item, _Map):
                groups.append(_group(check, item, f"hardware.{index}"))
            else:
                raise check.error(
                    f"expected a device group (device:, count:), got {_kind(item)}",
                    document,
                    "hardware",
                )
        return tuple(groups)
    raise check.error(
        "expected '8 x V100', a mapping (device:, count:) or a list of them, "
        f"got {_kind(raw)} {raw!r}",
        document,
        "hardware",
    )


def _group(check: _Check, raw: _Map, path: str) -> DeviceGroup:
    check.keys(raw, DEVICE_KEYS, path)
    if "device" not in raw:
        raise check.error(
            "missing key 'device' (a name from data/hardware.csv, e.g. V100)", raw, "device", path
        )
    name = check.text(raw, "device", "a device name", path)
    count = check.whole(raw, "count", "a device count", path) if "count" in raw else 1
    check.usual(raw, "count", count, path)
    try:
        device, count = _chips(check.tables, name, count)
    except InputError as error:
        raise error.located(*_location(check, raw, "device", path)) from None
    power = check.positive(raw, "power", "watt", "a power", path) if "power" in raw else None
    if power is not None:
        check.usual(raw, "power", power, path)
        idle = _idle_w(device)
        if idle is not None and power < idle:
            check.note(
                f"{_figure(power)} W per {_device_short(device)} is below its idle draw "
                f"(~{idle:.0f} W: "
                f"{GPU_IDLE_FRACTION:.1%} of its {device.tdp_w:g} W TDP, {GPU_IDLE_SOURCE}); "
                "power under hardware: is one device's measured average, so check the unit",
                raw,
                "power",
                path,
            )
    utilization = (
        check.fraction(raw, "utilization", "a utilization", path) if "utilization" in raw else None
    )
    return DeviceGroup(device, count, power, utilization)


def _device_short(device: Device) -> str:
    return re.sub(r"^(NVIDIA|AMD|Google|Intel)\s+", "", device.name)


def _idle_w(device: Device) -> float | None:
    """A GPU's idle draw (a share of its TDP); None for other kinds, which the share is not for."""
    if device.kind != "gpu" or not device.tdp_w:
        return None
    return device.tdp_w * GPU_IDLE_FRACTION


def _machine_below_idle(
    check: _Check, document: _Map, power: float, hardware: Sequence[DeviceGroup]
) -> None:
    """A whole machine's measured power below what its GPUs draw idle was most likely meant per
    device: say which reading greenai took and where the other one goes."""
    floor = sum(g.count * (_idle_w(g.device) or 0.0) for g in hardware)
    if power >= floor:
        return
    count = sum(g.count for g in hardware)
    label = " + ".join(f"{g.count} x {_device_short(g.device)}" for g in hardware)
    if len(hardware) == 1:
        device = hardware[0].device
        idle = (
            f"an {_device_short(device)}'s idle draw (~{_idle_w(device):.0f} W: "
            f"{GPU_IDLE_FRACTION:.1%} of its {device.tdp_w:g} W TDP, {GPU_IDLE_SOURCE})"
        )
    else:
        idle = f"what the GPUs draw idle ({floor:,.0f} W together, {GPU_IDLE_SOURCE})"
    check.note(
        f"{_figure(power)} W for {label} is {power / count:.3g} W per device, below {idle}; "
        "power: at the top level is the whole machine's measured average. If "
        f"{_figure(power)} W is per device, put it under hardware: - power: {_figure(power)} W",
        document,
        "power",
    )


def _site(check: _Check, document: _Map) -> str:
    """`site:` as a key of data/sites.csv or "cloud", names people use for them accepted."""
    text = check.text(document, "site", "a kind of place")
    known = ["cloud", *(k for k in sites() if not k.startswith("cloud:"))]
    by_name = {normalize(k): k for k in known} | SITE_ALIASES
    found = by_name.get(normalize(text))
    if found is None:
        near = difflib.get_close_matches(text.lower(), known, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}?" if near else f"expected one of: {', '.join(known)}"
        raise check.error(f"unknown site {text!r}; {hint}", document, "site")
    return found


def _chips(tables: Tables, name: str, count: int) -> tuple[Device, int]:
    """The device and how many: a TPU slice name ("v5p-64") is its chip times its chips."""
    piece = tables.tpu_slice(name)
    if piece is None:
        return tables.device(name), count
    return piece[0], piece[1] * count


# The highest per-region WUE in data/regions.csv: Azure westus3 (Arizona), 2.24 L/kWh (Microsoft
# datacenter fact sheets, 2022); a figure far above it is more often a unit slip (mL, gallons).
WUE_USUAL = 5.0
WUE_USUAL_WHY = "the highest provider figure in data/regions.csv is 2.24 L/kWh (Azure westus3)"
# Longest service life in greenai's sources: 6 years (IDRIS's Jean Zay, Luccioni et al. 2023).
LIFETIME_USUAL_YEARS = 15.0


def _wue(check: _Check, document: _Map) -> float:
    """`wue:` water usage effectiveness, litres of on-site water per kWh of IT energy (the
    providers' definition: IT energy, before PUE). 0 is allowed: air-cooled sites publish it."""
    wue = check.non_negative(
        document, "wue", "L/kWh", "a water usage effectiveness (e.g. 1.8 L/kWh)"
    )
    if wue > WUE_USUAL:
        check.note(
            f"{_figure(wue)} L/kWh is far above the usual range (up to {WUE_USUAL:g} L/kWh: "
            f"{WUE_USUAL_WHY}); check it",
            document,
            "wue",
        )
    return wue


def _embodied(check: _Check, document: _Map) -> EmbodiedSettings:
    """`embodied: {lifetime: 5 years, use_share: 0.85, host: true}`: each key optional; what
    is left out takes greenai.embodied's sourced default, and the assumptions say which."""
    raw = document["embodied"]
    if not isinstance(raw, _Map) or not raw:
        raise check.error(
            "expected a mapping, e.g. embodied: {lifetime: 5 years, use_share: 0.85, "
            f"host: true}}, got {_kind(raw)}",
            document,
            "embodied",
        )
    check.keys(raw, EMBODIED_KEYS, "embodied")
    found: dict[str, Any] = {}
    if "lifetime" in raw:
        years = check.positive(
            raw, "lifetime", "year", "a device lifetime (e.g. 5 years)", "embodied"
        )
        if years > LIFETIME_USUAL_YEARS:
            check.note(
                f"{_figure(years)} years is far above the usual range (up to "
                f"{LIFETIME_USUAL_YEARS:g}: the sources use 3 to 6 years); a bare number is "
                "years, check it",
                raw,
                "lifetime",
                "embodied",
            )
        found["lifetime_years"] = years
    if "use_share" in raw:
        found["use_share"] = check.fraction(
            raw, "use_share", "a share of lifetime hours in use", "embodied"
        )
    if "host" in raw:
        if not isinstance(raw["host"], bool):
            raise check.error(
                f"expected true or false, got {_kind(raw['host'])} {raw['host']!r}",
                raw,
                "host",
                "embodied",
            )
        found["host"] = raw["host"]
    return EmbodiedSettings(**found)


def _basis(check: _Check, document: _Map) -> str:
    """`basis:` as one of greenai.tables.BASES; the table rows say which each figure is on."""
    text = check.text(document, "basis", "an intensity basis").lower()
    if text not in BASES:
        near = difflib.get_close_matches(text, BASES, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise check.error(
            f"unknown basis {text!r}; {hint}expected one of: {', '.join(BASES)}", document, "basis"
        )
    return text


def _money(
    check: _Check,
    mapping: _Map,
    key: str,
    unit: str,
    what: str,
    conversions: list[tuple[str, str, str]],
    path: str = "",
) -> float:
    """A money quantity, in USD: another currency ("0.25 EUR/kWh") is converted first, at
    data/currencies.csv's dated rate, and the conversion kept for the assumptions."""
    try:
        converted = currency.to_usd(mapping[key])
    except currency.CurrencyError as error:
        raise check.error(str(error), mapping, key, path) from None
    if converted is None:
        return check.non_negative(mapping, key, unit, what, path)
    holder = _Map(mapping.lines.get(key, mapping.line))
    holder[key] = converted.text
    holder.lines[key] = mapping.lines.get(key, mapping.line)
    value = check.non_negative(holder, key, unit, what, path)
    name = f"{path}.{key}" if path else key
    conversions.append((name, converted.note(), converted.rate.source))
    return value


def _cloud(
    check: _Check,
    document: _Map,
    region: Region | None,
    conversions: list[tuple[str, str, str]] | None = None,
) -> Cloud:
    raw = document["cloud"]
    if isinstance(raw, str):
        single = _Map(document.lines.get("cloud", 0))
        single["provider"] = raw
        single.lines["provider"] = document.lines.get("cloud", 0)
        raw = single
    if not isinstance(raw, _Map):
        raise check.error(
            f"expected a mapping (provider:, price:, as_of:) or a provider name, got {_kind(raw)}",
            document,
            "cloud",
        )
    check.keys(raw, CLOUD_KEYS, "cloud")
    provider = None
    if "provider" in raw:
        text = check.text(raw, "provider", "a cloud provider", "cloud")
        try:
            provider = check.tables.provider(text)
        except InputError as error:
            raise error.located(*_location(check, raw, "provider", "cloud")) from None
    elif region is not None and region.provider is not None:
        provider = region.provider
    price = None
    if "price" in raw:
        values = raw["price"] if isinstance(raw["price"], list) else [raw["price"]]
        if not 1 <= len(values) <= 2:
            raise check.error(
                "expected one price or [low, high] per device-hour", raw, "price", "cloud"
            )
        parsed = []
        for value in values:
            holder = _Map(raw.lines.get("price", raw.line))
            holder["price"] = value
            holder.lines["price"] = raw.lines.get("price", raw.line)
            parsed.append(
                _money(
                    check,
                    holder,
                    "price",
                    "USD/hour",
                    "a price per device-hour",
                    conversions if conversions is not None else [],
                    "cloud",
                )
            )
        low, high = parsed[0], parsed[-1]
        if low > high:
            raise check.error(
                f"expected [low, high] with low <= high, got {raw['price']!r}",
                raw,
                "price",
                "cloud",
            )
        price = (low, high)
        check.usual(raw, "price", high, "cloud")
    if provider is None and price is None:
        raise check.error(
            "give a provider (e.g. gcp) or a price per device-hour", document, "cloud"
        )
    name = None
    if "instance" in raw:
        text = check.text(raw, "instance", "an instance type", "cloud")
        if provider is None:
            raise check.error(
                "an instance type needs a provider (cloud: provider:, or a cloud region)",
                raw,
                "instance",
                "cloud",
            )
        found = instance(provider, text)
        if found is None:
            names = instance_names(provider)
            near = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
            hint = (
                f"did you mean {', '.join(repr(n) for n in near)}?"
                if near
                else f"known {provider} instances: see data/instances.csv ({len(names)})"
            )
            raise check.error(
                f"unknown {provider} instance type {text!r}; {hint}", raw, "instance", "cloud"
            )
        name = found.name
    as_of = None
    if "as_of" in raw:
        value = raw["as_of"]
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, date):
            raise check.error(
                f"expected a date (YYYY-MM-DD), got {raw['as_of']!r}", raw, "as_of", "cloud"
            )
        as_of = value
    return Cloud(provider, price, as_of, instance=name)


def _fpo(check: _Check, raw: Any) -> Fpo:
    if not isinstance(raw, _Map):
        holder = _Map(0)
        holder["fpo"] = raw
        return Fpo(total=check.positive(holder, "fpo", "FLOP", "a number of FLOP"))
    check.keys(raw, FPO_KEYS, "fpo")
    throughput = _throughput(check, raw)
    forms = [
        ("total",) if "total" in raw else None,
        ("per_example", "examples") if {"per_example", "examples"} & raw.keys() else None,
        ("parameters", "tokens") if {"parameters", "tokens"} & raw.keys() else None,
    ]
    given = [form for form in forms if form]
    if len(given) != 1:
        raise check.error(
            "expected one of: total; per_example with examples; parameters with tokens",
            raw,
            next(iter(raw), "fpo"),
            "fpo",
        )
    form = given[0]
    for key in form:
        if key not in raw:
            raise check.error(
                f"missing key {key!r} (fpo needs {' and '.join(form)})", raw, next(iter(raw)), "fpo"
            )
    if "mode" in raw and form != ("parameters", "tokens"):
        raise check.error("mode applies to parameters with tokens", raw, "mode", "fpo")
    if form == ("total",):
        return Fpo(
            total=check.positive(raw, "total", "FLOP", "a number of FLOP", "fpo"), **throughput
        )
    if form == ("per_example", "examples"):
        return Fpo(
            per_example=check.positive(raw, "per_example", "FLOP", "FLOP per example", "fpo"),
            examples=check.count(raw, "examples", "a number of examples", "fpo"),
            **throughput,
        )
    mode = "training"
    if "mode" in raw:
        mode = check.text(raw, "mode", "a mode", "fpo").lower()
        if mode not in FPO_MODES:
            raise check.error(
                f"expected mode training (6 N D) or inference (2 N D), got {raw['mode']!r}",
                raw,
                "mode",
                "fpo",
            )
    return Fpo(
        parameters=check.count(raw, "parameters", "a parameter count", "fpo"),
        tokens=check.count(raw, "tokens", "a token count", "fpo"),
        mode=mode,
        **throughput,
    )


def _throughput(check: _Check, raw: _Map) -> dict[str, Any]:
    """fpo.precision and fpo.mfu: how fast the hardware turns FPO into time."""
    found: dict[str, Any] = {}
    if "precision" in raw:
        text = check.text(raw, "precision", "a precision", "fpo").lower()
        if text not in PRECISIONS:
            raise check.error(
                f"expected a precision with a peak column in data/hardware.csv "
                f"({', '.join(PRECISIONS)}), got {raw['precision']!r}",
                raw,
                "precision",
                "fpo",
            )
        found["precision"] = text
    if "mfu" in raw:
        found["mfu"] = check.fraction(raw, "mfu", "a model FLOP utilisation", "fpo")
    return found


def _budgets(check: _Check, document: _Map) -> tuple[Budget, ...]:
    raw = document["budget"]
    if not isinstance(raw, _Map) or not raw:
        raise check.error(
            "expected a mapping of limits, e.g. budget: {co2e: 50 kg, cost: 1000 USD, "
            f"energy: 2 MWh}}, got {_kind(raw)}",
            document,
            "budget",
        )
    check.keys(raw, BUDGET_KEYS, "budget")
    found = []
    for metric in raw:
        try:
            limit = budget.parse(metric, raw[metric])
        except units.QuantityError as error:
            raise check.error(str(error), raw, metric, "budget") from None
        place = check.error("", raw, metric, "budget")
        found.append(Budget(metric, limit, str(raw[metric]), place.where, place.line))
    return tuple(found)


# ----------------------------------------------------------------------------- entry points


def read_overridden(path: str | Path, overrides: Sequence[str] = ()) -> _Map:
    """The raw document of one experiment file, with the --set overrides applied."""
    path = Path(path)
    return _overridden(read_yaml(path), path, overrides)


def _overridden(document: _Map, path: str | Path, overrides: Sequence[str]) -> _Map:
    for text in overrides:
        key_path = [text.partition("=")[0].strip()[:60]]
        try:
            key_path, value = parse_override(text)
            apply_override(document, key_path, value)
        except InputError as error:
            raise error.located(f"{path} (--set)", None, ".".join(key_path)) from None
    return document


def load(path: str | Path, tables: Tables, overrides: Sequence[str] = ()) -> Experiment:
    """Read, override and validate one experiment file; the result keeps what was read (the
    document after --set, the file's digest) for the provenance of a JSON report."""
    document = read_overridden(path, overrides)
    found = validate(document, str(path), tables)
    inputs = Inputs(str(path), None, tuple(overrides), document)  # hashed when recorded
    return dataclasses.replace(found, inputs=inputs)


def load_bytes(
    data: bytes, where: str, tables: Tables, overrides: Sequence[str] = ()
) -> Experiment:
    """Read, override and validate an experiment file's bytes that are not on disk (a file as
    a git commit holds it); `where` names it in every message, as a path would."""
    return validate(_overridden(parse_yaml(data, where), where, overrides), where, tables)
