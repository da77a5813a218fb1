"""The data tables (data/*.csv), loaded once, with lookups by key, name or alias.

Tables are read with the csv module, not pandas: a single estimate must not pay for importing
pandas. Each loader runs once per process (`functools.cache`). Lookups are case-insensitive,
ignore punctuation ("Tesla V100-SXM2-32GB" finds v100-sxm2-32gb) and, when they fail, raise
`UnknownNameError` with the nearest names ("did you mean ...?").
"""

from __future__ import annotations

import csv
import difflib
import functools
import mmap
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple, TypeVar

from greenai.errors import AmbiguousNameError, DataError, InputError, UnknownNameError

_T = TypeVar("_T")


@functools.cache
def data_dir() -> Path:
    """Where the tables are: inside the installed wheel, or data/ of a source checkout. Found
    once per process, beside this module (what importlib.resources answers for an installed
    package, without the time it takes to ask)."""
    packaged = Path(__file__).resolve().parent / "data"
    if (packaged / "regions.csv").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "data"
    if (checkout / "regions.csv").is_file():
        return checkout
    raise DataError(f"greenai's data tables are missing (looked in {packaged} and {checkout})")


def _raw(name: str) -> list[list[str]]:
    """A table as lists of strings, header first (the cheapest form to read)."""
    path = data_dir() / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.reader(handle))
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}") from None


