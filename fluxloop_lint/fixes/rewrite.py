"""Fixes built as tree rewrites: replace some nodes, render the module, keep the changed lines.

LibCST renders untouched nodes byte for byte and re-indents moved statements (their nested
blocks and comments follow; multi-line strings are kept as written). The new text is compared
with the old line by line, so a fix's edits cover only the lines that changed: other fixes in
the same file do not overlap with it, and JSON/SARIF/`--diff` show small hunks.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.edits import split_lines
from fluxloop_lint.types import Applicability, Edit, Fix, Position

Replacement = cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel


class Replace(cst.CSTTransformer):
    """Replace nodes (by identity) in one pass."""

    def __init__(self, replacements: Mapping[cst.CSTNode, Replacement]) -> None:
        super().__init__()
        self.replacements = {id(node): new for node, new in replacements.items()}

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self.replacements

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Replacement:  # type: ignore[override]
        return self.replacements.get(id(original_node), updated_node)


def rewritten(module: cst.Module, replacements: Mapping[cst.CSTNode, Replacement]) -> cst.Module:
    return module.visit(Replace(replacements))


def line_edits(old: str, new: str) -> tuple[Edit, ...]:
    """Whole-line edits turning `old` into `new`."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return tuple(
        Edit(Position(first + 1, 1), Position(last + 1, 1), "".join(new_lines[new_first:new_last]))
        for tag, first, last, new_first, new_last in matcher.get_opcodes()
        if tag != "equal"
    )


def text_fix(context: FileContext, new_text: str, applicability: Applicability, message: str) -> Fix | None:
    if new_text == context.text:
        return None
    return Fix(applicability, message, line_edits(context.text, new_text))


def rewrite_fix(
    context: FileContext,
    replacements: Mapping[cst.CSTNode, Replacement],
    applicability: Applicability,
    message: str,
) -> Fix | None:
    """The fix replacing each key node by its value (None when nothing changes)."""
    return text_fix(context, rewritten(context.module, replacements).code, applicability, message)


def fresh_name(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted_1`, `wanted_2`, ... whichever is not in `taken`."""
    name, number = wanted, 0
    while name in taken:
        number += 1
        name = f"{wanted}_{number}"
    return name


def statements(code: str) -> list[cst.BaseStatement]:
    """The statements of a piece of code (the templates new code is made from)."""
    return list(cst.parse_module(code).body)


def visit_all(nodes: Sequence[cst.BaseStatement], transformer: cst.CSTTransformer) -> list[cst.BaseStatement]:
    """Transform statements of a block, where a statement may become several or none."""
    result: list[cst.BaseStatement] = []
    for node in nodes:
        new = node.visit(transformer)
        if isinstance(new, cst.FlattenSentinel):
            result.extend(new.nodes)
        elif not isinstance(new, cst.RemovalSentinel):
            result.append(new)
    return result
