"""The pieces of the seed's Pattern A, and the fixes of FLX201-FLX205 built from them.

Pattern A, as the integration guide writes it:

    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(...)
        fl_ctx.push_observation(obs)
    try:
        ...
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()

The fixes keep every statement and comment of the user's code and only add (or move into a
`try`) what Pattern A needs; the names are the user's own (`ctx`, `span`, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.rewrite import fresh_name, rewrite_fix, rewritten
from fluxloop_lint.push_pop import (
    POP,
    Call,
    FunctionAnalysis,
    Located,
    assigns,
    assigns_none,
    catches_everything,
    conjuncts,
    is_name,
    tests_not_none,
)
from fluxloop_lint.types import Applicability, Fix
from fluxloop_lint.syntax_tree import descendants

# -- templates ---------------------------------------------------------------------------------


def statements(code: str) -> list[cst.BaseStatement]:
    return list(cst.parse_module(code).body)


def except_clause(obs: str, error: str) -> cst.ExceptHandler:
    """`except Exception as e:` recording the error on the observation and re-raising."""
    template = f"try:\n    pass\nexcept Exception as {error}:\n    if {obs}:\n        {obs}.error = str({error})\n    raise\n"
    return cst.ensure_type(statements(template)[0], cst.Try).handlers[0]


def record_error(obs: str, error: str) -> cst.BaseStatement:
    return statements(f"if {obs}:\n    {obs}.error = str({error})\n")[0]


def guarded_pop(ctx: str, obs: str) -> cst.If:
    return cst.ensure_type(statements(f"if {ctx} and {obs}:\n    {ctx}.pop_observation()\n")[0], cst.If)


def finally_clause(ctx: str, obs: str) -> cst.Finally:
    return cst.Finally(body=cst.IndentedBlock(body=[guarded_pop(ctx, obs)]))


def pattern_a_try(body: Sequence[cst.BaseStatement], ctx: str, obs: str, error: str) -> cst.Try:
    first = body[0] if body else None
    leading: Sequence[cst.EmptyLine] = ()
    if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) and first.leading_lines:
        # A blank line or comment that introduced the code now introduces the `try`.
        leading, body = first.leading_lines, [first.with_changes(leading_lines=()), *body[1:]]
    return cst.Try(
        body=cst.IndentedBlock(body=list(body) or [cst.SimpleStatementLine(body=[cst.Pass()])]),
        handlers=[except_clause(obs, error)],
        finalbody=finally_clause(ctx, obs),
        leading_lines=leading,
    )


def _is_pop_of(small: cst.BaseSmallStatement, ctx: str) -> bool:
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
        and small.value.func.attr.value == POP
        and is_name(small.value.func.value, ctx)
    )


class _RemovePops(cst.CSTTransformer):
    """Drop `ctx.pop_observation()` statements (and an `if` left holding nothing), not
    looking into nested functions; a block left empty gets `pass`."""

    def __init__(self, ctx: str) -> None:
        super().__init__()
        self.ctx = ctx

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_SimpleStatementLine(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        kept = [small for small in updated_node.body if not _is_pop_of(small, self.ctx)]
        if len(kept) == len(updated_node.body):
            return updated_node
        if not kept:
            return cst.RemoveFromParent()
        return updated_node.with_changes(body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for small in kept])

    def leave_IndentedBlock(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated_node

    def leave_If(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if updated_node.orelse is None and _only_pass(updated_node.body) and not _only_pass(original_node.body):
            return cst.RemoveFromParent()
        return updated_node

    def leave_Try(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if updated_node.finalbody is not None and _only_pass(updated_node.finalbody.body) and not _only_pass(original_node.finalbody.body):
            if updated_node.handlers:
                return updated_node.with_changes(finalbody=None)
            if updated_node.orelse is None:
                return cst.FlattenSentinel(updated_node.body.body)
        return updated_node


def _only_pass(suite: cst.BaseSuite) -> bool:
    body = suite.body
    return len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and all(isinstance(s, cst.Pass) for s in body[0].body)


def remove_pops(nodes: Sequence[cst.BaseStatement], ctx: str) -> list[cst.BaseStatement]:
    return visit_all(nodes, _RemovePops(ctx))


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


def _transparent(node: cst.Try) -> bool:
    """Statements moved into this `try` behave as before: its handlers re-raise everything."""
    if node.orelse is not None or not isinstance(node.body, cst.IndentedBlock):
        return False
    for handler in node.handlers:
        body = handler.body.body
        last = body[-1] if body else None
        if not (
            catches_everything(handler)
            and isinstance(last, cst.SimpleStatementLine)
            and isinstance(last.body[-1], cst.Raise)
            and last.body[-1].exc is None
        ):
            return False
    return True


def _names(push: Call) -> tuple[str, str] | None:
    obs = push.argument_name
    if push.receiver is None or obs is None:
        return None
    return push.receiver, obs


def _block_fix(context: FileContext, owner: cst.BaseSuite, body: list[cst.BaseStatement], message: str) -> Fix | None:
    if not isinstance(owner, cst.IndentedBlock):
        return None
    return rewrite_fix(context, {owner: owner.with_changes(body=body)}, Applicability.SAFE, message)


def _shares_line(where: Located) -> bool:
    """The statement shares its line with others (`a; b`): a fix cannot move it alone."""
    statement = where.statement
    return isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and len(statement.body) > 1


def _followed_on_its_line(call: Call) -> bool:
    """Statements follow the call on its line (`push(obs); work()`): they would stay outside the `try`."""
    statement = call.where.statement
    if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return False
    last = statement.body[-1]
    return not (isinstance(last, cst.Expr) and last.value is call.call)


def _pops_conditionally(analysis: FunctionAnalysis, node: cst.CSTNode, push: Call) -> bool:
    """`node` is a `try` whose `finally` pops the receiver, but not whenever the push happened."""
    if not isinstance(node, cst.Try) or node.finalbody is None:
        return False
    in_finally = [
        pop
        for pop in analysis.pops_of(push.receiver)
        if any(w.parent is node and w.role == "finalbody" for w in pop.where.ancestors())
    ]
    return bool(in_finally) and not analysis.pops_in_finally(node, push)


def none_first(obs: str) -> cst.BaseStatement:
    return statements(f"{obs} = None\n")[0]


# -- FLX201 / FLX202 ----------------------------------------------------------------------------


def wrap_fix(context: FileContext, analysis: FunctionAnalysis, push: Call) -> Fix | None:
    """Put what follows the push in a `try` whose `finally` pops (Pattern A)."""
    anchor = analysis.anchor(push)
    ctx, obs = push.receiver, push.argument_name
    if ctx is None or not isinstance(anchor.owner, cst.IndentedBlock) or not anchor.rest:
        return None
    if _followed_on_its_line(push) or analysis.other_pushes_after(push) or analysis.loop_popped_outside(push):
        return None  # which pop ends which observation is not something to guess
    if obs is None:
        # `ctx.push_observation(ObservationData(...))`: bind the observation to a fresh name
        # so the `except` and the `finally` can refer to it.
        line = push.where.statement
        if push.argument is None or not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        obs = fresh_name("obs", analysis.names)
        bound = [
            line.with_changes(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(obs))], value=push.argument)]),
            line.with_changes(
                body=[cst.Expr(push.call.with_changes(args=[push.call.args[0].with_changes(value=cst.Name(obs))]))],
                leading_lines=(),
            ),
        ]
        before = list(anchor.block[: anchor.index])
        if anchor is push.where:
            before.extend(bound)
        else:
            guarded = rewritten(cst.Module(body=[anchor.statement]), {line: cst.FlattenSentinel(bound)}).body[0]
            before.append(none_first(obs).with_changes(leading_lines=anchor.statement.leading_lines))
            before.append(guarded.with_changes(leading_lines=()))
        return _wrap_rest(context, analysis, push, anchor.owner, before, list(anchor.rest), ctx, obs)
    before = list(anchor.block[: anchor.index + 1])
    if analysis.needs_none_first(push):
        if not analysis.may_start_as_none(obs, [anchor.statement]):
            return None
        before.insert(anchor.index, none_first(obs).with_changes(leading_lines=anchor.statement.leading_lines))
        before[-1] = anchor.statement.with_changes(leading_lines=())
    return _wrap_rest(context, analysis, push, anchor.owner, before, list(anchor.rest), ctx, obs)


def _wrap_rest(
    context: FileContext,
    analysis: FunctionAnalysis,
    push: Call,
    owner: cst.IndentedBlock,
    before: list[cst.BaseStatement],
    rest: list[cst.BaseStatement],
    ctx: str,
    obs: str,
) -> Fix | None:
    """The block `before` + `rest`, with `rest` (the code after the push) in Pattern A's `try`."""
    if any(_pops_conditionally(analysis, node, push) for node in rest):
        return None  # a `finally` popping under a condition of its own: what was meant is unknown
    message = f"Wrap the code after the push in try/except/finally with a guarded {ctx}.pop_observation()"
    late = next(
        (index for index, node in enumerate(rest) if isinstance(node, cst.Try) and analysis.pops_in_finally(node, push)),
        None,
    )
    if late is not None and _transparent(rest[late]):
        # `try` comes too late (an early return or other code before it): start it earlier.
        node = rest[late]
        moved = remove_pops(rest[:late], ctx)
        merged = node.with_changes(body=node.body.with_changes(body=[*moved, *node.body.body]))
        if moved and rest[0] is not node:
            merged = merged.with_changes(leading_lines=rest[0].leading_lines)
            merged = merged.with_changes(
                body=merged.body.with_changes(body=[moved[0].with_changes(leading_lines=node.leading_lines), *merged.body.body[1:]])
            )
        return _block_fix(context, owner, [*before, merged, *rest[late + 1 :]], message)
    if late is not None:
        # The `try` has handlers of its own: it goes whole into the new `try`, and its
        # `finally` (statements, comments) becomes the new `try`'s, which is the same order
        # of execution only when nothing follows it.
        if late != len(rest) - 1:
            return None
        node = rest[late]
        error = fresh_name("e", analysis.names)
        outer = pattern_a_try([*remove_pops(rest[:late], ctx), node.with_changes(finalbody=None)], ctx, obs, error)
        return _block_fix(context, owner, [*before, outer.with_changes(finalbody=node.finalbody)], message)
    if len(rest) == 1 and isinstance(rest[0], cst.Try) and rest[0].finalbody is None:
        node = remove_pops(rest, ctx)[0]
        return _block_fix(context, owner, [*before, node.with_changes(finalbody=finally_clause(ctx, obs))], message)
    error = fresh_name("e", analysis.names)
    return _block_fix(context, owner, [*before, pattern_a_try(remove_pops(rest, ctx), ctx, obs, error)], message)


