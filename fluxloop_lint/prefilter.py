"""Decide, with a substring test, whether a file can concern FluxLoop at all.

Stdlib only and no work beyond the test: every file of a codebase takes this path, and the
ones that never mention a FluxLoop module stop here (no LibCST import, no parse).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=32)
def _needles(modules: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[bytes, ...]]:
    """The top-level package names to look for, as text and as (ASCII) bytes."""
    tops = tuple(sorted({module.split(".", 1)[0] for module in modules if module}))
    return tops, tuple(top.encode("ascii", "ignore") for top in tops)


def mentions_fluxloop(source: bytes | str, modules: tuple[str, ...]) -> bool:
    """True when the text contains the top-level name of any configured FluxLoop module.

    Module names are ASCII, so the test works on the raw bytes of any ASCII-compatible
    encoding (UTF-8, latin-1, ...). UTF-16/32 files (rare in Python) are decoded first.
    """
    text_needles, byte_needles = _needles(modules)
    if isinstance(source, bytes):
        if source[:2] in (b"\xff\xfe", b"\xfe\xff"):
            source = source.decode("utf-16", "replace")
        else:
            return any(needle in source for needle in byte_needles)
    return any(needle in source for needle in text_needles)
