"""FLX108's fixes: a FluxLoop decorator applied by hand to a framework object.

`reorder` strategy: swap the two calls, `fluxloop.tool(name="t")(function_tool(search))`
becoming `function_tool(fluxloop.tool(name="t")(search))` (Pattern B written as calls). The
FluxLoop call keeps its arguments and the comments inside its parentheses; the framework
call keeps everything else.

`manual` strategy: the FluxLoop call goes and the function's body is instrumented instead
(Pattern A, `fixes/manual.py`), when the function is a `def` of this file with no decorators
that nothing else names (otherwise direct calls of it would start being traced too); else
the swap.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, Scope, ScopeProvider

from fluxloop_lint.context import DecoratorInfo, FileContext
from fluxloop_lint.fixes.manual import describable, manual_call_fix
from fluxloop_lint.fixes.rewrite import rewrite_fix
from fluxloop_lint.types import Applicability, Fix


def swapped(fluxloop_call: cst.Call, framework_call: cst.Call, function: cst.Arg) -> cst.Call:
    """`framework_call` with the FluxLoop call applied to its `function` argument instead."""
    traced = fluxloop_call.with_changes(
        args=[fluxloop_call.args[0].with_changes(value=function.value)], lpar=(), rpar=()
    )
    arguments = [argument.with_changes(value=traced) if argument is function else argument for argument in framework_call.args]
    return framework_call.with_changes(
        args=arguments,
        lpar=[*fluxloop_call.lpar, *framework_call.lpar],
        rpar=[*framework_call.rpar, *fluxloop_call.rpar],
    )


def swap_fix(context: FileContext, fluxloop_call: cst.Call, framework_call: cst.Call, function: cst.Arg) -> Fix | None:
    return rewrite_fix(
        context,
        {fluxloop_call: swapped(fluxloop_call, framework_call, function)},
        Applicability.SAFE,
        "Apply the FluxLoop decorator to the function inside the framework call",
    )


def unwrapped(fluxloop_call: cst.Call, framework_call: cst.Call) -> cst.Call:
    """`framework_call` in place of the FluxLoop call around it (its parentheses kept)."""
    return framework_call.with_changes(
        lpar=[*fluxloop_call.lpar, *framework_call.lpar], rpar=[*framework_call.rpar, *fluxloop_call.rpar]
    )


Candidate = tuple[cst.Call, cst.Call, cst.Arg, DecoratorInfo]  # FluxLoop call, framework call, function, decorator


def manual_fix_for_calls(context: FileContext, candidates: list[Candidate]) -> tuple[Fix | None, frozenset[int]]:
    """One Pattern A fix for every candidate whose function can be instrumented, and the ids
    of the FluxLoop calls it removes."""
    scopes = MetadataWrapper(context.module, unsafe_skip_copy=True).resolve(ScopeProvider)
    calls = []
    for fluxloop_call, framework_call, function, info in candidates:
        definition = _instrumentable(scopes, function)
        if definition is not None and describable(context, definition, info):
            calls.append((fluxloop_call, unwrapped(fluxloop_call, framework_call), definition, info))
    if not calls:
        return None, frozenset()
    calls.sort(key=lambda call: (context.position(call[2]).start.line, context.position(call[2]).start.column))
    return manual_call_fix(context, calls), frozenset(id(call[0]) for call in calls)


def _instrumentable(scopes: Mapping[cst.CSTNode, Scope | None], function: cst.Arg) -> cst.FunctionDef | None:
    """The `def` the argument names when it is in this file, undecorated and named nowhere else."""
    scope = scopes.get(function.value) if isinstance(function.value, cst.Name) else None
    if scope is None:
        return None
    accesses = scope.accesses[function.value]
    referents = {assignment for access in accesses for assignment in access.referents}
    if len(accesses) != 1 or len(referents) != 1:
        return None
    [assignment] = referents
    definition = getattr(assignment, "node", None)
    if not isinstance(definition, cst.FunctionDef) or definition.decorators or len(assignment.references) != 1:
        return None
    return definition
