"""FLX203: the context used without checking it is not None and enabled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.rewrite import rewrite_fix, statements
from fluxloop_lint.fluxloop_api import IS_ENABLED
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import Call, FunctionAnalysis, Located
from fluxloop_lint.rules.pattern_a.examples import GENERATOR, LOOP_WITH_EARLY_EXIT, PATTERN_A, TWO_OBSERVATIONS
from fluxloop_lint.rules.pattern_a.pieces import block_fix, shares_line
from fluxloop_lint.rules.pattern_a.predicates import assigns, assigns_none, conjuncts, is_name, names_in, tests_not_none
from fluxloop_lint.rules.pattern_a.rule import PushPopRule
from fluxloop_lint.syntax_tree import descendants
from fluxloop_lint.types import Applicability, Fix


class UnguardedContextRule(PushPopRule):
    CODE = "FLX203"
    NAME = "unguarded-context"
    MESSAGE = "`{ctx}` comes from `get_current_context()` but is used here without checking {missing}: {consequence}"
    RATIONALE = (
        "`get_current_context()` returns None outside `instrument()` or an experiment run, "
        "and a context can be disabled or unsampled. Pattern A checks both before creating "
        "and pushing the observation: `if fl_ctx and fl_ctx.is_enabled():`. Without the "
        "check the tool fails with AttributeError whenever it runs untraced (in production, "
        "in unit tests), and with tracing disabled the observation is still pushed. A check "
        "of the pushed observation (`if fl_ctx and obs:`) counts when `obs` is only made "
        "under the enabled check."
    )
    FIX_TITLE = "Push only under `if {ctx} and {ctx}.is_enabled():`"
    DIRECT_FIX_TITLE = "Bind the context to a name (`fl_ctx = get_current_context()`) and push only under `if fl_ctx and fl_ctx.is_enabled():`"
    WHAT = (
        "Reports a `push_observation()` on a context from `get_current_context()` that is not "
        "known, where the push runs, to be not None and enabled: by an `if` around it, an "
        "earlier `if ...: return`, or a check of an observation made only under that check."
    )
    FIX_SAFETY = (
        "Safe. The push and the lines setting up its observation go under `if ctx and "
        "ctx.is_enabled():` (or the `if` around them gets the missing test), `obs = None` comes "
        "first, and later writes `obs.attr = value` go under `if obs:`. Traced, the code does "
        "what it did; untraced, it skips the observation instead of raising. There is no fix "
        "when the observation is used in other ways or outside the block, or when the push "
        "shares its line with other statements."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            if id(push.call) in analysis.direct_context_calls:
                self.report(push.call, self.MESSAGE.format(
                    ctx="get_current_context()", missing="that it is not None and `is_enabled()`",
                    consequence="outside `instrument()` it is None and this line raises AttributeError",
                ), fix_title=self.DIRECT_FIX_TITLE)
            elif push.receiver in analysis.contexts:
                self._check_push(analysis, push)

    def _check_push(self, analysis: FunctionAnalysis, push: Call) -> None:
        ctx, obs = push.receiver, push.argument_name
        assert ctx is not None
        nonnull, enabled = analysis.context_checked(push.where, ctx)
        made = analysis.assignments.get(obs or "", [])
        if obs is not None and obs not in analysis.parameters and made and any(tests_not_none(t, obs) for t in analysis.conditions(push.where)):
            # `obs` is set only where the context was checked: `obs is not None` implies the check.
            checks = [analysis.context_checked(where, ctx) for where in made]
            nonnull = nonnull or all(checked[0] for checked in checks)
            enabled = enabled or all(checked[1] for checked in checks)
        if nonnull and enabled:
            return
        if not nonnull:
            missing = "that it is not None" + ("" if enabled else " and `is_enabled()`")
            consequence = "outside `instrument()` it is None and this line raises AttributeError"
        else:
            missing = "`is_enabled()`"
            consequence = "the observation is pushed even when tracing is disabled or the trace is not sampled"
        self.report(
            push.call,
            self.MESSAGE.format(ctx=ctx, missing=missing, consequence=consequence),
            build_fix=lambda: guard_fix(self.context, analysis, push, nonnull, enabled),
            fix_title=self.FIX_TITLE.format(ctx=ctx),
        )

    VALID = (
        Valid(PATTERN_A),
        Valid(LOOP_WITH_EARLY_EXIT),
        Valid(TWO_OBSERVATIONS),
        Valid(GENERATOR),        Valid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                fl_ctx = get_current_context()
                if not (fl_ctx and fl_ctx.is_enabled()):
                    return work()
                obs = ObservationData(type=ObservationType.TOOL, name="x")
                fl_ctx.push_observation(obs)
                try:
                    return work()
                except Exception as e:
                    obs.error = str(e)
                    raise
                finally:
                    fl_ctx.pop_observation()
            """
        ),
        Valid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="x")
                if obs is not None:
                    fl_ctx.push_observation(obs)
                try:
                    return work()
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if obs is not None:
                        fl_ctx.pop_observation()
            """
        ),
        Valid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                obs = None
                if (ctx := get_current_context()) is not None and ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    ctx.push_observation(obs)
                try:
                    return work()
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """
        ),

    )
    INVALID = (
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            def lookup(query):
                fl_ctx = get_current_context()
                obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                fl_ctx.push_observation(obs)
                try:
                    return search(query)
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            7,
            5,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    return search(query)
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            expected_message="`fl_ctx` comes from `get_current_context()` but is used here without checking that it is not None and `is_enabled()`: outside `instrument()` it is None and this line raises AttributeError",
        ),
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def lookup(query):
                ctx = get_current_context()
                obs = None
                if ctx:
                    obs = ObservationData(type="tool", name="lookup")
                    ctx.push_observation(obs)
                try:
                    return search(query)
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
            9,
            9,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def lookup(query):
                ctx = get_current_context()
                obs = None
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="lookup")
                    ctx.push_observation(obs)
                try:
                    return search(query)
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
            expected_message="`ctx` comes from `get_current_context()` but is used here without checking `is_enabled()`: the observation is pushed even when tracing is disabled or the trace is not sampled",
        ),
        Invalid(
            """
            import fluxloop
            from fluxloop.models import ObservationData
            from datetime import datetime, timezone

            def mark(event):
                fluxloop.get_current_context().push_observation(ObservationData(type="event", name=event, end_time=datetime.now(timezone.utc)))
                fluxloop.get_current_context().pop_observation()
            """,
            6,
            5,
            expected_message="`get_current_context()` comes from `get_current_context()` but is used here without checking that it is not None and `is_enabled()`: outside `instrument()` it is None and this line raises AttributeError",
        ),
        Invalid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                ctx = get_current_context()
                obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                obs.input = {"query": "q"}
                ctx.push_observation(obs)
                try:
                    return work()
                except Exception as e:
                    obs.error = str(e)
                    raise
                finally:
                    ctx.pop_observation()
            """,
            8,
            5,
            expected_message="`ctx` comes from `get_current_context()` but is used here without checking that it is not None and `is_enabled()`: outside `instrument()` it is None and this line raises AttributeError",
        ),
    )


def guard_fix(context: FileContext, analysis: FunctionAnalysis, push: Call, nonnull: bool, enabled: bool) -> Fix | None:
    """Make the push happen only when the context exists and is enabled."""
    ctx = push.receiver
    where = push.where
    if ctx is None or not isinstance(where.owner, cst.IndentedBlock) or shares_line(where):
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
        if any(isinstance(n, cst.Name) and n.value == ctx for n in names_in(node.test)):
            if not nonnull and _binds_by_walrus(node.test, ctx):
                return None  # `ctx and (ctx := ...)` would read it before it is bound
            code = context.module.code_for_node(node.test)
            if isinstance(node.test, (cst.BooleanOperation, cst.IfExp, cst.NamedExpr, cst.Lambda)) and not (
                isinstance(node.test, cst.BooleanOperation) and isinstance(node.test.operator, cst.And)
            ):
                code = f"({code})"
            code = (code if nonnull else f"{ctx} and {code}") + ("" if enabled else f" and {ctx}.{IS_ENABLED}()")
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
    guard = cst.ensure_type(statements(f"if {ctx} and {ctx}.{IS_ENABLED}():\n    pass\n")[0], cst.If)
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
    return block_fix(context, where.owner, [*block[:first], *new, *after], message)


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
