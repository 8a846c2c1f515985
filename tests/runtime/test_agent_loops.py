"""The runtime under real agent loops: the OpenAI Agents SDK's `Runner` with a scripted
`Model` (no network), and LangGraph's ReAct agent with a fake chat model. Pattern A and
Pattern B tools, concurrent and streamed runs; every tree checked on the JSONL."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from agents import Agent, Model, ModelResponse, RunContextWrapper, Runner, Usage, function_tool, set_tracing_disabled
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool as langchain_tool
from langgraph.prebuilt import create_react_agent  # the ReAct agent (langchain.agents has its successor)
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationData, ObservationType

set_tracing_disabled(True)  # the Agents SDK's own tracing would try to reach OpenAI


@dataclass
class AppContext:
    """The application's context, which tools get through RunContextWrapper: large."""

    customer: str
    history: list[str] = field(default_factory=lambda: ["x" * 1000] * 30)


# -- tools: Pattern B (framework decorator outermost) and Pattern A (instrumented body) --


@function_tool
@fluxloop.tool(name="tool.lookup_order")
async def lookup_order(ctx: RunContextWrapper[AppContext], order_id: str) -> dict:
    """Look an order up.

    Args:
        order_id: The order's id.
    """
    if order_id == "missing":
        raise LookupError(f"no order {order_id}")
    return {"order_id": order_id, "customer": ctx.context.customer, "status": "shipped"}


@function_tool
def refund(order_id: str) -> str:
    """Refund an order.

    Args:
        order_id: The order's id.
    """
    fl_ctx = fluxloop.get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(type=ObservationType.TOOL, name="tool.refund", input={"order_id": order_id})
        fl_ctx.push_observation(obs)
    try:
        result = f"refunded {order_id}"
        if obs:
            obs.output = result
        return result
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation(obs)


# -- a scripted model: tool calls first, then an answer built from their outputs --------


def _tool_calls(text: str) -> list[ResponseFunctionToolCall]:
    order_id = text.split()[-1]
    return [
        ResponseFunctionToolCall(
            type="function_call", name="lookup_order", arguments=json.dumps({"order_id": order_id}), call_id="c1", id="f1"
        ),
        ResponseFunctionToolCall(
            type="function_call", name="refund", arguments=json.dumps({"order_id": order_id}), call_id="c2", id="f2"
        ),
    ]


def _answer(outputs: list[str]) -> ResponseOutputMessage:
    text = " | ".join(outputs)
    return ResponseOutputMessage(
        id="m1",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[])],
    )


class ScriptedModel(Model):
    """Stateless: the reply depends on the input only, so concurrent runs can share it."""

    def _output(self, items: str | list[Any]) -> list[Any]:
        if isinstance(items, str):
            return _tool_calls(items)
        outputs = [str(item["output"]) for item in items if isinstance(item, dict) and item.get("type") == "function_call_output"]
        if outputs:
            return [_answer(outputs)]
        user = next(item["content"] for item in items if isinstance(item, dict) and item.get("role") == "user")
        return _tool_calls(user)

    async def get_response(self, system_instructions, input, model_settings, tools, output_schema, handoffs, tracing, **_):
        return ModelResponse(output=self._output(input), usage=Usage(), response_id=None)

    async def stream_response(self, system_instructions, input, model_settings, tools, output_schema, handoffs, tracing, **_):
        response = Response(
            id="r1",
            created_at=0,
            model="scripted",
            object="response",
            output=self._output(input),
            parallel_tool_calls=False,
            tool_choice="auto",
            tools=[],
        )
        yield ResponseCompletedEvent(type="response.completed", response=response, sequence_number=0)


support_agent = Agent(name="support", instructions="Help.", tools=[lookup_order, refund], model=ScriptedModel())


@fluxloop.agent(name="support_run")
async def run_support(question: str, app: AppContext) -> str:
    result = await Runner.run(support_agent, question, context=app)
    return result.final_output


@fluxloop.agent(name="support_stream")
async def stream_support(question: str, app: AppContext) -> str:
    result = Runner.run_streamed(support_agent, question, context=app)
    async for _event in result.stream_events():
        pass
    return result.final_output


def trees(store) -> dict[str, dict[str, dict]]:
    """Observations by trace id, then by name."""
    found: dict[str, dict[str, dict]] = {}
    for line in store.observations():
        names = found.setdefault(line["trace_id"], {})
        assert line["name"] not in names
        names[line["name"]] = line
    return found