class _KeyedRows(Mapping[str, list[str]]):
    """The rows of a table by key (its first column), read only as far as a lookup needs.

    One estimate looks up one or two of the thousands of rows of data/hardware.csv (690 kB);
    parsing them all costs more than the rest of the estimate. A key is found by scanning the
    file's bytes for the line that starts with it (mapped, so only the pages up to it are read);
    the whole table is parsed only when something iterates it (a listing, a name that is not a
    key). scripts/build_tables.py writes one record a line with bare keys; a line the scan
    cannot read alone makes the lookup fall back to the full parse, so it is never wrong.
    """

    def __init__(self, name: str) -> None:
        self._path = data_dir() / name
        self._found: dict[str, list[str] | None] = {}
        try:
            with self._path.open(encoding="utf-8", newline="") as handle:
                self.header = next(csv.reader([handle.readline()]), [])
        except OSError as error:
            raise DataError(f"cannot read {self._path}: {error.strerror}") from None

    @functools.cached_property
    def _all(self) -> dict[str, list[str]]:
        return {row[0]: row for row in _raw(self._path.name)[1:]}

    def _row(self, key: str) -> list[str] | None:
        if "_all" in self.__dict__ or not key or any(c in key for c in ',"\r\n'):
            return self._all.get(key)
        if key not in self._found:
            self._found[key] = self._scan(key)
        return self._found[key]

    def _scan(self, key: str) -> list[str] | None:
        needle = b"\n" + key.encode("utf-8") + b","
        try:
            with (
                self._path.open("rb") as handle,
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
            ):
                start = data.find(needle)
                if start < 0:
                    return None
                end = data.find(b"\n", start + 1)
                line = data[start + 1 : end if end >= 0 else len(data)].decode("utf-8")
        except (OSError, ValueError) as error:  # ValueError: an empty file cannot be mapped
            raise DataError(f"cannot read {self._path}: {error}") from None
        row = next(csv.reader([line]), [])
        if row[:1] != [key] or len(row) != len(self.header):
            return self._all.get(key)  # not a whole record on one line: ask the full parse
        return row

    def __getitem__(self, key: str) -> list[str]:
        row = self._row(key)
        if row is None:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._row(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


class _BuiltRows(Mapping[str, _T]):
    """Rows of a `_KeyedRows` table, each made into its record (`build`) when first asked for:
    one estimate needs a region and the grids above it, not the 569 rows of regions.csv."""

    def __init__(self, rows: _KeyedRows, build: Callable[[dict[str, str]], _T]) -> None:
        self._rows, self._build, self._built = rows, build, {}

    def __getitem__(self, key: str) -> _T:
        if key not in self._built:
            row = self._rows[key]
            try:
                self._built[key] = self._build(dict(zip(self._rows.header, row, strict=True)))
            except (KeyError, ValueError, IndexError) as error:
                raise DataError(f"a data table in {data_dir()} is malformed: {error}") from None
        return self._built[key]

    def __contains__(self, key: object) -> bool:
        return key in self._built or key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _rows(name: str) -> list[dict[str, str]]:
    header, *body = _raw(name)
    return [dict(zip(header, row, strict=True)) for row in body]


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_SPACES = re.compile(r"\s+")
# A Google Cloud TPU slice ("v5p-64", "TPU v4-32", "v5litepod-16"): a version, then a count.
SLICE_NAME = re.compile(r"^\s*(?:tpu[\s_-]*)?(v\d+[a-z]*)[\s_-]+(\d+)\s*$", re.IGNORECASE)


def normalize(text: str) -> str:
    """The form names are compared in: lowercase ASCII letters and digits only ("Québec" ->
    "quebec")."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub("", text.lower())


_VENDOR = re.compile(r"^(nvidia|amd|google|intel|habana|tesla|geforce|radeon|instinct)[\s_-]*")
# the maker a vendor word stands for: "Tesla A100" is NVIDIA's, never Intel's A100
_MAKER = {
    "nvidia": "nvidia",
    "tesla": "nvidia",
    "geforce": "nvidia",
    "amd": "amd",
    "radeon": "amd",
    "instinct": "amd",
    "intel": "intel",
    "habana": "intel",
    "google": "google",
}


def _strip_vendor(text: str) -> str:
    return _vendor_and_rest(text)[1]


def _vendor_and_rest(text: str) -> tuple[str | None, str]:
    """(the maker its vendor words name, or None; the name without them)."""
    text = text.strip().lower()
    maker = None
    previous = None
    while previous != text:
        previous = text
        found = _VENDOR.match(text)
        if found:
            maker = maker or _MAKER[found.group(1)]
            text = text[found.end() :]
    return maker, text


# ----------------------------------------------------------------------------- rows


class IntensityFigure(NamedTuple):
    """A region row's intensity on one basis: the figure, its year, source and basis label, and
    the range of the same source's yearly figures (low, high, over `range_years`; low and high
    None where the table gives no range)."""

    value: float | None
    year: str
    source: str
    basis: str
    low: float | None
    high: float | None
    range_years: str


@dataclass(frozen=True, slots=True)
class Region:
    key: str
    name: str
    kind: str
    parent: str
    iso_code: str
    carbon_intensity_g_per_kwh: float | None
    intensity_year: str
    intensity_source: str
    intensity_basis: str
    electricity_price_usd_per_kwh: float | None
    price_year: str
    price_source: str
    pue: float | None
    pue_source: str
    aliases: tuple[str, ...] = ()
    location: str = ""  # a cloud region's place as its sources say it ("Frankfurt, Germany")
    intensity_license: str = ""
    # the other bases (DESIGN.md, "Intensity basis"): direct combustion, and a cloud
    # provider's own figure (Google's); empty where no source gives them
    direct_g_per_kwh: float | None = None
    direct_year: str = ""
    direct_source: str = ""
    direct_basis: str = ""
    provider_g_per_kwh: float | None = None
    provider_year: str = ""
    provider_source: str = ""
    provider_basis: str = ""
    grid: str = ""  # the Electricity Maps zone a cloud region draws from (a region key)
    price_basis: str = ""  # sector or band of the price ("commercial, annual average 2023")
    pue_year: str = ""
    wue_l_per_kwh: float | None = None  # water usage effectiveness, L/kWh (provider's figure)
    wue_year: str = ""
    wue_source: str = ""
    # each basis's range: the low and high of its source's yearly figures over the years in
    # `*_range_years` (the last five up to the figure's own; scripts/build_tables.py); a
    # source with one year gives low = high = the figure. None where the table has no range.
    intensity_low_g_per_kwh: float | None = None
    intensity_high_g_per_kwh: float | None = None
    intensity_range_years: str = ""
    direct_low_g_per_kwh: float | None = None
    direct_high_g_per_kwh: float | None = None
    direct_range_years: str = ""
    provider_low_g_per_kwh: float | None = None
    provider_high_g_per_kwh: float | None = None
    provider_range_years: str = ""

    def intensity(self, basis: str) -> IntensityFigure | None:
        """This row's figure on `basis` with its range and where they come from, None where it
        has none."""
        if basis == "direct":
            found = IntensityFigure(
                self.direct_g_per_kwh,
                self.direct_year,
                self.direct_source,
                self.direct_basis,
                self.direct_low_g_per_kwh,
                self.direct_high_g_per_kwh,
                self.direct_range_years,
            )
        elif basis == "provider":
            found = IntensityFigure(
                self.provider_g_per_kwh,
                self.provider_year,
                self.provider_source,
                self.provider_basis,
                self.provider_low_g_per_kwh,
                self.provider_high_g_per_kwh,
                self.provider_range_years,
            )
        else:
            found = IntensityFigure(
                self.carbon_intensity_g_per_kwh,
                self.intensity_year,
                self.intensity_source,
                self.intensity_basis,
                self.intensity_low_g_per_kwh,
                self.intensity_high_g_per_kwh,
                self.intensity_range_years,
            )
        return None if found.value is None else found

    @property
    def provider(self) -> str | None:
        """The cloud provider of a `provider:region` key, else None."""
        return self.key.split(":", 1)[0] if self.kind == "cloud" else None

    @property
    def provider_region(self) -> str | None:
        return self.key.split(":", 1)[1] if self.kind == "cloud" else None


@dataclass(frozen=True, slots=True)
class Device:
    key: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    vendor: str
    tdp_w: float | None
    fp32_tflops: float | None
    tf32_tflops: float | None
    bf16_tflops: float | None
    fp16_tflops: float | None
    fp8_tflops: float | None
    memory_gb: float | None
    cores: int | None
    release_year: str
    source: str

    def peak_tflops(self, precision: str) -> float | None:
        """Dense peak TFLOP/s at `precision` (bf16, fp16, tf32, fp32, fp8), None if unknown."""
        value = getattr(self, f"{precision}_tflops", None)
        return value or None


@dataclass(frozen=True, slots=True)
class Price:
    provider: str
    device: str
    instance: str
    pricing: str
    usd_per_device_hour: float
    as_of: date
    region: str
    scope: str
    source: str


@dataclass(frozen=True, slots=True)
class Equivalent:
    key: str
    name: str
    co2e_lb: float
    year: str
    source: str


@dataclass(frozen=True, slots=True)
class Resolved:
    """A figure found by walking from a region to its parents, and where it was found."""

    value: float
    region: Region
    year: str
    source: str
    basis: str = ""  # what the figure measures ("lifecycle, consumption"; a price's sector)
    # where the row lacks the basis asked for: the one used instead, said in the output
    fallback: str = ""
    # an intensity's range within its basis: the low and high of the same source's yearly
    # figures over `range_years` (None: the table gives no range)
    low: float | None = None
    high: float | None = None
    range_years: str = ""

    @property
    def bounds(self) -> tuple[float, float, float]:
        """(value, low, high); a figure without a range is exact."""
        if self.low is None or self.high is None:
            return (self.value, self.value, self.value)
        return (self.value, self.low, self.high)


# Intensity bases a user can choose (`--basis`, `basis:`); the first is the default, the one
# basis every row of data/regions.csv is on where a source allows (data/SOURCES.md says why).
BASES = ("lifecycle", "direct", "provider")
DEFAULT_BASIS = BASES[0]
# Where a row lacks the basis asked for, the one it falls back to.
_FALLBACK = {
    "lifecycle": ("direct",),
    "direct": ("lifecycle",),
    "provider": ("lifecycle", "direct"),
}


# ----------------------------------------------------------------------------- index


def _as_written(text: str) -> str:
    """A name as the user wrote it, only case and runs of spaces aside."""
    return " ".join(text.split()).casefold()


class _Index:
    """Names -> the keys they name, compared at four strengths, strictest first.

    1. as written (case-insensitive): "us-east1" is Google's South Carolina region only;
    2. as written, vendor words dropped ("Xeon Gold 6248" for "Intel Xeon Gold 6248");
    3. normalized (punctuation dropped): "useast1";
    4. normalized, vendor words dropped ("epyc7763" for "AMD EPYC 7763").

    The first strength at which a name matches decides. A name that matches several rows there
    is ambiguous: `us-east-1` and `us-east1` differ only in punctuation and name different grids,
    so the lookup refuses rather than picking one.
    """

    def __init__(self, strip_vendor: bool = False) -> None:
        self._strip_vendor = strip_vendor
        self._levels: tuple[dict[str, list[str]], ...] = ({}, {}, {}, {})
        self._makers: dict[str, set[str]] = {}  # key -> makers its names were written with

    def _forms(self, name: str) -> tuple[str, ...]:
        bare = _strip_vendor(name) if self._strip_vendor else name
        return (_as_written(name), _as_written(bare), normalize(name), normalize(bare))

    def add(self, name: str, key: str) -> None:
        if self._strip_vendor:
            maker = _vendor_and_rest(name)[0]
            if maker:
                self._makers.setdefault(key, set()).add(maker)
        for level, form in zip(self._levels, self._forms(name), strict=True):
            if form:
                keys = level.setdefault(form, [])
                if key not in keys:
                    keys.append(key)

    def matches(self, name: str) -> list[str]:
        """The keys `name` names at the strictest strength where it names any (often one).

        Where vendor words were dropped, a maker the name gives must agree with the row's:
        "Tesla A100" names NVIDIA's A100 and not Intel's."""
        maker = _vendor_and_rest(name)[0] if self._strip_vendor else None
        for index, (level, form) in enumerate(zip(self._levels, self._forms(name), strict=True)):
            keys = level.get(form)
            if keys and maker and index % 2 == 1:
                keys = [k for k in keys if maker in self._makers.get(k, {maker})]
            if keys:
                return keys
        return []

    def collisions(self) -> dict[str, list[str]]:
        """Normalized names that fit several rows at the strictest normalized strength where they
        appear: the names a lookup refuses unless one row carries them as written."""
        found: dict[str, list[str]] = {}
        for level in reversed(self._levels[2:]):  # the vendor-free level first, then overridden
            found.update(level)
        return {form: keys for form, keys in found.items() if len(keys) > 1}

    def near(self, name: str, limit: int = 3) -> list[str]:
        normal = normalize(_strip_vendor(name)) or normalize(name)
        names = self._levels[2]
        matches = difflib.get_close_matches(normal, list(names), n=limit * 3, cutoff=0.6)
        seen: list[str] = []
        for match in matches:
            for key in names[match]:
                if key not in seen:
                    seen.append(key)
        return seen[:limit]


class Tables:
    """All of greenai's data, indexed for lookup. Built once by `load()`.

    Hardware rows (thousands, most of them CPUs) stay raw until asked for: a single estimate
    looks up one or two devices, and building every row would cost more than the estimate.
    """

    def __init__(
        self,
        regions: list[Region] | Mapping[str, Region],
        hardware: list[list[str]] | _KeyedRows,
        prices: list[Price],
        equivalents: list[Equivalent],
    ) -> None:
        # by key; load() gives a mapping that reads and builds each row when first asked for
        self.regions: Mapping[str, Region] = (
            regions if isinstance(regions, Mapping) else {r.key: r for r in regions}
        )
        self._hardware: Mapping[str, list[str]]
        if isinstance(hardware, _KeyedRows):  # read lazily (load())
            self._hardware_header, self._hardware = hardware.header, hardware
        else:
            self._hardware_header = hardware[0]
            self._hardware = {row[0]: row for row in hardware[1:]}
        self._built: dict[str, Device] = {}
        self.prices = prices
        self.equivalents = equivalents
        self.providers = sorted({price.provider for price in prices})

    @functools.cached_property
    def _region_index(self) -> _Index:
        """Every region key, name, ISO code, alias and bare cloud region id; built on the first
        lookup that is not a plain key."""
        index = _Index()
        for region in self.regions.values():
            index.add(region.key, region.key)
        for region in self.regions.values():
            names = (region.name, region.iso_code, region.provider_region or "", *region.aliases)
            for name in names:
                if name:
                    index.add(name, region.key)
        return index

    @functools.cached_property
    def _device_index(self) -> _Index:
        """Every device name and alias; built on the first lookup that is not a plain key."""
        index = _Index(strip_vendor=True)
        for key in self._hardware:
            index.add(key, key)
        for key, row in self._hardware.items():
            index.add(row[1], key)
            for alias in row[2].split(";"):
                if alias:
                    index.add(alias, key)
        return index

    def device_by_key(self, key: str) -> Device:
        if key not in self._built:
            self._built[key] = _device(
                dict(zip(self._hardware_header, self._hardware[key], strict=True))
            )
        return self._built[key]

    @property
    def devices(self) -> dict[str, Device]:
        """Every device (builds them all: for listings, not for one estimate)."""
        return {key: self.device_by_key(key) for key in self._hardware}

    def region(self, name: str) -> Region:
        direct = name.strip().lower()
        if direct in self.regions:  # a key as written always wins
            return self.regions[direct]
        keys = self._region_index.matches(name)
        if len(keys) > 1:
            raise AmbiguousNameError(
                "region", name, keys, [self._region_label(self.regions[k]) for k in keys]
            )
        if not keys:
            suggestions = self._region_index.near(name)
            raise UnknownNameError(
                "region", name, suggestions, "see `greenai regions` for the list"
            )
        return self.regions[keys[0]]

    def _region_label(self, region: Region) -> str:
        """What tells regions of one name apart: 'US East (N. Virginia), Virginia, United States'
        for aws:us-east-1, 'South Carolina, United States' for gcp:us-east1."""
        names = [r.name for r in self.lineage(region) if r.kind != "cloud" or r is region]
        if region.kind == "cloud" and region.name == region.provider_region:
            names = names[1:]  # "us-east1": the bare id says nothing the key does not
        return ", ".join(dict.fromkeys(names)) or region.kind

    def device(self, name: str) -> Device:
        direct = _SPACES.sub("-", name.strip().lower())  # "P100", "TPU v2": a key as written
        if direct in self._hardware:
            return self.device_by_key(direct)
        keys = self._device_index.matches(name)
        if len(keys) > 1:
            raise AmbiguousNameError("device", name, keys, [self._hardware[k][1] for k in keys])
        if not keys:
            piece = self.tpu_slice(name)
            if piece is not None:  # a slice is several chips: the count must not be lost
                device, chips = piece
                raise UnknownNameError(
                    "device",
                    name,
                    [device.key],
                    f"{name} is a TPU slice of {chips} chips; write it as hardware: {name}",
                )
            raise UnknownNameError(
                "device", name, self._device_index.near(name), "see `greenai hardware`"
            )
        return self.device_by_key(keys[0])

    @functools.cached_property
    def _slices(self) -> dict[str, tuple[str, int, str]]:
        """Slice prefix -> (hardware key, units per chip, what the number counts); read on the
        first name that looks like a slice."""
        return {
            r["prefix"]: (r["device"], int(r["per_chip"]), r["counts"])
            for r in _rows("tpu_slices.csv")
        }

    def tpu_slice(self, name: str) -> tuple[Device, int] | None:
        """The chip and chip count of a Google Cloud TPU slice name, None for other names.

        The number counts TensorCores for v2, v3, v4 and v5p (two per chip: v5p-64 is 32 chips)
        and chips for v5e and v6e (v5litepod-16 is 16 chips), as Google's docs say.
        """
        match = SLICE_NAME.match(name)
        found = self._slices.get(match.group(1).lower()) if match else None
        if match is None or found is None:
            return None
        key, per_chip, counts = found
        units = int(match.group(2))
        if units < per_chip or units % per_chip:
            raise InputError(
                f"{name!r} is not a whole number of chips: a {match.group(1)} slice counts "
                f"{counts} ({per_chip} per chip), e.g. {match.group(1)}-{4 * per_chip}"
            )
        return self.device_by_key(key), units // per_chip

    def ambiguous_names(self) -> dict[str, dict[str, list[str]]]:
        """Normalized names that fit several regions or several devices (builds both indexes)."""
        return {
            "region": self._region_index.collisions(),
            "device": self._device_index.collisions(),
        }

    def provider(self, name: str) -> str:
        wanted = name.strip().lower()
        if wanted in self.providers:
            return wanted
        near = difflib.get_close_matches(wanted, self.providers, n=3, cutoff=0.5)
        raise UnknownNameError("cloud provider", name, near, f"known: {', '.join(self.providers)}")

    def lineage(self, region: Region) -> Iterator[Region]:
        """The region, then its parent, grandparent, ... (the grids it sits on)."""
        seen: set[str] = set()
        current: Region | None = region
        while current is not None and current.key not in seen:
            seen.add(current.key)
            yield current
            current = self.regions.get(current.parent) if current.parent else None

    def location(self, region: Region) -> str:
        """Where a region is, as granular as the table knows: 'gcp:us-central1 (Iowa, United
        States)', 'Québec, Canada' (Hugging Face's geographical_location asks for this)."""
        places = [r for r in self.lineage(region) if r.kind in ("subdivision", "country")]
        names = ", ".join(dict.fromkeys(r.name for r in places))
        if region.kind in ("subdivision", "country"):
            return names or region.name
        return f"{region.key} ({names})" if names else region.key

    def carbon_intensity(self, region: Region, basis: str = DEFAULT_BASIS) -> Resolved | None:
        """The intensity on `basis` of the region, else of the grid it sits on. A row without
        that basis but with another is used on the other, and `fallback` says so: Virginia has
        eGRID's direct figure only, and a lifecycle estimate there must not hide it."""
        for place in self.lineage(region):
            found = place.intensity(basis)
            fallback = ""
            for other in _FALLBACK[basis] if found is None else ():
                found = place.intensity(other)
                if found is not None:
                    fallback = other
                    break
            if found is not None:
                value, year, source, label, low, high, years = found
                assert value is not None
                return Resolved(value, place, year, source, label, fallback, low, high, years)
        return None

    def electricity_price(self, region: Region) -> Resolved | None:
        for place in self.lineage(region):
            if place.electricity_price_usd_per_kwh is not None:
                return Resolved(
                    place.electricity_price_usd_per_kwh,
                    place,
                    place.price_year,
                    place.price_source,
                    place.price_basis,
                )
        return None

    def prices_for(self, provider: str, device: str) -> list[Price]:
        return [p for p in self.prices if p.provider == provider and p.device == device]


