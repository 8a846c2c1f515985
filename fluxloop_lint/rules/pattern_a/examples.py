"""Correct Pattern A shapes that several of the package's rules keep among their VALID
examples (each must stay clean under every rule)."""

# Pattern A of FluxLoop's custom framework integration guide, verbatim.
PATTERN_A = """\
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

# The push inside the `try`, `is not None` checks, a module alias.
PUSH_INSIDE_TRY = """\
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

# A local import with an alias, an early exit when tracing is off, a push per loop turn, a `with` block, a nested function.
LOOP_WITH_EARLY_EXIT = """\
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

# Two observations in one async function, the context bound by a walrus.
TWO_OBSERVATIONS = """\
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

# A generator as the manual strategy writes it: items recorded, the finished observation pushed and popped in `finally`.
GENERATOR = """\
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

# The ChatKit example of FluxLoop's custom framework integration guide, verbatim.
CHATKIT_TOOL = """\
from agents import function_tool, RunContextWrapper
from chatkit.agents import AgentContext
from fluxloop import get_current_context
from fluxloop.models import ObservationData, ObservationType


@function_tool(
    description_override="Cancel the traveller's upcoming trip and note the refund.",
)
async def cancel_trip(ctx: RunContextWrapper[AgentContext]) -> dict:
    \"\"\"ChatKit tool with FluxLoop instrumentation.\"\"\"
    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(
            type=ObservationType.TOOL,
            name="tool.cancel_trip",
            input={"args": {}},
        )
        fl_ctx.push_observation(obs)
    try:
        message = state_manager.cancel_trip(get_thread_id(ctx))
        result = {"result": message}
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
