"""What a JSON report records so that its figures can be checked years later (`greenai verify`).

Each priced object of `estimate`, `compare` and `check -f json` carries a `provenance` block:
the report format's version, greenai's version, a digest of the data tables, and the inputs as
read (the experiment after --set, which is what validation reads, with the file's path and the
sha256 of its bytes). The block sits inside every object rather than around the list, so the
JSON keeps the shape of DESIGN.md (a list, one object per experiment) and one object cut out of
a report, as a paper's supplement would quote it, still verifies on its own.

The data digest hashes the bytes of the shipped tables as they are on disk now, not a digest
written at build time: a table edited in an installed copy or a checkout must read as changed
data, which a precomputed digest would hide. Hashing all of them (1.1 MB) takes about 2 ms, once
per process and only when a JSON report is written (benchmarks/startup.py times it).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The layout of the `provenance` block. Raise it when a later greenai records something that
# an older `greenai verify` would read wrongly; verify refuses a report from a newer format.
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Inputs:
    """An experiment as it was read: `document` is the file's mapping after the --set
    overrides (`overrides`, --basis among them), exactly what validation was given."""

    path: str
    sha256: str | None
    overrides: tuple[str, ...] = ()
    document: Any = None
    # compare: the scenario of the row ({key: value as typed}) and --scale-hours-by
    scenario: Mapping[str, str] = field(default_factory=dict)
    scale_hours_by: str | None = None

    def file_sha256(self) -> str | None:
        """The file's sha256: as recorded, else of the bytes its document was read from,
        hashed only now that a report asks for it."""
        if self.sha256 is not None:
            return self.sha256
        data = getattr(self.document, "raw", None)
        return None if data is None else digest(data)


def digest(data: bytes) -> str:
    # hashlib (OpenSSL) is imported here, when a report is written: ~4 ms a table estimate,
    # which records nothing, need not spend
    import hashlib

    return hashlib.sha256(data).hexdigest()


@functools.cache
def data_digests() -> dict[str, Any]:
    """sha256 of each shipped table (data/*.csv, by name) and of them all together.

    The whole is the sha256 of the lines `sha256sum` prints for the tables in name order
    ("<hex>  <name>\\n"), so a reader can check it without greenai:
    `cd greenai/data && LC_ALL=C sha256sum *.csv | sha256sum`."""
    from greenai.tables import data_dir

    tables = {}
    for path in sorted(data_dir().glob("*.csv"), key=lambda p: p.name.encode()):
        tables[path.name] = digest(path.read_bytes())
    listing = "".join(f"{hexdigest}  {name}\n" for name, hexdigest in tables.items())
    return {"sha256": digest(listing.encode()), "tables": tables}


def plain(value: Any) -> Any:
    """The reader's mappings and lists (which carry line numbers) as plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return value is None or isinstance(value, str | int)


def record(
    inputs: Inputs | None, command: str, options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The `provenance` block of one priced object. Without inputs (an object not read from a
    file) only the versions and the data are recorded, and verify says it cannot recompute.
    `options`: the command's options that change a figure of the object (estimate's --per;
    compare's --scale-hours-by). --set and --basis are in the inputs; --units changes no JSON
    figure (JSON is always kg, kWh and USD); budgets change no figure."""
    from greenai import __version__

    found: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "greenai": __version__,
        "command": command,
        # a copy: the cached digests stay as computed whatever a caller does with the block
        "data": {**data_digests(), "tables": dict(data_digests()["tables"])},
        "options": dict(options or {}),
        "inputs": None,
    }
    if inputs is None:
        return found
    document = plain(inputs.document)
    recorded: dict[str, Any] = {
        "path": inputs.path,
        "sha256": inputs.file_sha256(),
        "set": list(inputs.overrides),
        # a key that validation accepted is finite (it refuses inf and nan), so this holds for
        # every file that priced; it is checked rather than trusted, as JSON cannot hold them
        "experiment": document if _finite(document) else None,
    }
    if command == "compare":
        recorded["scenario"] = dict(inputs.scenario)
        found["options"]["scale_hours_by"] = inputs.scale_hours_by
    found["inputs"] = recorded
    return found


def canonical(value: Any) -> str:
    """One text per value: sorted keys, no spaces (what two records are compared by)."""
    import json  # here: a table estimate, which reads a file's digest, never writes JSON

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
