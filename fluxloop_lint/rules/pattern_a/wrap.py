"""The fix of FLX201 and FLX202: what follows a push goes into Pattern A's `try`, whose
`finally` pops (see `pieces` for the pattern); pops the `try` replaces are dropped."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.rewrite import fresh_name, rewritten, visit_all
from fluxloop_lint.fluxloop_api import POP_OBSERVATION
from fluxloop_lint.rules.pattern_a.analysis import Call, FunctionAnalysis
from fluxloop_lint.rules.pattern_a.pieces import block_fix, finally_clause, none_first, pattern_a_try
from fluxloop_lint.rules.pattern_a.predicates import catches_everything, is_name
from fluxloop_lint.types import Fix


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
        return block_fix(context, owner, [*before, merged, *rest[late + 1 :]], message)
    if late is not None:
        # The `try` has handlers of its own: it goes whole into the new `try`, and its
        # `finally` (statements, comments) becomes the new `try`'s, which is the same order
        # of execution only when nothing follows it.
        if late != len(rest) - 1:
            return None
        node = rest[late]
        error = fresh_name("e", analysis.names)
        outer = pattern_a_try([*remove_pops(rest[:late], ctx), node.with_changes(finalbody=None)], ctx, obs, error)
        return block_fix(context, owner, [*before, outer.with_changes(finalbody=node.finalbody)], message)
    if len(rest) == 1 and isinstance(rest[0], cst.Try) and rest[0].finalbody is None:
        node = remove_pops(rest, ctx)[0]
        return block_fix(context, owner, [*before, node.with_changes(finalbody=finally_clause(ctx, obs))], message)
    error = fresh_name("e", analysis.names)
    return block_fix(context, owner, [*before, pattern_a_try(remove_pops(rest, ctx), ctx, obs, error)], message)


def _is_pop_of(small: cst.BaseSmallStatement, ctx: str) -> bool:
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
        and small.value.func.attr.value == POP_OBSERVATION
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
