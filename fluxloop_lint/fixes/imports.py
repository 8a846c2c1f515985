"""Imports for the manual rewrite: add what the Pattern A code needs, remove what the
removed decorators left unused.

The new code calls `get_current_context` and builds `ObservationData(type=ObservationType...)`
from the FluxLoop module the function's own decorator came from (`fluxloop` or
`fluxloop_runtime`: a file may use both). Each of these symbols gets a name that means it
everywhere in the file:

- an existing import of that very symbol, when nothing else in the file binds its name;
- else the symbol's own name, when nothing in the file binds or reads it;
- else an alias, `fl_ObservationType` (`fl_ObservationType_1`, ...): the file's own
  `ObservationType` or `get_current_context` is never shadowed.

The imports go where the decorator's name was imported: after the file's last import of
that FluxLoop package, or, for a decorator imported inside a function (`from fluxloop
import tool` in the function's body, often because FluxLoop is an optional dependency),
right after that local import, so the module does not start importing FluxLoop at load
time. A FluxLoop import that the removed decorators leave unused is removed in its own
scope (module or function).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import FunctionScope, GlobalScope, ImportAssignment, MetadataWrapper, Scope, ScopeProvider

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.rewrite import fresh_name, statements
from fluxloop_lint.fluxloop_api import SYMBOL_MODULES
from fluxloop_lint.names import dotted_parts, dotted_text
from fluxloop_lint.syntax_tree import descendants, is_docstring

@dataclass(frozen=True)
class Symbols:
    """The names the new code of one function uses for FluxLoop's symbols."""

    module: str  # `fluxloop` or `fluxloop_runtime`
    get_current_context: str
    ObservationData: str
    ObservationType: str


class ImportPlan:
    """Chooses the symbols' names for each function and collects the imports to add."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        scopes = MetadataWrapper(context.module, unsafe_skip_copy=True).resolve(ScopeProvider)
        self._scope_of = scopes
        self._assignments: dict[str, list[tuple[Scope, str | None]]] = {}
        self._taken: set[str] = set()
        for scope in {scope for scope in scopes.values() if scope is not None}:
            for assignment in scope.assignments:
                imported = _imported(assignment) if isinstance(assignment, ImportAssignment) else None
                self._assignments.setdefault(assignment.name, []).append((scope, imported))
                self._taken.add(assignment.name)
            self._taken.update(access.node.value for access in scope.accesses if isinstance(access.node, cst.Name))
        self._chosen: dict[tuple[str, str], str] = {}
        # Import lines to add: at module level (key None) or after a local import line.
        self.module_level: dict[str, list[tuple[str, str]]] = {}
        self.local: dict[cst.SimpleStatementLine, list[tuple[str, str, str]]] = {}
        # Functions the rewrite converts, with one of their converted decorators: their own
        # new code runs before their body's local imports, so it cannot anchor new imports.
        self.converting: dict[int, tuple[cst.FunctionDef, cst.Decorator]] = {}

    def symbols_for(self, function: cst.FunctionDef, decorator: cst.Decorator, module: str) -> Symbols:
        """The names `function`'s new code uses, its imports recorded (once per place)."""
        anchor, visible = self._anchor(function, decorator)
        names: dict[str, str] = {}
        for symbol in SYMBOL_MODULES:
            existing = self._existing(module, symbol, visible)
            if existing is not None:
                names[symbol] = existing
                continue
            name = self._name(module, symbol)
            names[symbol] = name
            wanted = (symbol, name)
            if anchor is None:
                place = self.module_level.setdefault(module, [])
                if wanted not in place:
                    place.append(wanted)
            else:
                local = self.local.setdefault(anchor, [])
                if (module, *wanted) not in local:
                    local.append((module, *wanted))
        return Symbols(module, **names)

    def _anchor(
        self, function: cst.FunctionDef, decorator: cst.Decorator
    ) -> tuple[cst.SimpleStatementLine | None, tuple[Scope, ...]]:
        """The local import line that bound the decorator's name (None: module level), and
        the scopes whose imports the function sees."""
        expression = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        root = (dotted_parts(expression) or [""])[0]
        scope = self._scope_of.get(function)
        chain: list[Scope] = []
        while scope is not None and not isinstance(scope, GlobalScope):
            if isinstance(scope, FunctionScope):
                chain.append(scope)
            scope = scope.parent
        global_scope = scope
        for scope in chain:
            for assignment in scope.assignments[root]:
                if isinstance(assignment, ImportAssignment) and self.context.fluxloop_module_of(_imported(assignment)):
                    converted = self.converting.get(id(scope.node))  # type: ignore[attr-defined]
                    if converted is not None:
                        # A local import there would make the names local to that function,
                        # unbound where its own new code uses them first: go where it imports.
                        return self._anchor(*converted)
                    line = _line_of(scope.node, assignment.node)  # type: ignore[attr-defined]
                    if line is not None:
                        return line, (scope, global_scope)  # type: ignore[return-value]
        return None, (global_scope,)  # type: ignore[return-value]

    def _existing(self, module: str, symbol: str, visible: tuple[Scope, ...]) -> str | None:
        """A name bound, in a scope the function sees, by an import of this very symbol and by
        nothing else anywhere in the file."""
        wanted = {f"{module}{SYMBOL_MODULES[symbol]}.{symbol}", f"{module}.{symbol}"}
        for name, assignments in self._assignments.items():
            if all(imported in wanted for _, imported in assignments) and any(scope in visible for scope, _ in assignments):
                self._chosen[(module, symbol)] = name
                return name
        return None

    def _name(self, module: str, symbol: str) -> str:
        chosen = self._chosen.get((module, symbol))
        if chosen is not None:
            return chosen
        others = set(self._chosen.values())
        name = symbol if symbol not in self._taken and symbol not in others else fresh_name(f"fl_{symbol}", self._taken | others)
        self._chosen[(module, symbol)] = name
        return name


