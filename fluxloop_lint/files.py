"""Which files a run lints, and how they are read and written.

Walking honours the default excludes (as Ruff's), the configured `exclude` globs and, inside
a git work tree, `.gitignore` (asked of git itself, so its exact rules apply: nested
`.gitignore` files, negations, `.git/info/exclude`, the global excludes file). Outside a git
work tree `.gitignore` files are not read, as git itself would not. Paths named explicitly on
the command line are always linted.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PYTHON_SUFFIXES = (".py", ".pyi")

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


class MissingPathError(Exception):
    """A path given on the command line does not exist."""


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


def matches_glob(pattern: str, relative_path: str) -> bool:
    """True when `relative_path` (posix, relative to the project root) matches `pattern`.

    As in Ruff and `.gitignore`: a pattern without `/` matches any single path component (so
    `tests` or `*_pb2.py` match at any depth); a pattern with `/` matches the path from the
    project root. A pattern that matches a folder matches everything inside it.
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.rstrip("/")
    components = relative_path.split("/")
    if "/" not in pattern:
        regex = _glob_regex(pattern)
        return any(regex.match(component) for component in components)
    regex = _glob_regex(pattern.lstrip("/"))
    return any(regex.match("/".join(components[:end])) for end in range(1, len(components) + 1))


def _git_ignored(directory: Path) -> set[Path] | None:
    """Ignored, untracked paths under `directory` according to git (folders as one entry).

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
    return {(directory / entry.rstrip("/")).resolve() for entry in entries if entry}


@dataclass(frozen=True)
class FileWalker:
    """Finds the Python files to lint under the given paths."""

    project_root: Path
    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    respect_gitignore: bool = True

    def is_excluded(self, path: Path) -> bool:
        relative = relative_posix(path, self.project_root)
        return any(matches_glob(pattern, relative) for pattern in self.excludes)

    def walk(self, paths: Iterable[str]) -> Iterator[str]:
        """Yield the files to lint, as display paths (the path given joined with what is below)."""
        for given in paths:
            path = Path(given)
            if not path.exists() and not path.is_symlink():  # a dangling symlink is reported when read
                raise MissingPathError(f"{given}: no such file or directory")
            if not path.is_dir():
                yield given
                continue
            yield from self._walk_directory(given)

    def _walk_directory(self, given: str) -> Iterator[str]:
        ignored = _git_ignored(Path(given)) if self.respect_gitignore else None
        for folder, subfolders, names in os.walk(given):
            folder_path = Path(folder)
            kept = []
            for name in sorted(subfolders):
                child = folder_path / name
                if self.is_excluded(child) or (ignored and child.resolve() in ignored):
                    continue
                kept.append(name)
            subfolders[:] = kept
            for name in sorted(names):
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                child = folder_path / name
                if self.is_excluded(child) or (ignored and child.resolve() in ignored):
                    continue
                yield os.path.normpath(os.path.join(folder, name))


def relative_posix(path: Path | str, root: Path) -> str:
    """`path` relative to `root` with `/` separators; the absolute path when outside `root`."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def is_dangling_symlink(path: str) -> bool:
    return os.path.islink(path) and not os.path.exists(path)


def read_file(path: str) -> tuple[bytes, tuple[int, int]]:
    """The file's content and identity (device, inode), the same for every path that reaches
    the file (through symlinks or hard links); from the open file, so it costs no extra lookup."""
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        return handle.read(), (status.st_dev, status.st_ino)


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
