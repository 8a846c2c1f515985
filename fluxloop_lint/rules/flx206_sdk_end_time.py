"""FLX206 (SDK only): pushing an `ObservationData(...)` built with `end_time=`."""

from __future__ import annotations

from fluxloop_lint.fluxloop_api import SDK_MODULE
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import FunctionAnalysis
from fluxloop_lint.rules.pattern_a.examples import PATTERN_A
from fluxloop_lint.rules.pattern_a.rule import PushPopRule


class SdkEndTimeRule(PushPopRule):
    CODE = "FLX206"
    NAME = "sdk-push-with-end-time"
    MESSAGE = "this observation is pushed with `end_time` already set: the fluxloop SDK writes it twice (once at the push, once at the pop)"
    FIX_TITLE = "Leave `end_time` unset and let `pop_observation()` set it"
    WHAT = (
        "Reports (in code using the public `fluxloop` SDK) a `push_observation(...)` of an "
        "`ObservationData` built with `end_time=`, or given an `end_time` before the push."
    )
    RATIONALE = (
        "The public FluxLoop SDK treats an observation pushed with `end_time` as finished and "
        "sends it at once, then sends it again when it is popped, so the trace holds it "
        "twice. `fluxloop_runtime` records it once, so only code using the `fluxloop` SDK is "
        "reported. Build the observation without `end_time`; `pop_observation()` fills it in."
    )
    FIX_SAFETY = (
        "There is no fix: removing `end_time` changes the recorded duration, and the value may "
        "be meant for another use of the observation."
    )

    def check(self, analysis: FunctionAnalysis) -> None:
        # `ObservationData(..., end_time=...)`, or `obs.end_time = ...` before the push.
        for push in analysis.pushes:
            found = analysis.observation_of(push)
            if found is None:
                continue
            call, module = found
            sdk = module == SDK_MODULE or analysis.contexts.get(push.receiver or "") == SDK_MODULE
            built_ended = any(argument.keyword is not None and argument.keyword.value == "end_time" for argument in call.args)
            if sdk and self.context.is_sdk(module) and (built_ended or id(push.call) in analysis.pushed_with_end_time):
                self.report(push.call, self.MESSAGE)

    VALID = (
        Valid(
            """
            from datetime import datetime, timezone

            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData

            def mark(event):
                fl_ctx = get_current_context()
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type="event", name=event, end_time=datetime.now(timezone.utc))
                    fl_ctx.push_observation(obs)
                    fl_ctx.pop_observation()
            """
        ),
        Valid(PATTERN_A),
    )
    INVALID = (
        Invalid(
            """
            from datetime import datetime, timezone

            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def mark(event):
                fl_ctx = get_current_context()
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type="event", name=event, end_time=datetime.now(timezone.utc))
                    fl_ctx.push_observation(obs)
                    fl_ctx.pop_observation()
            """,
            10,
            9,
            expected_message=(
                "this observation is pushed with `end_time` already set: the fluxloop SDK writes it twice"
                " (once at the push, once at the pop)"
            ),
        ),
    )
