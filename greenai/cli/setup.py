"""Setting up: `schema` (the JSON Schema of the experiment file) and `init` (a starter file)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from greenai.cli.common import OutputOption
from greenai.cli.output import emit, write_atomically


def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of the experiment file (for editors with a YAML language server)."""
    import json

    from greenai import tables
    from greenai.schema import experiment_schema

    text = json.dumps(experiment_schema(tables.load()), indent=2, ensure_ascii=False) + "\n"
    emit(text, output)


def init(
    path: Annotated[
        Path, typer.Argument(help="Where to write the starter experiment file.")
    ] = Path("experiment.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a commented starter experiment file (never overwrites without --force)."""
    from importlib import resources

    from greenai.errors import OutputError, WriteError

    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise OutputError(
            f"{path}: is a folder; give a file name such as {path / 'experiment.yaml'}"
        )
    text = resources.files("greenai").joinpath("starter.yaml").read_text(encoding="utf-8")
    write_atomically(path, text)
    with contextlib.suppress(WriteError):  # the file is written; this line is a courtesy
        emit(f"wrote {path}; price it with: greenai estimate {path}\n", None)
