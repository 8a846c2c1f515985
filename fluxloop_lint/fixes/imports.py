"""Imports for the manual rewrite: add what the Pattern A code needs, remove what the
removed decorators left unused."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.pattern_a import statements
from fluxloop_lint.names import dotted_parts, dotted_text
from fluxloop_lint.syntax_tree import is_docstring


def _used_names(module: cst.Module) -> set[str]:
    used: set[str] = set()
    stack: list[cst.CSTNode] = [statement for statement in module.body if not _is_import_line(statement)]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            used.add(node.value)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            continue
        else:
            stack.extend(node.children)
    return used


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    parts = dotted_parts(alias.name) or [""]
    return parts[0]


def settle_imports(context: FileContext, module: cst.Module, fluxloop: str) -> cst.Module:
    before, after = _used_names(context.module), _used_names(module)
    body = list(module.body)
    position: int | None = None
    have: set[str] = set()
    removed_leading: dict[int, Sequence[cst.EmptyLine]] = {}
    for index, statement in enumerate(list(body)):
        if not _is_import_line(statement):
            continue
        smalls = []
        for small in statement.body:
            source = _module_of(small)
            relative = isinstance(small, cst.ImportFrom) and source is None
            aliases = small.names if not (relative or isinstance(small.names, cst.ImportStar)) else None
            if aliases is not None:
                kept = [
                    alias
                    for alias in aliases
                    if not (
                        context.fluxloop_module_of(source or dotted_text(alias.name)) is not None
                        and _bound(alias) in before
                        and _bound(alias) not in after
                    )
                ]
                if isinstance(small, cst.ImportFrom) and source in (fluxloop, f"{fluxloop}.models"):
                    have.update(_bound(alias) for alias in kept if alias.asname is None)
                top = (source or dotted_text(aliases[0].name)).split(".")[0]
                if top == fluxloop.split(".")[0]:
                    position = index + 1  # after the file's last import of that FluxLoop package
                if not kept:
                    continue
                if len(kept) != len(aliases):
                    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    small = small.with_changes(names=kept)
            smalls.append(small)
        if smalls:
            body[index] = statement.with_changes(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in smalls[:-1]] + [smalls[-1]])
        else:
            body[index] = None  # type: ignore[call-overload]
            removed_leading[index] = statement.leading_lines
    wanted = []
    if "get_current_context" not in have:
        wanted.append(f"from {fluxloop} import get_current_context\n")
    missing = [name for name in ("ObservationData", "ObservationType") if name not in have]
    if missing:
        wanted.append(f"from {fluxloop}.models import {', '.join(missing)}\n")
    new_lines = [statements(line)[0] for line in wanted]
    if position is None:
        position = _after_leading_imports(body)
    if new_lines and position - 1 in removed_leading:
        # The new imports take the place of the removed one, blank lines above included.
        new_lines[0] = new_lines[0].with_changes(leading_lines=removed_leading[position - 1])
    body[position:position] = new_lines
    result = [statement for statement in body if statement is not None]
    return module.with_changes(body=result)


def _module_of(small: cst.BaseSmallStatement) -> str | None:
    """The module a `from` import reads (None for `import x` and relative imports)."""
    if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
        return dotted_text(small.module)
    return None


def _after_leading_imports(body: list[cst.BaseStatement | None]) -> int:
    position = 0
    for index, statement in enumerate(body):
        if statement is None or _is_import_line(statement) or (index == 0 and is_docstring(statement)):
            position = index + 1
        else:
            break
    return position