# -- FLX203 -----------------------------------------------------------------------------------


def guard_fix(context: FileContext, analysis: FunctionAnalysis, push: Call, nonnull: bool, enabled: bool) -> Fix | None:
    """Make the push happen only when the context exists and is enabled."""
    ctx = push.receiver
    where = push.where
    if ctx is None or not isinstance(where.owner, cst.IndentedBlock) or _shares_line(where):
        return None
    if push.argument_name is None and analysis.pops_of(ctx):
        return None  # its pops could not be guarded by the observation: a skipped push would still pop
    message = f"Guard the push with `if {ctx} and {ctx}.is_enabled():`"
    obs = push.argument_name
    node = where.up.statement if where.up is not None else None
    if (
        isinstance(node, cst.If)
        and where.parent is node
        and node.orelse is None
        and _only_observation_setup(where.block, push)
    ):
        # The push is in the body of an `if` (not `elif`/`else`/`case`) doing nothing else:
        # extending its test changes nothing but the push.
        up = cast(Located, where.up)
        after = _uses_guarded(analysis, obs, up.block, up.index, up.index)
        if after is None:
            return None
        if any(isinstance(n, cst.Name) and n.value == ctx for n in _names_in(node.test)):
            if not nonnull and _binds_by_walrus(node.test, ctx):
                return None  # `ctx and (ctx := ...)` would read it before it is bound
            code = context.module.code_for_node(node.test)
            if isinstance(node.test, (cst.BooleanOperation, cst.IfExp, cst.NamedExpr, cst.Lambda)) and not (
                isinstance(node.test, cst.BooleanOperation) and isinstance(node.test.operator, cst.And)
            ):
                code = f"({code})"
            code = (code if nonnull else f"{ctx} and {code}") + ("" if enabled else f" and {ctx}.is_enabled()")
            replacements: dict[cst.CSTNode, cst.CSTNode] = {node.test: cst.parse_expression(code)}
            replacements.update((old, new) for old, new in zip(up.rest, after) if new is not old)
            return rewrite_fix(context, replacements, Applicability.SAFE, message)
    block = list(where.block)
    first = where.index
    if obs is not None:
        while first > 0 and assigns(block[first - 1], obs) and not assigns_none(block[first - 1], obs):
            first -= 1
    after = _uses_guarded(analysis, obs, block, first, where.index)
    if after is None:
        return None
    guard = cst.ensure_type(statements(f"if {ctx} and {ctx}.is_enabled():\n    pass\n")[0], cst.If)
    run = block[first : where.index + 1]
    guard = guard.with_changes(
        body=guard.body.with_changes(body=[run[0].with_changes(leading_lines=()), *run[1:]]),
        leading_lines=run[0].leading_lines,
    )
    new = [guard]
    if obs is not None and (first == 0 or not assigns_none(block[first - 1], obs)):
        if not analysis.may_start_as_none(obs, run):
            return None
        init = statements(f"{obs} = None\n")[0].with_changes(leading_lines=guard.leading_lines)
        new = [init, guard.with_changes(leading_lines=())]
    return _block_fix(context, where.owner, [*block[:first], *new, *after], message)


