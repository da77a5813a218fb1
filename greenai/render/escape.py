"""Text from files, made inert for each consumer: the one place that knows how.

Names, notes, file names, CSV headers and error messages that quote them come from files that
greenai does not control (a pull request can change them). Printed raw they can drive whatever
reads greenai's output:

- a terminal obeys ESC, OSC and BEL sequences (colours, hyperlinks, window titles, clearing);
- a GitHub Actions runner obeys a workflow command on any line of a step's stdout or stderr
  that starts, after leading spaces, with ``::`` (``::add-mask::``, ``::stop-commands::``,
  ``::error ...::``) and the older ``##[command]`` form anywhere in a line;
- a job summary or README renders Markdown and raw HTML (a fake heading, ``<!--`` that hides
  every row after it, links);
- LaTeX runs ``\\input{...}`` and ``\\write18`` from any line that is not a comment;
- spreadsheets run cells that start with ``=``, ``+``, ``-`` or ``@``.

The rule: data never brings a line break, a control character or a command of its consumer.
Control characters (C0, DEL, C1, Unicode line and paragraph separators, bidirectional
overrides) are shown, not obeyed: ``\\n``, ``\\x1b``, ``\\u202e``. A ``::`` pair and a ``#[``
pair get a ZERO WIDTH SPACE (U+200B) between their characters, so that no runner reads a
command and a person reads the text unchanged; the JSON renderer needs no such mark, as
``\\u0023`` keeps its strings exact. This module imports neither rich nor typer, so that every
renderer, the CLI's error funnel and future consumers share it.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and DEL and C1; line/paragraph separators (str.splitlines() and some editors break there);
# bidirectional marks and overrides ("Trojan Source": text that displays in another order).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_COMMAND = re.compile(r"(?<=:)(?=:)|(?<=#)(?=\[)")


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def controls(text: str) -> str:
    """Every control character as a visible escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(_shown, text)


def break_commands(text: str) -> str:
    """``::`` and ``#[`` with a zero-width space inside: no GitHub workflow command, old or new,
    can start in this text (and a table that folds it cannot put ``::`` at a line's start)."""
    return _COMMAND.sub(ZERO_WIDTH_SPACE, text)


def terminal(text: str) -> str:
    """For a terminal and for a CI log (stdout and stderr alike): one line, nothing obeyed.
    Rich markup is a separate matter: renderers hand rich `Text`, never a markup string."""
    return break_commands(controls(text))


_MARKDOWN = re.compile(r"[\\`*_\[\]|#~]")


def markdown(text: str) -> str:
    """For a Markdown table cell or line (a GitHub job summary, --format markdown): the
    characters that start emphasis, code, links, headings or a new cell get a backslash,
    and HTML (``<!--``, ``<img>``, entities) becomes text."""
    text = controls(text)  # first: its backslashes are then escaped like the data's
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(), text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www)(?=\.))|(?<=[@#])")


def github_markdown(text: str) -> str:
    """For Markdown that GitHub renders in a pull-request comment or a job summary: as
    `markdown`, and nothing that GitHub itself turns into a link or a notification either: a
    zero-width space after each ``@`` (a mention, a team, an e-mail address) and ``#`` (an
    issue reference, ``owner/repo#1``), inside ``://`` and after ``www`` (GitHub's autolinks of
    bare URLs), and inside ``::`` (a workflow command, should the text reach a log)."""
    return break_commands(markdown(_AUTOLINK.sub(ZERO_WIDTH_SPACE, text)))


# Unicode noncharacters (U+FDD0..U+FDEF and the last two code points of every plane): an HTML
# parser reports each as an error in the input stream ("noncharacter-in-input-stream").
_NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0, 0x110000, 0x10000))
    + "]"
)


def html(text: str) -> str:
    """For HTML text and attribute values (a page, a job summary's raw HTML): control
    characters and noncharacters shown as escapes, so the document parses without error."""
    import html as _html  # here, not above: html.entities is imported for HTML output only

    text = _NONCHARACTER.sub(_shown, controls(text))
    return break_commands(_html.escape(text, quote=True))


_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "—": "---",
    "–": "--",
    "·": r"$\cdot$",
}


def latex(text: str) -> str:
    """For LaTeX, in a cell or a ``%`` comment alike: one line (a line break would end a
    comment and start live code), every special character as text."""
    return "".join(_LATEX.get(char, char) for char in break_commands(controls(text)))


def csv_cell(value: object) -> object:
    """For a CSV cell that a spreadsheet may open and a CI log may show: one line per record,
    and a leading ``'`` where a spreadsheet would run a formula. Numbers pass unchanged; JSON
    is the format that keeps text exact."""
    if not isinstance(value, str):
        return value
    text = terminal(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _shown_but_line_breaks(match: re.Match[str]) -> str:
    return match.group() if match.group() in "\r\n" else _shown(match)


def annotation_data(text: str) -> str:
    """The message of a GitHub workflow command (after the final ``::``), escaped as the
    runner unescapes it: ``%``, CR and LF as %25, %0D and %0A; other controls shown."""
    text = break_commands(_CONTROL.sub(_shown_but_line_breaks, text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: str) -> str:
    """A property of a workflow command (``file=``, ``title=``): also ``:`` and ``,``."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


_JSON_EXTRA = re.compile("[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(dumped: str) -> str:
    """JSON from json.dumps (which escapes C0 already), with DEL, C1, separators and bidi
    marks as ``\\uXXXX`` too and each ``#[`` as ``\\u0023[``: the same strings to any JSON
    reader, nothing for a terminal or a runner. These characters occur only inside strings."""
    dumped = _JSON_EXTRA.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
    return dumped.replace("#[", "\\u0023[")
