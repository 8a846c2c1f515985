"""Engine positions (1-based line and column, in code points) to LSP positions and back.

Lines are split as the engine splits them (`\n`, `\r\n`, `\r`: the protocol's line endings,
not `str.splitlines`, which also splits on form feeds and U+2028), and columns are counted
in the position encoding agreed with the client (UTF-16 code units unless it offered another).
"""

from __future__ import annotations

from bisect import bisect_right

from lsprotocol import types

from fluxloop_lint.fixes.edits import line_starts, offset
from fluxloop_lint.types import Edit, Position

_LINE_ENDINGS = ("\r\n", "\n", "\r")


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _strip_ending(line: str) -> str:
    for ending in _LINE_ENDINGS:
        if line.endswith(ending):
            return line[: -len(ending)]
    return line


class LineIndex:
    """One version of a document's text, for converting positions in both directions."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.encoding = encoding
        self.starts = line_starts(text)  # one more than the lines: the last is the end of the text

    def line(self, number: int) -> str:
        """The 0-based line `number` without its ending ('' past the end)."""
        if number + 1 >= len(self.starts):
            return ""
        return _strip_ending(self.text[self.starts[number] : self.starts[number + 1]])

    def to_lsp(self, position: Position) -> types.Position:
        return self.at_offset(offset(self.starts, position))

    def at_offset(self, index: int) -> types.Position:
        index = max(0, min(index, len(self.text)))
        number = bisect_right(self.starts, index) - 1
        if number == len(self.starts) - 1 and number > 0 and not self.text.endswith(_LINE_ENDINGS):
            number -= 1  # the end of a last line that has no newline
        return types.Position(number, _units(self.text[self.starts[number] : index], self.encoding))

    def range(self, start: Position, end: Position) -> types.Range:
        return types.Range(self.to_lsp(start), self.to_lsp(end))

    def offset_of(self, position: types.Position) -> int:
        """The string offset of an LSP position (a column past the line's end means its end)."""
        if position.line >= len(self.starts) - 1:
            return len(self.text)
        line = self.line(position.line)
        column, units = 0, 0
        while column < len(line) and units < position.character:
            units += _units(line[column], self.encoding)
            column += 1
        return self.starts[position.line] + column

    def text_edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(self.range(edit.start, edit.end), edit.content)


def overlaps(first: types.Range, second: types.Range) -> bool:
    """Whether two ranges share a position (touching counts: a cursor at a range's end is on it)."""
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(first.start) <= key(second.end) and key(second.start) <= key(first.end)
