"""The engine's one walk of a module: calls the rules' handlers and tells the name resolver
about bindings in source order.

Per tuple of rules a `Plan` (built once per process) says which `visit_*`/`leave_*` methods
to call for each node type, and whether any rule looks below the statement level. A
`visit_FunctionDef` runs where the `def` is evaluated (its decorators' names as they are
there); a `leave_FunctionDef` runs at the end of the body, still in the function's scope
(its parameters and local imports and assignments are known to the resolver). The same
walk, with no rules, summarises a project module that another file imports from
(`project.summarise`): what matters there is only what the resolver learns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import libcst as cst

from fluxloop_lint import syntax_tree
from fluxloop_lint.context import FileContext
from fluxloop_lint.rules.base import Rule
from fluxloop_lint.types import FixStrategy


@dataclass(frozen=True)
class Plan:
    """For a tuple of rules: per node type, which (rule index, method name) to call."""

    visits: dict[type[cst.CSTNode], tuple[tuple[int, str], ...]]
    leaves: dict[type[cst.CSTNode], tuple[tuple[int, str], ...]]
    expressions: bool  # some rule wants nodes below the statement level


@lru_cache(maxsize=64)
def plan(rules: tuple[type[Rule], ...]) -> Plan:
    tables: dict[str, dict[type[cst.CSTNode], list[tuple[int, str]]]] = {"visit_": {}, "leave_": {}}
    for index, rule in enumerate(rules):
        for attribute in dir(rule):
            for prefix, table in tables.items():
                if attribute.startswith(prefix):
                    node_type = getattr(cst, attribute[len(prefix) :], None)
                    if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                        raise TypeError(f"{rule.__name__}.{attribute} names no LibCST node type")
                    table.setdefault(node_type, []).append((index, attribute))
    wanted = set(tables["visit_"]) | set(tables["leave_"])
    return Plan(
        visits={node_type: tuple(calls) for node_type, calls in tables["visit_"].items()},
        leaves={node_type: tuple(calls) for node_type, calls in tables["leave_"].items()},
        expressions=not wanted <= syntax_tree.STATEMENT_NODE_TYPES,
    )


class Walk:
    """One walk of a module (or of its statements one by one, see `statement`)."""

    def __init__(self, context: FileContext, rules: Sequence[Rule], plan: Plan) -> None:
        self.context = context
        self.resolver = context.resolver

        def bound(table: dict[type[cst.CSTNode], tuple[tuple[int, str], ...]]) -> dict[type[cst.CSTNode], list[Callable[[cst.CSTNode], None]]]:
            return {node_type: [getattr(rules[index], name) for index, name in calls] for node_type, calls in table.items()}

        self.visits = bound(plan.visits)
        self.leaves = bound(plan.leaves)
        self.fields = syntax_tree.all_fields if plan.expressions else syntax_tree.statement_fields
        self.expressions = plan.expressions
        # The `return` statements of each function being walked, innermost last (for
        # `FileContext.binding_for_definition`: a house decorator is known by what it returns).
        self._returns: list[list[cst.Return]] = []

    def node(self, node: cst.CSTNode) -> None:
        node_type = type(node)
        for handler in self.visits.get(node_type, ()):
            handler(node)
        if node_type is cst.Module:
            for statement in node.body:  # type: ignore[attr-defined]
                self.statement(statement)
            self.context.top_level_statement = None
        elif node_type is cst.FunctionDef:
            self._function(node)  # type: ignore[arg-type]
            return  # its `leave_FunctionDef` handlers ran inside its scope
        elif node_type is cst.ClassDef:
            self._class(node)  # type: ignore[arg-type]
        elif node_type is cst.Lambda:
            self.resolver.enter_function(node)  # type: ignore[arg-type]
            self._children(node)
            self.resolver.leave_scope()
        elif node_type is cst.Try:
            self._try(node)  # type: ignore[arg-type]
        elif node_type is cst.SimpleStatementLine or node_type is cst.Decorator:
            outer = self.context.current_statement
            self.context.current_statement = node
            self._children(node)
            self.context.current_statement = outer
        else:
            if node_type is cst.Return and self._returns:
                self._returns[-1].append(node)  # type: ignore[arg-type]
            self._bind_before(node, node_type)
            self._children(node)
            self._bind_after(node, node_type)
        for handler in self.leaves.get(node_type, ()):
            handler(node)

    def statement(self, statement: cst.BaseStatement) -> None:
        """Walk one module-level statement."""
        self.context.top_level_statement = statement
        self.node(statement)

    def _children(self, node: cst.CSTNode, fields: tuple[str, ...] | None = None) -> None:
        for child in syntax_tree.children(node, fields if fields is not None else self.fields(type(node))):
            self.node(child)

    def _function(self, node: cst.FunctionDef) -> None:
        if self.expressions:
            self._children(node, ("decorators", "params", "returns"))
        if node.decorators and self.context.settings.fix_strategy is FixStrategy.MANUAL:
            # The manual rewrite reads the analysis of every decorated function, also of those
            # no rule looked at; it is made here, where the decorators' names are the definition's.
            self.context.decorators_of(node)
        decorated = self.context.binding_for_definition(node)
        self.resolver.enter_function(node)
        self._returns.append([])
        self._children(node, ("body",))
        # Still in the function's scope: the resolver knows its parameters and local names.
        for handler in self.leaves.get(cst.FunctionDef, ()):
            handler(node)
        returns = self._returns.pop()
        # What the function returns is read in its own scope, before leaving it.
        binding = decorated if decorated.qualified_name is not None or node.decorators else self.context.returned_decorator(node, returns)
        self.resolver.leave_scope()
        self.resolver.bind(node.name.value, binding)

    def _try(self, node: cst.Try) -> None:
        """`try: from x import y` / `except ImportError: y = None`: the names the `try` body
        bound keep that binding, as when the import works (the case worth checking)."""
        before = self.resolver.current_bindings()
        self._children(node, ("body",))
        after_body = self.resolver.current_bindings()
        changed = {name for name, binding in after_body.items() if before.get(name) is not binding}
        self._children(node, ("handlers",))
        self.resolver.keep(after_body, changed)
        self._children(node, ("orelse", "finalbody"))

    def _class(self, node: cst.ClassDef) -> None:
        if self.expressions:
            self._children(node, ("decorators", "bases", "keywords"))
        self.resolver.enter_class()
        self._returns.append([])  # a class body has no returns of its own; keeps methods' apart
        self._children(node, ("body",))
        self._returns.pop()
        self.resolver.leave_scope()
        self.resolver.bind_targets(node.name)

    def _bind_before(self, node: cst.CSTNode, node_type: type[cst.CSTNode]) -> None:
        if node_type is cst.For:
            self.resolver.bind_targets(node.target)  # type: ignore[attr-defined]
        elif node_type is cst.With:
            for item in node.items:  # type: ignore[attr-defined]
                if item.asname is not None:
                    self.resolver.bind_targets(item.asname.name)
        elif node_type is cst.ExceptHandler and node.name is not None:  # type: ignore[attr-defined]
            self.resolver.bind_targets(node.name.name)  # type: ignore[attr-defined]

    def _bind_after(self, node: cst.CSTNode, node_type: type[cst.CSTNode]) -> None:
        if node_type is cst.Import:
            self.resolver.bind_import(node)  # type: ignore[arg-type]
        elif node_type is cst.ImportFrom:
            self.resolver.bind_import_from(node)  # type: ignore[arg-type]
        elif node_type is cst.Assign or node_type is cst.AnnAssign:
            self.resolver.bind_assignment(node)  # type: ignore[arg-type]
        elif node_type is cst.NamedExpr:
            self.resolver.bind_targets(node.target)  # type: ignore[attr-defined]
