"""The cluster file: what each partition of a cluster is, and the site it runs in.

greenai's own format (`greenai init --cluster` writes a commented one):

    name: Example HPC                    # optional
    region: gb                           # a key of data/regions.csv (intensity, price), or
    carbon_intensity: 180 g/kWh          #   the figures themselves
    electricity_price: 0.25 GBP/kWh      # optional; any currency data/currencies.csv has
    pue: 1.3                             # optional; default 1.58 (greenai's, DESIGN.md)
    memory_power: 0.3725 W/GB            # optional; default Green Algorithms' figure
    default_unit_rss: K                  # optional: the unit of a bare MaxRSS number
    partitions:
      cpu:
        cpu: AMD EPYC 7763               # a CPU of data/hardware.csv: TDP / cores per core
        cpu_power: 4.2 W                 # optional: measured W per core (replaces TDP / cores)
      gpu:
        cpu: AMD EPYC 7413
        gpu: A100 SXM4 80GB              # a GPU of data/hardware.csv: TDP per device
        gpu_power: 300 W                 # optional: measured W per GPU

Green Algorithms for HPC's own `cluster_info.yaml` (GreenAlgorithms/GreenAlgorithms4HPC, the
file of that name, 2023-12-14 version) is read as it is, so a centre that set up GA4HPC needs
no new file: `partitions.<name>.type` CPU or GPU, `TDP` (W per core for CPU partitions, W per
GPU for GPU partitions), `TDP_CPU` (W per core of a GPU partition's CPUs), `PUE`, `CI`
(gCO2e/kWh), `energy_cost: {cost, currency}`, `default_unit_RSS`; `model` and `model_CPU` are
labels there (their TDP is given), and `granularity_memory_request`, `institution` and
`texts_intro` are accepted and unused. GA4HPC assumes one GPU per job; greenai counts the GPUs
of AllocTRES.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greenai import currency, units
from greenai.core.resolve import (
    DEFAULT_PUE,
    DEFAULT_PUE_SOURCE,
    MEMORY_SOURCE,
    MEMORY_W_PER_GB,
    UTILIZATION_LOW,
    UTILIZATION_RANGE_SOURCE,
)
from greenai.errors import InputError
from greenai.tables import DEFAULT_BASIS, Tables

Bound = tuple[float, float, float]
MAX_FILE_BYTES = 1_000_000
KEYS = (
    "name",
    "region",
    "carbon_intensity",
    "electricity_price",
    "pue",
    "memory_power",
    "default_unit_rss",
    "partitions",
)
PARTITION_KEYS = ("cpu", "cpu_power", "cores", "gpu", "gpu_power")
GA4HPC_KEYS = (
    "institution",
    "cluster_name",
    "granularity_memory_request",
    "partitions",
    "PUE",
    "CI",
    "energy_cost",
    "texts_intro",
    "default_unit_RSS",
)
GA4HPC_PARTITION_KEYS = ("type", "model", "TDP", "model_CPU", "TDP_CPU")
GA4HPC_SOURCE = "GA4HPC cluster_info.yaml"
CURRENCY_SIGNS = {"£": "GBP", "€": "EUR", "$": "USD"}


@dataclass(frozen=True, slots=True)
class Note:
    """A figure the batch used: the JSON summary's `assumptions` entries."""

    subject: str
    text: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "text": self.text, "source": self.source}


@dataclass(frozen=True, slots=True)
class Partition:
    """W per CPU core and per GPU, each (value, low, high); names for the listing."""

    name: str
    cpu: str
    cpu_w: Bound
    gpu: str
    gpu_w: Bound


@dataclass(slots=True)
class Cluster:
    name: str | None
    file: str
    partitions: dict[str, Partition]
    pue: float
    # (value, low, high): a region's intensity keeps its source's range (the low and high of
    # its last five yearly figures, as `estimate` reads it); a figure given is exact
    carbon_intensity_g_per_kwh: tuple[float, float, float]
    electricity_price_usd_per_kwh: float  # NaN: unknown
    memory_w_per_gb: float
    default_unit_rss: str | None
    notes: list[Note] = field(default_factory=list)
    kind: str = "greenai"  # or "GA4HPC"


def none() -> Cluster:
    """No cluster file: job tables that carry their own region on each row."""
    return Cluster(None, "", {}, DEFAULT_PUE, math.nan, math.nan, MEMORY_W_PER_GB, None, [])


