"""`greenai check`: validate and price every experiment file of a repository, for CI.

One bad file must not hide the others: each file gets an `Outcome` (priced, over budget, or
invalid with the error's file, line and key; an internal error on one file is that file's
outcome too), and the exit status sums them up: 3 if greenai itself failed on any file, else 2 if
any file is invalid, else 1 if any is over budget, else 0. No printing here; see
report.render_check. Which files: see `find` (the default search checks only files marked as
greenai's).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from greenai import budget, experiment
from greenai.core import budgets as budget_check
from greenai.errors import GreenAIError, InputError
from greenai.estimate import Estimate, estimate, total
from greenai.git import Tree
from greenai.notice import Notice
from greenai.status import ExitStatus
from greenai.tables import Tables

DEFAULT_PATTERN = "configs/**/*.y*ml"

# A research repository's configs/ also holds Hydra or Lightning training configs, which are not
# experiment files and would all be "invalid" (unknown key 'defaults'). So the default search
# checks only the files that say they are ours: their opening comment block (comment and blank
# lines before the first YAML line) names greenai as a word: `# greenai`, the header that
# `greenai init` writes ("# An experiment for greenai ..."), or its `$schema=...greenai.schema.json`
# line. Files, folders and globs given explicitly are all checked, marked or not.
MARKER = re.compile(r"\bgreenai\b", re.IGNORECASE)
_HEAD_BYTES = 8192


def is_marked(path: Path) -> bool:
    """True when the file's opening comment block names greenai (see MARKER)."""
    try:
        with path.open("rb") as handle:
            return marked(handle.read(_HEAD_BYTES))
    except OSError:
        return False


def marked(data: bytes) -> bool:
    """True when these bytes (a file's, or a blob's at a base commit) open with a comment
    block that names greenai (see MARKER)."""
    head = data[:_HEAD_BYTES].decode("utf-8", "replace")
    for line in head.splitlines():
        text = line.strip()
        if text.startswith("#"):
            if MARKER.search(text):
                return True
        elif text not in ("", "---"):
            return False
    return False


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """True when `path`, or a folder above it, matches one of the --exclude globs.

    fnmatch's `*` also crosses `/`, so 'configs/hydra/*' and '*/train.yaml' say what they look
    like; a folder name alone ('configs/hydra') excludes everything under it.
    """
    shown = PurePosixPath(path.as_posix())
    candidates = [shown, *shown.parents]
    return any(
        fnmatch.fnmatchcase(str(item), pattern.rstrip("/"))
        for pattern in patterns
        for item in candidates
        if str(item) != "."
    )


@dataclass
class Outcome:
    path: str
    estimate: Estimate | None = None
    error: GreenAIError | None = None
    breaches: list[budget_check.Breach] = field(default_factory=list)
    warnings: tuple[Notice, ...] = ()

    @property
    def status(self) -> str:
        if self.error is not None:
            return "invalid"
        return "over budget" if self.breaches else "ok"

    @property
    def line(self) -> int | None:
        return self.error.line if isinstance(self.error, InputError) else None


def find(
    paths: Sequence[str | Path], root: Path | None = None, exclude: Sequence[str] = ()
) -> list[Path]:
    """The experiment files to check, less those matching an `exclude` glob.

    Given paths are all checked: files as given (a missing one becomes an invalid outcome,
    named), folders searched for *.yaml and *.yml, globs ('exp/**/*.yaml') expanded. Without
    paths: the files under configs/**/*.y*ml that carry the greenai marker (see MARKER).
    """
    base = root or Path()
    if not paths:
        candidates = sorted(base.glob(DEFAULT_PATTERN))
        kept = [p for p in candidates if not excluded(p, exclude)]
        found = [p for p in kept if is_marked(p)]
        if not found:
            raise InputError(_nothing_found(base, candidates, kept))
        return found
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            inside = sorted(p for p in item.rglob("*") if p.suffix in (".yaml", ".yml"))
            if not inside:
                raise InputError(f"{item}: no .yaml or .yml files in this folder")
            files += inside
        elif not item.exists() and _GLOB.search(str(item)):
            matched = sorted(p for p in base.glob(str(item)) if p.is_file())
            if not matched:
                raise InputError(f"{item}: no files match this pattern")
            files += matched
        else:
            files.append(item)  # a missing file becomes an invalid outcome, named
    kept = [p for p in dict.fromkeys(files) if not excluded(p, exclude)]
    if not kept:
        raise InputError("every file given is excluded by --exclude; nothing to check")
    return kept


_GLOB = re.compile(r"[*?\[]")


