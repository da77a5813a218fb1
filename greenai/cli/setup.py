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
        Path | None,
        typer.Argument(
            help="Where to write the starter file (default: experiment.yaml, or cluster.yaml "
            "with --cluster).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
    cluster: Annotated[
        bool,
        typer.Option("--cluster", help="Write a cluster file for `greenai batch` instead."),
    ] = False,
) -> None:
    """Write a commented starter experiment file (never overwrites without --force)."""
    from importlib import resources

    from greenai.errors import OutputError, WriteError

    if path is None:
        path = Path("cluster.yaml" if cluster else "experiment.yaml")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise OutputError(
            f"{path}: is a folder; give a file name such as {path / 'experiment.yaml'}"
        )
    starter = "cluster_starter.yaml" if cluster else "starter.yaml"
    text = resources.files("greenai").joinpath(starter).read_text(encoding="utf-8")
    write_atomically(path, text)
    use = (
        f"use it with: greenai batch jobs.txt --cluster {path}"
        if cluster
        else f"price it with: greenai estimate {path}"
    )
    with contextlib.suppress(WriteError):  # the file is written; this line is a courtesy
        emit(f"wrote {path}; {use}\n", None)
