"""FLX201: a push whose pop is not in a `finally` covering everything after it."""

from __future__ import annotations

from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import FunctionAnalysis
from fluxloop_lint.rules.pattern_a.examples import GENERATOR, LOOP_WITH_EARLY_EXIT, PATTERN_A, PUSH_INSIDE_TRY, TWO_OBSERVATIONS
from fluxloop_lint.rules.pattern_a.rule import PushPopRule
from fluxloop_lint.rules.pattern_a.wrap import wrap_fix
from fluxloop_lint.types import Applicability


class PopNotInFinallyRule(PushPopRule):
    CODE = "FLX201"
    NAME = "pop-not-in-finally"
    MESSAGE = "`{call}` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it"
    FIX_TITLE = "Put the code after the push in `try` / `except` / `finally` and pop in the `finally`"
    WHAT = (
        "Reports a `push_observation()` whose context is popped in the function, but not by a "
        "`pop_observation()` in a `finally` covering all the code after the push."
    )
    RATIONALE = (
        "`push_observation()` makes the observation the parent of everything recorded after "
        "it until `pop_observation()` ends it. If the pop is not in a `finally` that starts "
        "right after the push, an exception or an early `return` skips it: the observation "
        "is never written and later observations get the wrong parent. Pattern A puts the "
        "code after the push in `try` / `except` / `finally` and pops in the `finally`."
    )
    FIX_SAFETY = (
        "Safe. The code after the push moves, as it is and with its comments, into Pattern A's "
        "`try` (or the `try` that already pops starts right after the push); its `except` "
        "records the error and re-raises, and the pops it replaces are dropped, so the code "
        "behaves as before and the observation is popped on every path. There is no fix where "
        "pairing pushes with pops would be a guess: a push per loop turn popped outside the "
        "loop, another push of the same context after it, a `finally` popping under a "
        "condition of its own."
    )
    LOOP = "`{call}` runs on every turn of the loop but the pop is outside it: only the last turn's observation is popped, and the others stay open as parents of everything recorded after them"
    LOOP_FIX_TITLE = "Pop each turn's observation in a `finally` inside the loop"
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            if analysis.pops_of(push.receiver) and not analysis.covered(push):
                call = self.context.module.code_for_node(push.call.func)
                loop = analysis.loop_popped_outside(push)
                self.report(
                    push.call,
                    (self.LOOP if loop else self.MESSAGE).format(call=f"{call}(...)"),
                    build_fix=lambda push=push: wrap_fix(self.context, analysis, push),
                    fix_title=self.LOOP_FIX_TITLE if loop else None,
                )

    VALID = (
        Valid(PATTERN_A),
        Valid(PUSH_INSIDE_TRY),
        Valid(LOOP_WITH_EARLY_EXIT),
        Valid(TWO_OBSERVATIONS),
        Valid(GENERATOR),
    )
    INVALID = (
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def lookup(query: str) -> dict:
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    result = {"result": await search(query)}
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
                    return result
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
            """,
            9,
            9,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def lookup(query: str) -> dict:
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    result = {"result": await search(query)}
                    return result
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            expected_message="`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it",
        ),
        Invalid(
            """
            import fluxloop
            from fluxloop.models import ObservationData

            def run_all(tasks):
                fl_ctx = fluxloop.get_current_context()
                for task in tasks:
                    obs = None
                    if fl_ctx and fl_ctx.is_enabled():
                        obs = ObservationData(type="tool", name=task.name)
                        fl_ctx.push_observation(obs)

                    # run it
                    if task.skip:
                        continue
                    task.run()  # may raise
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            10,
            13,
            """
            import fluxloop
            from fluxloop.models import ObservationData

            def run_all(tasks):
                fl_ctx = fluxloop.get_current_context()
                for task in tasks:
                    obs = None
                    if fl_ctx and fl_ctx.is_enabled():
                        obs = ObservationData(type="tool", name=task.name)
                        fl_ctx.push_observation(obs)

                    # run it
                    try:
                        if task.skip:
                            continue
                        task.run()  # may raise
                    except Exception as e:
                        if obs:
                            obs.error = str(e)
                        raise
                    finally:
                        if fl_ctx and obs:
                            fl_ctx.pop_observation()
            """,
            expected_message="`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it",
        ),
        Invalid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                if not query:
                    return None
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
            9,
            9,
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    if not query:
                        return None
                    return search(query)
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            expected_message="`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it",
        ),
        Invalid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                fl_ctx = get_current_context()
                first = None
                if fl_ctx and fl_ctx.is_enabled():
                    first = ObservationData(type=ObservationType.TOOL, name="first")
                    fl_ctx.push_observation(first)
                x = work()
                if fl_ctx and first:
                    fl_ctx.pop_observation()

                second = None
                if fl_ctx and fl_ctx.is_enabled():
                    second = ObservationData(type=ObservationType.TOOL, name="second")
                    fl_ctx.push_observation(second)
                try:
                    return x + work()
                except Exception as e:
                    if second:
                        second.error = str(e)
                    raise
                finally:
                    if fl_ctx and second:
                        fl_ctx.pop_observation()
            """,
            9,
            9,
            expected_message="`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it",
        ),
        Invalid(
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                fl_ctx = get_current_context()
                obs = None
                try:
                    for item in [work, work]:
                        if fl_ctx and fl_ctx.is_enabled():
                            obs = ObservationData(type=ObservationType.TOOL, name="x")
                            fl_ctx.push_observation(obs)
                        item()
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            11,
            17,
            expected_message="`fl_ctx.push_observation(...)` runs on every turn of the loop but the pop is outside it: only the last turn's observation is popped, and the others stay open as parents of everything recorded after them",
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
                # bail out early
                if work is None:
                    return -1  # nothing to do
                try:
                    return int(work())
                except ValueError:
                    return 0
                finally:
                    # always pop
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()  # done
            """,
            9,
            9,
            """
            from fluxloop_runtime import get_current_context
            from fluxloop_runtime.models import ObservationData, ObservationType

            def run(work):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="x")
                    fl_ctx.push_observation(obs)
                # bail out early
                try:
                    if work is None:
                        return -1  # nothing to do
                    try:
                        return int(work())
                    except ValueError:
                        return 0
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    # always pop
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()  # done
            """,
            expected_message="`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it",
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
                    if fl_ctx and obs and work.flag:
                        fl_ctx.pop_observation()
            """,
            9,
            9,
            expected_message="`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it",
        ),
    )
