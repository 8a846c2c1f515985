"""FLX205: an instrumented region with no `except` recording the error before re-raising."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.fixes.pattern_a import except_fix
from fluxloop_lint.push_pop import FunctionAnalysis, catches_everything
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.push_pop_rule import GENERATOR, LOOP_WITH_EARLY_EXIT, PATTERN_A, PushPopRule
from fluxloop_lint.types import Applicability
from fluxloop_lint.syntax_tree import descendants


def records_error(handler: cst.ExceptHandler) -> bool:
    """The handler assigns something's `.error` (e.g. `obs.error = str(e)`)."""
    for node in descendants(handler.body):
        if isinstance(node, cst.Assign) and any(
            isinstance(target.target, cst.Attribute) and target.target.attr.value == "error" for target in node.targets
        ):
            return True
    return False


class ErrorNotRecordedRule(PushPopRule):
    CODE = "FLX205"
    NAME = "error-not-recorded"
    MESSAGE = "the code observed by this push has no `except` that records the exception in `{obs}.error` before re-raising: when it fails, the trace shows a success"
    RATIONALE = (
        "An observation ended by `finally` alone looks the same whether the code succeeded "
        "or raised. Pattern A adds `except Exception as e: if obs: obs.error = str(e)` and "
        "re-raises, so failures are visible in the trace and the caller still gets the "
        "exception. A handler that catches everything and assigns `.error` counts. The fix "
        "adds that clause (or the recording line at the top of an existing catch-all)."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            region = analysis.region_try(push)
            if region is None or any(catches_everything(h) and records_error(h) for h in region.handlers):
                continue
            self.report(
                push.call,
                self.MESSAGE.format(obs=push.argument_name or "obs"),
                build_fix=lambda push=push, region=region: except_fix(self.context, analysis, push, region),
            )

    VALID = (
        Valid(PATTERN_A),
        Valid(LOOP_WITH_EARLY_EXIT),
        Valid(GENERATOR),
    )
    INVALID = (
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    e = await search(query)
                    return e
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            9,
            9,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    e = await search(query)
                    return e
                except Exception as e_1:
                    if obs:
                        obs.error = str(e_1)
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

            def f(x):
                ctx = get_current_context()
                obs = None
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="f")
                    ctx.push_observation(obs)
                try:
                    return int(x)
                except ValueError:
                    return 0
                except:
                    log("failed")
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

            def f(x):
                ctx = get_current_context()
                obs = None
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="f")
                    ctx.push_observation(obs)
                try:
                    return int(x)
                except ValueError:
                    return 0
                except BaseException as e:
                    if obs:
                        obs.error = str(e)
                    log("failed")
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
        ),
    )