def _uses_guarded(
    analysis: FunctionAnalysis, obs: str | None, block: Sequence[cst.CSTNode], first: int, last: int
) -> list[cst.CSTNode] | None:
    """The statements after `block[first:last + 1]`, the region the guard makes conditional,
    once `obs` may be None there: each write `obs.attr = value` not already under `if obs:`
    goes under one (Pattern A). None when `obs` is used in another way, or outside this block
    (other than `obs = None`), where a skipped push would change what the code does."""
    after = list(block[last + 1 :])
    if obs is None:
        return after
    function = list(descendants(analysis.function.body, into_scopes=True))
    seen = {id(n) for node in block[first:] for n in (node, *descendants(node))}
    seen.update(id(n) for node in function if assigns_none(node, obs) for n in descendants(node))
    if any(is_name(node, obs) and id(node) not in seen for node in function):
        return None
    guarded = [_guard_writes(node, obs) for node in after]
    return None if any(node is None for node in guarded) else cast(list[cst.CSTNode], guarded)


def _mentions(node: cst.CSTNode, name: str) -> int:
    return sum(1 for n in (node, *descendants(node, into_scopes=True)) if is_name(n, name))


def _guard_writes(node: cst.CSTNode, obs: str) -> cst.CSTNode | None:
    """`node` with its unguarded writes to `obs` guarded (see `_uses_guarded`); None when it
    uses `obs` otherwise."""
    if not _mentions(node, obs) or assigns_none(node, obs):
        return node
    if isinstance(node, cst.SimpleStatementLine):
        if not _is_plain_write(node, obs):
            return None
        guard = cst.ensure_type(statements(f"if {obs}:\n    pass\n")[0], cst.If)
        return guard.with_changes(
            body=guard.body.with_changes(body=[node.with_changes(leading_lines=())]), leading_lines=node.leading_lines
        )
    if isinstance(node, cst.If) and any(tests_not_none(test, obs) for test in conjuncts(node.test)):
        headers: tuple[cst.CSTNode | None, ...] = ()
        blocks: dict[str, cst.CSTNode | None] = {"orelse": node.orelse}
    elif isinstance(node, (cst.If, cst.While)):
        headers, blocks = (node.test,), {"body": node.body, "orelse": node.orelse}
    elif isinstance(node, cst.For):
        headers, blocks = (node.target, node.iter), {"body": node.body, "orelse": node.orelse}
    elif isinstance(node, cst.With):
        headers, blocks = tuple(node.items), {"body": node.body}
    elif isinstance(node, (cst.Else, cst.Finally)):
        headers, blocks = (), {"body": node.body}
    elif isinstance(node, cst.ExceptHandler):
        headers, blocks = (node.type, node.name), {"body": node.body}
    elif isinstance(node, cst.Try):
        headers, blocks = (), {"body": node.body, "orelse": node.orelse, "finalbody": node.finalbody}
        handlers = [_guard_writes(handler, obs) for handler in node.handlers]
        if any(handler is None for handler in handlers):
            return None
        node = node.with_changes(handlers=handlers)
    elif isinstance(node, cst.IndentedBlock):
        body = [_guard_writes(statement, obs) for statement in node.body]
        return None if any(statement is None for statement in body) else node.with_changes(body=body)
    else:
        return None  # a nested function or class, a `match`, a one-line suite: not worth guessing
    if any(header is not None and _mentions(header, obs) for header in headers):
        return None
    changes = {field: _guard_writes(value, obs) for field, value in blocks.items() if value is not None}
    return None if any(value is None for value in changes.values()) else node.with_changes(**changes)


