"""FLX202: a push with no pop at all in the function."""

from __future__ import annotations

from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import FunctionAnalysis
from fluxloop_lint.rules.pattern_a.examples import CHATKIT_TOOL
from fluxloop_lint.rules.pattern_a.rule import PushPopRule
from fluxloop_lint.rules.pattern_a.wrap import wrap_fix
from fluxloop_lint.types import Applicability


class NoPopRule(PushPopRule):
    CODE = "FLX202"
    NAME = "push-without-pop"
    MESSAGE = "`{call}` is never popped in this function: the observation never ends and is never written, and every later observation of the trace is recorded under it"
    FIX_TITLE = "Put the code after the push in `try` / `except` / `finally` with a guarded pop in the `finally`"
    WHAT = "Reports a `push_observation()` with no `pop_observation()` of the same context in the function."
    RATIONALE = (
        "An observation is written when `pop_observation()` ends it. Without a pop it stays "
        "the current parent for the rest of the trace and is lost."
    )
    FIX_SAFETY = (
        "Safe. As for FLX201, the code after the push moves as it is into Pattern A's `try` / "
        "`except` / `finally`; the `finally` pops under `if ctx and obs:` and the `except` "
        "re-raises, so the code behaves as before. An observation pushed without a name "
        "(`ctx.push_observation(ObservationData(...))`) is first bound to one for the `finally`."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            if not analysis.pops_of(push.receiver):
                call = self.context.module.code_for_node(push.call.func)
                self.report(
                    push.call,
                    self.MESSAGE.format(call=f"{call}(...)"),
                    build_fix=lambda push=push: wrap_fix(self.context, analysis, push),
                )

    VALID = (
        Valid(CHATKIT_TOOL),
        Valid(
            """
            import fluxloop
            from fluxloop.models import ObservationData
            from datetime import datetime, timezone

            def mark(event):
                fluxloop.get_current_context().push_observation(ObservationData(type="event", name=event, end_time=datetime.now(timezone.utc)))
                fluxloop.get_current_context().pop_observation()
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop as fl
            from fluxloop.models import ObservationData, ObservationType

            class Agent:
                def answer(self, question):
                    \"\"\"Answer a question.\"\"\"
                    ctx = fl.get_current_context()
                    span = None
                    if ctx is not None and ctx.is_enabled():
                        span = ObservationData(type=ObservationType.AGENT, name="answer")
                        ctx.push_observation(span)
                    reply = self.model.complete(question)
                    return reply
            """,
            11,
            13,
            """
            import fluxloop as fl
            from fluxloop.models import ObservationData, ObservationType

            class Agent:
                def answer(self, question):
                    \"\"\"Answer a question.\"\"\"
                    ctx = fl.get_current_context()
                    span = None
                    if ctx is not None and ctx.is_enabled():
                        span = ObservationData(type=ObservationType.AGENT, name="answer")
                        ctx.push_observation(span)
                    try:
                        reply = self.model.complete(question)
                        return reply
                    except Exception as e:
                        if span:
                            span.error = str(e)
                        raise
                    finally:
                        if ctx and span:
                            ctx.pop_observation()
            """,
            expected_message="`ctx.push_observation(...)` is never popped in this function: the observation never ends and is never written, and every later observation of the trace is recorded under it",
        ),
    )
