"""The one way greenai reads a user's file: with a hard byte limit, whatever the file claims to be.

`st_size` is 0 for a character device or a FIFO and can change under us, so the size check alone
does not bound a read: a config that is a symlink to /dev/zero would be read until memory runs
out. Reading at most `limit + 1` bytes bounds memory and time for every kind of file.

Opening a named pipe (FIFO) blocks until something writes to it, so files are opened without
blocking: a FIFO nobody writes to reads as empty at once and is refused, while a pipe that is
being written (`greenai estimate <(envsubst < plan.yaml)`) is read as usual.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from greenai.errors import InputError

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs to block on


def read_limited(path: Path, limit: int, expected: str) -> bytes:
    """The file's bytes; InputError (naming the file) when it is missing, unreadable or too big.

    `expected` says what the file should be ("an experiment file"), for the messages.
    """
    where = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except IsADirectoryError:
        raise InputError(f"is a directory, expected {expected}", where=where) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", where=where) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"is a directory, expected {expected}", where=where)
        if info.st_size > limit:  # 0 for devices and FIFOs: a hint only
            raise InputError(
                f"file is {info.st_size:,} bytes; {expected} is expected to be under {limit:,}",
                where=where,
            )
        if _NONBLOCK:
            os.set_blocking(descriptor, True)  # a writer that is there gets waited for
        data = _read_at_most(descriptor, limit + 1)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", where=where) from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise InputError(
            f"more than {limit:,} bytes; {expected} is expected to be under {limit:,}",
            where=where,
        )
    if not data and stat.S_ISFIFO(info.st_mode):
        raise InputError(f"is a pipe with nothing written to it, expected {expected}", where=where)
    return data


def _read_at_most(descriptor: int, size: int) -> bytes:
    """Up to `size` bytes, stopping at end of file (a pipe hands them over in pieces)."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
