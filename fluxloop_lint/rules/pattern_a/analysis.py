"""Analysis of hand-written FluxLoop instrumentation (Pattern A) in one function.

The rules FLX201-FLX206 and FLX301 share one analysis per function, made on demand at the
end of the function's body (their `leave_FunctionDef`) and kept on the file's context. Names
are resolved by the engine's resolver at that point, so the function's parameters and local
imports count (`from fluxloop import get_current_context as current` inside the function).
Each function is judged on its own: statements of nested functions and classes belong to
them, not to the enclosing function.

Only functions whose own code names `push_observation`, `pop_observation`,
`get_current_context` or `instrument` get a closer look; the rest cost one scan of their
nodes.

Vocabulary:
- a *context variable* is a local name assigned from the FluxLoop `get_current_context()`
  (through any import form, an alias or a local import);
- a *push* / *pop* is a `X.push_observation(...)` / `X.pop_observation()` call statement;
- the *anchor* of a push is the statement the push ends: the push itself, or the `if` it is
  the last statement of (Pattern A's `if fl_ctx and fl_ctx.is_enabled(): ... push`);
- the push is *covered* when the statement right after its anchor is a `try` whose
  `finally` pops (under no condition but the context and the observation), when it sits in
  the body of such a `try` (not across a loop), or when a pop follows it
  directly (a push-and-pop of a finished observation, which is what the manual rewrite of a
  generator does in its `finally`).

Fixes built on this analysis refuse shapes where pairing pushes with pops is a guess:
another push of the same receiver after the push (`other_pushes_after`), a push per loop
turn popped outside the loop (`loop_popped_outside`), and an `obs = None` that would replace
a value (`may_start_as_none`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fluxloop_api import (
    GET_CURRENT_CONTEXT,
    INSTRUMENT,
    OBSERVATION_DATA,
    POP_OBSERVATION,
    PUSH_OBSERVATION,
)
from fluxloop_lint.names import dotted_parts
from fluxloop_lint.rules.pattern_a.predicates import (
    assigns_none,
    bound_names,
    conjuncts,
    disjuncts,
    exits,
    inside_nodes,
    is_name,
    negated,
    negates,
    own_nodes,
    tests_disabled,
    tests_enabled,
    tests_none,
    tests_not_none,
)
from fluxloop_lint.syntax_tree import all_fields, children

TRIGGERS = frozenset({PUSH_OBSERVATION, POP_OBSERVATION, GET_CURRENT_CONTEXT, INSTRUMENT})


@dataclass(frozen=True, eq=False)
class Located:
    """A statement and where it sits: `block` is the statement list holding it (owned by
    `owner`, an IndentedBlock, or a one-line suite), `parent` the compound statement (or the
    function) whose `role` part the block is (body, orelse, handler, finalbody)."""

    statement: cst.BaseStatement | cst.SimpleStatementSuite
    owner: cst.BaseSuite
    block: Sequence[cst.CSTNode]
    index: int
    parent: cst.CSTNode
    role: str
    up: Located | None
    tests: tuple[cst.BaseExpression, ...]  # `if` tests known true here, from this function

    @property
    def rest(self) -> Sequence[cst.CSTNode]:
        return self.block[self.index + 1 :]

    def ancestors(self) -> Iterator[Located]:
        current: Located | None = self
        while current is not None:
            yield current
            current = current.up


@dataclass(frozen=True, eq=False)
class Call:
    """A push or pop call statement of the function."""

    call: cst.Call
    where: Located
    receiver: str | None  # the name the method is called on (None: another expression)

    @property
    def argument(self) -> cst.BaseExpression | None:
        return self.call.args[0].value if self.call.args else None

    @property
    def argument_name(self) -> str | None:
        argument = self.argument
        return argument.value if isinstance(argument, cst.Name) else None


@dataclass(eq=False)
class FunctionAnalysis:
    function: cst.FunctionDef
    contexts: dict[str, str] = field(default_factory=dict)  # context variable -> FluxLoop module
    direct_context_calls: set[int] = field(default_factory=set)  # id() of `get_current_context()` calls
    pushes: list[Call] = field(default_factory=list)
    pops: list[Call] = field(default_factory=list)
    instrument_withs: list[cst.With] = field(default_factory=list)
    parameters: set[str] = field(default_factory=set)
    # Where each name is assigned a value other than None (`name = ...`), in source order.
    assignments: dict[str, list[Located]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # every name the function's own code uses
    # `ObservationData(...)` calls: by id() of the push they are the argument of, or by the
    # name they are assigned to (the last assignment), with their FluxLoop module.
    observations: dict[int | str, tuple[cst.Call, str]] = field(default_factory=dict)
    # id() of pushes whose observation had `end_time` assigned (`obs.end_time = ...`) before.
    pushed_with_end_time: set[int] = field(default_factory=set)

    def observation_of(self, push: Call) -> tuple[cst.Call, str] | None:
        name = push.argument_name
        return self.observations.get(name if name is not None else id(push.call))

    # -- questions the rules ask --------------------------------------------------------------

    def pops_of(self, receiver: str | None) -> list[Call]:
        return [pop for pop in self.pops if pop.receiver == receiver]

    def anchor(self, push: Call) -> Located:
        """The statement the push ends (itself, or the `if` chain it is the last statement of)."""
        where = push.where
        while not where.rest and isinstance(where.parent, (cst.If, cst.Else)) and where.up is not None:
            where = where.up
        return where

    def covering_try(self, push: Call) -> cst.Try | None:
        """The `try` whose `finally` pops this push's observation, if the push is covered."""
        anchor = self.anchor(push)
        following = anchor.rest[0] if anchor.rest else None
        if isinstance(following, cst.Try) and self.pops_in_finally(following, push):
            return following
        for where in push.where.ancestors():
            if isinstance(where.parent, cst.Try) and where.role == "body" and self.pops_in_finally(where.parent, push):
                return where.parent
            if isinstance(where.parent, (cst.For, cst.While)):
                break  # a loop pushes again on every turn: only a `try` inside it can cover
        return None

    def popped_at_once(self, push: Call) -> bool:
        """A pop of the same receiver is the statement right after the push."""
        following = push.where.rest[0] if push.where.rest else None
        return following is not None and any(
            pop.where.statement is following and pop.receiver == push.receiver for pop in self.pops
        )

    def region_try(self, push: Call) -> cst.Try | None:
        """The `try` whose failures the push's observation should record: the covering `try`,
        or for a push-and-pop in a `finally`, the `try` owning that `finally`."""
        covering = self.covering_try(push)
        if covering is not None:
            return covering
        if self.popped_at_once(push):
            for where in push.where.ancestors():
                if isinstance(where.parent, cst.Try) and where.role == "finalbody":
                    return where.parent
        return None

    def covered(self, push: Call) -> bool:
        return self.covering_try(push) is not None or self.popped_at_once(push)

    def pops_in_finally(self, node: cst.Try, push: Call) -> list[Call]:
        if node.finalbody is None:
            return []
        return [
            pop
            for pop in self.pops
            if pop.receiver == push.receiver
            and any(w.parent is node and w.role == "finalbody" for w in pop.where.ancestors())
            and self._pops_whenever_pushed(pop, node, push)
        ]

    def _pops_whenever_pushed(self, pop: Call, node: cst.Try, push: Call) -> bool:
        """The `if`s around the pop in the `finally` test only the context and the observation
        (`if ctx and obs:`), not something else that may skip the pop (`and q.flag`)."""
        ctx, obs = push.receiver or "", push.argument_name or ""
        for where in pop.where.ancestors():
            if where.parent is node:
                return True
            for test in where.tests:
                for part in conjuncts(test):
                    if not (tests_not_none(part, ctx) or tests_enabled(part, ctx) or (obs and tests_not_none(part, obs))):
                        return False
        return True

    def pushes_closed_by(self, pop: Call) -> list[Call]:
        closed = []
        for push in self.pushes:
            covering = self.covering_try(push)
            if covering is not None and pop in self.pops_in_finally(covering, push):
                closed.append(push)
        return closed

    def other_pushes_after(self, push: Call) -> list[Call]:
        """Other pushes of the same receiver in the push's anchor or the statements after it:
        which pop pairs with which is then a matter of order a fix cannot rewrite safely."""
        anchor = self.anchor(push)
        region = [anchor.statement, *anchor.rest]
        return [
            other
            for other in self.pushes
            if other is not push and other.receiver == push.receiver and _inside(other.where, region)
        ]

    def loop_popped_outside(self, push: Call) -> bool:
        """The push is in a loop and a pop of its receiver is outside that loop: only the
        last turn's observation is popped."""
        for where in push.where.ancestors():
            if isinstance(where.parent, (cst.For, cst.While)):
                loop = where.parent
                return any(
                    not any(w.parent is loop for w in pop.where.ancestors()) for pop in self.pops_of(push.receiver)
                )
        return False

    def region_start(self, push: Call, covering: cst.Try) -> Located | None:
        """Where the instrumented region of a covered push starts: its anchor (the `try`
        follows it) or the covering `try` the push sits in."""
        anchor = self.anchor(push)
        if anchor.rest and anchor.rest[0] is covering:
            return anchor
        for where in push.where.ancestors():
            if where.statement is covering:
                return where
        return None

    def context_checked(self, where: Located, ctx: str) -> tuple[bool, bool]:
        """Whether `ctx` is known not None, and known enabled, at `where`."""
        known = self.conditions(where)
        false = self.exits_before(where)
        nonnull = any(tests_not_none(t, ctx) for t in known) or any(tests_none(t, ctx) for t in false)
        enabled = any(tests_enabled(t, ctx) for t in known) or any(tests_disabled(t, ctx) for t in false)
        return nonnull, enabled

    def needs_none_first(self, push: Call) -> bool:
        """The push can be skipped (it is under a condition) and nothing sets its observation
        variable to None before: `if obs:` would then raise UnboundLocalError."""
        obs = push.argument_name
        return obs is not None and push.where is not self.anchor(push) and not self.initialised_to_none(obs)

    def initialised_to_none(self, obs: str) -> bool:
        return any(assigns_none(node, obs) for node in own_nodes(self.function) if isinstance(node, cst.SimpleStatementLine))

    def may_start_as_none(self, obs: str, region: Sequence[cst.CSTNode]) -> bool:
        """`obs = None` can go right before `region` without losing a value: `obs` is not a
        parameter, is bound only inside `region` and is not used before it."""
        if obs in self.parameters:
            return False
        inside = {id(node) for node in inside_nodes(region)}
        if not any(name.value == obs for node in inside_nodes(region) for name in bound_names(node)):
            return False  # not bound here: a global or a closure variable, which `obs = None` would hide
        reached = False
        for node in own_nodes(self.function):
            if id(node) in inside:
                reached = True
                continue
            if not reached and isinstance(node, cst.Name) and node.value == obs:
                return False  # used or bound before the region
            if any(name.value == obs for name in bound_names(node)):
                return False  # bound outside the region (after it)
        return True

    def conditions(self, where: Located, stop: Located | None = None) -> list[cst.BaseExpression]:
        """The `if` tests (split on `and`) that hold at `where`, inner first, up to `stop`."""
        found: list[cst.BaseExpression] = []
        for current in where.ancestors():
            if current is stop:
                break
            for test in current.tests:
                found.extend(conjuncts(test))
        return found

    def exits_before(self, where: Located) -> list[cst.BaseExpression]:
        """Tests of earlier `if ...: return/raise` statements in the blocks around `where`,
        split on `or`: each is known false at `where`."""
        found: list[cst.BaseExpression] = []
        for current in where.ancestors():
            for statement in current.block[: current.index]:
                if isinstance(statement, cst.If) and statement.orelse is None and exits(statement.body):
                    for test in disjuncts(statement.test):
                        negated = negates(test)
                        if isinstance(negated, cst.BooleanOperation) and isinstance(negated.operator, cst.And):
                            # `not (a and b)` false: a and b both true, i.e. `not a`, `not b` false.
                            found.extend(cst.UnaryOperation(cst.Not(), part) for part in conjuncts(negated))
                        else:
                            found.append(test)
        return found


