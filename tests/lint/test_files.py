"""Reading, writing and walking files (files.py) and the cache's file (cache.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fluxloop_lint.cache import ResultCache
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
