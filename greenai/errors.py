"""greenai's error types.

The core raises these and never prints or exits; the CLI turns each into one line on stderr and
the error's `exit_status` (2, bad input, unless the type says otherwise; see greenai.status).
Messages are built in `__str__` from the fields, so callers can also read the fields (a notebook
user can catch `UnknownNameError` and look at `.suggestions`).
"""

from __future__ import annotations

from collections.abc import Sequence

from greenai.status import ExitStatus


class GreenAIError(Exception):
    """Anything greenai refuses to compute: bad input or a gap in the data."""

    exit_status: ExitStatus = ExitStatus.BAD_INPUT


class InputError(GreenAIError):
    """A problem with one value of an experiment file (or a --set override).

    `where` is the file name; `line` the 1-based line of the key (None for --set or whole-file
    problems); `key` the dotted key path; `message` says what was expected.
    """

    def __init__(
        self, message: str, *, where: str = "", line: int | None = None, key: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.line = line
        self.key = key

    def located(self, where: str, line: int | None, key: str) -> InputError:
        """The same error with a location filled in, for errors raised below the YAML layer."""
        self.where = self.where or where
        self.line = self.line if self.line is not None else line
        self.key = self.key or key
        return self

    def __str__(self) -> str:
        place = self.where
        if self.line is not None:
            place = f"{place}:{self.line}" if place else f"line {self.line}"
        key = self.key if self.key.isprintable() else repr(self.key)  # a key of "\r": one line
        parts = [p for p in (place, key) if p]
        return ": ".join([*parts, self.message])


class UnknownNameError(InputError):
    """A device, region or provider that is not in the data tables, with near matches."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str], hint: str = "") -> None:
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        text = f"unknown {kind} {name!r}"
        if self.suggestions:
            text += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class AmbiguousNameError(InputError):
    """A name that fits several rows of a table (`us-east1`: Google's South Carolina region, and
    AWS's Virginia one once punctuation is ignored). Picking one would price the wrong grid
    silently, so the user is asked to write one of the `candidates` (keys)."""

    def __init__(
        self,
        kind: str,
        name: str,
        candidates: Sequence[str],
        labels: Sequence[str] = (),
        *,
        where: str = "",
        line: int | None = None,
        key: str = "",
    ) -> None:
        GreenAIError.__init__(self, kind, name, tuple(candidates))
        self.kind = kind
        self.name = name
        self.candidates = list(candidates)
        self.labels = list(labels) if labels else list(self.candidates)
        self.where = where
        self.line = line
        self.key = key

    @property
    def message(self) -> str:  # type: ignore[override]  (built from the fields, never stale)
        named = [
            repr(c) if label == c else f"{c!r} ({label})"
            for c, label in zip(self.candidates, self.labels, strict=True)
        ]
        listed = ", ".join(named[:-1]) + " or " + named[-1] if len(named) > 1 else named[0]
        return f"{self.kind} {self.name!r} is ambiguous: write {listed}"


class DataError(GreenAIError):
    """The shipped data cannot answer: a missing TDP, no price for a device, a broken table."""


class MissingExtraError(GreenAIError):
    """A command needs an optional dependency (an extra such as greenai-cost[torch]) that is not
    installed."""


class OutputError(GreenAIError):
    """The output place the user named cannot be used: a missing folder, a folder, an input
    file of the same command, no permission. Exit 2: the command line needs fixing."""


class WriteError(OutputError):
    """Writing failed although the place was fine: a full disk, a quota, an I/O error, a closed
    standard output. Exit 4, so that CI tells a sick runner from a bad command line."""

    exit_status = ExitStatus.OUTPUT_ERROR


class ReaderGone(WriteError):
    """The reader of standard output closed the pipe (`greenai ... | head -1`). Nothing is said:
    the reader chose to stop reading, as it would with any other Unix tool."""

    exit_status = ExitStatus.BROKEN_PIPE