# ----------------------------------------------------------------------------- loading


def _region(row: dict[str, str]) -> Region:
    return Region(
        key=row["key"],
        name=row["name"],
        kind=row["kind"],
        parent=row["parent"],
        iso_code=row["iso_code"],
        carbon_intensity_g_per_kwh=_float(row["carbon_intensity_g_per_kwh"]),
        intensity_year=row["intensity_year"],
        intensity_source=row["intensity_source"],
        intensity_basis=row["intensity_basis"],
        electricity_price_usd_per_kwh=_float(row["electricity_price_usd_per_kwh"]),
        price_year=row["price_year"],
        price_source=row["price_source"],
        pue=_float(row["pue"]),
        pue_source=row["pue_source"],
        aliases=tuple(a for a in row.get("aliases", "").split(";") if a),
        location=row.get("location", ""),
        intensity_license=row.get("intensity_license", ""),
        direct_g_per_kwh=_float(row.get("direct_g_per_kwh", "")),
        direct_year=row.get("direct_year", ""),
        direct_source=row.get("direct_source", ""),
        direct_basis=row.get("direct_basis", ""),
        provider_g_per_kwh=_float(row.get("provider_g_per_kwh", "")),
        provider_year=row.get("provider_year", ""),
        provider_source=row.get("provider_source", ""),
        provider_basis=row.get("provider_basis", ""),
        grid=row.get("grid", ""),
        price_basis=row.get("price_basis", ""),
        pue_year=row.get("pue_year", ""),
        wue_l_per_kwh=_float(row.get("wue_l_per_kwh", "")),
        wue_year=row.get("wue_year", ""),
        wue_source=row.get("wue_source", ""),
        intensity_low_g_per_kwh=_float(row.get("intensity_low_g_per_kwh", "")),
        intensity_high_g_per_kwh=_float(row.get("intensity_high_g_per_kwh", "")),
        intensity_range_years=row.get("intensity_range_years", ""),
        direct_low_g_per_kwh=_float(row.get("direct_low_g_per_kwh", "")),
        direct_high_g_per_kwh=_float(row.get("direct_high_g_per_kwh", "")),
        direct_range_years=row.get("direct_range_years", ""),
        provider_low_g_per_kwh=_float(row.get("provider_low_g_per_kwh", "")),
        provider_high_g_per_kwh=_float(row.get("provider_high_g_per_kwh", "")),
        provider_range_years=row.get("provider_range_years", ""),
    )


