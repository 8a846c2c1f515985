"""Text edits against a source: line splitting, positions to offsets, applying edits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fluxloop_lint.types import Edit, Position

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split on the newlines Python knows (not form feeds)."""
    return _LINE.findall(text)


def line_starts(text: str) -> list[int]:
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


def offset(starts: list[int], position: Position) -> int:
    """The string offset of a 1-based (line, column) position; past the end means the end."""
    if position.line - 1 >= len(starts):
        return starts[-1]
    return starts[position.line - 1] + position.column - 1


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (the caller drops overlapping ones)."""
    starts = line_starts(text)
    spans = sorted(((offset(starts, edit.start), offset(starts, edit.end), edit.content) for edit in edits), reverse=True)
    for start, end, content in spans:
        text = text[:start] + content + text[end:]
    return text

