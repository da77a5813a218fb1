"""The choices of greenai's options, each declared once: output formats, units, sort orders.

The command line lists an option's choices in `--help` from an Enum, one per option, so each
choice set is an Enum here. This module imports only `enum`: `greenai --help` reads it without
the renderers, numpy or the tables, which hold the sources of truth that some of these mirror
(tests/test_formats.py keeps each mirror equal to its source):

- `Format`: every format a result renders to, `greenai.report.Format` member for member
- `Units`: `greenai.report.UnitSystem`
- `SortBy`: `greenai.compare.SortBy`
- `Basis`: `greenai.tables.BASES`
- `Per`: `greenai.estimate.PER`
"""

from __future__ import annotations

from enum import StrEnum


def choices(name: str, *values: str) -> type[StrEnum]:
    """A StrEnum of `values`, each member named as its value with "-" as "_" (model-card:
    `model_card`), the way typer lists and parses an option's choices."""
    return StrEnum(name, [(value.replace("-", "_"), value) for value in values], module=__name__)


# What an estimate renders to (greenai.report.Format); the other result formats are subsets.
# annex-xi (EU AI Act), spdx, cyclonedx (bills of materials) and checklist (papers) document
# trained models, one per file: a what-if grid of scenarios is none of these
DOCUMENTS = ("model-card", "annex-xi", "spdx", "cyclonedx", "checklist")
FORMATS = ("table", "json", "csv", "markdown", "latex", *DOCUMENTS)

Format = choices("Format", *FORMATS)
# compare: a grid has no model card (the co2_eq_emissions block of one model), nor any document
CompareFormat = choices("CompareFormat", *(f for f in FORMATS if f not in DOCUMENTS))
# check: its own summary for GitHub Actions (Markdown for the job summary and ::error lines),
# and a pull request's comment (with --base)
CheckFormat = choices("CheckFormat", "table", "json", "markdown", "github", "pr-comment")
# fpo: yaml is the fpo: block of an experiment file
FpoFormat = choices("FpoFormat", "table", "json", "yaml")
# verify: the verdict on a JSON report's figures
VerifyFormat = choices("VerifyFormat", "table", "json", "markdown")
# curve and the data listings (regions, hardware, prices): rows of plain figures
ListFormat = choices("ListFormat", "table", "json", "csv")

Units = choices("Units", "metric", "imperial")
SortBy = choices("SortBy", "co2e", "energy", "cost", "none")
TrainingType = choices("TrainingType", "pre-training", "fine-tuning")
Basis = choices("Basis", "lifecycle", "direct", "provider")
# estimate --per: the functional unit R of the SCI (greenai.estimate.PER)
Per = choices("Per", "token", "example", "pflop", "run", "parameter")