def _imported(assignment: ImportAssignment) -> str | None:
    """The qualified name an import binds to `assignment.name`."""
    node = assignment.node
    if isinstance(node, cst.ImportFrom):
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return None
        for alias in node.names:
            if _bound(alias) == assignment.name:
                return f"{dotted_text(node.module)}.{dotted_text(alias.name)}"
    elif isinstance(node, cst.Import):
        for alias in node.names:
            if _bound(alias) == assignment.name:
                full = dotted_text(alias.name)
                return full if alias.asname is not None else full.split(".")[0]
    return None


def _line_of(owner: cst.CSTNode, small: cst.CSTNode) -> cst.SimpleStatementLine | None:
    for node in descendants(owner):
        if isinstance(node, cst.SimpleStatementLine) and any(part is small for part in node.body):
            return node
    return None


def import_lines(wanted: Sequence[tuple[str, str, str]]) -> list[cst.BaseStatement]:
    """`from M import get_current_context` / `from M.models import ObservationData, ...` for
    (module, symbol, name) triples, aliased where the name is not the symbol's."""
    grouped: dict[str, list[str]] = {}
    for module, symbol, name in wanted:
        alias = symbol if name == symbol else f"{symbol} as {name}"
        grouped.setdefault(f"{module}{SYMBOL_MODULES[symbol]}", []).append(alias)
    return [statements(f"from {source} import {', '.join(aliases)}\n")[0] for source, aliases in grouped.items()]


# -- removing what became unused ----------------------------------------------------------------


def _used_names(node: cst.CSTNode) -> set[str]:
    """Names read or bound anywhere below `node`, imports aside."""
    used: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            used.add(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, (cst.Import, cst.ImportFrom)):
            continue
        else:
            stack.extend(current.children)
    return used


def _is_import_line(statement: cst.CSTNode | None) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    parts = dotted_parts(alias.name) or [""]
    return parts[0]


def _module_of(small: cst.BaseSmallStatement) -> str | None:
    """The module a `from` import reads (None for `import x` and relative imports)."""
    if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
        return dotted_text(small.module)
    return None


