"""Import and name resolution, flow-ordered, without LibCST's scope metadata.

The engine walks a module once, in source order, and tells a `NameResolver` about every
binding as it passes it (imports, assignments, definitions, parameters). A lookup therefore
sees the bindings made *before* the point being checked, which is what a decorator sees when
Python evaluates it: `from agents import function_tool` followed by `def function_tool(...)`
shadows the import for the decorators below the `def`.

A name can be bound to a qualified name (`import m as a` binds `a` to `m`), to an *instance*
of a qualified name (`mcp = FastMCP(...)` binds `mcp` to an instance of
`mcp.server.fastmcp.FastMCP`), or to something unknown (a parameter, a local `def`, a
relative import): unknown bindings shadow whatever was visible before.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass

import libcst as cst

_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name refers to: `qualified_name` (None: unknown), or an instance of it."""

    qualified_name: str | None
    instance: bool = False


UNKNOWN = Binding(None)


@dataclass(frozen=True, slots=True)
class ResolvedName:
    """A dotted expression (`a`, `a.b.c`) resolved as far as the bindings allow.

    `qualified_name` is the full dotted path (None when the head is unknown); `attribute` is
    the last attribute of an `x.attribute` expression; `receiver` is the binding of `x`
    (for `mcp.tool`: an instance of `mcp.server.fastmcp.FastMCP`).
    """

    qualified_name: str | None
    attribute: str | None = None
    receiver: Binding | None = None


class _Scope:
    __slots__ = ("bindings", "is_class", "parent")

    def __init__(self, parent: _Scope | None, is_class: bool = False) -> None:
        self.bindings: dict[str, Binding] = {}
        self.is_class = is_class
        self.parent = parent


def dotted_parts(expression: cst.BaseExpression) -> list[str] | None:
    """`a.b.c` as `["a", "b", "c"]`; None for anything that is not a plain dotted name."""
    parts: list[str] = []
    while isinstance(expression, cst.Attribute):
        parts.append(expression.attr.value)
        expression = expression.value
    if not isinstance(expression, cst.Name):
        return None
    parts.append(expression.value)
    parts.reverse()
    return parts


def dotted_text(expression: cst.BaseExpression) -> str:
    """`a.b.c` as `"a.b.c"`; "" for anything that is not a plain dotted name."""
    parts = dotted_parts(expression)
    return ".".join(parts) if parts else ""


def import_bindings(node: cst.Import | cst.ImportFrom) -> list[tuple[str, Binding]]:
    """The names an import statement binds, with what they refer to."""
    if isinstance(node, cst.Import):
        bindings = []
        for alias in node.names:
            full = dotted_text(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bindings.append((alias.asname.name.value, Binding(full)))
            else:
                top = full.split(".", 1)[0]
                bindings.append((top, Binding(top)))
        return bindings
    if isinstance(node.names, cst.ImportStar):
        return []
    relative = bool(node.relative)
    module = dotted_text(node.module) if node.module is not None else ""
    bindings = []
    for alias in node.names:
        imported = dotted_text(alias.name)
        local = imported
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        # A relative import resolves to nothing known, but still shadows.
        bindings.append((local, UNKNOWN if relative or not module else Binding(f"{module}.{imported}")))
    return bindings


class NameResolver:
    """Scopes of one module, filled in source order by the engine's walk."""

    def __init__(self) -> None:
        self._scope = _Scope(None)

    # -- lookups --------------------------------------------------------------------------

    def lookup(self, name: str) -> Binding | None:
        """The binding of `name` here; builtins last; None when nothing binds it."""
        scope: _Scope | None = self._scope
        innermost = True
        while scope is not None:
            # A class body's names are visible in the class body only, not in its methods.
            if innermost or not scope.is_class:
                binding = scope.bindings.get(name)
                if binding is not None:
                    return binding
            innermost = False
            scope = scope.parent
        if name in _BUILTIN_NAMES:
            return Binding(f"builtins.{name}")
        return None

    def resolve(self, expression: cst.BaseExpression) -> ResolvedName | None:
        """Resolve a dotted expression; None when it is not one."""
        parts = dotted_parts(expression)
        if parts is None:
            return None
        head = self.lookup(parts[0])
        if len(parts) == 1:
            if head is None or head.instance:
                return ResolvedName(None)
            return ResolvedName(head.qualified_name)
        if head is None or head.qualified_name is None:
            return ResolvedName(None, parts[-1], UNKNOWN)
        qualified_name = ".".join([head.qualified_name, *parts[1:]])
        if len(parts) == 2:
            receiver = head
        else:
            receiver = Binding(".".join([head.qualified_name, *parts[1:-1]]), instance=False)
        return ResolvedName(qualified_name, parts[-1], receiver)

    def resolve_callee(self, expression: cst.BaseExpression) -> tuple[ResolvedName | None, bool]:
        """Resolve a decorator or call target: `x` or `x(...)`; also says whether it is called."""
        if isinstance(expression, cst.Call):
            return self.resolve(expression.func), True
        return self.resolve(expression), False

    # -- bindings, told by the engine's walk ----------------------------------------------

    def bind(self, name: str, binding: Binding) -> None:
        self._scope.bindings[name] = binding

    def current_bindings(self) -> dict[str, Binding]:
        """A copy of the current scope's bindings (to undo a fallback branch's rebinding)."""
        return dict(self._scope.bindings)

    def keep(self, bindings: dict[str, Binding], names: set[str]) -> None:
        """Put back `names` as they were in `bindings`."""
        for name in names:
            self._scope.bindings[name] = bindings[name]

    def bind_import(self, node: cst.Import | cst.ImportFrom) -> None:
        for name, binding in import_bindings(node):
            self.bind(name, binding)

    bind_import_from = bind_import

    def bind_targets(self, target: cst.BaseExpression, value: cst.BaseExpression | None = None) -> None:
        """An assignment target. `x = Known(...)` binds an instance, `x = known` an alias."""
        if isinstance(target, cst.Name):
            self.bind(target.value, self._value_binding(value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self.bind_targets(target.value)

    def _value_binding(self, value: cst.BaseExpression | None) -> Binding:
        if value is None:
            return UNKNOWN
        if isinstance(value, cst.Call):
            resolved = self.resolve(value.func)
            if resolved is not None and resolved.qualified_name is not None:
                return Binding(resolved.qualified_name, instance=True)
            return UNKNOWN
        resolved = self.resolve(value)
        if resolved is not None and resolved.qualified_name is not None:
            return Binding(resolved.qualified_name)
        return UNKNOWN

    def bind_assignment(self, node: cst.Assign | cst.AnnAssign) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self.bind_targets(target.target, node.value)
        elif node.value is not None:
            self.bind_targets(node.target, node.value)

    def enter_function(self, node: cst.FunctionDef | cst.Lambda) -> None:
        self._scope = _Scope(self._scope)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.bind(param.name.value, UNKNOWN)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.bind(star.name.value, UNKNOWN)

    def enter_class(self) -> None:
        self._scope = _Scope(self._scope, is_class=True)

    def leave_scope(self) -> None:
        assert self._scope.parent is not None, "left the module scope"
        self._scope = self._scope.parent