def _is_plain_write(line: cst.SimpleStatementLine, obs: str) -> bool:
    """`obs.attr = value` (or `obs.attr[key] = value`) alone on its line, where `value` is a
    name, a literal or `str(name)` (Pattern A's `obs.error = str(e)`): skipping it when `obs`
    is None skips nothing else."""
    if len(line.body) != 1 or not isinstance(line.body[0], cst.Assign):
        return False
    assign = line.body[0]
    value = assign.value
    if isinstance(value, cst.Call) and is_name(value.func, "str") and len(value.args) == 1 and not value.args[0].keyword:
        value = value.args[0].value
    plain_value = isinstance(value, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)) and not is_name(value, obs)
    return plain_value and all(_rooted_at(target.target, obs) for target in assign.targets)


def _rooted_at(target: cst.BaseExpression, obs: str) -> bool:
    """`obs.a`, `obs.a.b`, `obs.a[k]`, with `obs` nowhere else (not in a subscript's key)."""
    if not isinstance(target, (cst.Attribute, cst.Subscript)):
        return False
    root = target
    while isinstance(root, (cst.Attribute, cst.Subscript)):
        root = root.value
    return is_name(root, obs) and _mentions(target, obs) == 1


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    return [node] if isinstance(node, cst.Name) else [n for n in descendants(node) if isinstance(n, cst.Name)]


