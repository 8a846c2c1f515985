"""The seed document's examples (custom-framework-integration.txt), run on fluxloop_runtime with
only the import names changed, checked through observations.jsonl."""

import asyncio
from datetime import datetime, timezone
from typing import Any

from agents import RunContextWrapper, function_tool
from agents.tool_context import ToolContext
from chatkit.agents import AgentContext
from chatkit.store import NotFoundError, Store
from chatkit.types import ThreadMetadata

import fluxloop_runtime as fluxloop
from fluxloop_runtime import get_current_context
from fluxloop_runtime.models import ObservationData, ObservationType


def do_work(param: str) -> str:
    if param == "boom":
        raise RuntimeError("work failed")
    return param.upper()


# --- Pattern A: manual instrumentation -----------------------------------------------------


async def my_tool(param: str) -> dict:
    """Tool function with manual FluxLoop instrumentation."""
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


def test_pattern_a_records_the_manual_observation(store):
    with fluxloop.instrument("my_agent_run") as context:
        assert asyncio.run(my_tool("hello")) == {"result": "HELLO"}
    [observation] = store.observations()
    assert observation["type"] == "tool"
    assert observation["name"] == "tool.my_tool"
    assert observation["input"] == {"args": {"param": "hello"}}
    assert observation["output"] == {"result": "HELLO"}
    assert observation["trace_id"] == str(context.trace.id)
    assert "parent_observation_id" not in observation
    assert observation["end_time"] >= observation["start_time"]
    assert observation["start_time"].endswith("+00:00")
    [trace] = store.traces()
    assert trace["id"] == str(context.trace.id) and trace["name"] == "my_agent_run"


def test_pattern_a_records_the_error_and_reraises(store):
    with fluxloop.instrument("my_agent_run"):
        try:
            asyncio.run(my_tool("boom"))
        except RuntimeError as error:
            assert str(error) == "work failed"
        else:
            raise AssertionError("the error was swallowed")
    [observation] = store.observations()
    assert observation["error"] == "work failed"
    assert "output" not in observation


def test_pattern_a_without_a_context_records_nothing(store):
    assert asyncio.run(my_tool("hello")) == {"result": "HELLO"}
    assert store.observations() == []


# --- Pattern B: stacked decorators, framework outermost ------------------------------------


@function_tool(description_override="My tool")
@fluxloop.tool(name="tool.my_tool")
async def my_stacked_tool(param: str) -> dict:
    """Tool with stacked decorators."""
    return {"result": do_work(param)}


def invoke(tool: Any, arguments: str, context: Any = None) -> Any:
    tool_context = ToolContext(
        context=context, tool_name=tool.name, tool_call_id="call_1", tool_arguments=arguments
    )
    return asyncio.run(tool.on_invoke_tool(tool_context, arguments))


def test_pattern_b_records_the_tool_under_the_agent(store):
    @fluxloop.agent(name="agent.run")
    def run_agent() -> Any:
        return invoke(my_stacked_tool, '{"param": "hi"}')

    with fluxloop.instrument("my_agent_run") as context:
        output = run_agent()
    assert output == {"result": "HI"}
    observations = store.by_name()
    tool, agent = observations["tool.my_tool"], observations["agent.run"]
    assert tool["type"] == "tool" and agent["type"] == "agent"
    assert tool["input"] == {"param": "hi"}
    assert tool["output"] == {"result": "HI"}
    assert tool["parent_observation_id"] == agent["id"]
    assert {tool["trace_id"], agent["trace_id"]} == {str(context.trace.id)}
    assert [o["name"] for o in store.observations()] == ["tool.my_tool", "agent.run"]  # children first


# --- ChatKit-style cancel_trip with the real function_tool and RunContextWrapper -----------


class MemoryStore(Store[dict]):
    """The smallest ChatKit store: threads in a dict (what the example's app would bring)."""

    def __init__(self) -> None:
        self.threads: dict[str, ThreadMetadata] = {}

    async def load_thread(self, thread_id, context):
        if thread_id not in self.threads:
            raise NotFoundError(thread_id)
        return self.threads[thread_id]

    async def save_thread(self, thread, context):
        self.threads[thread.id] = thread

    async def load_thread_items(self, thread_id, after, limit, order, context):
        raise NotImplementedError

    async def save_attachment(self, attachment, context):
        raise NotImplementedError

    async def load_attachment(self, attachment_id, context):
        raise NotImplementedError

    async def delete_attachment(self, attachment_id, context):
        raise NotImplementedError

    async def load_threads(self, limit, after, order, context):
        raise NotImplementedError

    async def add_thread_item(self, thread_id, item, context):
        raise NotImplementedError

    async def save_item(self, thread_id, item, context):
        raise NotImplementedError

    async def load_item(self, thread_id, item_id, context):
        raise NotImplementedError

    async def delete_thread(self, thread_id, context):
        raise NotImplementedError

    async def delete_thread_item(self, thread_id, item_id, context):
        raise NotImplementedError