def _pruned(
    context: FileContext, statement: cst.SimpleStatementLine, removable: set[str], used: set[str]
) -> tuple[cst.SimpleStatementLine | None, list[str]]:
    """The import line less its FluxLoop aliases in `removable` and not in `used` (None: nothing
    left), and the top-level packages it imports."""
    smalls = []
    packages: list[str] = []
    for small in statement.body:
        source = _module_of(small)
        relative = isinstance(small, cst.ImportFrom) and source is None
        aliases = small.names if not (relative or isinstance(small.names, cst.ImportStar)) else None  # type: ignore[attr-defined]
        if aliases is not None:
            kept = [
                alias
                for alias in aliases
                if not (
                    context.fluxloop_module_of(source or dotted_text(alias.name)) is not None
                    and _bound(alias) in removable
                    and _bound(alias) not in used
                )
            ]
            packages.append((source or dotted_text(aliases[0].name)).split(".")[0])
            if not kept:
                continue
            if len(kept) != len(aliases):
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                small = small.with_changes(names=kept)
        smalls.append(small)
    if not smalls:
        return None, packages
    body = [s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in smalls[:-1]] + [smalls[-1]]
    return statement.with_changes(body=body), packages


class _PruneLocalImports(cst.CSTTransformer):
    """Removes FluxLoop imports inside functions that the rewrite left unused there."""

    def __init__(self, context: FileContext, removable: set[str]) -> None:
        super().__init__()
        self.context, self.removable = context, removable
        self.used: list[set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.used.append(_used_names(node))

    def leave_FunctionDef(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        self.used.pop()
        return updated_node

    def leave_SimpleStatementLine(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if not self.used or not _is_import_line(updated_node):
            return updated_node
        pruned, _ = _pruned(self.context, updated_node, self.removable, self.used[-1])
        return pruned if pruned is not None else cst.RemoveFromParent()

    def leave_IndentedBlock(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated_node


def settle_imports(context: FileContext, module: cst.Module, plan: ImportPlan) -> cst.Module:
    """`module` (the rewritten file) with the plan's module-level imports added and the
    FluxLoop imports the rewrite left unused removed."""
    before, after = _used_names(_without_imports(context.module)), _used_names(_without_imports(module))
    removable = before  # only imports that were in use: those the removed decorators used
    module = module.visit(_PruneLocalImports(context, removable))
    body: list[cst.BaseStatement | None] = list(module.body)
    positions: dict[str, int] = {}
    removed_leading: dict[int, Sequence[cst.EmptyLine]] = {}
    for index, statement in enumerate(body):
        if not _is_import_line(statement):
            continue
        pruned, packages = _pruned(context, statement, removable, after)  # type: ignore[arg-type]
        for package in packages:
            positions[package] = index + 1  # after the file's last import of that package
        body[index] = pruned
        if pruned is None:
            removed_leading[index] = statement.leading_lines  # type: ignore[union-attr]
    # Insert from the last position on, so that earlier positions stay valid.
    insertions = sorted(
        ((positions.get(fluxloop.split(".")[0]), order, fluxloop) for order, fluxloop in enumerate(plan.module_level)),
        key=lambda item: (item[0] if item[0] is not None else _after_leading_imports(body), item[1]),
        reverse=True,
    )
    for position, _, fluxloop in insertions:
        if position is None:
            position = _after_leading_imports(body)
        new_lines = import_lines([(fluxloop, symbol, name) for symbol, name in plan.module_level[fluxloop]])
        first_removed = position
        while first_removed - 1 in removed_leading:
            first_removed -= 1
        if new_lines and first_removed < position:
            # The new imports take the place of the removed ones, blank lines above included.
            new_lines[0] = new_lines[0].with_changes(leading_lines=removed_leading.pop(first_removed))
        body[position:position] = new_lines
    return module.with_changes(body=[statement for statement in body if statement is not None])


def _without_imports(module: cst.Module) -> cst.Module:
    return module.with_changes(body=[statement for statement in module.body if not _is_import_line(statement)])


def _after_leading_imports(body: list[cst.BaseStatement | None]) -> int:
    position = 0
    for index, statement in enumerate(body):
        if statement is None or _is_import_line(statement) or (index == 0 and is_docstring(statement)):  # type: ignore[arg-type]
            position = index + 1
        else:
            break
    return position


def local_insertions(plan: ImportPlan) -> Iterator[tuple[cst.SimpleStatementLine, cst.FlattenSentinel]]:
    """Each local import line that anchors new imports, with its replacement: itself, then them."""
    for anchor, wanted in plan.local.items():
        yield anchor, cst.FlattenSentinel([anchor, *import_lines(wanted)])
