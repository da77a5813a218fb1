"""The one way greenai reads a user's file: with a hard byte limit, whatever the file claims to be.

`st_size` is 0 for a character device or a FIFO and can change under us, so the size check alone
does not bound a read: a config that is a symlink to /dev/zero would be read until memory runs
out. Reading at most `limit + 1` bytes bounds memory and time for every kind of file.
"""

from __future__ import annotations

import os
from pathlib import Path

from greenai.errors import InputError


def read_limited(path: Path, limit: int, expected: str) -> bytes:
    """The file's bytes; InputError (naming the file) when it is missing, unreadable or too big.

    `expected` says what the file should be ("an experiment file"), for the messages.
    """
    where = str(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size  # 0 for devices and FIFOs: a hint only
            if size > limit:
                raise InputError(
                    f"file is {size:,} bytes; {expected} is expected to be under {limit:,}",
                    where=where,
                )
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except IsADirectoryError:
        raise InputError(f"is a directory, expected {expected}", where=where) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", where=where) from None
    if len(data) > limit:
        raise InputError(
            f"more than {limit:,} bytes; {expected} is expected to be under {limit:,}",
            where=where,
        )
    return data
