"""`python -m greenai`: the same entry point as the `greenai` command."""

import os
import sys


def _drop_the_current_folder() -> None:
    # For `-m`, Python puts the current folder first on sys.path, so a ./rich/ or a
    # ./socketserver.py in the folder greenai runs from would stand in for greenai's
    # dependencies and the standard library (and `greenai fpo` would run them). greenai is
    # imported already; the folder stays only where PYTHONPATH names it.
    if sys.flags.safe_path or not sys.path:
        return
    here = os.getcwd()
    if sys.path[0] not in ("", here):
        return
    named = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if any(entry and os.path.abspath(entry) == here for entry in named):
        return
    del sys.path[0]


def _run() -> None:
    # Imported inside so that `python -m greenai --help` pays only for the CLI module.
    _drop_the_current_folder()
    from greenai.cli import main

    main()


if __name__ == "__main__":
    _run()
