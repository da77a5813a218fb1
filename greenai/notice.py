"""A warning about one value of an experiment file, kept as fields until it is shown.

The value is possible, so greenai computes with it, but it is far outside what real experiments
have (most often a unit slip). Like `InputError`, a `Notice` keeps where it points (file, line,
dotted key) apart from what it says, and builds its one line of text in `__str__`: stderr and
every other reader print `str(notice)` as before, while the GitHub renderer puts `line` into an
annotation's `line=` without parsing the text back. This module imports nothing above errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from greenai.errors import InputError


@dataclass(frozen=True, slots=True)
class Notice:
    """`where`: the file (with " (--set)" for a value from the command line, as errors say it);
    `line`: the 1-based line of the key, None where there is none; `key`: the dotted key path."""

    where: str
    line: int | None
    key: str
    message: str

    @classmethod
    def at(cls, error: InputError) -> Notice:
        """The notice at the place an error would name (the validator locates both alike)."""
        return cls(error.where, error.line, error.key, error.message)

    def __str__(self) -> str:
        """The text of an error at the same place: "FILE:LINE: key: message"."""
        return str(InputError(self.message, where=self.where, line=self.line, key=self.key))
