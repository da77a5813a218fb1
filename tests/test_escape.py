"""Text from files is inert in every output (issues 13.2, 13.3, 13.4), numbers never wrap at any
width (13.13, 12.9), and the estimate table says what its columns hold (12.9, 12.1)."""

from __future__ import annotations

import csv
import dataclasses
import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from greenai import budget, checks, escape, experiment, report, tables
from greenai.core import budgets
from greenai.curve import build
from greenai.errors import InputError
from greenai.estimate import Assumption, estimate
from tests.conftest import CONFIGS

ZW = escape.ZERO_WIDTH_SPACE
DATA = tables.load()
ELMO = CONFIGS / "strubell2019" / "elmo.yaml"
H100 = CONFIGS / "today" / "finetune_8xh100_gcp.yaml"
STRUBELL = sorted((CONFIGS / "strubell2019").glob("*.yaml"))
# What a hostile pull request puts in a name, a note or a file name: workflow commands on a
# line of their own (indented too: the runner trims leading spaces), the old ##[ form, terminal
# sequences (OSC 8 hyperlink, CSI colour, BEL, title), rich markup, Markdown/HTML and LaTeX.
HOSTILE = [
    "ok\n::add-mask::secret",
    "ok\n  ::stop-commands::endtoken",
    "ok\r\n::error file=a.yaml,line=1::fake failure",
    "x ##[error]old form",
    "\u2028::warning::after a Unicode line separator",
    "\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07 \x1b[31mred\x1b[0m\x1b]0;title\x07",
    "[link=file:///etc/passwd]docs[/link] [bold red]loud[/bold red]",
    "[/bold] unbalanced",
    "| fake | cell |\n## All experiments within budget\n<!-- hide the rest",
    "*bold* _em_ `code` [link](http://x) <img src=x onerror=alert(1)> &amp;",
    "x\n\\input{/etc/passwd}\n\\immediate\\write18{rm -rf ~}",
    "tab\there\x00nul\x7fdel\x85nel\u202eevil",
]


def priced(name: str = "ELMo", path=ELMO, **fields: object):
    """The real estimate of a shipped config, with hostile text in its text fields."""
    found = estimate(experiment.load(path, DATA), DATA)
    return dataclasses.replace(found, name=name, **fields)


def shipped(*paths):
    return [estimate(experiment.load(path, DATA), DATA) for path in paths]


def cells(line: str) -> int:
    """The unescaped pipes of a Markdown table line."""
    return re.findall(r"\\.|\|", line).count("|")