def _only_observation_setup(block: Sequence[cst.CSTNode], push: Call) -> bool:
    """Every statement of the block is the push or sets up its observation (`obs = ...`,
    `obs.attr = ...`)."""
    obs = push.argument_name
    for statement in block:
        if statement is push.where.statement:
            continue
        if obs is None or not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else []
            if not targets or not all(
                is_name(target, obs) or (isinstance(target, cst.Attribute) and is_name(target.value, obs)) for target in targets
            ):
                return False
    return True


def _binds_by_walrus(test: cst.BaseExpression, name: str) -> bool:
    return any(isinstance(n, cst.NamedExpr) and is_name(n.target, name) for n in (test, *descendants(test)))


# -- FLX204 -----------------------------------------------------------------------------------


def pop_guard_fix(context: FileContext, analysis: FunctionAnalysis, pop: Call, push: Call) -> Fix | None:
    """Guard the pop in `finally` with `if ctx and obs:` (and start `obs` as None)."""
    names = _names(push)
    covering = analysis.covering_try(push)
    if names is None or covering is None or not isinstance(pop.where.owner, cst.IndentedBlock) or _shares_line(pop.where):
        return None
    if analysis.other_pushes_after(push):
        return None  # several observations, one pop: which to guard with is not known
    ctx, obs = names
    statement = pop.where.statement
    enclosing = pop.where.up
    guard = guarded_pop(ctx, obs)
    if (
        enclosing is not None
        and isinstance(enclosing.statement, cst.If)
        and enclosing.statement.orelse is None
        and len(pop.where.block) == 1
        and {n.value for n in _names_in(enclosing.statement.test)} <= {ctx, obs}
    ):
        replacements = {enclosing.statement.test: guard.test}
    else:
        replacements = {
            statement: guard.with_changes(
                body=guard.body.with_changes(body=[statement.with_changes(leading_lines=())]),
                leading_lines=statement.leading_lines,
            )
        }
    message = f"Guard the pop with `if {ctx} and {obs}:`"
    if analysis.initialised_to_none(obs):
        return rewrite_fix(context, replacements, Applicability.SAFE, message)
    # `obs` must exist (as None) when the push is skipped: start it before the instrumented region.
    region = analysis.region_start(push, covering)
    if region is None or not isinstance(region.owner, cst.IndentedBlock) or not analysis.may_start_as_none(obs, [region.statement]):
        return None
    block = [
        node if node is not covering else rewritten(cst.Module(body=[node]), replacements).body[0]
        for node in region.block
    ]
    block.insert(region.index, none_first(obs))
    return _block_fix(context, region.owner, block, message)


