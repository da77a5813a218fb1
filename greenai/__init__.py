"""greenai: price ML experiments in energy, CO2e, money and floating-point operations.

The package root stays import-light so that `greenai --help` starts fast: `price` imports the
calculator (numpy, pint, the tables) when it is called, never typer or rich, so a notebook can
price an experiment without the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from greenai.estimate import Estimate

__version__ = "0.1.0"


def price(experiment: Mapping[str, Any] | str | Path, **overrides: Any) -> Estimate:
    """The price tag of one experiment: a path to its YAML file, or a plain mapping with the
    same keys (`{"hardware": "8 x H100", "hours": 24, "region": "fr"}`). Keyword arguments
    override keys as `--set` does (`runs=3`, `region="fr"`; dotted keys as `cloud__provider`).
    Returns an `Estimate`; `.as_dict()` gives the JSON object of `greenai estimate -f json`.
    Bad input raises `greenai.errors.InputError` naming the key, as the command line does."""
    from greenai import experiment as reader
    from greenai import tables
    from greenai.estimate import estimate

    data = tables.load()
    if isinstance(experiment, str | Path):
        document = reader.read_overridden(Path(experiment))
        where = str(experiment)
    else:
        document = _document(experiment)
        where = str(experiment.get("name") or "experiment")
    for key, value in overrides.items():
        reader.apply_override(document, key.split("__"), _document(value))
    return estimate(reader.validate(document, where, data), data)


def _document(value: Any) -> Any:
    """Plain dicts and lists as the reader's own (which know each key's line; 0: set in code)."""
    from greenai import experiment as reader

    if isinstance(value, Mapping):
        return reader.mapping({str(k): _document(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return reader.sequence([_document(v) for v in value])
    return value
