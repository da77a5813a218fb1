"""Without colour the terminal renderer writes prose lines and tables that fit itself, without
importing rich (benchmarks/startup.py: rich's console is a tenth of one estimate's start-up).
What it writes must be what rich writes, byte for byte: these tests draw the same sheets both
ways, on generated sheets and on every command's real output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from greenai.render import terminal
from greenai.render.sheet import Listed, Row, Sheet, Tone
from tests.conftest import CONFIGS

ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")
QUEBEC = str(CONFIGS / "today" / "finetune_8xh100_quebec.yaml")
EVERY_CONFIG = sorted(str(path) for path in CONFIGS.rglob("*.yaml"))


def test_one_cell_characters_are_one_cell_for_rich() -> None:
    assert [c for c in sorted(terminal.ONE_CELL) if cell_len(c) != 1] == []
    assert "–" in terminal.ONE_CELL and "·" in terminal.ONE_CELL and "─" in terminal.ONE_CELL
    assert "\u200b" not in terminal.ONE_CELL and "漢" not in terminal.ONE_CELL  # 0 and 2 cells


def both(draw, width: int) -> tuple[str, str]:
    """What `draw(console)` writes on the plain console and on rich's, colourless."""
    buffer, console = terminal._open(False, width)
    assert isinstance(console, terminal.Plain)
    draw(console)
    plain = terminal.text(buffer)
    buffer, console = terminal._open(False, width)
    console = terminal._console(buffer, False, terminal.usable(width))
    draw(console)
    return plain, terminal.text(buffer)


# Letters, digits, spaces (leading, trailing, doubled), the dashes and dots greenai prints; in
# a quarter of the sheets also characters rich measures otherwise (a zero-width space, a wide
# CJK character, a combining mark), which the plain console leaves to rich.
ONE_CELL = st.text(alphabet=st.sampled_from("ab Z09 .,$–—·é×"), max_size=14)
CELL = st.text(alphabet=st.sampled_from("ab Z09 .,$–—·é×\u200b漢\u0301"), max_size=14)


@st.composite
def sheets(draw) -> Sheet:
    cell = draw(st.sampled_from([ONE_CELL, ONE_CELL, ONE_CELL, CELL]))
    columns = draw(st.integers(1, 7))
    header = tuple(draw(st.lists(cell, min_size=columns, max_size=columns)))
    numeric = tuple(draw(st.lists(st.booleans(), min_size=columns, max_size=columns)))
    rows = draw(
        st.lists(
            st.builds(
                Row,
                st.lists(cell, min_size=columns, max_size=columns).map(tuple),
                st.sampled_from(list(Tone)),
            ),
            max_size=5,
        )
    )
    lead = tuple(draw(st.lists(CELL, max_size=2)))
    listed = tuple(draw(st.lists(st.builds(Listed, CELL, st.just(()), CELL), max_size=1)))
    return Sheet(header, tuple(rows), numeric, title=draw(CELL), lead=lead, assumptions=listed)


@settings(max_examples=200, deadline=None)
@given(sheets(), st.integers(0, 120))
def test_generated_sheets_read_the_same_as_rich_draws_them(sheet: Sheet, width: int) -> None:
    plain, rich = both(lambda console: terminal.draw(console, sheet), width)
    assert plain == rich


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.booleans())
def test_lines_read_the_same_as_rich_prints_them(line: str, gap: bool) -> None:
    plain, rich = both(lambda console: terminal.say(console, line, "dim", gap=gap), 20)
    assert plain == rich


COMMANDS = [
    *(["estimate", path, "--assumptions"] for path in EVERY_CONFIG),
    ["estimate", *EVERY_CONFIG[:6], "--ranges"],
    ["estimate", ELMO, "--units", "imperial"],
    ["compare", QUEBEC, "--vary", "region=fr,us,in", "--vary", "hardware=H100,A100"],
    ["check", *EVERY_CONFIG[:4]],
    ["regions", "ca"],
    ["hardware", "h100"],
    ["prices", "a100"],
]


@pytest.mark.parametrize("columns", ["30", "80", "160"])
def test_every_command_reads_the_same_as_with_rich_alone(
    cli, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    plain = [cli(*args) for args in COMMANDS]
    with monkeypatch.context() as patch:
        patch.setattr(terminal.Plain, "writes", lambda self, line: False)
        patch.setattr(terminal.Plain, "fits", lambda self, *args: False)
        rich = [cli(*args) for args in COMMANDS]
    assert [(r.code, r.out, r.err) for r in plain] == [(r.code, r.out, r.err) for r in rich]
    assert all(r.out for r in plain)


def test_a_table_estimate_into_a_pipe_imports_no_rich() -> None:
    probe = (
        "import sys\nfrom greenai.cli import main\n"
        f"try:\n    main(['estimate', {ELMO!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'), file=sys.stderr)\n"
    )
    # COLUMNS as for a pipe: pytest's readline may have put COLUMNS=80 in children's environment
    done = subprocess.run([sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "160"})  # fmt: skip
    assert "ELMo" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"
