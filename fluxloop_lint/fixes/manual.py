"""The `manual` fix strategy: replace FluxLoop decorators by Pattern A in the function body.

For each function it converts, the FluxLoop decorator is removed and the body becomes

    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(type=..., name=..., input={"args": {...}})
        fl_ctx.push_observation(obs)
    try:
        <the body; each `return X` records X once:  fl_result = X / if obs: obs.output = fl_result / return fl_result>
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()

with the docstring kept first. Type, name and input come from the decorator and the
parameters (less a leading `self`/`cls` and framework context parameters such as
`RunContextWrapper`, `ToolContext`, `RunContext`), as the decorators record them.

Generators and async generators cannot keep a pushed observation open across `yield`
(FLX301: the context would leak to the consumer between items). Their rewrite records each
yielded item in a list and, in the `finally`, pushes and at once pops the finished
observation (its `start_time` is when the body started, its output the items, or the
error). Observations recorded by code inside the generator's body therefore get the
generator's caller as parent, not the generator's observation. `yield from` items and
`yield` inside a larger expression are not recorded.

All conversions of one file are one fix (the same for every finding it resolves), so one
`--fix` pass converts every function and the imports are settled once (`fixes/imports.py`):
each function's new code uses the FluxLoop module of its own decorator (`fluxloop` or
`fluxloop_runtime`) under names that shadow nothing of the file's, and FluxLoop imports left
unused by the removed decorators are removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from fluxloop_lint.context import DecoratorInfo, FileContext
from fluxloop_lint.fixes.imports import ImportPlan, Symbols, local_insertions, settle_imports
from fluxloop_lint.fixes.rewrite import Replace, fresh_name, rewritten, statements, text_fix, visit_all
from fluxloop_lint.names import dotted_parts
from fluxloop_lint.fluxloop_api import (
    DECORATOR_PARAMETERS,
    DECORATOR_TYPES,
    IS_ENABLED,
    OBSERVATION_TYPE,
    OBSERVATION_TYPES,
    POP_OBSERVATION,
    PUSH_OBSERVATION,
    SDK_MODULE,
)
from fluxloop_lint.types import Applicability, Fix, FrameworkKind
from fluxloop_lint.syntax_tree import descendants, is_docstring
from fluxloop_runtime.framework_context import annotation_head, is_framework_context

# Decorator kinds whose misplaced FluxLoop decorators the manual strategy rewrites (FLX101, FLX102).
MANUAL_KINDS = frozenset({FrameworkKind.TRANSFORMING, FrameworkKind.REGISTERING, FrameworkKind.DESCRIPTOR})

MESSAGE = "Replace the FluxLoop decorators by manual instrumentation (Pattern A)"
MISPLACED = "misplaced"  # FluxLoop decorators above a T/R/D decorator (safe)
ALL = "all"  # every FluxLoop decorator (unsafe, FLX207)


def convertible(decorators: Sequence[DecoratorInfo], index: int) -> bool:
    """Instrumenting the body records what the decorator at `index` recorded: no wrapping or
    unknown decorator sits between them (below `@functools.lru_cache`, the body runs only on
    a cache miss; below an unknown `@retry`, once per attempt)."""
    return all(
        other.fluxloop or (other.framework is not None and other.framework.kind is not FrameworkKind.WRAPPING)
        for other in decorators[index + 1 :]
    )


def misplaced(decorators: Sequence[DecoratorInfo], index: int) -> bool:
    """The FluxLoop decorator at `index` sits above a transforming, registering or descriptor decorator."""
    return decorators[index].fluxloop and any(
        other.framework is not None and other.framework.kind in MANUAL_KINDS for other in decorators[index + 1 :]
    )


def describable(context: FileContext, function: cst.FunctionDef, info: DecoratorInfo) -> bool:
    """The observation the decorator records can be written out by hand: its arguments are
    plain and its observation type exists."""
    return _observation(context, function, info) is not None


# -- the fix -----------------------------------------------------------------------------------

def manual_fix(context: FileContext, scope: str, decorator: cst.Decorator) -> Fix | None:
    """The file's Pattern A fix (every function with a FluxLoop decorator in `scope`
    converted), or None when it does not convert `decorator`. Kept on the file's context:
    every finding it resolves shares it, so one `--fix` pass converts them all."""
    fix, converted = context.in_fixes(("manual", scope), lambda: _build(context, scope))
    return fix if id(decorator) in converted else None


def _build(context: FileContext, scope: str) -> tuple[Fix | None, frozenset[int]]:
    plan = ImportPlan(context)
    to_convert: list[_Conversion] = []
    for function in _functions(context.module):
        decorators = context.decorators_of(function)
        chosen = [
            index
            for index, info in enumerate(decorators)
            if info.fluxloop and (scope == ALL or misplaced(decorators, index)) and convertible(decorators, index)
        ]
        if chosen and all(describable(context, function, decorators[index]) for index in chosen):
            to_convert.append((function, decorators, chosen))
            plan.converting[id(function)] = (function, decorators[chosen[0]].node)
    applicability = Applicability.SAFE if scope == MISPLACED else Applicability.UNSAFE
    return _converted(context, plan, to_convert, {}, applicability)


def manual_call_fix(
    context: FileContext, calls: Sequence[tuple[cst.Call, cst.BaseExpression, cst.FunctionDef, DecoratorInfo]]
) -> Fix | None:
    """Pattern A for FluxLoop decorators applied by a call (FLX108): for each
    `(call, replacement, function, decorator)`, `call` becomes `replacement` and the body of
    `function` (undecorated, defined in this file) records what `decorator` (a `cst.Decorator`
    made of the FluxLoop factory call) would have recorded. One fix for all of them."""
    plan = ImportPlan(context)
    to_convert: list[_Conversion] = []
    for _, _, function, info in calls:
        to_convert.append((function, (info,), [0]))
        plan.converting[id(function)] = (function, info.node)
    replacements: dict[cst.CSTNode, cst.CSTNode | cst.FlattenSentinel] = {call: new for call, new, _, _ in calls}
    return _converted(context, plan, to_convert, replacements, Applicability.SAFE)[0]


_Conversion = tuple[cst.FunctionDef, Sequence[DecoratorInfo], list[int]]


def _converted(
    context: FileContext,
    plan: ImportPlan,
    to_convert: list[_Conversion],
    replacements: dict[cst.CSTNode, cst.CSTNode | cst.FlattenSentinel],
    applicability: Applicability,
) -> tuple[Fix | None, frozenset[int]]:
    """The fix converting each function's chosen decorators (and making `replacements`), and
    the ids of the decorators it converts."""
    converted_decorators: set[int] = set()
    # Innermost first, so that a converted function carries its converted nested functions.
    for function, decorators, chosen in reversed(to_convert):
        symbols = {
            index: plan.symbols_for(function, decorators[index].node, _module(context, decorators[index])) for index in chosen
        }
        # New imports after a local import line: registered now, so that an enclosing
        # function converted later carries them.
        replacements.update(local_insertions(plan))
        nested = {id(node) for node in descendants(function.body, into_scopes=True)} if replacements else set()
        inner = {node: new for node, new in replacements.items() if id(node) in nested}
        current = function.visit(Replace(inner)) if inner else function
        converted = _convert(context, cst.ensure_type(current, cst.FunctionDef), decorators, symbols)
        for node in inner:
            del replacements[node]
        replacements[function] = converted
        converted_decorators.update(id(decorators[index].node) for index in chosen)
    if not converted_decorators:
        return None, frozenset()
    module = settle_imports(context, rewritten(context.module, replacements), plan)
    return text_fix(context, module.code, applicability, MESSAGE), frozenset(converted_decorators)


def _functions(module: cst.Module) -> Iterator[cst.FunctionDef]:
    for node in descendants(module, into_scopes=True):
        if isinstance(node, cst.FunctionDef) and node.decorators:
            yield node


def _module(context: FileContext, info: DecoratorInfo) -> str:
    """The FluxLoop module the decorator comes from: the new code uses the same one."""
    return context.fluxloop_module_of(info.resolved.qualified_name if info.resolved else None) or SDK_MODULE


def _convert(
    context: FileContext, function: cst.FunctionDef, decorators: Sequence[DecoratorInfo], symbols: dict[int, Symbols]
) -> cst.FunctionDef:
    """`function` with the decorators at the keys of `symbols` replaced by Pattern A (all
    `describable`)."""
    chosen = sorted(symbols)
    taken = {node.value for node in descendants(function, into_scopes=True) if isinstance(node, cst.Name)}
    body = function
    for index in reversed(chosen):  # the lowest decorator's observation is the innermost
        spec = _observation(context, function, decorators[index], symbols[index].ObservationType)
        assert spec is not None  # describable
        body = _instrument(body, spec, symbols[index], taken)
    kept = [info.node for position, info in enumerate(decorators) if position not in chosen]
    # Comments above or after a removed decorator stay, above what follows it.
    carried: list[cst.EmptyLine] = []
    for position, info in enumerate(decorators):
        if position in chosen:
            carried.extend(info.node.leading_lines)
            comment = info.node.trailing_whitespace.comment
            if comment is not None:
                carried.append(cst.EmptyLine(comment=comment))
        elif carried:
            kept[kept.index(info.node)] = info.node.with_changes(leading_lines=[*carried, *info.node.leading_lines])
            carried = []
    leading = carried
    changes: dict[str, object] = {"decorators": kept}
    if leading:
        changes["lines_after_decorators"] = [*function.lines_after_decorators, *leading]
    return body.with_changes(**changes)


# -- what the observation records ---------------------------------------------------------------


@dataclass(frozen=True)
class _Observation:
    arguments: tuple[tuple[str, str], ...]  # ObservationData keyword arguments as code
    capture_output: bool


def _observation(
    context: FileContext, function: cst.FunctionDef, info: DecoratorInfo, observation_type: str = OBSERVATION_TYPE
) -> _Observation | None:
    """What the decorator records; `observation_type` is the name `ObservationType` goes by."""
    kind = (info.resolved.qualified_name or "").rsplit(".", 1)[-1] if info.resolved else ""
    if kind not in DECORATOR_PARAMETERS:
        return None
    given: dict[str, cst.BaseExpression] = {}
    call = info.node.decorator
    if isinstance(call, cst.Call):
        names = DECORATOR_PARAMETERS[kind]
        for position, argument in enumerate(call.args):
            if argument.star:
                return None
            if argument.keyword is not None:
                given[argument.keyword.value] = argument.value
            elif position < len(names):
                given[names[position]] = argument.value
            else:
                return None
    code = context.module.code_for_node
    type_code: str | None = f"{observation_type}.{DECORATOR_TYPES[kind]}"
    if "observation_type" in given:
        type_code = _type_code(given["observation_type"], code, observation_type)
    if type_code is None:
        return None
    name_code = _name_code(given.get("name"), function.name.value, code)
    arguments: list[tuple[str, str]] = [("type", type_code), ("name", name_code)]
    if not _is_false(given.get("capture_input")):
        arguments.append(("input", '{"args": {' + ", ".join(f"{_string(p)}: {p}" for p in _recorded_parameters(function)) + "}}"))
    if "model" in given and not _is_none(given["model"]):
        arguments.append(("model", code(given["model"])))
    if "metadata" in given and not _is_none(given["metadata"]):
        value = given["metadata"]
        arguments.append(("metadata", code(value) if isinstance(value, cst.Dict) else f"dict({code(value)} or {{}})"))
    if "description" in given and not _is_none(given["description"]):
        value = given["description"]
        text = code(value)
        metadata = f'{{"description": {text}}}' if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)) else f'{{"description": {text}}} if {text} else {{}}'
        arguments.append(("metadata", metadata))
    return _Observation(tuple(arguments), not _is_false(given.get("capture_output")))


def _type_code(value: cst.BaseExpression, code, observation_type: str) -> str | None:  # type: ignore[no-untyped-def]
    """`ObservationType.X` for the decorator's `observation_type`; None when that type does not
    exist (`"retrieval"`): the decorator fails at run time and the rewrite would fail the same
    way later, at every call, so it is not offered (FLX107 reports the value)."""
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        if value.evaluated_value not in OBSERVATION_TYPES:
            return None
        return f"{observation_type}.{value.evaluated_value.upper()}"
    parts = dotted_parts(value)
    if parts and len(parts) >= 2 and parts[-2] == OBSERVATION_TYPE:
        if parts[-1].lower() not in OBSERVATION_TYPES or not parts[-1].isupper():
            return None
        return f"{observation_type}.{parts[-1]}"
    return f"{observation_type}({code(value)})"


def _name_code(value: cst.BaseExpression | None, function_name: str, code) -> str:  # type: ignore[no-untyped-def]
    """The observation's name as the decorators choose it: `name or function.__name__`."""
    default = _string(function_name)
    if value is None or _is_none(value):
        return default
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        return code(value) if value.evaluated_value else default
    if isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return f"{code(value)} or {default}"
    return f"({code(value)}) or {default}"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_false(value: cst.BaseExpression | None) -> bool:
    return isinstance(value, cst.Name) and value.value == "False"


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _recorded_parameters(function: cst.FunctionDef) -> list[str]:
    params = function.params
    ordered = [*params.posonly_params, *params.params]
    names: list[str] = []
    for position, param in enumerate(ordered):
        if position == 0 and param.name.value in ("self", "cls"):
            continue
        if not _framework_context(param):
            names.append(param.name.value)
    if isinstance(params.star_arg, cst.Param) and not _framework_context(params.star_arg):
        names.append(params.star_arg.name.value)
    names.extend(param.name.value for param in params.kwonly_params if not _framework_context(param))
    if params.star_kwarg is not None and not _framework_context(params.star_kwarg):
        names.append(params.star_kwarg.name.value)
    return names


