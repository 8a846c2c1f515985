"""FLX203: the context used without checking it is not None and enabled."""

from __future__ import annotations

from fluxloop_lint.fixes.pattern_a import guard_fix
from fluxloop_lint.push_pop import (
    Call,
    FunctionAnalysis,
    tests_disabled,
    tests_enabled,
    tests_none,
    tests_not_none,
)
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.push_pop_rule import PushPopRule
from fluxloop_lint.types import Applicability


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
        "under the enabled check. The fix adds the guard (and `obs = None` before it)."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            if id(push.call) in analysis.direct_context_calls:
                self.report(push.call, self.MESSAGE.format(
                    ctx="get_current_context()", missing="that it is not None and `is_enabled()`",
                    consequence="outside `instrument()` it is None and this line raises AttributeError",
                ))
            elif push.receiver in analysis.contexts:
                self._check_push(analysis, push)

    def _check_push(self, analysis: FunctionAnalysis, push: Call) -> None:
        ctx, obs = push.receiver, push.argument_name
        assert ctx is not None
        known = analysis.conditions(push.where)
        false = analysis.exits_before(push.where)
        nonnull = any(tests_not_none(t, ctx) for t in known) or any(tests_none(t, ctx) for t in false)
        enabled = any(tests_enabled(t, ctx) for t in known) or any(tests_disabled(t, ctx) for t in false)
        if obs is not None and any(tests_not_none(t, obs) for t in known):
            enabled = True
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
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def plan(goal):
                outer = inner = None
                if (fl_ctx := get_current_context()) and fl_ctx.is_enabled():
                    outer = ObservationData(type=ObservationType.AGENT, name="plan")
                    fl_ctx.push_observation(outer)
                try:
                    if fl_ctx and fl_ctx.is_enabled():
                        inner = ObservationData(type=ObservationType.TOOL, name="search")
                        fl_ctx.push_observation(inner)
                    try:
                        found = await search(goal)
                    except Exception as e:
                        if inner:
                            inner.error = str(e)
                        raise
                    finally:
                        if fl_ctx and inner:
                            fl_ctx.pop_observation()
                    return found
                except Exception as e:
                    if outer:
                        outer.error = str(e)
                    raise
                finally:
                    if fl_ctx and outer:
                        fl_ctx.pop_observation()
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
        ),
    )