def load(path: Path, tables: Tables) -> Cluster:
    """The cluster file at `path`, in greenai's format or GA4HPC's; InputError naming the file,
    line and key for anything it cannot use."""
    from greenai.experiment import read_yaml

    where = str(path)
    try:
        document = read_yaml(path)
    except InputError as error:
        if "expected a mapping" in error.message or error.message.startswith("empty file"):
            raise InputError(
                "expected a cluster file: a mapping with partitions: and region: or "
                "carbon_intensity: (greenai init --cluster writes one)",
                where=where,
                line=error.line,
            ) from None
        raise
    reader = _Reader(where, tables)
    if any(key in document for key in ("cluster_name", "CI", "PUE", "institution")):
        return reader.ga4hpc(document)
    return reader.greenai(document)


class _Reader:
    def __init__(self, where: str, tables: Tables) -> None:
        self.where = where
        self.tables = tables
        self.notes: list[Note] = []

    def error(self, message: str, mapping: Any, key: str, path: str = "") -> InputError:
        lines = getattr(mapping, "lines", {})
        line = lines.get(key) if isinstance(lines, dict) else None
        line = line or getattr(mapping, "line", None) or None
        return InputError(message, where=self.where, line=line, key=f"{path}{key}")

    def keys(self, mapping: Any, allowed: tuple[str, ...], path: str = "") -> None:
        from greenai.experiment import suggest_key

        if not isinstance(mapping, dict):
            raise InputError(
                f"expected a mapping of keys ({', '.join(allowed)})",
                where=self.where,
                line=getattr(mapping, "line", None),
                key=path.rstrip("."),
            )
        for key in mapping:
            if key not in allowed:
                near = suggest_key(key, list(allowed))
                hint = f"did you mean {' or '.join(near)}?" if near else "expected one of: "
                hint += "" if near else ", ".join(allowed)
                raise self.error(f"unknown key; {hint}", mapping, key, path)

    def quantity(
        self, mapping: Any, key: str, unit: str, what: str, path: str = "", zero: bool = False
    ) -> float:
        value = mapping[key]
        if unit == "USD/kWh":
            try:
                converted = currency.to_usd(value)
            except currency.CurrencyError as error:
                raise self.error(str(error), mapping, key, path) from None
            if converted is not None:
                self.notes.append(Note(f"{path}{key} in USD", converted.note(), self.where))
                value = converted.text
        try:
            found = float(units.to(units.parse(value, unit, what), unit))
        except units.QuantityError as error:
            raise self.error(str(error), mapping, key, path) from None
        if not math.isfinite(found) or found < 0 or (found == 0 and not zero):
            raise self.error(
                f"expected {what} greater than zero, got {value!r}", mapping, key, path
            )
        return found

    def device(self, mapping: Any, key: str, kind: str, path: str) -> Any:
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                f"expected a {kind.upper()} name from `greenai hardware`", mapping, key, path
            )
        try:
            found = self.tables.device(value)
        except InputError as error:
            raise self.error(error.message, mapping, key, path) from None
        if (found.kind == "cpu") != (kind == "cpu"):
            raise self.error(
                f"{found.name} is a {found.kind.upper()}, expected a {kind.upper()}",
                mapping,
                key,
                path,
            )
        return found

    # ------------------------------------------------------------------------- greenai's

    def greenai(self, document: Any) -> Cluster:
        self.keys(document, KEYS)
        if "partitions" not in document:
            raise InputError("missing key 'partitions'", where=self.where, key="partitions")
        pue, intensity, price = self.site(document)
        memory = MEMORY_W_PER_GB
        if "memory_power" in document:
            memory = self.quantity(document, "memory_power", "W/GB", "a power per GB", zero=True)
            self.notes.append(Note("memory power", f"{memory:g} W/GB", self.where))
        else:
            self.notes.append(
                Note("memory power", f"{memory:g} W/GB of memory requested", MEMORY_SOURCE)
            )
        raw = document["partitions"]
        if not isinstance(raw, dict) or not raw:
            raise self.error("expected a mapping of partitions", document, "partitions")
        partitions = {}
        for name, spec in raw.items():
            path = f"partitions.{name}."
            self.keys(spec, PARTITION_KEYS, path)
            if "cpu" not in spec and "cpu_power" not in spec:
                raise self.error(
                    "missing key 'cpu' (a CPU model) or 'cpu_power' (W per core)",
                    raw,
                    name,
                    "partitions.",
                )
            partitions[str(name)] = self.partition(str(name), spec, path)
        rss = document.get("default_unit_rss")
        return Cluster(
            _text(document.get("name")),
            self.where,
            partitions,
            pue,
            intensity,
            price,
            memory,
            self.rss_unit(document, "default_unit_rss", rss),
            self.notes,
        )

    def rss_unit(self, document: Any, key: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value.upper() not in ("K", "M", "G", "T"):
            raise self.error(f"expected K, M, G or T, got {value!r}", document, key)
        return value.upper()

    def partition(self, name: str, spec: Any, path: str) -> Partition:
        cpu_label = gpu_label = ""
        if "cpu_power" in spec:
            watts = self.quantity(spec, "cpu_power", "W", "a power per core", path)
            cpu_w: Bound = (watts, watts, watts)
            cpu_label = str(spec.get("cpu", "CPU"))
            self.notes.append(
                Note(f"{name}: CPU power", f"{watts:g} W per core (measured)", self.where)
            )
        else:
            device = self.device(spec, "cpu", "cpu", path)
            cores = device.cores
            if "cores" in spec:
                cores = int(self.quantity(spec, "cores", "dimensionless", "a core count", path))
            if device.tdp_w is None or not cores:
                raise self.error(
                    f"no {'TDP' if device.tdp_w is None else 'core count'} for {device.name} in "
                    "data/hardware.csv; give cores: or cpu_power: (W per core)",
                    spec,
                    "cpu",
                    path,
                )
            watts = device.tdp_w / cores
            cpu_w = (watts, watts, watts)
            cpu_label = device.name
            self.notes.append(
                Note(
                    f"{name}: CPU power",
                    f"{watts:.4g} W per core = {device.tdp_w:g} W TDP / {cores} cores "
                    f"({device.name}) x the job's CPU utilization (TotalCPU / (Elapsed x NCPUS))",
                    device.source,
                )
            )
        gpu_w: Bound = (0.0, 0.0, 0.0)
        if "gpu_power" in spec:
            watts = self.quantity(spec, "gpu_power", "W", "a power per GPU", path)
            gpu_w = (watts, watts, watts)
            gpu_label = str(spec.get("gpu", "GPU"))
            self.notes.append(
                Note(f"{name}: GPU power", f"{watts:g} W per GPU (measured)", self.where)
            )
        elif "gpu" in spec:
            device = self.device(spec, "gpu", "gpu", path)
            if device.tdp_w is None:
                raise self.error(
                    f"no TDP for {device.name} in data/hardware.csv; give gpu_power: (W per GPU)",
                    spec,
                    "gpu",
                    path,
                )
            gpu_w = (device.tdp_w, device.tdp_w * UTILIZATION_LOW, device.tdp_w)
            gpu_label = device.name
            self.notes.append(
                Note(
                    f"{name}: GPU power",
                    f"{device.tdp_w:g} W TDP per GPU of AllocTRES (range "
                    f"{gpu_w[1]:g}-{gpu_w[2]:g} W)",
                    f"{device.source}; {UTILIZATION_RANGE_SOURCE}",
                )
            )
        return Partition(name, cpu_label, cpu_w, gpu_label, gpu_w)

    def site(self, document: Any) -> tuple[float, float, float]:
        region = None
        if "region" in document:
            value = document["region"]
            try:
                region = self.tables.region(str(value))
            except InputError as error:
                raise self.error(error.message, document, "region") from None
        if "pue" in document:
            pue = self.quantity(document, "pue", "dimensionless", "a PUE")
            if pue < 1:
                raise self.error(f"expected a PUE of 1 or more, got {pue:g}", document, "pue")
            self.notes.append(Note("PUE", f"{pue:g}", self.where))
        elif region is not None and region.pue is not None:
            pue = region.pue
            self.notes.append(Note("PUE", f"{pue:g} ({region.key})", region.pue_source))
        else:
            pue = DEFAULT_PUE
            self.notes.append(
                Note("PUE", f"{pue:g} (not given: a data-centre average)", DEFAULT_PUE_SOURCE)
            )
        if "carbon_intensity" in document:
            intensity = self.quantity(
                document, "carbon_intensity", "g/kWh", "a carbon intensity", zero=True
            )
            self.notes.append(Note("carbon intensity", f"{intensity:g} g/kWh", self.where))
            intensity = (intensity, intensity, intensity)
        elif region is not None:
            found = self.tables.carbon_intensity(region, DEFAULT_BASIS)
            if found is None:
                raise self.error(
                    f"no carbon intensity for {region.key}; give carbon_intensity",
                    document,
                    "region",
                )
            intensity = found.bounds
            _, low, high = intensity
            spread = f", range {low:g}–{high:g} ({found.range_years})" if low != high else ""
            self.notes.append(
                Note(
                    "carbon intensity",
                    f"{found.value:g} g/kWh, {found.year}{spread} ({found.region.key}; "
                    f"{found.basis or DEFAULT_BASIS})",
                    found.source,
                )
            )
        else:
            raise InputError(
                "missing key 'region' (a key of `greenai regions`) or 'carbon_intensity'",
                where=self.where,
                key="region",
            )
        price = math.nan
        if "electricity_price" in document:
            price = self.quantity(
                document, "electricity_price", "USD/kWh", "an electricity price", zero=True
            )
            self.notes.append(Note("electricity price", f"{price:.4g} USD/kWh", self.where))
        elif region is not None and (found_price := self.tables.electricity_price(region)):
            price = found_price.value
            self.notes.append(
                Note(
                    "electricity price",
                    f"{price:g} USD/kWh, {found_price.year} ({found_price.region.key})",
                    found_price.source,
                )
            )
        else:
            self.notes.append(
                Note("electricity price", "unknown: cost not computed", "give electricity_price")
            )
        return pue, intensity, price

    # ------------------------------------------------------------------------- GA4HPC's

    def ga4hpc(self, document: Any) -> Cluster:
        self.keys(document, GA4HPC_KEYS)
        for key in ("partitions", "PUE", "CI"):
            if key not in document:
                raise InputError(
                    f"missing key {key!r} (a GA4HPC cluster_info.yaml has it)",
                    where=self.where,
                    key=key,
                )
        pue = self.quantity(document, "PUE", "dimensionless", "a PUE")
        if pue < 1:
            raise self.error(f"expected a PUE of 1 or more, got {pue:g}", document, "PUE")
        intensity = self.quantity(document, "CI", "g/kWh", "a carbon intensity", zero=True)
        self.notes.append(Note("PUE", f"{pue:g}", f"{self.where} ({GA4HPC_SOURCE})"))
        self.notes.append(Note("carbon intensity", f"{intensity:g} g/kWh", f"{self.where} (CI)"))
        price = math.nan
        cost = document.get("energy_cost")
        if cost is not None:
            self.keys(cost, ("cost", "currency"), "energy_cost.")
            sign = str(cost.get("currency", "USD")).strip()
            code = CURRENCY_SIGNS.get(sign, sign.upper())
            amount = cost.get("cost")
            if amount is None:
                raise self.error("missing key 'cost'", document, "energy_cost")
            price = self.quantity(
                {"cost": f"{amount} {code}/kWh"},
                "cost",
                "USD/kWh",
                "a price per kWh",
                "energy_cost.",
                zero=True,
            )
            self.notes.append(Note("electricity price", f"{price:.4g} USD/kWh", self.where))
        else:
            self.notes.append(
                Note("electricity price", "unknown: cost not computed", "add energy_cost")
            )
        self.notes.append(
            Note("memory power", f"{MEMORY_W_PER_GB:g} W/GB requested", MEMORY_SOURCE)
        )
        raw = document["partitions"]
        if not isinstance(raw, dict) or not raw:
            raise self.error("expected a mapping of partitions", document, "partitions")
        partitions = {}
        for name, spec in raw.items():
            path = f"partitions.{name}."
            self.keys(spec, GA4HPC_PARTITION_KEYS, path)
            kind = str(spec.get("type", "")).upper()
            if kind not in ("CPU", "GPU"):
                raise self.error(
                    f"expected type CPU or GPU, got {spec.get('type')!r}", spec, "type", path
                )
            tdp = self.quantity(spec, "TDP", "W", "a TDP", path)
            if kind == "CPU":
                cpu_w, gpu_w = (tdp, tdp, tdp), (0.0, 0.0, 0.0)
                cpu, gpu = str(spec.get("model", "")), ""
            else:
                if "TDP_CPU" not in spec:
                    raise self.error(
                        "missing key 'TDP_CPU' (W per core) for a GPU partition",
                        raw,
                        str(name),
                        "partitions.",
                    )
                core = self.quantity(spec, "TDP_CPU", "W", "a TDP per core", path)
                cpu_w, gpu_w = (core, core, core), (tdp, tdp, tdp)
                cpu, gpu = str(spec.get("model_CPU", "")), str(spec.get("model", ""))
            partitions[str(name)] = Partition(str(name), cpu, cpu_w, gpu, gpu_w)
            self.notes.append(
                Note(
                    f"{name}: power",
                    f"{cpu_w[0]:g} W per core"
                    + (f", {gpu_w[0]:g} W per GPU of AllocTRES" if kind == "GPU" else ""),
                    f"{self.where} ({GA4HPC_SOURCE}: TDP as given)",
                )
            )
        return Cluster(
            _text(document.get("cluster_name")),
            self.where,
            partitions,
            pue,
            (intensity, intensity, intensity),
            price,
            MEMORY_W_PER_GB,
            self.rss_unit(document, "default_unit_RSS", document.get("default_unit_RSS")),
            self.notes,
            "GA4HPC",
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
