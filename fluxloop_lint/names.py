"""Import and name resolution, flow-ordered, without LibCST's scope metadata.

The engine walks a module once, in source order, and tells a `NameResolver` about every
binding as it passes it (imports, assignments, definitions, parameters). A lookup therefore
sees the bindings made *before* the point being checked, which is what a decorator sees when
Python evaluates it: `from agents import function_tool` followed by `def function_tool(...)`
shadows the import for the decorators below the `def`.

A name can be bound to a qualified name (`import m as a` binds `a` to `m`), to an *instance*
of a qualified name (`mcp = FastMCP(...)` binds `mcp` to an instance of
`mcp.server.fastmcp.FastMCP`), or to something unknown (a parameter, a local `def`):
unknown bindings shadow whatever was visible before. A decorator factory's result is the
decorator again (`strict = function_tool(strict_mode=True)` and
`functools.partial(function_tool, ...)` bind `strict` to `agents.function_tool`), and a
relative import binds the absolute name it stands for when the module's package is known.
Names of the project's own modules stay qualified names here (`common.tools.strict_tool`);
`project.Project` says what they are when a rule needs to know.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import libcst as cst

_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name refers to: `qualified_name` (None: unknown), or an instance of it;
    `origin` (`common/decorators.py:6`) when another module of the project gave it that meaning."""

    qualified_name: str | None
    instance: bool = False
    origin: str | None = None


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
    __slots__ = ("bindings", "earlier", "is_class", "parent")

    def __init__(self, parent: _Scope | None, is_class: bool = False) -> None:
        self.bindings: dict[str, Binding] = {}
        self.earlier: dict[str, list[Binding]] | None = None  # what rebound names were bound to before
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


def import_bindings(node: cst.Import | cst.ImportFrom, package: str | None = None) -> list[tuple[str, Binding]]:
    """The names an import statement binds, with what they refer to. A relative import
    resolves against `package` (the importing module's package; None: unknown, so the names
    it binds are unknown, but still shadow)."""
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
    module = imported_module(node, package)
    bindings = []
    for alias in node.names:
        imported = dotted_text(alias.name)
        local = imported
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        bindings.append((local, UNKNOWN if not module else Binding(f"{module}.{imported}")))
    return bindings


def imported_module(node: cst.ImportFrom, package: str | None) -> str | None:
    """The absolute name of the module a `from ... import` reads; None when it is relative
    and `package` is unknown, or climbs above the top-level package."""
    module = dotted_text(node.module) if node.module is not None else ""
    if not node.relative:
        return module or None
    if package is None:
        return None
    parts = package.split(".") if package else []
    up = len(node.relative) - 1
    if up > len(parts) or (up == len(parts) and not module):
        return None
    base = parts[: len(parts) - up]
    return ".".join([*base, module] if module else base) or None


class NameResolver:
    """Scopes of one module, filled in source order by the engine's walk.

    `package` is the module's package, for relative imports (None: unknown). `decorator_forms`
    says how a registered decorator is used ("bare", "called", "both"; None: not a known
    decorator), so that calling a factory gives the decorator back. `star_names` lists the
    public names a `from module import *` binds.
    """

    def __init__(
        self,
        package: str | None = None,
        decorator_forms: Callable[[str], str | None] = lambda name: None,
        star_names: Callable[[str], Iterable[str]] = lambda module: (),
    ) -> None:
        self._scope = _Scope(None)
        self.package = package
        self._decorator_forms = decorator_forms
        self._star_names = star_names

    # -- lookups --------------------------------------------------------------------------

    def lookup(self, name: str) -> Binding | None:
        """The binding of `name` here; builtins last; None when nothing binds it."""
        scope = self._binding_scope(name)
        if scope is not None:
            return scope.bindings[name]
        if name in _BUILTIN_NAMES:
            return Binding(f"builtins.{name}")
        return None

    def lookup_all(self, name: str) -> tuple[Binding, ...]:
        """Every binding `name` has had so far in the scope that binds it, the current one
        last: for an analysis made at the end of a function about calls anywhere in it."""
        scope = self._binding_scope(name)
        if scope is None:
            binding = self.lookup(name)
            return (binding,) if binding is not None else ()
        earlier = scope.earlier.get(name, []) if scope.earlier else []
        return (*earlier, scope.bindings[name])

    def _binding_scope(self, name: str) -> _Scope | None:
        scope: _Scope | None = self._scope
        innermost = True
        while scope is not None:
            # A class body's names are visible in the class body only, not in its methods.
            if (innermost or not scope.is_class) and name in scope.bindings:
                return scope
            innermost = False
            scope = scope.parent
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
        scope = self._scope
        before = scope.bindings.get(name)
        if before is not None and before is not binding:
            if scope.earlier is None:
                scope.earlier = {}
            scope.earlier.setdefault(name, []).append(before)
        scope.bindings[name] = binding

    def current_bindings(self) -> dict[str, Binding]:
        """A copy of the current scope's bindings (to undo a fallback branch's rebinding)."""
        return dict(self._scope.bindings)

    def keep(self, bindings: dict[str, Binding], names: set[str]) -> None:
        """Put back `names` as they were in `bindings`."""
        for name in names:
            self._scope.bindings[name] = bindings[name]

    def bind_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
            module = imported_module(node, self.package)
            for name in self._star_names(module) if module else ():
                self.bind(name, Binding(f"{module}.{name}"))
            return
        for name, binding in import_bindings(node, self.package):
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
            return self.call_binding(value)
        resolved = self.resolve(value)
        if resolved is not None and resolved.qualified_name is not None:
            return Binding(resolved.qualified_name)
        return UNKNOWN

    def value_binding(self, value: cst.BaseExpression) -> Binding:
        """What an expression evaluates to, as far as the bindings tell (a name, an attribute
        or a call); a bare name bound to an instance stays that instance."""
        if isinstance(value, cst.Name):
            return self.lookup(value.value) or UNKNOWN
        return self._value_binding(value)

    def call_binding(self, call: cst.Call) -> Binding:
        """What a call returns.

        - A decorator factory called with options only (`function_tool(strict_mode=True)`,
          `mcp.tool()`, `tool("name")`) returns the decorator: the callee's own name.
        - `functools.partial(decorator, ...)` is that decorator.
        - A decorator applied (`function_tool(search)`, `function_tool(**options)(fn)`)
          returns the framework's object: an instance of the decorator's name.
        - Anything else known returns an instance of its callee (`FastMCP("x")`).
        """
        if isinstance(call.func, cst.Call):
            decorator = self.call_binding(call.func)
            if decorator.qualified_name is not None and not decorator.instance:
                return Binding(decorator.qualified_name, instance=True)
            return UNKNOWN
        resolved = self.resolve(call.func)
        if resolved is None or resolved.qualified_name is None:
            return UNKNOWN
        callee = resolved.qualified_name
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if callee == "functools.partial" and positional:
            return self._value_binding(positional[0].value) if not isinstance(positional[0].value, cst.Call) else UNKNOWN
        forms = self._decorator_forms(callee)
        options_only = not positional or isinstance(positional[0].value, (cst.SimpleString, cst.ConcatenatedString))
        if forms == "called" or (forms == "both" and options_only):
            return Binding(callee)
        return Binding(callee, instance=True)

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
