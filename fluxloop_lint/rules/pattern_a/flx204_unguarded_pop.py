"""FLX204: a pop in `finally` not guarded by the condition under which the push happened."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.rewrite import rewrite_fix, rewritten
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import Call, FunctionAnalysis
from fluxloop_lint.rules.pattern_a.examples import GENERATOR, LOOP_WITH_EARLY_EXIT, PATTERN_A, PUSH_INSIDE_TRY
from fluxloop_lint.rules.pattern_a.pieces import block_fix, guarded_pop, none_first, shares_line
from fluxloop_lint.rules.pattern_a.predicates import names_in, tests_not_none
from fluxloop_lint.rules.pattern_a.rule import PushPopRule
from fluxloop_lint.types import Applicability, Fix


class UnguardedPopRule(PushPopRule):
    CODE = "FLX204"
    NAME = "unguarded-pop"
    MESSAGE = "this `pop_observation()` in `finally` also runs when the push was skipped: it then ends the parent's observation, or raises on a None context and hides the real exception"
    FIX_TITLE = "Guard the pop with `if {ctx} and {obs}:`"
    WHAT = (
        "Reports a `pop_observation()` in a `finally` that also runs when the push it closes "
        "was skipped (not guarded by the push's condition or by the observation, or guarded "
        "by an observation variable never set then), and a `finally` that pops more "
        "observations than its `try` pushed."
    )
    RATIONALE = (
        "In Pattern A the push happens only when the context exists and is enabled, but the "
        "`finally` always runs. An unguarded `fl_ctx.pop_observation()` there ends whatever "
        "observation is current (the caller's) when the push was skipped, or raises "
        "AttributeError on a None context, replacing the exception the code raised. Guard "
        "the pop with the observation: `if fl_ctx and obs:`, with `obs = None` set before "
        "the push's guard."
    )
    FIX_SAFETY = (
        "Safe. The pop goes under `if ctx and obs:` (or the `if` around it gets that test), "
        "and `obs = None` is set before the instrumented region when nothing sets it there: "
        "the pop then runs exactly when the push did. There is no fix for a pop too many "
        "(which one is extra is a guess), nor when several observations share one pop."
    )
    UNBOUND = "this `pop_observation()` is guarded by `{obs}`, which is never set when the push is skipped: the `finally` then raises UnboundLocalError and hides the real exception"
    UNBOUND_FIX_TITLE = "Set `{obs} = None` before the push's guard"
    FIX = Applicability.SAFE

    EXTRA = "this `pop_observation()` pops once more than this `try` pushed: it ends the caller's observation, and everything recorded after it gets the wrong parent"
    EXTRA_FIX_TITLE = "Pop once per observation this `try` pushed"

    def check(self, analysis: FunctionAnalysis) -> None:
        self._check_extra_pops(analysis)
        for pop in analysis.pops:
            for push in analysis.pushes_closed_by(pop):
                if not self._guarded(analysis, pop, push):
                    ctx, obs = push.receiver or "fl_ctx", push.argument_name or "obs"
                    message, fix_title = self.MESSAGE.format(ctx=ctx, obs=obs), self.FIX_TITLE.format(ctx=ctx, obs=obs)
                    if any(tests_not_none(test, obs) for test in analysis.conditions(pop.where)):
                        message, fix_title = self.UNBOUND.format(obs=obs), self.UNBOUND_FIX_TITLE.format(obs=obs)
                    self.report(
                        pop.call,
                        message,
                        build_fix=lambda pop=pop, push=push: pop_guard_fix(self.context, analysis, pop, push),
                        fix_title=fix_title,
                    )
                    break

    def _check_extra_pops(self, analysis: FunctionAnalysis) -> None:
        """More pops in one `finally` than pushes it closes (no fix: which one is extra is a guess)."""
        by_try: dict[int, tuple[list, list]] = {}
        for push in analysis.pushes:
            covering = analysis.covering_try(push)
            if covering is not None:
                pushes, pops = by_try.setdefault(id(covering), ([], analysis.pops_in_finally(covering, push)))
                pushes.append(push)
        for pushes, pops in by_try.values():
            for pop in pops[len(pushes) :]:
                self.report(pop.call, self.EXTRA, fix_title=self.EXTRA_FIX_TITLE)

    @staticmethod
    def _guarded(analysis: FunctionAnalysis, pop: Call, push: Call) -> bool:
        covering = analysis.covering_try(push)
        inside = any(where.statement is covering for where in push.where.ancestors())
        # The push's own conditions stop where the instrumented region starts: those around
        # it hold for the whole region.
        assert covering is not None
        push_tests = analysis.conditions(push.where, stop=analysis.region_start(push, covering) or analysis.anchor(push))
        if not push_tests and not inside:
            return True  # the push always happened before the `try` began
        pop_tests = analysis.conditions(pop.where)
        obs = push.argument_name
        if obs is not None and any(tests_not_none(test, obs) for test in pop_tests):
            return not analysis.needs_none_first(push)  # else `obs` is unbound when the push was skipped
        return bool(push_tests) and all(
            any(test.deep_equals(other) for other in pop_tests) for test in push_tests
        )


    VALID = (
        Valid(PATTERN_A),
        Valid(LOOP_WITH_EARLY_EXIT),
        Valid(PUSH_INSIDE_TRY),
        Valid(GENERATOR),
    )
    INVALID = (
        Invalid(
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
                    fl_ctx.pop_observation()
            """,
            17,
            9,
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
            expected_message="this `pop_observation()` in `finally` also runs when the push was skipped: it then ends the parent's observation, or raises on a None context and hides the real exception",
        ),
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def lookup(query):
                ctx = get_current_context()
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
                    if ctx:  # the push may have been skipped
                        ctx.pop_observation()
            """,
            17,
            13,
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
                    if ctx and obs:  # the push may have been skipped
                        ctx.pop_observation()
            """,
            expected_message="this `pop_observation()` in `finally` also runs when the push was skipped: it then ends the parent's observation, or raises on a None context and hides the real exception",
        ),
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def outer(items):
                def inner(item):
                    ctx = get_current_context()
                    if ctx and ctx.is_enabled():
                        ctx.push_observation(ObservationData(type="span", name="inner"))
                    try:
                        return item * 2
                    finally:
                        ctx.pop_observation()

                return [inner(item) for item in items]
            """,
            12,
            13,
            expected_message="this `pop_observation()` in `finally` also runs when the push was skipped: it then ends the parent's observation, or raises on a None context and hides the real exception",
        ),
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def f(x):
                \"\"\"Doc.\"\"\"
                ctx = get_current_context()
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="f")
                    ctx.push_observation(obs)
                try:
                    return x
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
            18,
            13,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def f(x):
                \"\"\"Doc.\"\"\"
                ctx = get_current_context()
                obs = None
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="f")
                    ctx.push_observation(obs)
                try:
                    return x
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
            expected_message="this `pop_observation()` is guarded by `obs`, which is never set when the push is skipped: the `finally` then raises UnboundLocalError and hides the real exception",
        ),        Invalid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                return observe(ObservationData(type=ObservationType.TOOL, name="given"), work)


            def observe(obs, work):
                ctx = get_current_context()
                if ctx and ctx.is_enabled():
                    ctx.push_observation(obs)
                try:
                    return work()
                except Exception as e:
                    obs.error = str(e)
                    raise
                finally:
                    ctx.pop_observation()
            """,
            18,
            9,
            expected_message="this `pop_observation()` in `finally` also runs when the push was skipped: it then ends the parent's observation, or raises on a None context and hides the real exception",
        ),

        Invalid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="x")
                    fl_ctx.push_observation(obs)
                try:
                    return work()
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            20,
            13,
            expected_message="this `pop_observation()` pops once more than this `try` pushed: it ends the caller's observation, and everything recorded after it gets the wrong parent",
        ),
    )


def pop_guard_fix(context: FileContext, analysis: FunctionAnalysis, pop: Call, push: Call) -> Fix | None:
    """Guard the pop in `finally` with `if ctx and obs:` (and start `obs` as None)."""
    names = _names(push)
    covering = analysis.covering_try(push)
    if names is None or covering is None or not isinstance(pop.where.owner, cst.IndentedBlock) or shares_line(pop.where):
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
        and {n.value for n in names_in(enclosing.statement.test)} <= {ctx, obs}
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
    return block_fix(context, region.owner, block, message)


def _names(push: Call) -> tuple[str, str] | None:
    obs = push.argument_name
    if push.receiver is None or obs is None:
        return None
    return push.receiver, obs