def _inside(where: Located, region: Sequence[cst.CSTNode]) -> bool:
    return any(current.statement is node for current in where.ancestors() for node in region)



def analyse(context: FileContext, function: cst.FunctionDef) -> FunctionAnalysis | None:
    """The function's analysis (None when its code names none of the triggers), shared by the
    rules through the file's context; made during the walk, at the end of the function's body."""
    return context.during_walk(("pattern_a", id(function)), lambda: _Builder(context, function).build())


class _Builder:
    def __init__(self, context: FileContext, function: cst.FunctionDef) -> None:
        self.context = context
        self.result = FunctionAnalysis(function)
        self.ended: set[str] = set()  # names whose `.end_time` was assigned so far (source order)

    def build(self) -> FunctionAnalysis | None:
        function = self.result.function
        names = self.result.names
        triggered = False
        for node in own_nodes(function):
            if isinstance(node, cst.Name):
                names.add(node.value)
                if node.value in TRIGGERS:
                    triggered = True
        for param in _all_params(function.params):
            names.add(param.name.value)
            self.result.parameters.add(param.name.value)
        if not triggered:
            return None
        self._block(function.body, function, "body", None, ())
        return self.result

    # -- names --------------------------------------------------------------------------------

    def fluxloop_function(self, expression: cst.BaseExpression, name: str) -> str | None:
        """The FluxLoop module when `expression` (`fl.get_current_context`) names its function
        `name`. Any binding its head had in the function counts: the analysis runs at the end
        of the body, after a later `fl = None` may have rebound it."""
        parts = dotted_parts(expression)
        if not parts:
            return None
        for binding in self.context.resolver.lookup_all(parts[0]):
            if binding.qualified_name is None or binding.instance:
                continue
            qualified = ".".join([binding.qualified_name, *parts[1:]])
            module = self.context.fluxloop_module_of(qualified)
            if module is not None and qualified.rsplit(".", 1)[-1] == name:
                return module
        return None

    # -- statements ---------------------------------------------------------------------------

    def _block(self, suite: cst.BaseSuite, parent: cst.CSTNode, role: str, up: Located | None, tests: tuple) -> None:
        if isinstance(suite, cst.SimpleStatementSuite):
            self._statement(Located(suite, suite, [suite], 0, parent, role, up, tests))
            return
        for index, statement in enumerate(suite.body):
            self._statement(Located(statement, suite, suite.body, index, parent, role, up, tests))

    def _statement(self, where: Located) -> None:
        statement = where.statement
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                self._small(small, where)
            return
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return
        if isinstance(statement, cst.If):
            self._expressions(statement.test, where)
            self._if(statement, where)
            return
        if isinstance(statement, cst.With):
            for item in statement.items:
                self._expressions(item.item, where)
                call = item.item
                if isinstance(call, cst.Call) and self.fluxloop_function(call.func, INSTRUMENT):
                    self.result.instrument_withs.append(statement)
            self._block(statement.body, statement, "body", where, ())
            return
        if isinstance(statement, (cst.For, cst.While)):
            self._expressions(statement.iter if isinstance(statement, cst.For) else statement.test, where)
            self._block(statement.body, statement, "body", where, ())
            if statement.orelse is not None:
                self._block(statement.orelse.body, statement, "orelse", where, ())
            return
        if isinstance(statement, (cst.Try, cst.TryStar)):
            self._block(statement.body, statement, "body", where, ())
            for handler in statement.handlers:
                self._block(handler.body, statement, "handler", where, ())
            if statement.orelse is not None:
                self._block(statement.orelse.body, statement, "orelse", where, ())
            if statement.finalbody is not None:
                self._block(statement.finalbody.body, statement, "finalbody", where, ())
            return
        if isinstance(statement, cst.Match):
            for case in statement.cases:
                self._block(case.body, statement, "case", where, (case.guard,) if case.guard is not None else ())

    def _if(self, node: cst.If, top: Located, false_before: tuple = ()) -> None:
        """`elif` and `else` branches also know the earlier tests false."""
        self._block(node.body, node, "body", top, (*false_before, node.test))
        false_here = (*false_before, negated(node.test))
        if isinstance(node.orelse, cst.If):
            self._expressions(node.orelse.test, top)
            self._if(node.orelse, top, false_here)
        elif isinstance(node.orelse, cst.Else):
            self._block(node.orelse.body, node.orelse, "orelse", top, false_here)

    def _small(self, small: cst.BaseSmallStatement, where: Located) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                node = target.target
                if isinstance(node, cst.Attribute) and node.attr.value == "end_time" and isinstance(node.value, cst.Name):
                    self.ended.add(node.value.value)
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            self.ended.discard(small.targets[0].target.value)
            if not is_name(small.value, "None"):
                self.result.assignments.setdefault(small.targets[0].target.value, []).append(where)
            self._context_assignment(small.targets[0].target.value, small.value)
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
            self._context_assignment(small.target.value, small.value)
        self._expressions(small, where)

    def _context_assignment(self, name: str, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Call):
            module = self.fluxloop_function(value.func, GET_CURRENT_CONTEXT)
            if module is not None:
                self.result.contexts[name] = module
            module = self.fluxloop_function(value.func, OBSERVATION_DATA)
            if module is not None:
                self.result.observations[name] = (value, module)

    def _expressions(self, node: cst.CSTNode, where: Located) -> None:
        """Find pushes, pops, walrus-bound contexts and direct `get_current_context()` calls."""
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
                continue
            if isinstance(current, cst.NamedExpr) and isinstance(current.target, cst.Name):
                self._context_assignment(current.target.value, current.value)
            if isinstance(current, cst.Call):
                self._call(current, where)
            stack.extend(children(current, all_fields(type(current))))

    def _call(self, call: cst.Call, where: Located) -> None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in (PUSH_OBSERVATION, POP_OBSERVATION):
            receiver = func.value.value if isinstance(func.value, cst.Name) else None
            record = Call(call, where, receiver)
            if func.attr.value == PUSH_OBSERVATION and record.argument_name in self.ended:
                self.result.pushed_with_end_time.add(id(call))
            argument = record.argument
            if isinstance(argument, cst.Call):
                module = self.fluxloop_function(argument.func, OBSERVATION_DATA)
                if module is not None:
                    self.result.observations[id(call)] = (argument, module)
            (self.result.pushes if func.attr.value == PUSH_OBSERVATION else self.result.pops).append(record)
            if isinstance(func.value, cst.Call) and self.fluxloop_function(func.value.func, GET_CURRENT_CONTEXT):
                self.result.direct_context_calls.add(id(call))


def _all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    yield from params.kwonly_params
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            yield star