def check_support_tree(tree: dict[str, dict], agent: str, order_id: str, customer: str) -> None:
    assert set(tree) == {agent, "tool.lookup_order", "tool.refund"}
    root = tree[agent]
    assert root["type"] == "agent" and "parent_observation_id" not in root
    # `app` is an argument of ours, not a framework's: recorded, and 30 kB, so cut at max_value_chars
    assert root["input"].startswith(f'{{"question": "Where is order {order_id}", "app": {{"customer": "{customer}"')
    assert re.search(r"\.\.\.\[truncated: 30\d\d\d chars\]$", root["input"]) and len(root["input"]) < 8192 + 40
    for name in ("tool.lookup_order", "tool.refund"):
        assert tree[name]["type"] == "tool"
        assert tree[name]["parent_observation_id"] == root["id"]
    assert tree["tool.lookup_order"]["input"] == {"order_id": order_id}  # no RunContextWrapper
    assert tree["tool.refund"]["input"] == {"order_id": order_id}
    assert tree["tool.refund"]["output"] == f"refunded {order_id}"


def test_agents_runner_records_pattern_a_and_b_tools_under_the_agent(store):
    answer = asyncio.run(run_support("Where is order A1", AppContext("ada")))
    assert "refunded A1" in answer and "shipped" in answer
    [trace] = store.traces()
    [(trace_id, tree)] = trees(store).items()
    assert trace_id == trace["id"] and trace["name"] == "support_run"
    check_support_tree(tree, "support_run", "A1", "ada")
    assert tree["tool.lookup_order"]["output"] == {"order_id": "A1", "customer": "ada", "status": "shipped"}
    assert tree["support_run"]["output"] == answer
    assert max(len(line) for line in (store.directory / "observations.jsonl").read_text().splitlines()) < 8192 + 1000


def test_a_failing_pattern_b_tool_records_its_error_and_the_run_goes_on(store):
    answer = asyncio.run(run_support("Where is order missing", AppContext("bo")))
    assert "refunded missing" in answer  # the SDK turns the tool's error into a message
    [tree] = trees(store).values()
    failed = tree["tool.lookup_order"]
    assert failed["error"] == "no order missing" and failed["metadata"]["error_type"] == "LookupError"
    assert "output" not in failed


def test_concurrent_runs_are_separate_trees(store):
    async def main():
        return await asyncio.gather(*(run_support(f"Where is order B{i}", AppContext(f"c{i}")) for i in range(4)))

    answers = asyncio.run(main())
    assert [f"refunded B{i}" in answer for i, answer in enumerate(answers)] == [True] * 4
    found = trees(store)
    assert len(found) == len(store.traces()) == 4
    for tree in found.values():
        order_id = tree["tool.refund"]["input"]["order_id"]
        check_support_tree(tree, "support_run", order_id, f"c{order_id[1:]}")


def test_a_streamed_run_records_the_same_tree(store):
    answer = asyncio.run(stream_support("Where is order S1", AppContext("di")))
    assert "refunded S1" in answer
    [tree] = trees(store).values()
    check_support_tree(tree, "support_stream", "S1", "di")


# -- LangGraph's ReAct agent -------------------------------------------------------------


@langchain_tool
@fluxloop.tool(name="tool.weather")
def weather(city: str, config: RunnableConfig) -> str:
    """The weather in a city.

    Args:
        city: The city.
    """
    return f"sunny in {city} ({config['configurable']['units']})"


class ScriptedChat(GenericFakeChatModel):
    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChat:
        return self


@fluxloop.agent(name="weather_agent")
def ask_weather(city: str) -> str:
    model = ScriptedChat(
        messages=iter(
            [
                AIMessage(content="", tool_calls=[{"name": "weather", "args": {"city": city}, "id": "t1"}]),
                AIMessage(content="It is sunny."),
            ]
        )
    )
    graph = create_react_agent(model, [weather])
    state = graph.invoke({"messages": [("user", f"Weather in {city}?")]}, config={"configurable": {"units": "metric"}})
    return state["messages"][-1].content


def test_langgraph_react_agent_records_its_tool_under_the_agent_without_the_config(store):
    assert ask_weather("Seoul") == "It is sunny."
    [tree] = trees(store).values()
    assert set(tree) == {"weather_agent", "tool.weather"}
    tool = tree["tool.weather"]
    assert tool["type"] == "tool" and tool["parent_observation_id"] == tree["weather_agent"]["id"]
    assert tool["input"] == {"city": "Seoul"}  # config: RunnableConfig left out
    assert tool["output"] == "sunny in Seoul (metric)"
    assert tree["weather_agent"]["output"] == "It is sunny."


@pytest.mark.parametrize("annotation", ["RunContextWrapper[AppContext]", "'agents.RunContextWrapper'", "Context"])
def test_annotations_as_text_are_recognised_too(store, annotation):
    namespace: dict[str, Any] = {}  # this module's `from __future__ import annotations` applies
    exec(f"def tool(ctx: {annotation}, query: str, run_manager=None, callbacks=None): return query", namespace)
    recorded = fluxloop.tool(namespace["tool"])
    with fluxloop.instrument("run"):
        assert recorded(object(), "q", run_manager=object(), callbacks=[]) == "q"
    [line] = store.observations()
    assert line["input"] == {"query": "q"}