def log_commands(text: str) -> list[str]:
    """Lines a GitHub runner would read as a workflow command."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# ----------------------------------------------------------------------------- escape.py


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("\x1b[31m", "\\x1b[31m"),
        ("\x07\x00\x7f\x85", "\\x07\\x00\\x7f\\x85"),
        ("\u2028\u202e", "\\u2028\\u202e"),
        ("plain: text, 1,234", "plain: text, 1,234"),
    ],
)
def test_controls_are_shown_not_obeyed(text: str, shown: str) -> None:
    assert escape.controls(text) == shown


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("::add-mask::x", f":{ZW}:add-mask:{ZW}:x"),
        (":::", f":{ZW}:{ZW}:"),
        ("##[error]x", f"##{ZW}[error]x"),
        ("a:b #c [d]", "a:b #c [d]"),  # single colons, a # not before [: unchanged
    ],
)
def test_workflow_commands_are_broken(text: str, broken: str) -> None:
    assert escape.break_commands(text) == broken
    assert escape.terminal(text) == broken


def test_markdown_escapes_cells_markup_and_html() -> None:
    assert escape.markdown("a|b") == "a\\|b"
    assert escape.markdown("a\\|b") == "a\\\\\\|b"  # a backslash cannot unescape the pipe
    assert escape.markdown("<!-- x -->") == "&lt;!-- x --&gt;"
    assert escape.markdown("# h *b* _e_ `c` [l](u) ~s~ &") == (
        "\\# h \\*b\\* \\_e\\_ \\`c\\` \\[l\\](u) \\~s\\~ &amp;"
    )
    assert escape.markdown("a\nb") == "a\\\\nb"  # shown as a\nb, on one line
    assert escape.html('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"


def test_latex_is_one_line_of_text() -> None:
    assert escape.latex("x\n\\input{a}") == "x\\textbackslash{}n\\textbackslash{}input\\{a\\}"
    assert escape.latex("50% & $5 #1 ~ ^") == (
        "50\\% \\& \\$5 \\#1 \\textasciitilde{} \\textasciicircum{}"
    )


def test_csv_cells() -> None:
    assert escape.csv_cell("=1+1") == "'=1+1"
    assert escape.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape.csv_cell("a\nb") == "a\\nb"
    assert escape.csv_cell("::add-mask::x") == f":{ZW}:add-mask:{ZW}:x"
    assert escape.csv_cell(1.5) == 1.5


def test_annotation_escaping_is_githubs() -> None:
    assert escape.annotation_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape.annotation_data("\x1b[31m") == "\\x1b[31m"
    assert escape.annotation_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_json_keeps_strings_exact() -> None:
    for text in HOSTILE:
        dumped = escape.json_text(json.dumps({"name": text}, ensure_ascii=False))
        assert json.loads(dumped)["name"] == text
        assert "##[" not in dumped and not RAW_CONTROL.search(dumped)


def test_escape_imports_neither_rich_nor_typer() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(escape))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m and m.split(".")[0] in ("rich", "typer")}


# ----------------------------------------------------------------------------- CLI, end to end


def hostile_file(write, name: str, file: str = "exp.yaml"):
    return write(f"name: {json.dumps(name)}\nhardware: 8 x V100\nhours: 10\nregion: us\n", file)


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("form", ["table", "markdown", "latex", "csv", "json", "model-card"])
def test_estimate_output_is_inert(cli, write, name: str, form: str) -> None:
    path = hostile_file(write, name)
    result = cli("estimate", path, "--format", form, "--assumptions")
    assert result.code == 0, result.err
    assert log_commands(result.out) == []
    assert not RAW_CONTROL.search(result.out)
    if form == "latex":
        assert not [line for line in result.out.splitlines() if line.startswith("\\input")]
        assert "\\write18" not in result.out
        assert "\\immediate" not in result.out or "\\textbackslash{}immediate" in result.out
    if form == "markdown":
        assert "<!--" not in result.out and "<img" not in result.out
        header = next(line for line in result.out.splitlines() if line.startswith("| Model"))
        # every table line has the header's cells: a name cannot add a cell
        assert {cells(line) for line in result.out.splitlines()} <= {0, cells(header)}
    if form == "json":
        assert json.loads(result.out)[0]["name"] == name.strip()
    if form == "model-card":
        card = yaml.safe_load(result.out)["co2_eq_emissions"]
        assert escape.terminal(name.strip()) in card["source"]


@pytest.mark.parametrize("name", HOSTILE)
def test_check_output_job_summary_and_annotations_are_inert(
    cli, write, tmp_path, monkeypatch, name: str
) -> None:
    hostile_file(write, name, "a.yaml")
    write(f"name: {json.dumps(name)}\nhardware: 8 x V100\nhours: 10\nregion: nowhere\n", "b.yaml")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("check", tmp_path, "--format", "github", "--budget", "co2e=1g")
    assert result.code == 2
    commands = log_commands(result.out + result.err)
    assert len(commands) == 2  # ours: one over budget, one invalid file; nothing from the name
    assert all(line.startswith("::error file=") for line in commands)
    written = summary.read_text()
    assert "<!--" not in written and "<img" not in written
    headings = [line for line in written.splitlines() if line.startswith("#")]
    assert headings == ["## greenai check"]
    rows_ = [line for line in written.splitlines() if line.startswith("| ")]
    assert {cells(line) for line in rows_} == {8}, rows_
    for form in ("table", "markdown", "json"):
        result = cli("check", tmp_path, "--format", form, "--budget", "co2e=1g")
        assert result.code == 2, result.err
        assert log_commands(result.out + result.err) == []
        assert not RAW_CONTROL.search(result.out + result.err)


@pytest.mark.parametrize(
    "file",
    ["x\n::add-mask::y.yaml", "x\n  ::error::y.yaml", "##[error]y.yaml", "\x1b[2Jclear.yaml"],
)
def test_error_lines_are_one_inert_line(cli, tmp_path, file: str) -> None:
    missing = cli("estimate", tmp_path / file)
    assert missing.code == 2
    assert missing.err.count("\n") == 1 and missing.err.startswith("error: ")
    assert log_commands(missing.err) == [] and not RAW_CONTROL.search(missing.err)
    bad = tmp_path / file
    bad.write_text('hardware: 1 x V100\nhours: 1\nregion: "us\\n::add-mask::x"\n')
    for command in ("estimate", "check"):
        result = cli(command, bad)
        assert result.code == 2
        assert log_commands(result.out + result.err) == []
        assert all(line.startswith("error: ") for line in result.err.splitlines()), result.err


def test_annotation_properties_escape_colon_and_comma(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    bad = tmp_path / "a,b:c%.yaml"
    bad.write_text("hardware: 1 x V100\nhours: 1\nregoin: us\n")
    result = cli("check", bad, "--format", "github")
    first = result.out.splitlines()[0]
    assert first.startswith("::error file=") and "a%2Cb%3Ac%25.yaml,line=3," in first


@pytest.mark.parametrize(
    "name", ["[/bold]", "[bold red]x[/]", "[link=file:///etc/passwd]x[/link]", "a [/] b"]
)
def test_rich_markup_in_names_is_text(cli, write, name: str) -> None:
    path = hostile_file(write, name)
    for args in (("estimate", path, "--assumptions"), ("check", path)):
        result = cli(*args)
        assert result.code == 0, result.err
        assert name in result.out  # shown as written, not read as markup
    text = report.render([priced(name)], report.Format.table, color=True, width=160)
    assert name in text and "\x1b]8;" not in text  # no hyperlink, only colour


def test_terminal_sequences_are_shown_with_colour_on() -> None:
    name = "\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[2J"
    text = report.render([priced(name)], report.Format.table, color=True, width=160)
    assert "\\x1b]8;;http://x\\x07link" in text and "\\x1b[2J" in text
    assert "\x1b]" not in text and "\x07" not in text and "\x1b[2J" not in text


@pytest.mark.parametrize("metric", ["[/bold]", "acc ##[error] x", "\x1b[31macc", "\u202eacc"])
def test_curve_labels_are_text(cli, tmp_path, metric: str) -> None:
    trials = tmp_path / "trials.csv"
    with trials.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([metric, "[/b] ::error::hours"])
        writer.writerows([[0.5 + i / 100, i + 1] for i in range(12)])
    result = cli("curve", trials, "--metric", metric, "--cost", "[/b] ::error::hours")
    assert result.code == 0, result.err
    assert log_commands(result.out) == [] and not RAW_CONTROL.search(result.out)
    assert escape.terminal(metric) in result.out and "[/b]" in result.out


# ----------------------------------------------------------------------------- widths


WIDTHS = [0, 1, 20, 40, 80, 120, 160]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_number_is_printed_whole_at_any_width(width: int) -> None:
    estimates = shipped(*STRUBELL, H100)
    text = report.render(estimates, report.Format.table, width=width, assumptions=True)
    _, body = report.rows(estimates, report.UnitSystem.metric)
    assert text.strip()
    for row in body:
        for cell in row[report.LABELS :]:
            assert cell in text, (width, cell)
    for row in report.work_rows(estimates):
        for cell in row[1:6]:
            assert cell in text, (width, cell)
    for estimate_ in estimates:  # labels fold, but every character is there
        assert re.sub(r"\s", "", estimate_.name) in re.sub(r"\s", "", text) or width < 24


@pytest.mark.parametrize("width", WIDTHS)
def test_check_and_curve_and_listings_keep_numbers_whole(width: int) -> None:
    outcomes = checks.run([*STRUBELL[:3], H100], DATA, [budget.from_option("co2e=100kg")])
    text = report.render_check(outcomes, "table", width=width)
    _, body = report.check_rows(outcomes, report.UnitSystem.metric)
    for row in body:
        for cell in row[3:6]:
            assert cell in text, (width, cell)
    scores = [0.5 + (i % 7) / 50 for i in range(40)]
    curve = build(scores, "acc", cost_per_trial=1234.5, cost_label="kg CO2e")
    text = report.render_curve(curve, "table", width=width)
    for row in report.curve_rows(curve):
        for cell in row:
            assert cell in text, (width, cell)
    records = [{"key": "gcp:us-east1", "carbon_intensity_g_per_kwh": 123456.75}]
    columns = [("key", "Key"), ("carbon_intensity_g_per_kwh", "g")]
    text = report.render_records(records, columns, report.Format.table, width=width)
    assert "123457" in text and "1 row\n" in text and "1 rows" not in text


@pytest.mark.parametrize("width", [0, 1, 20, 40, 80, 120, 160])
def test_cli_narrow_terminals_exit_0_with_every_figure(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli("estimate", *STRUBELL, "--units", "imperial")
    assert result.code == 0
    for figure in ("656,347", "$1,006,504–$3,413,609", "307,518.2", "$104,687", "12,041.51"):
        assert figure in result.out, (width, figure)


def test_wide_tables_are_tables_and_narrow_ones_cards() -> None:
    estimates = [
        priced(e.name, p) for p in STRUBELL for e in [estimate(experiment.load(p, DATA), DATA)]
    ]
    wide = report.render(estimates, report.Format.table, width=160)
    assert wide.splitlines()[0].split()[:4] == ["Model", "Hardware", "Region", "Power"]
    narrow = report.render(estimates, report.Format.table, width=40)
    assert "  Cloud compute cost: $433–$1,472" in narrow.splitlines()
    assert "    $942,973–$3,201,722" in narrow.splitlines()  # too long beside its label
    assert max(len(line) for line in narrow.splitlines()) <= 40


def test_columns_is_respected_when_piped(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    narrow = cli("estimate", *STRUBELL).out
    assert max(len(line) for line in narrow.splitlines()) <= 60
    monkeypatch.delenv("COLUMNS")
    assert cli("estimate", *STRUBELL).out.splitlines()[0].startswith("Model  ")


# ----------------------------------------------------------------------------- reading it


def test_hours_header_says_all_runs_and_region_is_shown(cli) -> None:
    table = cli("estimate", H100, ELMO).out
    header = table.splitlines()[0]
    assert "Hours (all runs)" in header and "Region" in header
    assert "gcp:us-central1" in table.split("\n\n")[0]
    (row,) = json.loads(cli("estimate", H100, "--format", "json").out)
    assert row["hours"] == 108 and row["per_run"]["hours"] == 36  # the JSON is unchanged
    markdown = cli("estimate", H100, "--format", "markdown").out
    assert (
        "| Llama 8B fine-tune (8 x H100, gcp:us-central1) | H100 SXM5 80GB x8 | gcp:us-central1 |"
        in markdown
    )
    latex = cli("estimate", H100, "--format", "latex").out
    assert "Hours (all runs)" in latex and "gcp:us-central1" in latex


def test_counts_are_singular_for_one(cli) -> None:
    assert cli("regions", "ca-qc").out.rstrip().endswith("\n1 row")
    assert cli("hardware", "h100").out.rstrip().endswith(" rows")


# ----------------------------------------------------------------------------- generated


HOSTILE_CHARS = st.sampled_from(list("\n\r\t\x00\x07\x1b\x7f\x85\u2028\u202e:#[]|<>&`*_\\%{}$/"))
TEXT = st.lists(
    st.one_of(
        st.sampled_from(["::add-mask::", "::error::", "##[error]", "<!--", "\\input{x}",
                         "[/bold]", "[link=x]", "\x1b]8;;", "\n::stop-commands::t", " "]),
        HOSTILE_CHARS,
        st.text(max_size=4),
    ),
    max_size=12,
).map("".join)  # fmt: skip
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_inert(text: str, color: bool = False) -> None:
    layout = re.sub(r"\x1b\[[0-9;]*m", "", text) if color else text  # rich's own colours
    assert not RAW_CONTROL.search(layout.replace("\n", "")), repr(text)
    assert log_commands(layout) == [], repr(text)


@SETTINGS
@given(name=TEXT, file=TEXT, note=TEXT, width=st.sampled_from(WIDTHS), color=st.booleans())
@example(name="\n::add-mask::x", file="a\n##[error]", note="<!--", width=20, color=True)
def test_every_renderer_is_inert(name: str, file: str, note: str, width: int, color: bool) -> None:
    notes = (Assumption(note, note, note), Assumption("PUE", "1.58", note))
    estimates = [priced(name or "x", file=file, assumptions=notes), priced(note, H100)]
    for form in report.Format:
        text = report.render(estimates, form, assumptions=True, color=color, width=width)
        assert_inert(text, color and form is report.Format.table)
        if form is report.Format.markdown:
            table = [line for line in text.splitlines() if line.startswith("| ")]
            assert not [line for line in table if "<" in line]
            assert len({cells(line) for line in table}) == 2  # the main table, the FPO one
        if form is report.Format.latex:
            for line in text.splitlines():
                assert not re.match(r"\\(input|include|write|immediate|def|openout)", line)
    outcomes = [
        checks.Outcome(file, estimate=estimates[0], warnings=(f"{file}: {note}",)),
        checks.Outcome(file, error=InputError(note, where=file, line=2, key=name)),
    ]
    outcomes[0].breaches = budgets.check(estimates[:1], [budget.from_option("co2e=1g")], {})
    for form in ("table", "markdown", "github", "json"):
        assert_inert(report.render_check(outcomes, form, color=color, width=width), color)
    annotations = report.github_annotations(outcomes).splitlines()
    assert len(annotations) == 3 and all(line.startswith("::") for line in annotations)
    assert all(line.count("::") == 2 for line in annotations)  # the command's own two
    curve = build([0.1, 0.4, 0.3], name, cost_per_trial=2.0, cost_label=note or None)
    for form in ("table", "json", "csv"):
        assert_inert(report.render_curve(curve, form, width=width))
