"""Which expressions hold a framework object, and which FluxLoop decorator a call applies (FLX108).

A framework object is what a transforming or registering framework decorator makes when it
is called with the function (`function_tool(search)`, `mcp.tool()(search)`), what a registered
constructor builds (`StructuredTool.from_function(summarize)`, `frameworks.OBJECT_CONSTRUCTORS`),
or a name bound to either (`search_tool = function_tool(search)`: the resolver binds an
instance of `agents.function_tool`). Decorators and names from the project's other modules are
followed there, as for FLX101.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.frameworks import FrameworkDecorator, ObjectConstructor
from fluxloop_lint.names import ResolvedName, dotted_text
from fluxloop_lint.types import FrameworkKind

_OBJECT_KINDS = frozenset({FrameworkKind.TRANSFORMING, FrameworkKind.REGISTERING})
_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.Float)


@dataclass(frozen=True)
class FrameworkObject:
    """`maker` made the object; `function` is the argument of the making call that holds the
    function (None when the object is a name, or the function cannot be found)."""

    maker: FrameworkDecorator | ObjectConstructor
    function: cst.Arg | None = None
    by_method_name: str | None = None  # the decorator was only recognised by this method name

    @property
    def registering(self) -> bool:
        return isinstance(self.maker, FrameworkDecorator) and self.maker.kind is FrameworkKind.REGISTERING


@dataclass(frozen=True)
class FluxLoopApplication:
    """`fluxloop.tool(...)(X)`: `label` as written (`fluxloop.tool(...)`), `factory` the
    FluxLoop call, `argument` X.

    A factory bound to a name first (`traced = fluxloop.tool()`, then `traced(X)`) is not
    looked for: its application has nothing a substring test could find, so every FluxLoop
    file would need the walk through expressions."""

    label: str
    qualified_name: str
    factory: cst.Call
    argument: cst.BaseExpression


def fluxloop_application(context: FileContext, call: cst.Call) -> FluxLoopApplication | None:
    """The FluxLoop decorator `call` applies to its one positional argument, if it does
    (`fluxloop.tool(...)` called, then applied)."""
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    factory = call.func
    if not isinstance(factory, cst.Call):
        return None
    resolved = context.resolver.resolve(factory.func)
    qualified_name = resolved.qualified_name if resolved is not None else None
    if qualified_name is None or not context.is_fluxloop_decorator(qualified_name):
        return None
    return FluxLoopApplication(f"{dotted_text(factory.func)}(...)", qualified_name, factory, call.args[0].value)


def framework_object(context: FileContext, expression: cst.BaseExpression) -> FrameworkObject | None:
    """What makes `expression` a framework object, or None when it is not one (or unknown)."""
    if isinstance(expression, cst.Name):
        binding = context.resolver.lookup(expression.value)
        if binding is not None and not binding.instance and binding.qualified_name is not None and context.project:
            binding = context.project.resolve(binding.qualified_name)  # made in another module of the project
        if binding is None or not binding.instance or binding.qualified_name is None:
            return None
        maker = context.registry.constructor(binding.qualified_name) or context.registry.lookup(binding.qualified_name)
        if maker is None or (isinstance(maker, FrameworkDecorator) and maker.kind not in _OBJECT_KINDS):
            return None
        return FrameworkObject(maker)
    if not isinstance(expression, cst.Call):
        return None
    callee = expression.func
    if isinstance(callee, cst.Call):  # `mcp.tool()(search)`: a decorator factory's result applied
        return _applied_decorator(context, context.resolver.resolve(callee.func), expression, "bare")
    resolved = context.resolver.resolve(callee)
    if resolved is None:
        return None
    constructor = context.registry.constructor(resolved.qualified_name) if resolved.qualified_name else None
    if constructor is not None:
        return FrameworkObject(constructor, _argument(expression, constructor))
    # `function_tool(search)`; `function_tool(name_override="x")` is a decorator, not an object.
    return _applied_decorator(context, resolved, expression, "called")


def _applied_decorator(
    context: FileContext, decorator: ResolvedName | None, call: cst.Call, other_form: str
) -> FrameworkObject | None:
    """`call` applies `decorator`, used in the form that is not `other_form`, to a function."""
    found = context.classification(decorator, through_project=True)
    entry = found.framework
    if entry is None or entry.kind not in _OBJECT_KINDS or entry.forms == other_form:
        return None
    function = _first_function_argument(call)
    if function is None:
        return None
    assert decorator is not None
    # Classified by the method's name alone (`server.tool` with `server` unknown), as FLX101 does.
    return FrameworkObject(entry, function, decorator.attribute if found.by_method_name else None)


def _first_function_argument(call: cst.Call) -> cst.Arg | None:
    """The first positional argument that can be a function (LangChain's `tool("name", f)`
    takes a name first)."""
    for argument in call.args:
        if argument.keyword is not None or argument.star:
            break
        if not isinstance(argument.value, _LITERALS):
            return argument
    return None


def _argument(call: cst.Call, constructor: ObjectConstructor) -> cst.Arg | None:
    position = 0
    for argument in call.args:
        if argument.star:
            return None
        if argument.keyword is not None:
            if argument.keyword.value in (constructor.parameter, *constructor.also):
                return argument
        elif position == constructor.position:
            return argument
        else:
            position += 1
    return None
