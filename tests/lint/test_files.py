"""Reading, writing and walking files (files.py) and the cache's file (cache.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fluxloop_lint.cache import ResultCache
from fluxloop_lint.files import DEFAULT_EXCLUDES, FileWalker, GlobSet, source_encoding
from fluxloop_lint.types import FileResult


def test_the_cache_is_written_atomically_with_fsync_and_default_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda descriptor: (synced.append(descriptor), real_fsync(descriptor)))
    previous = os.umask(0o022)
    try:
        cache = ResultCache(tmp_path)
        cache.put("a.py", "key", FileResult("a.py"))
        cache.save()
    finally:
        os.umask(previous)
    assert synced, "the cache file was not fsynced before os.replace"
    assert stat.S_IMODE(cache.file.stat().st_mode) == 0o644
    assert ResultCache(tmp_path).get("a.py", "a.py", "key") == FileResult("a.py")
    assert [path.name for path in cache.file.parent.iterdir()] == ["results.json"]


def _tree(root: Path) -> None:
    for folder in ("a/b/c/d", "a/build", "a/src", "src", "x/node_modules/y"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for file in ("a/b/c/d/one.py", "a/build/gone.py", "a/src/old_kept.py", "src/old_gone.py", "src/new.py",
                 "x/node_modules/y/gone.py", "x/z_pb2.py", "x/notes.txt"):
        (root / file).write_text("x = 1\n")


def test_the_walker_tests_each_path_only_on_its_own_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parents are pruned by os.walk, so each folder or .py file is matched once, on its last component."""
    _tree(tmp_path)
    walker = FileWalker(tmp_path, excludes=(*DEFAULT_EXCLUDES, "*_pb2.py", "src/old_*.py"), respect_gitignore=False)
    tested: list[str] = []
    real = GlobSet.matches_component
    monkeypatch.setattr(GlobSet, "matches_component", lambda self, name, relative: (tested.append(name), real(self, name, relative))[1])
    monkeypatch.setattr(Path, "resolve", lambda self, strict=False: pytest.fail("resolve() while walking"))
    found = sorted(Path(path).relative_to(tmp_path).as_posix() for path in walker.walk([str(tmp_path)]))
    assert found == ["a/b/c/d/one.py", "a/src/old_kept.py", "src/new.py"]
    assert sorted(tested) == sorted(["a", "b", "c", "d", "one.py", "build", "src", "old_kept.py", "src",
                                     "old_gone.py", "new.py", "x", "node_modules", "z_pb2.py"])


def test_literal_excludes_are_a_set_lookup() -> None:
    compiled = GlobSet.compile((*DEFAULT_EXCLUDES, "*_pb2.py", "./generated/", "src/old_*.py"))
    assert compiled.names == frozenset(DEFAULT_EXCLUDES) | {"generated"}
    assert len(compiled.name_globs) == 1 and len(compiled.path_globs) == 1


def test_an_excluded_folder_named_explicitly_is_walked(tmp_path: Path) -> None:
    """As Ruff: exclusion applies to what walking finds, not to the folder given (see --force-exclude)."""
    _tree(tmp_path)
    walker = FileWalker(tmp_path, respect_gitignore=False)
    assert [Path(path).name for path in walker.walk([str(tmp_path / "a/build")])] == ["gone.py"]
    assert list(walker.walk([str(tmp_path / "a/build")], force_exclude=True)) == []


@pytest.mark.parametrize(
    ("source", "encoding"),
    [
        (b"import fluxloop\n", "utf-8"),
        (b"\xef\xbb\xbfimport fluxloop\n", "utf-8-sig"),
        (b"# -*- coding: latin-1 -*-\nname = '\xe9'\n", "iso-8859-1"),
        (b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n", "cp1252"),
    ],
)
def test_source_encoding_is_the_one_python_reads_the_file_with(source: bytes, encoding: str) -> None:
    assert source_encoding(source) == encoding


@pytest.mark.parametrize("source", [b"# coding: no-such-codec\n", b"\xef\xbb\xbf# coding: latin-1\n"])
def test_source_encoding_of_a_bad_cookie_is_a_syntax_error(source: bytes) -> None:
    with pytest.raises(SyntaxError):
        source_encoding(source)


@pytest.mark.parametrize("codec", ["hex", "rot13"])
def test_a_cookie_naming_a_codec_that_is_no_text_encoding_is_a_syntax_error(codec: str) -> None:
    with pytest.raises(SyntaxError, match=f"encoding problem: {codec}"):
        source_encoding(f"# coding: {codec}\nx = 1\n".encode())
