"""The files of a past commit, read through git: for `greenai check --base REF`.

A pull request is priced against its merge base (`git merge-base REF HEAD`), the commit it
branched from, so that what landed on the base branch since does not count as the PR's change.
The base commit is read with `git ls-tree` and `git cat-file`: nothing is checked out, the work
tree and the index are never touched, and a CI job can run this between its own steps.

Paths: git names files from the top of the repository; greenai names them as the user's shell
does (relative to the working directory). `Tree.repo_path` and `Tree.shown` convert between the
two. Links inside a commit are followed one step, within the commit; submodules are not entered
(a commit holds only their commit id, not their files).
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from greenai.errors import InputError

_REGULAR = ("100644", "100755")
_LINK = "120000"
# git prints nothing to a terminal, asks nothing, runs no pager and no external diff tool
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class GitError(InputError):
    """git could not answer: not a repository, an unknown ref, no merge base. Exit 2: the
    command line (or the CI checkout) needs fixing."""


def _git(args: Sequence[str], cwd: Path, what: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            env={**os.environ, **_ENV},
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            f"{what}: git is not installed (--base reads the base commit with git)"
        ) from None
    except OSError as error:
        raise GitError(f"{what}: cannot run git: {error.strerror or error}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        fatal = [line.removeprefix("fatal: ") for line in said if line.startswith("fatal: ")]
        raise GitError(f"{what}: {(fatal or said or [f'git exited {done.returncode}'])[0]}")
    return done.stdout


@dataclass
class Tree:
    """One commit's files (regular files and links), by their path from the repository's top."""

    ref: str  # as the user wrote it (main, origin/main, a SHA)
    commit: str  # the merge base of `ref` and HEAD, a full SHA
    root: Path  # the repository's top folder
    prefix: str  # the working directory below the top ("" or "sub/dir/")
    entries: dict[str, tuple[str, str]]  # path -> (mode, blob SHA)
    cwd: Path = field(default_factory=Path.cwd)
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def short(self) -> str:
        return self.commit[:7]

    def repo_path(self, path: str | Path) -> str:
        """A path as the user gave it (relative to the working directory, or absolute) as git
        names it: relative to the repository's top, with `/`."""
        text = os.fspath(path)
        if os.path.isabs(text):
            inside = os.path.relpath(os.path.realpath(text), os.path.realpath(self.root))
            return Path(inside).as_posix()
        return posixpath.normpath(self.prefix + Path(text).as_posix())

    def shown(self, repo_path: str) -> str:
        """A path of the commit as the user's shell would name it (relative to the working
        directory), for a file that exists only at the base."""
        return posixpath.relpath(repo_path, self.prefix or ".") if self.prefix else repo_path

    def files(self) -> list[str]:
        return sorted(self.entries)

    def read(self, paths: Iterable[str]) -> dict[str, bytes | str]:
        """The bytes of each path, or a reason it cannot be read (a link that leaves the
        commit, a folder); all blobs in one `git cat-file --batch` call."""
        found: dict[str, bytes | str] = {}
        wanted: dict[str, str] = {}
        for path in paths:
            target = self._target(path)
            if isinstance(target, tuple):
                wanted[path] = target[1]
            else:
                found[path] = target
        missing = [sha for sha in dict.fromkeys(wanted.values()) if sha not in self._cache]
        if missing:
            self._cache.update(_blobs(missing, self.root))
        found.update({path: self._cache[sha] for path, sha in wanted.items()})
        return found

    def _target(self, path: str) -> tuple[str, str] | str:
        mode, sha = self.entries[path]
        if mode in _REGULAR:
            return mode, sha
        if mode != _LINK:
            return f"not a regular file at the base commit (git mode {mode})"
        link = _blobs([sha], self.root)[sha].decode("utf-8", "replace")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
        if posixpath.isabs(link) or target not in self.entries:
            return "a link at the base commit to a file outside it; not followed"
        if self.entries[target][0] not in _REGULAR:
            return "a link at the base commit to something other than a file; not followed"
        return self.entries[target]


def _blobs(shas: Sequence[str], root: Path) -> dict[str, bytes]:
    out = _git(["cat-file", "--batch"], root, "--base", ("\n".join(shas) + "\n").encode())
    found: dict[str, bytes] = {}
    at = 0
    for sha in shas:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3:  # "<sha> missing": a partial clone without its promisor remote
            raise GitError(f"--base: git cannot read object {sha} of the base commit")
        size = int(header[2])
        found[sha] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return found


def open_base(ref: str, cwd: Path | None = None) -> Tree:
    """The merge base of `ref` and HEAD, as a `Tree`; GitError (exit 2, one line) when the
    working directory is not in a repository or `ref` names no commit there."""
    here = cwd or Path.cwd()
    what = f"--base {ref}"
    if not ref or ref.startswith("-"):
        raise GitError(f"--base expects a branch, tag or commit, got {ref!r}")
    try:
        top = _git(["rev-parse", "--show-toplevel"], here, what)
    except GitError as error:
        if "not a git repository" not in error.message:
            raise  # git's own reason: no git, or a repository it will not read (ownership)
        raise GitError(f"{what}: {here.resolve()} is not inside a git repository") from None
    root = Path(top.decode("utf-8", "surrogateescape").strip())
    prefix = _git(["rev-parse", "--show-prefix"], here, what).decode("utf-8", "surrogateescape")
    try:
        wanted = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], here, what)
    except GitError:
        raise GitError(
            f"{what}: no such branch, tag or commit in this repository (in GitHub Actions, "
            "check out with fetch-depth: 0 so the base branch is there)"
        ) from None
    try:
        head = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], here, what)
    except GitError:
        raise GitError(f"{what}: HEAD has no commit yet; commit something first") from None
    try:
        base = _git(["merge-base", wanted.decode().strip(), head.decode().strip()], here, what)
    except GitError:
        raise GitError(
            f"{what}: no common ancestor with HEAD (a shallow clone? in GitHub Actions, check "
            "out with fetch-depth: 0)"
        ) from None
    commit = base.decode().strip()
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit], root, what)
    entries = {}
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob":
            entries[name.decode("utf-8", "surrogateescape")] = (mode, sha)
    return Tree(ref, commit, root, prefix.strip(), entries, here)


def renames(tree: Tree) -> dict[str, str]:
    """Files git sees as renamed between the base commit and the work tree: {new: old}, both
    from the repository's top (git's rename detection, -M, at its default 50% similarity)."""
    out = _git(
        [
            "diff",
            "-M",
            "--name-status",
            "-z",
            "--no-color",
            "--no-ext-diff",
            "--no-relative",
            tree.commit,
            "--",
        ],
        tree.root,
        f"--base {tree.ref}",
    )
    fields = out.split(b"\0")
    found = {}
    at = 0
    while at < len(fields) and fields[at]:
        status = fields[at].decode()
        if status.startswith(("R", "C")):
            old, new = (f.decode("utf-8", "surrogateescape") for f in fields[at + 1 : at + 3])
            if status.startswith("R"):
                found[new] = old
            at += 3
        else:
            at += 2
    return found
