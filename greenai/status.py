"""Exit codes, as one enum, so that CI scripts and tests agree on what each number means.

A CI step branches on these: 1 means "the plan is too expensive" (a result, not a failure of
greenai), 2 "fix the file or the command line", 3 "greenai itself failed: report it", 4 "the
machine could not take the output". Codes above 128 follow the shell's 128 + signal number, so
that `greenai ... | head` and a cancelled job read as they would for any other Unix tool.
"""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a greenai process tells its caller; each member's __doc__ says when it is used
    (`greenai.status.ExitStatus.OUTPUT_ERROR.__doc__`), so the README table can be checked."""

    def __new__(cls, value: int, doc: str) -> "ExitStatus":
        member = int.__new__(cls, value)
        member._value_ = value
        member.__doc__ = doc
        return member

    OK = 0, "Every file priced and within its budgets."

    OVER_BUDGET = (
        1,
        "A result, not a failure: priced, but over a budget (--budget, a file's budget:, "
        "check's --fail-above); for verify, a figure that no longer holds. The figures were "
        "written.",
    )

    BAD_INPUT = (
        2,
        "An invalid experiment file, a bad command line, or an output path that cannot be "
        "used (a missing folder, a folder, an input file of the same command, no permission).",
    )

    INTERNAL_ERROR = (
        3,
        "A bug in greenai: an exception it did not expect. The message asks for --traceback.",
    )

    OUTPUT_ERROR = (
        4,
        "The result was computed but could not be written: a full disk or quota, an I/O "
        "error, or a closed standard output.",
    )

    HANGUP = 129, "SIGHUP (the terminal went away): stopped, temporary files removed."

    INTERRUPTED = (
        130,
        "Ctrl-C (SIGINT): stopped, temporary files removed, an existing --output file kept.",
    )

    BROKEN_PIPE = (
        141,
        "The reader of standard output went away (`greenai ... | head -1`): stopped quietly, "
        "as a process killed by SIGPIPE would be.",
    )

    TERMINATED = 143, "SIGTERM (a cancelled CI job, `kill`): stopped, temporary files removed."
