"""Exit codes, as one enum, so that CI scripts and tests agree on what each number means."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    OVER_BUDGET = 1
    BAD_INPUT = 2
    INTERRUPTED = 130
