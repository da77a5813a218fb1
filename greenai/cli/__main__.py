"""`python -m greenai.cli`: the same as `python -m greenai` (and the `greenai` command)."""

from greenai.__main__ import _run

if __name__ == "__main__":
    _run()
