"""`main()`: the one funnel from a run of the CLI to an exit status and at most one error line.

Each outcome becomes one exit status (greenai.status.ExitStatus) and each error one red line on
stderr, most specific first, a bug of ours last; `--traceback` shows the stack instead. Also:
SIGTERM and SIGHUP unwind (so a write in progress removes its temporary file), closed standard
descriptors are plugged, and a stdout that fails on its last flush still changes the status.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys

import typer

from greenai.cli.common import error_line, state
from greenai.status import ExitStatus


class _Stopped(BaseException):
    """Raised by the SIGTERM and SIGHUP handlers, so that the temporary file of a write is
    removed on the way out (the default action kills greenai and leaves `.NAME.*.tmp`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    import signal

    signal.signal(signum, signal.SIG_DFL)  # a second one kills at once
    raise _Stopped(signum)


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _catch_signals() -> dict[int, object]:
    import signal

    previous: dict[int, object] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, _on_signal)
        except ValueError:  # not the main thread (main() called from a library's worker)
            break
    return previous


def _restore_signals(previous: dict[int, object]) -> None:
    import signal

    for number, handler in previous.items():
        signal.signal(number, handler)  # type: ignore[arg-type]


def _plug_closed_descriptors() -> None:
    """A closed descriptor 0, 1 or 2 (`greenai ... >&-`) would be handed to the next file greenai
    opens, and a stray write to it would land in that file. Point each at /dev/null; remember
    that stdout was closed, so that _emit says so instead of writing the result nowhere."""
    state["stdout_closed"] = False
    for number in (0, 1, 2):
        try:
            os.fstat(number)
            continue
        except OSError:
            pass
        opened = os.open(os.devnull, os.O_RDWR)
        if opened != number:
            os.dup2(opened, number)
            os.close(opened)
        if number == 1:
            state["stdout_closed"] = True
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (isatty() and help need one)
        if number == 2:
            sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115


def _silence(stream: object) -> None:
    """Point a standard stream that failed at /dev/null: the interpreter flushes it at exit and
    would print "Exception ignored ... BrokenPipeError" (or a full disk's error) otherwise."""
    try:
        number = stream.fileno()  # type: ignore[attr-defined]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, number)
        os.close(null)
    except (AttributeError, OSError, ValueError):  # not a real stream (pytest's capture)
        pass


def _settle_streams(code: int) -> int:
    """Flush stdout while a failure can still change the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except OSError as error:
            _silence(stream)
            if stream is sys.stdout and code == ExitStatus.OK:
                from greenai.cli.output import write_error

                failure = write_error("standard output", error)
                if error.errno != errno.EPIPE:
                    _say(str(failure))
                code = int(getattr(failure, "exit_status", ExitStatus.OUTPUT_ERROR))
        except ValueError:  # closed by someone
            pass
    return code


def _say(message: str, prefix: str = "error: ") -> None:
    """error_line, for the funnel: a stderr that is closed or gone must not turn the exit
    status into Python's 1 with a traceback; the status still tells."""
    try:
        error_line(message, prefix=prefix)
    except (OSError, ValueError):
        _silence(sys.stderr)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: each outcome becomes one exit status (greenai.status.ExitStatus) and each
    error one line on stderr; a traceback only with --traceback."""
    _plug_closed_descriptors()
    previous = _catch_signals()
    try:
        code = _run(argv)
    finally:
        _restore_signals(previous)
    sys.exit(_settle_streams(int(code)))


def _run(argv: list[str] | None) -> int:
    """The one exception ladder: most specific first, a bug of ours last."""
    from greenai.cli import app
    from greenai.errors import GreenAIError, ReaderGone

    command = typer.main.get_command(app)
    try:
        returned = command.main(args=argv, prog_name="greenai", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as error:  # a usage error: an unknown option, a bad choice
        with contextlib.suppress(OSError, ValueError):
            error.show()  # type: ignore[attr-defined]
        return ExitStatus.BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        _say("interrupted", prefix="")
        return ExitStatus.INTERRUPTED
    except _Stopped as stopped:
        _say(f"stopped by {_signal_name(stopped.signum)}", prefix="")
        return 128 + stopped.signum
    except SystemExit:
        # typer meets an EPIPE that escaped a command (help text into `| head`) with
        # sys.exit(1), which would read as "over budget": it is the pipe's reader that left
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return ExitStatus.BROKEN_PIPE
        raise
    except ReaderGone:
        _silence(sys.stdout)
        return ExitStatus.BROKEN_PIPE
    except GreenAIError as error:
        if state["traceback"]:
            raise
        _say(str(error))
        return error.exit_status
    except Exception as error:
        if state["traceback"]:
            raise
        _say(
            f"internal error: {type(error).__name__}: {error} (run again with --traceback "
            "and report it)"
        )
        return ExitStatus.INTERNAL_ERROR
    if returned == ExitStatus.INTERRUPTED:  # typer turns Ctrl-C inside a command into Exit(130)
        _say("interrupted", prefix="")
    return returned if isinstance(returned, int) else ExitStatus.OK
