"""`greenai verify REPORT.json`: price a JSON report's recorded inputs again and say, figure by
figure, whether it still holds (greenai.verify). Parse, call, render; no arithmetic here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenai.cli import common
from greenai.cli.common import OutputOption
from greenai.cli.output import emit
from greenai.formats import VerifyFormat


def verify(
    report: Annotated[
        Path,
        typer.Argument(
            help="A JSON report of greenai estimate, compare or check (-f json), or one "
            "object cut out of one.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        VerifyFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = VerifyFormat.table,
    output: OutputOption = None,
) -> None:
    """Recompute every figure of a JSON report from the inputs it recorded, with this greenai
    and its data, and say whether each still holds (within 1e-9 relative) and, where not, why:
    the data tables changed (which), greenai's version changed, or the recorded inputs were
    edited. A file that changed on disk since is said; the recorded inputs are what is used.

    Exit status: 0 every figure holds, 1 a figure differs, 2 not a greenai JSON report (or one
    from a newer report format).
    """
    from greenai import report as rendering
    from greenai import verify as checker

    verdict = checker.verify(report)
    text = rendering.render_verification(
        verdict,
        output_format.value,
        color=output is None and common.color(),
        width=common.width(output),
    )
    emit(text, output, [report])
    raise typer.Exit(checker.exit_status(verdict))
