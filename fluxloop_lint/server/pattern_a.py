"""The Pattern A action for one function, cut out of the engine's Pattern A fix.

The engine converts every FluxLoop decorator of a file in one fix (`fixes/manual.py`), as
`--fix --fix-strategy manual --unsafe-fixes` writes it, with edits on whole lines. The action
keeps the edits inside the chosen function; drops those inside other decorated functions;
and keeps the rest (the imports) without removing lines: an import the file's other FluxLoop
decorators still use stays, next to the new one. The function itself comes out as the
command line writes it.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from fluxloop_lint.fixes.edits import apply_edits, split_lines
from fluxloop_lint.types import Edit

Span = tuple[int, int]  # first and last 1-based line of a function, decorators included


def _decorated_functions(module: ast.Module) -> list[tuple[Span, list[int]]]:
    functions = []
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            lines = [decorator.lineno for decorator in node.decorator_list]
            functions.append(((min(lines), node.end_lineno or node.lineno), lines))
    return functions


def _inside(edit: Edit, span: Span) -> bool:
    last = max(edit.start.line, edit.end.line - 1)  # an insertion has no line of its own
    return span[0] <= edit.start.line and last <= span[1]


def _touches(edit: Edit, span: Span) -> bool:
    last = max(edit.start.line, edit.end.line - 1)
    return edit.start.line <= span[1] and span[0] <= last


def function_edits(text: str, edits: Sequence[Edit], decorator_line: int) -> list[Edit] | None:
    """The edits converting the function whose decorator starts on `decorator_line` (1-based);
    None when the text does not parse, no such function exists or the result would not parse."""
    try:
        functions = _decorated_functions(ast.parse(text))
    except (SyntaxError, ValueError):
        return None
    chosen = [span for span, lines in functions if decorator_line in lines]
    if not chosen:
        return None
    target = chosen[0]
    # Functions nested in the chosen one are converted with it (their code is part of it).
    others = [span for span, _ in functions if not (target[0] <= span[0] and span[1] <= target[1])]
    lines = split_lines(text)
    kept: list[Edit] = []
    for edit in edits:
        if _inside(edit, target):
            kept.append(edit)
        elif not any(_touches(edit, span) for span in others):
            old = lines[edit.start.line - 1 : edit.end.line - 1]
            added = "".join(line for line in split_lines(edit.content) if line not in old)
            if added:
                kept.append(Edit(edit.start, edit.start, added))
    if not kept:
        return None
    try:
        ast.parse(apply_edits(text, kept))
    except SyntaxError:
        return None
    return kept