def _framework_context(param: cst.Param) -> bool:
    """Left out of the recorded input, as the decorators leave it out (one shared list)."""
    return is_framework_context(param.name.value, _annotation_head(param))


def _annotation_head(param: cst.Param) -> str | None:
    if param.annotation is None:
        return None
    annotation = param.annotation.annotation
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    if isinstance(annotation, cst.SimpleString):  # "RunContextWrapper[AgentContext]"
        text = annotation.evaluated_value
        return annotation_head(text) if isinstance(text, str) else None
    parts = dotted_parts(annotation)
    return parts[-1] if parts else None


# -- the body ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    ctx: str
    obs: str
    error: str
    result: str
    items: str
    item: str


def _instrument(function: cst.FunctionDef, spec: _Observation, symbols: Symbols, taken: set[str]) -> cst.FunctionDef:
    taken.update((symbols.get_current_context, symbols.ObservationData, symbols.ObservationType))
    names = _Names(*(fresh_name(wanted, taken) for wanted in ("fl_ctx", "obs", "e", "fl_result", "fl_items", "fl_item")))
    taken.update(vars(names).values())
    body = _lines(function.body)
    docstring: list[cst.BaseStatement] = []
    if body and is_docstring(body[0]):
        docstring, body = [body[0]], body[1:]
    generator = any(isinstance(node, cst.Yield) for node in descendants(function.body))
    recorder = _RecordYields(names) if generator else _RecordReturns(names, spec.capture_output)
    body = visit_all(body, recorder) or [cst.SimpleStatementLine(body=[cst.Pass()])]
    observation = "".join(f"        {key}={value},\n" for key, value in spec.arguments)
    n = names
    prologue = (
        f"{n.ctx} = {symbols.get_current_context}()\n"
        f"{n.obs} = None\n"
        f"if {n.ctx} and {n.ctx}.{IS_ENABLED}():\n"
        f"    {n.obs} = {symbols.ObservationData}(\n{observation}    )\n"
    )
    if generator:
        prologue += f"{n.items} = []\n"
        output = f"        if {n.obs}.error is None:\n            {n.obs}.output = {n.items}\n" if spec.capture_output else ""
        closing = f"    if {n.ctx} and {n.obs}:\n{output}        {n.ctx}.{PUSH_OBSERVATION}({n.obs})\n        {n.ctx}.{POP_OBSERVATION}()\n"
    else:
        prologue += f"    {n.ctx}.{PUSH_OBSERVATION}({n.obs})\n"
        closing = f"    if {n.ctx} and {n.obs}:\n        {n.ctx}.{POP_OBSERVATION}()\n"
    template = statements(
        prologue
        + "try:\n    pass\n"
        + f"except Exception as {n.error}:\n    if {n.obs}:\n        {n.obs}.error = str({n.error})\n    raise\n"
        + "finally:\n"
        + closing
    )
    *head, attempt = template
    first = body[0]
    leading = getattr(first, "leading_lines", ())
    if leading:
        body = [first.with_changes(leading_lines=()), *body[1:]]
    attempt = cst.ensure_type(attempt, cst.Try)
    attempt = attempt.with_changes(body=attempt.body.with_changes(body=body))
    head[0] = head[0].with_changes(leading_lines=leading)
    suite = function.body if isinstance(function.body, cst.IndentedBlock) else cst.IndentedBlock(body=[])
    if not isinstance(function.body, cst.IndentedBlock):
        comment = function.body.trailing_whitespace
        suite = suite.with_changes(header=comment)
    return function.with_changes(body=suite.with_changes(body=[*docstring, *head, attempt]))


