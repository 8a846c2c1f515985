"""FLX301: `with instrument(...)` or a pushed observation held open across `yield`."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import Call, FunctionAnalysis
from fluxloop_lint.rules.pattern_a.examples import GENERATOR
from fluxloop_lint.rules.pattern_a.predicates import contains_yield
from fluxloop_lint.rules.pattern_a.rule import PushPopRule


def _before_in_finally(pop: Call, node: cst.Try) -> list[cst.CSTNode]:
    """What the `finally` runs before the pop (a `yield` there still holds the observation open)."""
    found: list[cst.CSTNode] = []
    for where in pop.where.ancestors():
        found.extend(where.block[: where.index])
        if where.parent is node:
            break
    return found


class OpenAcrossYieldRule(PushPopRule):
    CODE = "FLX301"
    NAME = "context-open-across-yield"
    MESSAGE = "{what} is held open across `yield`: between chunks the FluxLoop context leaks to the consumer, and closing the stream from another task fails; decorate a helper that returns the stream instead (Approach 1 of the integration guide)"
    RATIONALE = (
        "A generator pauses at `yield` and its consumer runs in the meantime. A context opened "
        "by `with instrument(...)`, or an observation pushed before the `yield` and popped "
        "after it, stays current in the consumer between chunks: what the consumer records "
        "lands under the stream's observation. Closing the stream from another task (an "
        "aborted HTTP response, `asyncio` cancellation) resets a context variable in the "
        "wrong context and fails with 'Token ... was created in a different Context'."
    )
    FIX_TITLE = "Decorate a helper that returns the stream, or push and pop the finished observation after the last `yield`"
    WHAT = (
        "Reports `with instrument(...)` around a `yield`, and an observation pushed before a "
        "`yield` and still open there (popped after it, or never in a `finally`)."
    )
    FIX_SAFETY = (
        "No fix: keeping the stream out of the instrumented region is a choice of what the "
        "trace shows (a helper that returns the stream, as in Approach 1 of the integration "
        "guide, or the items recorded and the finished observation pushed and popped after "
        "the last `yield`, which `--fix-strategy manual` writes for generators)."
    )

    def check(self, analysis: FunctionAnalysis) -> None:
        for node in analysis.instrument_withs:
            if contains_yield([node.body]):
                self.report(node.items[0].item, self.MESSAGE.format(what="`with instrument(...)`"))
        for push in analysis.pushes:
            if analysis.popped_at_once(push):
                continue
            covering = analysis.covering_try(push)
            rest = list(analysis.anchor(push).rest)
            if covering is None:
                regions = rest  # never popped in a `finally`: open for the rest of the block
            else:
                index = next((i for i, node in enumerate(rest) if node is covering), 0)
                regions = [covering.body, *covering.handlers, *([covering.orelse] if covering.orelse else []), *rest[:index]]
                for pop in analysis.pops_in_finally(covering, push):
                    regions.extend(_before_in_finally(pop, covering))
            if contains_yield(regions):
                self.report(push.call, self.MESSAGE.format(what="this pushed observation"))

    VALID = (
        Valid(
            """
            import fluxloop


            @fluxloop.prompt(name="prompt.agent", model="gpt-4")
            async def _run_llm_prompt(agent, prompt, context):
                \"\"\"Instrumented LLM call.\"\"\"
                return await agent.generate(prompt, context=context)


            async def handle_request(request):
                with fluxloop.instrument("request"):
                    result = await _run_llm_prompt(my_agent, request, None)
                async for chunk in result:
                    yield chunk
            """
        ),
        Valid(GENERATOR),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop


            async def handle_request(request):
                \"\"\"Handle request with instrumented LLM call.\"\"\"
                with fluxloop.instrument("prompt.agent"):
                    result = await agent.generate(request)
                    async for chunk in result:
                        yield chunk
            """,
            6,
            10,
            expected_message="`with instrument(...)` is held open across `yield`: between chunks the FluxLoop context leaks to the consumer, and closing the stream from another task fails; decorate a helper that returns the stream instead (Approach 1 of the integration guide)",
        ),
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def stream(prompt):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.GENERATION, name="stream")
                    fl_ctx.push_observation(obs)
                try:
                    async for chunk in llm(prompt):
                        yield chunk
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
            expected_message="this pushed observation is held open across `yield`: between chunks the FluxLoop context leaks to the consumer, and closing the stream from another task fails; decorate a helper that returns the stream instead (Approach 1 of the integration guide)",
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
                    work()
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        yield 1
                        fl_ctx.pop_observation()
            """,
            9,
            9,
            expected_message="this pushed observation is held open across `yield`: between chunks the FluxLoop context leaks to the consumer, and closing the stream from another task fails; decorate a helper that returns the stream instead (Approach 1 of the integration guide)",
        ),
    )