def _device(row: dict[str, str]) -> Device:
    cores = _float(row["cores"])
    return Device(
        key=row["key"],
        name=row["name"],
        aliases=tuple(a for a in row["aliases"].split(";") if a),
        kind=row["kind"],
        vendor=row["vendor"],
        tdp_w=_float(row["tdp_w"]),
        fp32_tflops=_float(row["fp32_tflops"]),
        tf32_tflops=_float(row["tf32_tflops"]),
        bf16_tflops=_float(row["bf16_tflops"]),
        fp16_tflops=_float(row["fp16_tflops"]),
        fp8_tflops=_float(row["fp8_tflops"]),
        memory_gb=_float(row["memory_gb"]),
        cores=int(cores) if cores is not None else None,
        release_year=row["release_year"],
        source=row["source"],
    )


def _price(row: dict[str, str]) -> Price:
    return Price(
        provider=row["provider"],
        device=row["device"],
        instance=row["instance"],
        pricing=row["pricing"],
        usd_per_device_hour=float(row["usd_per_device_hour"]),
        as_of=date.fromisoformat(row["as_of"]),
        region=row["region"],
        scope=row["scope"],
        source=row["source"],
    )


@functools.cache
def load() -> Tables:
    """greenai's tables, read once per process."""
    try:
        return Tables(
            regions=_BuiltRows(_KeyedRows("regions.csv"), _region),
            hardware=_KeyedRows("hardware.csv"),
            prices=[_price(r) for r in _rows("prices.csv")],
            equivalents=[
                Equivalent(r["key"], r["name"], float(r["co2e_lb"]), r["year"], r["source"])
                for r in _rows("equivalents.csv")
            ],
        )
    except (KeyError, ValueError, IndexError) as error:
        raise DataError(f"a data table in {data_dir()} is malformed: {error}") from None


