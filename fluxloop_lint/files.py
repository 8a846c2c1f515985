"""Which files a run lints, and how they are read and written.

Walking honours the default excludes (as Ruff's), the configured `exclude` globs and, inside
a git work tree, `.gitignore` (asked of git itself, so its exact rules apply: nested
`.gitignore` files, negations, `.git/info/exclude`, the global excludes file). Outside a git
work tree `.gitignore` files are not read, as git itself would not. Paths named explicitly on
the command line are always linted.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import os
import re
import stat
import subprocess
import tempfile
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIX = ".ipynb"  # Jupyter notebooks: their code cells are linted (notebooks.py)
LINTED_SUFFIXES = (*PYTHON_SUFFIXES, NOTEBOOK_SUFFIX)

# Ruff's default `exclude`, plus our own cache folder.
DEFAULT_EXCLUDES = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".fluxloop-lint-cache",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)


def file_digest(path: str) -> str:
    """The sha256 of a file's content ("" when it cannot be read): how a result records the
    other modules it was resolved through."""
    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return ""


def missing_paths(paths: Iterable[str]) -> list[str]:
    """The paths given that do not exist (a dangling symlink exists: it is reported when read)."""
    return [given for given in paths if not os.path.lexists(given)]


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob (`*`, `?`, `[...]`, `**`) into a regex over a `/`-separated path."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif char == "[":
            closing = pattern.find("]", index + 1)
            if closing == -1:
                parts.append(re.escape(char))
            else:
                body = pattern[index + 1 : closing].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                parts.append(f"[{body}]")
                index = closing
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts) + r"\Z")


_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class GlobSet:
    """Globs compiled once, matched as in Ruff and `.gitignore`.

    A pattern without `/` matches any single path component (so `tests` or `*_pb2.py` match
    at any depth): literal ones by a set lookup, the others by a regex. A pattern with `/`
    matches the path from the project root. A pattern that matches a folder matches
    everything inside it.
    """

    names: frozenset[str] = frozenset()
    name_globs: tuple[re.Pattern[str], ...] = ()
    path_globs: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def compile(cls, patterns: Iterable[str]) -> GlobSet:
        names, name_globs, path_globs = set(), [], []
        for pattern in patterns:
            pattern = pattern.strip()
            if pattern.startswith("./"):
                pattern = pattern[2:]
            pattern = pattern.rstrip("/")
            if "/" in pattern:
                path_globs.append(_glob_regex(pattern.lstrip("/")))
            elif _GLOB_CHARACTERS.isdisjoint(pattern):
                names.add(pattern)
            else:
                name_globs.append(_glob_regex(pattern))
        return cls(frozenset(names), tuple(name_globs), tuple(path_globs))

    def matches_component(self, name: str, relative_path: str | None) -> bool:
        """True when a path whose parent folders did not match does: only its last component
        `name`, and its whole `relative_path` (needed only when there are patterns with `/`)."""
        if name in self.names or any(glob.match(name) for glob in self.name_globs):
            return True
        return relative_path is not None and any(glob.match(relative_path) for glob in self.path_globs)

    def matches(self, relative_path: str) -> bool:
        """True when `relative_path` (posix, relative to the project root) or a folder above it matches."""
        components = relative_path.split("/")
        return any(
            self.matches_component(component, "/".join(components[: index + 1]))
            for index, component in enumerate(components)
        )


@lru_cache(maxsize=256)
def _single_glob(pattern: str) -> GlobSet:
    return GlobSet.compile((pattern,))


def matches_glob(pattern: str, relative_path: str) -> bool:
    """True when `relative_path` (posix, relative to the project root) matches `pattern` (see GlobSet)."""
    return _single_glob(pattern).matches(relative_path)


def _git_ignored(directory: str) -> set[str] | None:
    """Ignored, untracked paths under `directory` according to git (folders as one entry), as
    `os.path.join(directory, ...)` normalized, the form the walker builds.

    None when `directory` is not inside a git work tree or git is not available.
    """
    try:
        completed = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            cwd=directory,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if completed.returncode != 0:
        return None
    entries = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {os.path.normpath(os.path.join(directory, entry.rstrip("/"))) for entry in entries if entry}


@dataclass(frozen=True)
class FileWalker:
    """Finds the Python files and notebooks to lint under the given paths."""

    project_root: Path
    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    respect_gitignore: bool = True

    @cached_property
    def _excluded(self) -> GlobSet:
        return GlobSet.compile(self.excludes)

    def is_excluded(self, path: Path | str) -> bool:
        """True when the path or a folder above it (up to the project root) is excluded."""
        return self._excluded.matches(relative_posix(path, self.project_root))

    def walk(self, paths: Iterable[str], force_exclude: bool = False) -> Iterator[str]:
        """Yield the files to lint, as display paths (the path given joined with what is below).
        `paths` exist (`missing_paths` tells the others); a dangling symlink is yielded, and
        reported when read."""
        for given in paths:
            path = Path(given)
            if force_exclude and self.is_excluded(path):
                continue
            if not path.is_dir():
                yield given
                continue
            yield from self._walk_directory(given)

    def _walk_directory(self, given: str) -> Iterator[str]:
        # os.walk prunes excluded folders, so each path needs testing only on its last component
        # (and, for patterns with `/`, on its path from the project root).
        excluded = self._excluded
        ignored = _git_ignored(given) if self.respect_gitignore else None
        for folder, subfolders, names in os.walk(given):
            folder_relative = relative_posix(folder, self.project_root) if excluded.path_globs else None

            def keep(name: str) -> bool:
                relative = None if folder_relative is None else f"{folder_relative}/{name}"
                if excluded.matches_component(name, relative):
                    return False
                return not ignored or os.path.normpath(os.path.join(folder, name)) not in ignored

            subfolders[:] = [name for name in sorted(subfolders) if keep(name)]
            for name in sorted(names):
                if name.endswith(LINTED_SUFFIXES) and keep(name):
                    yield os.path.normpath(os.path.join(folder, name))


def relative_posix(path: Path | str, root: Path) -> str:
    """`path` relative to `root` with `/` separators; the absolute path when outside `root`."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


def is_dangling_symlink(path: str) -> bool:
    return os.path.islink(path) and not os.path.exists(path)


def read_file(path: str) -> tuple[bytes, tuple[int, int]]:
    """The file's content and identity (device, inode), the same for every path that reaches
    the file (through symlinks or hard links); from the open file, so it costs no extra lookup."""
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        return handle.read(), (status.st_dev, status.st_ino)


def source_encoding(source: bytes) -> str:
    """The encoding Python reads a source file with: `utf-8-sig` after a UTF-8 BOM, else the
    coding cookie's, else `utf-8`. Raises SyntaxError for a cookie naming an unknown encoding
    or contradicting the BOM, or naming a codec that is not a text encoding (`hex`), as
    CPython does."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    if not codecs.lookup(encoding)._is_text_encoding:
        raise SyntaxError(f"encoding problem: {encoding}")
    return encoding


def _default_mode() -> int:
    """The permission bits a new file gets (0o666 less the umask), as `open()` would give it."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: str, content: bytes) -> None:
    """Replace the file's content: a temporary file in the same folder, then `os.replace`.

    A symlink is followed: the file it points to is rewritten and the link stays a link. The
    new file gets the old one's permission bits, so an executable script stays executable; a
    file that did not exist gets the default ones. A read-only file is refused
    (PermissionError), though `os.replace` could replace it.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    else:
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, "the file is read-only", path)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
