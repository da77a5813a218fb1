"""Clock-style durations: `1:30`, `02:30:00`, SLURM's `2-12:00:00`.

People copy wall-clock times from job logs and schedulers (SLURM's `--time` and sacct's Elapsed
column) into experiment files. YAML 1.1 reads `1:30` as the base-60 integer 90 and pint reads the
string "1:30" as 30, so each of these forms was off by a factor of 60 or more, in silence. This
module reads them exactly or refuses them with the reason; it imports nothing heavy, so a sacct
reader can use it on millions of rows.

Forms (every field a decimal number; minutes and seconds two digits, 00 to 59):

    H:MM            1:30         one and a half hours
    H:MM:SS         02:30:00     H may have any number of digits (100:00:00 is 100 hours)
    D-HH            2-12         SLURM: days and hours (HH 0 to 23)
    D-HH:MM         2-12:30
    D-HH:MM:SS      2-12:30:00   sacct's Elapsed for jobs of a day or more

Seconds may carry a fraction (`0:00:01.5`). SLURM's own `MM:SS` reading of two fields is not
used: sacct prints hours whenever it prints a colon, and in an experiment file `hours: 1:30`
means an hour and a half.
"""

from __future__ import annotations

import re

MAX_LEADING_DIGITS = 9  # 999,999,999 hours is 114,000 years: a longer first field is a typo

# Loose shape: anything a person might have meant as a clock time, so that a malformed one is
# refused with the reason instead of reaching pint (which reads "1:30" as 30).
_SHAPED = re.compile(r"[-+]?\d[\d.]*(?:-[\d.]*)?(?::[\d.]*)+|[-+]?\d+-\d[\d.]*")
_CLOCK = re.compile(r"(?P<h>\d+):(?P<m>\d\d)(?::(?P<s>\d\d(?:\.\d+)?))?")
_SLURM = re.compile(r"(?P<d>\d+)-(?P<h>\d{1,2})(?::(?P<m>\d\d)(?::(?P<s>\d\d(?:\.\d+)?))?)?")

FORMS = "H:MM, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS"


class DurationError(ValueError):
    """Text shaped like a clock time that is not a valid one; the message says why."""


def is_clock(text: str) -> bool:
    """Whether `text` is shaped like a clock-style duration (valid or not): digits with colons,
    or SLURM's `D-HH`. Such text must never be read as a plain number or a pint expression."""
    return _SHAPED.fullmatch(text.strip()) is not None


def parse_seconds(text: str) -> float:
    """The number of seconds `text` stands for, in one of the forms above.

    Strict: a field out of range (`1:75`), a one-digit minute (`1:5`), a sign, a fraction
    anywhere but the seconds, or a fourth field is a DurationError, never a guess.
    """
    stripped = text.strip()
    if stripped[:1] in ("+", "-"):
        raise DurationError(f"{text!r}: a duration has no sign")
    days = 0
    match = _SLURM.fullmatch(stripped)
    if match:
        days = _field(match["d"], text, "days")
        if int(match["h"]) > 23:
            raise DurationError(f"{text!r}: hours after 'D-' must be 0 to 23 (D-HH:MM:SS)")
    else:
        match = _CLOCK.fullmatch(stripped)
    if not match:
        raise DurationError(f"{text!r} is not a clock time; expected {FORMS}{_why(stripped)}")
    hours = _field(match["h"], text, "hours")
    minutes = int(match["m"] or 0)
    seconds = float(match["s"] or 0)
    if minutes > 59:
        raise DurationError(f"{text!r}: minutes must be 00 to 59")
    if seconds >= 60:
        raise DurationError(f"{text!r}: seconds must be 00 to 59")
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _field(digits: str, text: str, name: str) -> int:
    if len(digits) > MAX_LEADING_DIGITS:
        raise DurationError(f"{text!r}: more than {MAX_LEADING_DIGITS} digits of {name}")
    return int(digits)


def _why(text: str) -> str:
    """The likely slip in a clock time that does not match, for the message."""
    fields = re.split(r"[:-]", text)
    if text.count(":") > 2 or (text.count(":") > 1 and "-" in text):
        return " (too many fields)"
    if any(not f for f in fields):
        return " (an empty field)"
    if any("." in f for f in fields[:-1]) or (text.count(":") == 1 and "." in fields[-1]):
        return " (only seconds may have a fraction)"
    if any(len(f) == 1 for f in text.split(":")[1:]):
        return " (minutes and seconds take two digits: 1:05, not 1:5)"
    if any(len(f) > 2 for f in text.split(":")[1:]):
        return " (minutes and seconds take two digits)"
    return ""