# -- FLX205 -----------------------------------------------------------------------------------


def except_fix(context: FileContext, analysis: FunctionAnalysis, push: Call, region: cst.Try) -> Fix | None:
    """Record the exception in `obs.error` and re-raise (the `except` clause of Pattern A)."""
    obs = push.argument_name
    if obs is None:
        return None
    message = f"Add `except Exception as e:` recording {obs}.error and re-raising"
    handlers = list(region.handlers)
    fix = _except_fixed(region, handlers, obs, analysis)
    anchor = analysis.anchor(push)
    if not analysis.needs_none_first(push):
        return rewrite_fix(context, {region: fix}, Applicability.SAFE, message)
    if (
        not isinstance(anchor.owner, cst.IndentedBlock)
        or not any(node is region for node in anchor.block)
        or not analysis.may_start_as_none(obs, [anchor.statement])
    ):
        return None
    block = [fix if node is region else node for node in anchor.block]
    block.insert(anchor.index, none_first(obs))
    return _block_fix(context, anchor.owner, block, message)


def _except_fixed(region: cst.Try, handlers: list[cst.ExceptHandler], obs: str, analysis: FunctionAnalysis) -> cst.Try:
    for index, handler in enumerate(handlers):
        if catches_everything(handler) and isinstance(handler.body, cst.IndentedBlock):
            name = handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) else None
            if name is None:
                name = fresh_name("e", analysis.names)
                handler = handler.with_changes(
                    type=handler.type or cst.Name("BaseException"),
                    name=cst.AsName(name=cst.Name(name)),
                    whitespace_after_except=cst.SimpleWhitespace(" "),
                )
            handlers[index] = handler.with_changes(body=handler.body.with_changes(body=[record_error(obs, name), *handler.body.body]))
            return region.with_changes(handlers=handlers)
    handlers.append(except_clause(obs, fresh_name("e", analysis.names)))
    return region.with_changes(handlers=handlers)
