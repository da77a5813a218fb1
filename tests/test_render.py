"""The render layer (issue 14): one module per format over one sheet, columns from one spec,
warnings as fields until the GitHub renderer, the model card's hardware from data."""

from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import sys
from pathlib import Path

import pytest

from greenai import escape, estimate, experiment, report, tables
from greenai.notice import Notice
from greenai.render import escape as render_escape
from greenai.render import github, model_card, sheet
from greenai.render.numbers import number
from tests.conftest import CONFIGS

DATA = tables.load()
STRUBELL = sorted((CONFIGS / "strubell2019").glob("*.yaml"))


def priced(*paths):
    return [estimate.estimate(experiment.load(path, DATA), DATA) for path in paths]


# ----------------------------------------------------------------------------- imports

PROBE = """
import sys
from greenai.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("RICH=" + str("rich" in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["estimate", str(STRUBELL[0]), "--format", "json"],
        ["estimate", str(STRUBELL[0]), "--format", "csv"],
        ["estimate", str(STRUBELL[0]), "--format", "markdown"],
        ["check", str(STRUBELL[0]), "--format", "json"],
    ],
)
def test_machine_and_text_formats_do_not_import_rich(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.stdout.strip(), done.stderr
    assert "RICH=False" in done.stderr.splitlines()


def test_only_the_terminal_renderer_imports_rich() -> None:
    import ast
    import importlib
    import pkgutil

    import greenai.render

    for info in pkgutil.iter_modules(greenai.render.__path__):
        module = importlib.import_module(f"greenai.render.{info.name}")
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        roots = {name.split(".")[0] for name in names}
        assert "typer" not in roots, info.name
        assert ("rich" in roots) == (info.name == "terminal"), info.name


def test_greenai_escape_is_the_render_layers() -> None:
    assert escape.terminal is render_escape.terminal
    assert escape.annotation_data is render_escape.annotation_data


# ----------------------------------------------------------------------------- one spec


def test_a_new_figure_is_one_column_spec(monkeypatch) -> None:
    """A figure added to ESTIMATE_COLUMNS reaches the table, Markdown, LaTeX, the what-if
    grid's columns and the CSV (value, low, high) with no other edit."""
    added = sheet.Column(
        "Device-hours",
        sheet.figure("device_hours", number),
        compared="Device-hours",
        key="device_hours",
    )
    monkeypatch.setattr(sheet, "ESTIMATE_COLUMNS", (*sheet.ESTIMATE_COLUMNS, added))
    estimates = priced(*STRUBELL[:2])
    header, body = report.rows(estimates, report.UnitSystem.metric)
    assert header[-1] == "Device-hours"
    assert body[0][-1] == number(estimates[0].total.device_hours)
    assert body[-1][-1] == number(sum(e.total.device_hours for e in estimates))  # the total
    for form in (report.Format.table, report.Format.markdown, report.Format.latex):
        assert "Device-hours" in report.render(estimates, form)
    rows = list(csv.DictReader(io.StringIO(report.render(estimates, report.Format.csv))))
    assert float(rows[0]["device_hours_low"]) == estimates[0].total.device_hours
    assert list(rows[0])[-2:] == ["device_hours_low", "device_hours_high"]  # the value was there


def test_columns_without_rows_to_show_are_dropped() -> None:
    header, _ = report.rows(priced(STRUBELL[0]), report.UnitSystem.metric)
    assert "Runs" not in header and "FPO" not in header  # one run, no FPO given
    assert header[: report.LABELS] == ["Model", "Hardware", "Region"]


def test_sheet_marks_rows_by_tone() -> None:
    table = sheet.estimate_sheet(priced(*STRUBELL[:2]), report.UnitSystem.imperial)
    assert table.total and table.rows[-1].cells[0] == "Total"
    assert table.header[table.header.index("CO2e (lbs)")]
    best = sheet.Row(("a", "1"), sheet.Tone.best)
    assert best.marked() == ["* a", "1"] and best.cells == ("a", "1")


# ----------------------------------------------------------------------------- warnings


def test_notice_reads_as_the_error_at_its_place() -> None:
    notice = Notice("exp.yaml", 5, "hours", "1e9 hours is far above the usual range")
    assert str(notice) == "exp.yaml:5: hours: 1e9 hours is far above the usual range"
    assert str(Notice("exp.yaml (--set)", None, "hours", "odd")) == "exp.yaml (--set): hours: odd"
    assert f"warning: {notice}" == f"warning: {notice!s}"  # every printer is unchanged


def test_unusual_values_are_notices_with_their_line(write) -> None:
    path = write("name: Odd\nhardware: 3 x P100\npower: 517.66 W\nhours: 1000000000\nregion: us\n")
    loaded = experiment.load(path, DATA)
    (notice,) = loaded.warnings
    assert isinstance(notice, Notice)
    assert (notice.where, notice.line, notice.key) == (str(path), 4, "hours")
    assert str(notice).startswith(f"{path}:4: hours: 1,000,000,000 hours is far above")


def test_github_warning_annotation_is_built_from_fields(write) -> None:
    from greenai import checks

    path = write("name: Odd\nhardware: 3 x P100\npower: 517.66 W\nhours: 1000000000\nregion: us\n")
    (outcome,) = checks.run([path], DATA)
    (line,) = github.annotations([outcome]).splitlines()
    assert line.startswith(f"::warning file={path},line=4,title=greenai%3A unusual value::hours: ")
    # a warning still made as text keeps working: said whole, less the file
    outcome = checks.Outcome("a.yaml", warnings=("a.yaml: fpo: odd",))
    assert github.annotations([outcome]) == (
        "::warning file=a.yaml,title=greenai%3A unusual value::fpo: odd\n"
    )
    assert not hasattr(report, "_split_location")


# ----------------------------------------------------------------------------- model card


def test_model_card_hardware_comes_from_device_groups() -> None:
    (found,) = priced(CONFIGS / "strubell2019" / "nas_p100.yaml")
    assert found.groups and found.groups[0][0] == 8
    assert model_card.hardware_words(found) == f"8 x {found.groups[0][1].split()[-1]}"
    made = dataclasses.replace(
        found, hardware="ignored", groups=((64, "NVIDIA V100"), (0, "Google TPU v3"))
    )
    assert model_card.hardware_words(made) == "64 x V100 + TPU v3"
    assert model_card.hardware_words(dataclasses.replace(found, groups=())) == found.hardware