def find_at_base(
    tree: Tree, paths: Sequence[str | Path], exclude: Sequence[str] = ()
) -> dict[str, str]:
    """The experiment files of the base commit, by the rules of `find`: {path in the
    repository: path as shown (as `find` would name it in the work tree)}.

    A file given but absent at the base is simply not there (new in this change), a folder or a
    glob that finds nothing at the base finds nothing; only the work tree's search refuses an
    empty result. Without paths: configs/**/*.y*ml (from the working directory) with the marker.
    """
    found: dict[str, str] = {}
    if not paths:
        pattern = tree.repo_path(DEFAULT_PATTERN)
        candidates = {p: tree.shown(p) for p in tree.files() if _glob_match(pattern, p)}
        kept = {p: shown for p, shown in candidates.items() if not excluded(Path(shown), exclude)}
        read = tree.read(kept)
        return {
            p: shown for p, shown in kept.items() if isinstance(read[p], bytes) and marked(read[p])
        }
    for item in map(str, paths):
        where = tree.repo_path(item)
        if where in tree.entries:
            found[where] = item
        elif any(p.startswith(where.rstrip("/") + "/") for p in tree.entries):
            for p in tree.files():
                if p.startswith(where.rstrip("/") + "/") and PurePosixPath(p).suffix in (
                    ".yaml",
                    ".yml",
                ):
                    inside = PurePosixPath(p).relative_to(where.rstrip("/") or ".")
                    found.setdefault(p, str(Path(item) / inside))
        elif _GLOB.search(item):
            for p in tree.files():
                if _glob_match(where, p):
                    found.setdefault(p, tree.shown(p))
    return {p: shown for p, shown in found.items() if not excluded(Path(shown), exclude)}


def _glob_match(pattern: str, path: str) -> bool:
    """Path.glob's rule, for a path that is not on disk: `**` is any number of folders (none
    too), other parts match one name each (fnmatch, case-sensitive, `*` matches dotfiles)."""

    def match(parts: Sequence[str], names: Sequence[str]) -> bool:
        if not parts:
            return not names
        if parts[0] == "**":
            return any(match(parts[1:], names[i:]) for i in range(len(names) + 1))
        return (
            bool(names) and fnmatch.fnmatchcase(names[0], parts[0]) and match(parts[1:], names[1:])
        )

    return match(pattern.split("/"), path.split("/"))


def _nothing_found(base: Path, candidates: Sequence[Path], kept: Sequence[Path]) -> str:
    where = base.resolve()
    if not candidates:
        return f"no experiment files match {DEFAULT_PATTERN} in {where}; give files or folders"
    if not kept:
        return f"every file matching {DEFAULT_PATTERN} in {where} is excluded by --exclude"
    return (
        f"{len(kept)} file{'s' if len(kept) != 1 else ''} match {DEFAULT_PATTERN} in {where}, "
        "but none is marked as a greenai experiment file (a comment line '# greenai' at the "
        "top); add the marker, or give the files or folders to check"
    )


def run(
    files: Sequence[Path],
    tables: Tables,
    budgets: Sequence[budget.Budget] = (),
    overrides: Sequence[str] = (),
    budget_total: bool = False,
    budget_on: str = "value",
) -> list[Outcome]:
    """Each file's outcome; budgets are checked at `budget_on` (value, low or high)."""
    outcomes = []
    for path in files:
        outcome = Outcome(str(path))
        try:
            loaded = experiment.load(path, tables, overrides)
            outcome.warnings = loaded.warnings
            outcome.estimate = estimate(loaded, tables)
            outcome.warnings += outcome.estimate.warnings
            outcome.breaches = budget_check.check(
                [outcome.estimate],
                () if budget_total else budgets,
                {loaded.file: loaded.budgets},
                bound=budget_on,
            )
        except GreenAIError as error:
            outcome.error = error
        except Exception as error:  # a bug of ours on this file: still report the others
            outcome.error = InputError(
                f"internal error: {type(error).__name__}: {error} (run `greenai --traceback "
                f"estimate {path}` and report it)",
                where=str(path),
            )
            outcome.error.exit_status = ExitStatus.INTERNAL_ERROR
            outcome.error.__cause__ = error
        outcomes.append(outcome)
    if budget_total and budgets:
        priced = [o.estimate for o in outcomes if o.estimate is not None]
        if priced:
            for breach in budget_check.check(priced, budgets, None, total(priced), budget_on):
                outcomes.append(Outcome("total", breaches=[breach]))
    return outcomes


def exit_status(outcomes: Sequence[Outcome]) -> ExitStatus:
    internal = ExitStatus.INTERNAL_ERROR
    if any(o.error is not None and o.error.exit_status == internal for o in outcomes):
        return internal  # CI must tell a greenai bug from a bad file
    if any(o.status == "invalid" for o in outcomes):
        return ExitStatus.BAD_INPUT
    if any(o.breaches for o in outcomes):
        return ExitStatus.OVER_BUDGET
    return ExitStatus.OK


def summary(outcomes: Sequence[Outcome]) -> str:
    files = [o for o in outcomes if o.path != "total"]
    counts = {s: sum(o.status == s for o in files) for s in ("ok", "over budget", "invalid")}
    text = (
        f"{len(files)} file{'s' if len(files) != 1 else ''}: {counts['ok']} within budget, "
        f"{counts['over budget']} over budget, {counts['invalid']} invalid"
    )
    if any(o.path == "total" for o in outcomes):
        text += "; the total is over budget"
    return text
