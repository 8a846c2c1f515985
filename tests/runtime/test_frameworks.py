"""FluxLoop decorators under real framework decorators (OpenAI Agents SDK, LangChain): the
correct order keeps the framework's view of the function and records; the wrong order
breaks the framework, which is why the linter exists."""

import asyncio
import json

import pytest
from agents import FunctionTool, function_tool
from agents.exceptions import UserError
from agents.models.chatcmpl_converter import Converter as ChatCompletionsConverter
from agents.models.openai_responses import Converter as ResponsesConverter
from agents.tool_context import ToolContext
from langchain_core.tools import BaseTool
from langchain_core.tools import tool as langchain_tool

import fluxloop_runtime as fluxloop


def search_flights(origin: str, destination: str, passengers: int = 1) -> list[str]:
    """Find flights between two airports.

    Args:
        origin: IATA code of the departure airport.
        destination: IATA code of the arrival airport.
        passengers: How many seats are needed.
    """
    return [f"{origin}-{destination} x{passengers}"]


async def search_hotels(city: str, nights: int = 2) -> dict:
    """Find hotels in a city.

    Args:
        city: The city.
        nights: How many nights.
    """
    await asyncio.sleep(0)
    return {"city": city, "nights": nights}


@pytest.mark.parametrize("plain", [search_flights, search_hotels])
def test_agents_function_tool_sees_the_undecorated_function(plain):
    reference = function_tool(plain)
    stacked = function_tool(fluxloop.tool(name=f"tool.{plain.__name__}")(plain))
    assert isinstance(stacked, FunctionTool)
    assert stacked.name == reference.name == plain.__name__
    assert stacked.description == reference.description
    assert stacked.params_json_schema == reference.params_json_schema
    assert ResponsesConverter.convert_tools([stacked], []).tools == ResponsesConverter.convert_tools([reference], []).tools


@pytest.mark.parametrize("plain", [search_flights, search_hotels])
def test_agents_function_tool_invocation_records_a_tool_observation(store, plain):
    stacked = function_tool(fluxloop.tool(name=f"tool.{plain.__name__}")(plain))
    arguments = {"origin": "ICN", "destination": "SFO"} if plain is search_flights else {"city": "Seoul"}
    context = ToolContext(context=None, tool_name=stacked.name, tool_call_id="call_7", tool_arguments=json.dumps(arguments))

    async def run():
        with fluxloop.instrument("agents_run") as flux_context:
            output = await stacked.on_invoke_tool(context, json.dumps(arguments))
        return output, flux_context

    output, flux_context = asyncio.run(run())
    expected = plain(**arguments) if plain is search_flights else asyncio.run(plain(**arguments))
    assert output == expected
    [observation] = store.observations()
    assert observation["type"] == "tool"
    assert observation["name"] == f"tool.{plain.__name__}"
    assert observation["trace_id"] == str(flux_context.trace.id)
    defaults = {"passengers": 1} if plain is search_flights else {"nights": 2}
    assert observation["input"] == {**arguments, **defaults}
    assert observation["output"] == expected


def test_wrong_order_with_the_public_sdk_fails_in_the_agents_request_converter():
    import fluxloop as public_sdk  # the public SDK wraps whatever it is given

    wrong = public_sdk.tool(name="tool.search_flights")(function_tool(search_flights))
    assert not isinstance(wrong, FunctionTool)  # the tool object became a plain function
    with pytest.raises(UserError, match="Unknown tool type: <class 'function'>"):
        ResponsesConverter.convert_tools([wrong], [])
    with pytest.raises(UserError, match="tool type"):
        ChatCompletionsConverter.tool_to_openai(wrong)


def test_wrong_order_with_fluxloop_runtime_fails_at_decoration_with_the_fix():
    with pytest.raises(TypeError, match="FunctionTool object, which is not callable.*outermost"):
        fluxloop.tool(name="tool.search_flights")(function_tool(search_flights))


@pytest.mark.parametrize("flux_decorator", [fluxloop.tool, fluxloop.tool(name="tool.search_flights"), fluxloop.trace])
def test_langchain_tool_over_a_fluxloop_decorator_sync(store, flux_decorator):
    reference = langchain_tool(search_flights)
    stacked = langchain_tool(flux_decorator(search_flights))
    assert isinstance(stacked, BaseTool)
    assert stacked.name == reference.name
    assert stacked.description == reference.description
    assert stacked.args == reference.args
    with fluxloop.instrument("langchain_run"):
        assert stacked.invoke({"origin": "ICN", "destination": "NRT"}) == ["ICN-NRT x1"]
    [observation] = store.observations()
    assert observation["input"] == {"origin": "ICN", "destination": "NRT", "passengers": 1}
    assert observation["output"] == ["ICN-NRT x1"]


def test_langchain_tool_over_a_fluxloop_decorator_async(store):
    stacked = langchain_tool(fluxloop.tool(name="tool.search_hotels")(search_hotels))
    assert stacked.args == langchain_tool(search_hotels).args

    async def run():
        with fluxloop.instrument("langchain_run"):
            return await stacked.ainvoke({"city": "Busan", "nights": 3})

    assert asyncio.run(run()) == {"city": "Busan", "nights": 3}
    [observation] = store.observations()
    assert observation["name"] == "tool.search_hotels"
    assert observation["output"] == {"city": "Busan", "nights": 3}


def test_langchain_wrong_order_is_refused_at_decoration():
    with pytest.raises(TypeError, match="StructuredTool object, which is not callable"):
        fluxloop.tool(langchain_tool(search_flights))
