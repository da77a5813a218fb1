"""Writing a result: to standard output in its own encoding, or to --output atomically.

`emit` is the one way a command's text leaves greenai; `write_atomically` replaces a regular file
whole or not at all and writes into anything else (a FIFO, /dev/stdout) as it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from greenai.cli.common import state, warn


def emit(text: str, output: Path | None, inputs: Iterable[Path] = ()) -> None:
    """Write the result to --output, or to standard output in that stream's own encoding.

    Characters that stdout's encoding cannot show (an ASCII locale, PYTHONIOENCODING=ascii)
    become "?" with one warning, rather than a crash half-way through a table; --output files
    are always UTF-8. `inputs` are the files the command read: writing over one is refused.
    """
    if output is not None:
        write_atomically(output, text, inputs)
        return
    from greenai.errors import WriteError

    stream = sys.stdout
    if stream is None or state["stdout_closed"]:
        raise WriteError("standard output is closed; write the result with --output FILE")
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        warn(
            [
                f"standard output is {encoding} and cannot show some characters; they are "
                "written as '?' (set PYTHONIOENCODING=utf-8, or write UTF-8 with --output FILE)"
            ]
        )
        text = text.encode(encoding, "replace").decode(encoding)
    except LookupError:  # an encoding Python does not know: let the stream decide
        pass
    try:
        stream.write(text)
        stream.flush()
    except OSError as error:
        raise write_error("standard output", error) from None


# errno values that say the place was fine but the machine could not take the bytes: exit 4.
# Everything else (no permission, no such folder, read-only file system) is about the path the
# user named: exit 2.
_FAILED_WRITES = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EBADF, errno.EPIPE}
)


def write_error(where: str, error: OSError) -> Exception:
    from greenai.errors import OutputError, ReaderGone, WriteError

    if error.errno == errno.EPIPE:
        return ReaderGone(f"{where}: the reader closed the pipe")
    kind = WriteError if error.errno in _FAILED_WRITES else OutputError
    return kind(f"{where}: cannot write: {error.strerror or error}")


def write_atomically(path: Path, text: str | bytes, inputs: Iterable[Path] = ()) -> None:
    """Replace a regular file whole or not at all; write straight into anything else.

    Renaming a temporary file over the target is what lets an interrupted write leave the old
    file in place, but a rename would also turn /dev/null into a regular file, a FIFO into a
    file nobody reads and a symlink into a copy, and give every file mode 0600. So: symlinks
    are followed to the file they name; only a regular file (or a new name) is replaced, and it
    keeps its mode and owner (a new one gets 0666 & ~umask, as the shell's `>` would); a
    character device, a FIFO, a socket or an open descriptor (/dev/stdout, /dev/fd/N) is
    written into as it is. A regular file that is also one of `inputs` (the same inode, however
    it is named) is refused: the command would destroy what it reads.
    """
    from greenai.errors import OutputError

    target, descriptor = _resolve_output(path)
    try:
        found = os.stat(target)
    except FileNotFoundError:
        found = None
    except OSError as error:  # a file where a folder should be, a symlink loop, no permission
        raise write_error(str(path), error) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise OutputError(f"{path}: cannot write: is a folder; give a file name")
    if found is not None and stat.S_ISREG(found.st_mode):
        _refuse_inputs(path, found, inputs)
    if descriptor or (found is not None and not stat.S_ISREG(found.st_mode)):
        _write_through(path, text)
    else:
        _replace(path, target, text, found)


def _resolve_output(path: Path) -> tuple[Path, bool]:
    """Follow symlinks one hop at a time: the path they end at, and whether a hop went through
    an open descriptor (/dev/stdout -> /proc/self/fd/1), which must be written, not replaced."""
    from greenai.errors import OutputError

    current = os.path.join(os.getcwd(), path)
    for _ in range(40):
        folder = os.path.realpath(os.path.dirname(current))
        if re.fullmatch(r"/proc/[^/]+/fd", folder):
            return Path(current), True
        here = os.path.join(folder, os.path.basename(current))
        if not os.path.islink(here):
            return Path(here), False
        current = os.path.join(folder, os.readlink(here))
    raise OutputError(f"{path}: cannot write: too many levels of symbolic links")


def _refuse_inputs(path: Path, found: os.stat_result, inputs: Iterable[Path]) -> None:
    from greenai.errors import OutputError

    for item in inputs:
        try:
            other = os.stat(item)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (found.st_dev, found.st_ino):
            raise OutputError(
                f"{path}: cannot write: it is {item}, an input of this command; "
                "write the result to another file"
            )


def _write_through(path: Path, text: str | bytes) -> None:
    # Append: a device or a FIFO does not care, and a descriptor that a shell opened onto a
    # file (`-o /dev/stdout >> log`) must not be truncated from a second, unrelated offset.
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        with open(path, "ab") as stream:
            stream.write(data)
    except OSError as error:
        raise write_error(str(path), error) from None


def _replace(path: Path, target: Path, text: str | bytes, found: os.stat_result | None) -> None:
    import tempfile

    from greenai.errors import OutputError

    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise write_error(str(path), error) from None
    try:
        try:
            _take_mode(handle, found)
        except BaseException:
            os.close(handle)
            raise
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as raw:
                raw.write(text)
        else:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(str(path), error) from None
        raise


def _take_mode(handle: int, found: os.stat_result | None) -> None:
    """mkstemp makes 0600 files: give the new file the old one's mode and owner, or the mode
    a new file gets under the umask."""
    if found is None:
        mask = os.umask(0o022)
        os.umask(mask)
        os.fchmod(handle, 0o666 & ~mask)
        return
    if (found.st_uid, found.st_gid) != (os.geteuid(), os.getegid()):
        # not root: the file becomes ours, as an editor's save would make it
        with contextlib.suppress(PermissionError):
            os.fchown(handle, found.st_uid, found.st_gid)
    os.fchmod(handle, stat.S_IMODE(found.st_mode))