class TripStateManager:
    def __init__(self) -> None:
        self.cancelled: list[str] = []

    def cancel_trip(self, thread_id: str) -> str:
        self.cancelled.append(thread_id)
        return f"Trip for {thread_id} cancelled; refund of $420 noted."


state_manager = TripStateManager()


def get_thread_id(ctx: RunContextWrapper[AgentContext]) -> str:
    return ctx.context.thread.id


@function_tool(
    description_override="Cancel the traveller's upcoming trip and note the refund.",
)
async def cancel_trip(ctx: RunContextWrapper[AgentContext]) -> dict:
    """ChatKit tool with FluxLoop instrumentation."""
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


def test_chatkit_cancel_trip_is_a_function_tool_and_records_its_observation(store):
    assert cancel_trip.description == "Cancel the traveller's upcoming trip and note the refund."
    assert cancel_trip.params_json_schema["properties"] == {}
    thread = ThreadMetadata(id="thr_42", created_at=datetime.now(timezone.utc))
    agent_context = AgentContext(thread=thread, store=MemoryStore(), request_context={})
    with fluxloop.instrument("chatkit_run") as context:
        output = invoke(cancel_trip, "{}", context=agent_context)
    assert output == {"result": "Trip for thr_42 cancelled; refund of $420 noted."}
    [observation] = store.observations()
    assert observation["name"] == "tool.cancel_trip"
    assert observation["type"] == "tool"
    assert observation["input"] == {"args": {}}
    assert observation["output"] == output
    assert observation["trace_id"] == str(context.trace.id)


# --- LLM and streaming calls ---------------------------------------------------------------


class StreamingAgent:
    """Stands in for the LLM client of the example: `generate` returns an async stream."""

    def __init__(self) -> None:
        self.closed = False

    async def generate(self, prompt: str, context: Any = None):
        async def chunks():
            try:
                for word in f"echo: {prompt}".split():
                    await asyncio.sleep(0)
                    yield word
            finally:
                self.closed = True

        return chunks()


@fluxloop.prompt(name="prompt.agent", model="gpt-4")
async def _run_llm_prompt(agent, prompt, context):
    """Instrumented LLM call."""
    return await agent.generate(prompt, context=context)


async def handle_request_with_helper(request, my_agent, ctx):
    result = await _run_llm_prompt(my_agent, request, ctx)
    async for chunk in result:
        yield chunk


def test_prompt_helper_keeps_the_generation_open_until_the_stream_ends(store):
    my_agent = StreamingAgent()

    async def main() -> list[str]:
        with fluxloop.instrument("stream_run"):
            return [chunk async for chunk in handle_request_with_helper("hello there", my_agent, {"k": 1})]

    assert asyncio.run(main()) == ["echo:", "hello", "there"]
    [generation] = store.observations()
    assert generation["type"] == "generation"
    assert generation["name"] == "prompt.agent"
    assert generation["model"] == "gpt-4"
    assert generation["output"] == ["echo:", "hello", "there"]
    assert generation["input"]["prompt"] == "hello there"
    assert generation["input"]["context"] == {"k": 1}
    assert generation["input"]["agent"].startswith("<")  # not JSON: recorded by repr
    assert my_agent.closed


async def handle_request_with_instrument(request, agent):
    """Handle request with instrumented LLM call."""
    with fluxloop.instrument("prompt.agent"):
        result = await agent.generate(request)
        async for chunk in result:
            yield chunk


def test_instrument_around_a_stream_inside_a_run_is_a_child_span(store):
    @fluxloop.tool(name="tool.lookup")
    def lookup(word: str) -> int:
        return len(word)

    async def main() -> list[int]:
        with fluxloop.instrument("stream_run") as context:
            lengths = [lookup(chunk) async for chunk in handle_request_with_instrument("a bb", StreamingAgent())]
        return lengths, context

    lengths, context = asyncio.run(main())
    assert lengths == [5, 1, 2]
    observations = store.observations()
    spans = [o for o in observations if o["name"] == "prompt.agent"]
    tools = [o for o in observations if o["name"] == "tool.lookup"]
    [span] = spans
    assert span["type"] == "span" and "parent_observation_id" not in span
    assert len(tools) == 3
    assert {o["trace_id"] for o in observations} == {str(context.trace.id)}
    [trace] = store.traces()
    assert trace["name"] == "stream_run"


def test_instrument_around_a_stream_closed_from_another_task_raises_nothing(store, caplog):
    caplog.set_level("DEBUG", logger="fluxloop_runtime")

    async def main() -> None:
        with fluxloop.instrument("stream_run"):
            stream = handle_request_with_instrument("one two three", StreamingAgent())
            assert await stream.__anext__() == "echo:"

            async def close_elsewhere() -> None:
                await stream.aclose()

            await asyncio.create_task(close_elsewhere())

    asyncio.run(main())
    [span] = [o for o in store.observations() if o["name"] == "prompt.agent"]
    assert "error" not in span
    assert "left in another context" in caplog.text  # logged at debug, not raised
    assert not [record for record in caplog.records if record.levelname in ("WARNING", "ERROR")]
