"""FLX204: a pop in `finally` not guarded by the condition under which the push happened."""

from __future__ import annotations

from fluxloop_lint.fixes.pattern_a import pop_guard_fix
from fluxloop_lint.push_pop import Call, FunctionAnalysis, Located, tests_not_none
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.push_pop_rule import PushPopRule
from fluxloop_lint.types import Applicability


def _region(analysis: FunctionAnalysis, push: Call, covering: object) -> Located:
    """Where the push's own conditions stop: at the `try` it sits in, or at its anchor (the
    conditions around those hold for the whole instrumented region)."""
    for where in push.where.ancestors():
        if where.statement is covering:
            return where
    return analysis.anchor(push)


class UnguardedPopRule(PushPopRule):
    CODE = "FLX204"
    NAME = "unguarded-pop"
    MESSAGE = "this `pop_observation()` in `finally` also runs when the push was skipped: it then ends the parent's observation, or raises on a None context and hides the real exception; guard it with `if {ctx} and {obs}:`"
    RATIONALE = (
        "In Pattern A the push happens only when the context exists and is enabled, but the "
        "`finally` always runs. An unguarded `fl_ctx.pop_observation()` there ends whatever "
        "observation is current (the caller's) when the push was skipped, or raises "
        "AttributeError on a None context, replacing the exception the code raised. Guard "
        "the pop with the observation: `if fl_ctx and obs:`, with `obs = None` set before "
        "the push's guard."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for pop in analysis.pops:
            for push in analysis.pushes_closed_by(pop):
                if not self._guarded(analysis, pop, push):
                    ctx, obs = push.receiver or "fl_ctx", push.argument_name or "obs"
                    self.report(
                        pop.call,
                        self.MESSAGE.format(ctx=ctx, obs=obs),
                        build_fix=lambda pop=pop, push=push: pop_guard_fix(self.context, analysis, pop, push),
                    )
                    break

    @staticmethod
    def _guarded(analysis: FunctionAnalysis, pop: Call, push: Call) -> bool:
        covering = analysis.covering_try(push)
        inside = any(where.statement is covering for where in push.where.ancestors())
        push_tests = analysis.conditions(push.where, stop=_region(analysis, push, covering))
        if not push_tests and not inside:
            return True  # the push always happened before the `try` began
        pop_tests = analysis.conditions(pop.where)
        obs = push.argument_name
        if obs is not None and any(tests_not_none(test, obs) for test in pop_tests):
            return True
        return bool(push_tests) and all(
            any(test.deep_equals(other) for other in pop_tests) for test in push_tests
        )


    VALID = (
        Valid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType


            async def my_tool(param: str) -> dict:
                \"\"\"Tool function with manual FluxLoop instrumentation.\"\"\"
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(
                        type=ObservationType.TOOL,
                        name="tool.my_tool",
                        input={"args": {"param": param}},
                    )
                    fl_ctx.push_observation(obs)
                try:
                    result = {"result": do_work(param)}
                    if obs:
                        obs.output = result
                    return result
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """
        ),
        Valid(
            """
            def process(items):
                from fluxloop_runtime import get_current_context as current
                from fluxloop_runtime.models import ObservationData, ObservationType

                ctx = current()
                if ctx is None or not ctx.is_enabled():
                    return [item * 2 for item in items]
                results = []
                for item in items:
                    obs = ObservationData(type=ObservationType.SPAN, name="item")
                    ctx.push_observation(obs)
                    try:
                        with open_lock():
                            results.append(item * 2)
                    except Exception as e:
                        obs.error = str(e)
                        raise
                    finally:
                        ctx.pop_observation()

                def helper():
                    return results

                return helper()
            """
        ),
        Valid(
            """
            import fluxloop as fl
            from fluxloop.models import ObservationData, ObservationType

            def lookup(query):
                ctx = fl.get_current_context()
                span = None
                try:
                    if ctx is not None and ctx.is_enabled():
                        span = ObservationData(type=ObservationType.TOOL, name="lookup")
                        ctx.push_observation(span)
                    return query.upper()
                except Exception as error:
                    if span is not None:
                        span.error = str(error)
                    raise
                finally:
                    if ctx is not None and span is not None:
                        ctx.pop_observation()
            """
        ),
        Valid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def numbers(limit):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.SPAN, name="numbers", input={"args": {"limit": limit}})
                fl_items = []
                try:
                    for number in range(limit):
                        fl_item = number
                        fl_items.append(fl_item)
                        yield fl_item
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        if obs.error is None:
                            obs.output = fl_items
                        fl_ctx.push_observation(obs)
                        fl_ctx.pop_observation()
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
        ),
    )
