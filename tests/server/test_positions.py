"""Engine positions to LSP positions and back, in each encoding, at the awkward places: after
characters outside the BMP, at the end of a last line without a newline, past a line's end."""

from __future__ import annotations

import pytest
from lsprotocol.types import Position as LspPosition
from lsprotocol.types import PositionEncodingKind

from fluxloop_lint.server.positions import LineIndex
from fluxloop_lint.types import Position

TEXT = 'x = "🌦é"\r\ny = 1\rz = 2'  # CRLF, then a lone CR, then no newline at the end


@pytest.mark.parametrize(
    ("encoding", "after_string"),
    [(PositionEncodingKind.Utf16, 9), (PositionEncodingKind.Utf8, 12), (PositionEncodingKind.Utf32, 8)],
)
def test_columns_count_in_the_agreed_encoding(encoding: str, after_string: int) -> None:
    index = LineIndex(TEXT, encoding)
    # Column 9 (1-based, in code points) is just after the closing quote.
    assert index.to_lsp(Position(1, 9)) == LspPosition(0, after_string)
    assert index.offset_of(LspPosition(0, after_string)) == TEXT.index('"\r') + 1


def test_lines_break_where_the_protocol_breaks_them() -> None:
    index = LineIndex(TEXT)
    assert [index.line(number) for number in range(4)] == ['x = "🌦é"', "y = 1", "z = 2", ""]
    assert index.to_lsp(Position(3, 1)) == LspPosition(2, 0)
    # The end of a last line without a newline is on that line, not on a line after it.
    assert index.at_offset(len(TEXT)) == LspPosition(2, 5)
    assert LineIndex("a\n").at_offset(2) == LspPosition(1, 0)
    assert LineIndex("").at_offset(0) == LspPosition(0, 0)


def test_positions_past_the_end_are_clamped() -> None:
    index = LineIndex(TEXT)
    assert index.offset_of(LspPosition(1, 99)) == TEXT.index("y = 1") + len("y = 1")
    assert index.offset_of(LspPosition(9, 0)) == len(TEXT)
    assert index.to_lsp(Position(9, 1)) == index.at_offset(len(TEXT))
