"""FLX201: a push whose pop is not in a `finally` covering everything after it."""

from __future__ import annotations

from fluxloop_lint.fixes.pattern_a import wrap_fix
from fluxloop_lint.push_pop import FunctionAnalysis
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.push_pop_rule import PushPopRule
from fluxloop_lint.types import Applicability


class PopNotInFinallyRule(PushPopRule):
    CODE = "FLX201"
    NAME = "pop-not-in-finally"
    MESSAGE = "`{call}` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it"
    RATIONALE = (
        "`push_observation()` makes the observation the parent of everything recorded after "
        "it until `pop_observation()` ends it. If the pop is not in a `finally` that starts "
        "right after the push, an exception or an early `return` skips it: the observation "
        "is never written and later observations get the wrong parent. Pattern A puts the "
        "code after the push in `try` / `except` / `finally` and pops in the `finally`. The "
        "fix does that, keeping the code as it is, and drops the pops it replaces."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            if analysis.pops_of(push.receiver) and not analysis.covered(push):
                call = self.context.module.code_for_node(push.call.func)
                self.report(
                    push.call,
                    self.MESSAGE.format(call=f"{call}(...)"),
                    build_fix=lambda push=push: wrap_fix(self.context, analysis, push),
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
        ),
    )
