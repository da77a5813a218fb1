"""The choices of the command line are declared once, in greenai.formats, which imports nothing
heavy; those that mirror a source of truth elsewhere stay equal to it."""

from __future__ import annotations

import subprocess
import sys
from enum import Enum

from greenai import compare, estimate, formats, report, tables


def members(choices: type[Enum]) -> list[tuple[str, object]]:
    return [(member.name, member.value) for member in choices]


def test_format_is_the_renderers_format() -> None:
    assert members(formats.Format) == members(report.Format)
    assert [f.value for f in formats.Format] == list(formats.FORMATS)


def test_units_are_the_renderers_unit_systems() -> None:
    assert members(formats.Units) == members(report.UnitSystem)


def test_sort_orders_are_the_grids() -> None:
    assert members(formats.SortBy) == members(compare.SortBy)


def test_bases_are_the_tables() -> None:
    assert tuple(basis.value for basis in formats.Basis) == tables.BASES


def test_functional_units_are_the_estimates() -> None:
    assert tuple(per.value for per in formats.Per) == estimate.PER


def test_each_commands_formats_are_formats_the_renderers_know() -> None:
    known = set(formats.FORMATS)
    # a what-if grid is no model's document (model card, Annex XI, SPDX, CycloneDX, checklist)
    assert {f.value for f in formats.CompareFormat} == known - set(formats.DOCUMENTS)
    assert set(formats.DOCUMENTS) == {"model-card", "annex-xi", "spdx", "cyclonedx", "checklist"}
    assert {f.value for f in formats.ListFormat} <= known
    # check and fpo add their own: GitHub's summary and a PR's comment, the fpo: block in YAML
    assert {f.value for f in formats.CheckFormat} - known == {"github", "pr-comment"}
    assert {f.value for f in formats.FpoFormat} - known == {"yaml"}


def test_members_are_named_as_their_values() -> None:
    every = [formats.Format, formats.CompareFormat, formats.CheckFormat, formats.FpoFormat]
    every += [formats.ListFormat, formats.Units, formats.SortBy, formats.TrainingType]
    for choices in [*every, formats.Basis, formats.Per]:
        for member in choices:
            assert member.name == member.value.replace("-", "_")
            assert member == member.value  # a str, as typer and the renderers compare it


def test_the_module_imports_nothing_heavy() -> None:
    probe = (
        "import sys, greenai.formats\n"
        "heavy = ('typer', 'rich', 'numpy', 'pint', 'pandas', 'yaml')\n"
        "print(sorted(m for m in sys.modules if 'greenai' in m or m in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['greenai', 'greenai.formats']"
