"""Pattern B: move FluxLoop decorators just below the lowest decorator they must sit under.

Works on the original text, line by line: a decorator's lines (with the comments and blank
lines above it, `Decorator.leading_lines`, and its trailing comment) move as one block, so
nothing else in the file changes, line endings included.
"""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.context import DecoratorInfo, FileContext
from fluxloop_lint.types import Applicability, Edit, Fix, Position


def _block(context: FileContext, decorator: cst.Decorator) -> tuple[int, int]:
    """The 1-based first and last line of a decorator with its leading lines."""
    where = context.position(decorator)
    return where.start.line - len(decorator.leading_lines), where.end.line


def reorder_fix(
    context: FileContext,
    decorators: tuple[DecoratorInfo, ...],
    moving: tuple[int, ...],
    target: int,
    applicability: Applicability,
) -> Fix:
    """Move the decorators at `moving` (all above `target`) to just below `target`,
    keeping their relative order."""
    first = moving[0]
    order = [index for index in range(first, target + 1) if index not in moving] + list(moving)
    lines = context.lines
    blocks = {index: _block(context, decorators[index].node) for index in range(first, target + 1)}
    content = "".join("".join(lines[start - 1 : end]) for start, end in (blocks[index] for index in order))
    start_line, end_line = blocks[first][0], blocks[target][1]
    moved = ", ".join(f"@{decorators[index].label}" for index in moving)
    return Fix(
        applicability,
        f"Move {moved} below @{decorators[target].label}",
        (Edit(Position(start_line, 1), Position(end_line + 1, 1), content),),
    )
