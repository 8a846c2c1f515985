"""FLX203: the context used without checking it is not None and enabled."""

from __future__ import annotations

from fluxloop_lint.fixes.pattern_a import guard_fix
from fluxloop_lint.push_pop import Call, FunctionAnalysis, tests_not_none
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.push_pop_rule import GENERATOR, LOOP_WITH_EARLY_EXIT, PATTERN_A, TWO_OBSERVATIONS, PushPopRule
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
        ),
    )
