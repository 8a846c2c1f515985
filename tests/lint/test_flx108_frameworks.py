"""FLX108 with the real frameworks: the FluxLoop call on a framework object breaks the module
or never traces, and both fix strategies give back the framework's object with the function
traced."""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import textwrap

import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import FixStrategy, LintSettings

from tests.lint.test_real_frameworks import _invoke

STRATEGIES = (FixStrategy.REORDER, FixStrategy.MANUAL)
_modules = itertools.count()

AGENTS = '''
import {fluxloop}
from agents import Agent, function_tool


def search(query: str) -> str:
    """Search for a query."""
    return query.upper()


agent = Agent(name="support", tools=[{fluxloop}.tool(name="tool.search")(function_tool(search))])
'''

LANGCHAIN = '''
import {fluxloop}
from langchain_core.tools import StructuredTool


def summarize(text: str) -> str:
    """Summarize a text."""
    return text[:3]


summary_tool = {fluxloop}.trace(name="summary")(StructuredTool.from_function(summarize))
'''

MCP = '''
import {fluxloop}
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("demo")


def search(query: str) -> str:
    """Search for a query."""
    return query.upper()


{fluxloop}.tool(name="tool.search")(mcp.tool()(search))
'''


def _load(tmp_path, source, label):
    path = tmp_path / f"flx108_{label}_{next(_modules)}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fixed(template, fluxloop_module, strategy):
    source = textwrap.dedent(template).lstrip().format(fluxloop=fluxloop_module)
    settings = LintSettings(fix_strategy=strategy)
    assert [finding.code for finding in lint_source(source, "tools.py", settings).findings] == ["FLX108"]
    result = lint_source(source, "tools.py", settings, fix=True)
    assert result.fixed == 1 and result.findings == () and result.errors == ()
    if strategy is FixStrategy.MANUAL:
        assert "push_observation" in result.fixed_source
    return source, result.fixed_source


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_agents_sdk_with_the_runtime_fails_at_import_and_the_fix_records_the_tool_call(tmp_path, offline_store, strategy):
    import fluxloop_runtime
    from agents import FunctionTool
    from agents.models.openai_responses import Converter

    wrong, fixed = _fixed(AGENTS, "fluxloop_runtime", strategy)
    with pytest.raises(TypeError, match="framework decorator sits below it"):
        _load(tmp_path, wrong, "agents_wrong")
    [search_tool] = _load(tmp_path, fixed, "agents_fixed").agent.tools
    assert isinstance(search_tool, FunctionTool)
    assert Converter.convert_tools([search_tool], []).tools[0]["name"] == "search"
    with fluxloop_runtime.instrument("agent_run"):
        assert _invoke(search_tool, {"query": "paris"}) == "PARIS"
    [observation] = offline_store.observations()
    assert (observation["type"], observation["name"], observation["output"]) == ("tool", "tool.search", "PARIS")
    assert observation["input"] in ({"query": "paris"}, {"args": {"query": "paris"}})


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_agents_sdk_with_the_public_sdk_gets_a_plain_function_and_the_fix_restores_the_tool(tmp_path, strategy):
    from agents import FunctionTool
    from agents.exceptions import UserError
    from agents.models.openai_responses import Converter

    wrong, fixed = _fixed(AGENTS, "fluxloop", strategy)
    [broken] = _load(tmp_path, wrong, "agents_sdk_wrong").agent.tools
    with pytest.raises(UserError, match="Unknown tool type"):
        Converter.convert_tools([broken], [])
    [search_tool] = _load(tmp_path, fixed, "agents_sdk_fixed").agent.tools
    assert isinstance(search_tool, FunctionTool)
    assert Converter.convert_tools([search_tool], []).tools[0]["name"] == "search"
    assert _invoke(search_tool, {"query": "paris"}) == "PARIS"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_langchain_with_the_runtime_fails_at_import_and_the_fix_records_sync_and_async_calls(tmp_path, offline_store, strategy):
    import fluxloop_runtime
    from langchain_core.tools import StructuredTool

    wrong, fixed = _fixed(LANGCHAIN, "fluxloop_runtime", strategy)
    with pytest.raises(TypeError, match="framework decorator sits below it"):
        _load(tmp_path, wrong, "langchain_wrong")
    summary_tool = _load(tmp_path, fixed, "langchain_fixed").summary_tool
    assert isinstance(summary_tool, StructuredTool) and summary_tool.name == "summarize"
    with fluxloop_runtime.instrument("agent_run"):
        assert summary_tool.invoke({"text": "abcdef"}) == "abc"
        assert asyncio.run(summary_tool.ainvoke({"text": "uvwxyz"})) == "uvw"
    observations = offline_store.observations()
    assert [(o["type"], o["name"], o["output"]) for o in observations] == [("span", "summary", "abc"), ("span", "summary", "uvw")]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_mcp_registered_the_untraced_function_and_the_fix_registers_the_traced_one(tmp_path, offline_store, strategy):
    import fluxloop_runtime

    wrong, fixed = _fixed(MCP, "fluxloop_runtime", strategy)

    def call_search(module):
        with fluxloop_runtime.instrument("mcp_run"):
            asyncio.run(module.mcp.call_tool("search", {"query": "paris"}))

    call_search(_load(tmp_path, wrong, "mcp_wrong"))
    assert offline_store.observations() == []  # the registered function was never the traced one
    call_search(_load(tmp_path, fixed, "mcp_fixed"))
    [observation] = offline_store.observations()
    assert (observation["type"], observation["name"], observation["output"]) == ("tool", "tool.search", "PARIS")