def _lines(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [cst.SimpleStatementLine(body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]) for small in suite.body]


class _OwnScope(cst.CSTTransformer):
    """Rewrites statements of the function itself, not of nested functions or classes; a
    one-line suite holding a statement to rewrite becomes an indented block."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def expand(self, small: cst.BaseSmallStatement) -> list[str] | None:
        raise NotImplementedError

    def leave_SimpleStatementLine(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        lines = self._expanded(updated_node.body)
        if lines is None:
            return updated_node
        new = [*lines[:-1], lines[-1].with_changes(trailing_whitespace=updated_node.trailing_whitespace)]
        new[0] = new[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(new)

    def leave_SimpleStatementSuite(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        lines = self._expanded(updated_node.body)
        if lines is None:
            return updated_node
        return cst.IndentedBlock(body=lines, header=updated_node.trailing_whitespace)

    def _expanded(self, smalls: Sequence[cst.BaseSmallStatement]) -> list[cst.SimpleStatementLine] | None:
        last = smalls[-1]
        code = self.expand(last)
        if code is None:
            return None
        before = [small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for small in smalls[:-1]]
        lines: list[cst.SimpleStatementLine] = [cst.SimpleStatementLine(body=before)] if before else []
        for text in code:
            node = statements(text)[0]
            lines.append(node)  # type: ignore[arg-type]
        return lines


class _RecordReturns(_OwnScope):
    """`return X` records X as the output once: `fl_result = X`, then record, then return it."""

    def __init__(self, names: _Names, capture: bool) -> None:
        super().__init__()
        self.names, self.capture = names, capture
        self.module = cst.Module(body=[])

    def expand(self, small: cst.BaseSmallStatement) -> list[str] | None:
        if not self.capture or not isinstance(small, cst.Return) or small.value is None or _is_none(small.value):
            return None
        obs = self.names.obs
        value = self.module.code_for_node(small.value)
        if isinstance(small.value, cst.Name):
            return [f"if {obs}:\n    {obs}.output = {value}\n", self.module.code_for_node(small) + "\n"]
        result = self.names.result
        return [f"{result} = {value}\n", f"if {obs}:\n    {obs}.output = {result}\n", f"return {result}\n"]


class _RecordYields(_OwnScope):
    """`yield X` (a statement, or assigned) records X in the items list before yielding it."""

    def __init__(self, names: _Names) -> None:
        super().__init__()
        self.names = names
        self.module = cst.Module(body=[])

    def expand(self, small: cst.BaseSmallStatement) -> list[str] | None:
        value = small.value if isinstance(small, (cst.Expr, cst.Assign, cst.AnnAssign)) else None
        if not isinstance(value, cst.Yield) or isinstance(value.value, cst.From):
            return None
        items, item = self.names.items, self.names.item
        if value.value is None:
            return [f"{items}.append(None)\n", self.module.code_for_node(small) + "\n"]
        expression = self.module.code_for_node(value.value)
        replaced = small.with_changes(value=value.with_changes(value=cst.Name(item)))
        return [f"{item} = {expression}\n", f"{items}.append({item})\n", self.module.code_for_node(replaced) + "\n"]