# ----------------------------------------------------------------------------- host tables


@dataclass(frozen=True, slots=True)
class Site:
    """The PUE of a kind of place (data/sites.csv)."""

    key: str
    name: str
    pue: float
    year: str
    source: str


@dataclass(frozen=True, slots=True)
class Instance:
    """A cloud instance type with accelerators: its host (vCPUs, memory) and the watts per vCPU
    at idle and at full load (data/instances.csv)."""

    provider: str
    name: str
    vcpus: int
    memory_gb: float | None
    gpu_name: str
    gpu_count: int
    microarchitecture: str
    min_w_per_vcpu: float
    max_w_per_vcpu: float
    watts_basis: str
    year: str
    source: str


@functools.cache
def sites() -> dict[str, Site]:
    """data/sites.csv by key; read only when an estimate needs a site's PUE."""
    try:
        return {
            r["site"]: Site(r["site"], r["name"], float(r["pue"]), r["year"], r["source"])
            for r in _rows("sites.csv")
        }
    except (KeyError, ValueError) as error:
        raise DataError(f"data table sites.csv in {data_dir()} is malformed: {error}") from None


@functools.cache
def instances() -> dict[tuple[str, str], Instance]:
    """data/instances.csv by (provider, normalized name); read only for a cloud estimate."""
    try:
        return {
            (r["provider"], normalize(r["instance"])): Instance(
                provider=r["provider"],
                name=r["instance"],
                vcpus=int(r["vcpus"]),
                memory_gb=_float(r["memory_gb"]),
                gpu_name=r["gpu_name"],
                gpu_count=int(r["gpu_count"]),
                microarchitecture=r["microarchitecture"],
                min_w_per_vcpu=float(r["min_w_per_vcpu"]),
                max_w_per_vcpu=float(r["max_w_per_vcpu"]),
                watts_basis=r["watts_basis"],
                year=r["year"],
                source=r["source"],
            )
            for r in _rows("instances.csv")
        }
    except (KeyError, ValueError) as error:
        raise DataError(f"data table instances.csv in {data_dir()} is malformed: {error}") from None


def instance(provider: str, name: str) -> Instance | None:
    """The instance type `name` of `provider` ("a3-highgpu-8g", "Standard_ND40rs_v2", or a
    price list's "a3-edgegpu-8g (VM + 8 x H100)"), None when the table does not know it."""
    return instances().get((provider, normalize(name.split(" (", 1)[0])))


def instances_of(provider: str) -> list[Instance]:
    return [i for (p, _), i in instances().items() if p == provider]


def instance_names(provider: str) -> list[str]:
    return sorted(i.name for i in instances_of(provider))
