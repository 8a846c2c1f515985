"""With the real OpenAI Agents SDK and LangChain: the wrong order breaks the framework, the fix
restores the framework's object."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import textwrap

import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import LintSettings

AGENTS_MODULE = textwrap.dedent(
    '''
    import {fluxloop}
    from agents import function_tool


    @{fluxloop}.tool(name="tool.lookup")
    @function_tool
    def lookup(query: str) -> str:
        """Look something up."""
        return query.upper()
    '''
).lstrip()

LANGCHAIN_MODULE = textwrap.dedent(
    '''
    from {fluxloop} import tool as fl_tool
    from langchain_core.tools import tool


    class Tools:
        @staticmethod
        def build():
            @fl_tool()
            @tool
            def lookup(query: str) -> str:
                """Look something up."""
                return query.upper()

            return lookup
    '''
).lstrip()


def _import(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fix(tmp_path, template, name, fluxloop_module):
    source = template.format(fluxloop=fluxloop_module)
    assert [finding.code for finding in lint_source(source, f"{name}.py", LintSettings()).findings] == ["FLX101"]
    result = lint_source(source.encode(), f"{name}.py", LintSettings(), fix=True)
    assert result.fixed == 1 and result.findings == () and isinstance(result.fixed_source, bytes)
    wrong, fixed = tmp_path / f"{name}_wrong.py", tmp_path / f"{name}_fixed.py"
    wrong.write_text(source)
    fixed.write_bytes(result.fixed_source)
    return wrong, fixed, result.fixed_source.decode()


def _invoke(function_tool_object, arguments):
    from agents.tool_context import ToolContext

    context = ToolContext(
        context=None,
        tool_name=function_tool_object.name,
        tool_call_id="call_1",
        tool_arguments=json.dumps(arguments),
    )
    return asyncio.run(function_tool_object.on_invoke_tool(context, json.dumps(arguments)))


def test_agents_sdk_rejects_a_plain_function_the_way_the_wrong_order_produces():
    """The framework behaviour the rule is about, independent of the FluxLoop decorator."""
    from agents.exceptions import UserError
    from agents.models.openai_responses import Converter

    def lookup(query: str) -> str:
        return query

    with pytest.raises(UserError, match="Unknown tool type"):
        Converter.convert_tools([lookup], [])


def test_agents_sdk_wrong_order_with_the_public_sdk_fails_in_the_request_converter_and_the_fix_restores_the_tool(tmp_path):
    wrong, fixed, fixed_source = _fix(tmp_path, AGENTS_MODULE, "agents_sdk_tools", "fluxloop")
    assert '@function_tool\n@fluxloop.tool(name="tool.lookup")\ndef lookup' in fixed_source
    from agents import FunctionTool
    from agents.exceptions import UserError
    from agents.models.openai_responses import Converter

    broken = _import(wrong, "agents_sdk_tools_wrong")
    assert not isinstance(broken.lookup, FunctionTool)
    with pytest.raises(UserError, match="Unknown tool type"):
        Converter.convert_tools([broken.lookup], [])

    repaired = _import(fixed, "agents_sdk_tools_fixed")
    assert isinstance(repaired.lookup, FunctionTool)
    assert Converter.convert_tools([repaired.lookup], []).tools[0]["name"] == "lookup"


def test_agents_sdk_wrong_order_with_the_runtime_fails_at_import_and_the_fix_records_the_call(tmp_path, offline_store):
    import fluxloop_runtime
    from agents import FunctionTool
    from agents.models.openai_responses import Converter

    wrong, fixed, fixed_source = _fix(tmp_path, AGENTS_MODULE, "agents_runtime_tools", "fluxloop_runtime")
    assert '@function_tool\n@fluxloop_runtime.tool(name="tool.lookup")\ndef lookup' in fixed_source
    with pytest.raises(TypeError, match="framework decorator sits below it"):
        _import(wrong, "agents_runtime_tools_wrong")

    repaired = _import(fixed, "agents_runtime_tools_fixed")
    assert isinstance(repaired.lookup, FunctionTool)
    assert Converter.convert_tools([repaired.lookup], []).tools[0]["name"] == "lookup"
    with fluxloop_runtime.instrument("agent_run") as flux_context:
        assert _invoke(repaired.lookup, {"query": "paris"}) == "PARIS"
    [observation] = offline_store.observations()
    assert observation["type"] == "tool"
    assert observation["name"] == "tool.lookup"
    assert observation["input"] == {"query": "paris"}
    assert observation["output"] == "PARIS"
    assert observation["trace_id"] == str(flux_context.trace.id)


def test_langchain_wrong_order_with_the_public_sdk_fails_to_decorate_and_the_fix_restores_it(tmp_path):
    wrong, fixed, fixed_source = _fix(tmp_path, LANGCHAIN_MODULE, "langchain_sdk_tools", "fluxloop")
    assert "        @tool\n        @fl_tool()\n        def lookup" in fixed_source
    from langchain_core.tools import StructuredTool

    with pytest.raises(AttributeError, match="'StructuredTool' object has no attribute '__name__'"):
        _import(wrong, "langchain_sdk_tools_wrong").Tools.build()

    repaired = _import(fixed, "langchain_sdk_tools_fixed").Tools.build()
    assert isinstance(repaired, StructuredTool)
    assert repaired.invoke({"query": "x"}) == "X"


def test_langchain_wrong_order_with_the_runtime_fails_and_the_fix_records_sync_and_async_calls(tmp_path, offline_store):
    import fluxloop_runtime
    from langchain_core.tools import StructuredTool

    wrong, fixed, _ = _fix(tmp_path, LANGCHAIN_MODULE, "langchain_runtime_tools", "fluxloop_runtime")
    with pytest.raises(TypeError, match="framework decorator sits below it"):
        _import(wrong, "langchain_runtime_tools_wrong").Tools.build()

    repaired = _import(fixed, "langchain_runtime_tools_fixed").Tools.build()
    assert isinstance(repaired, StructuredTool)
    with fluxloop_runtime.instrument("agent_run"):
        assert repaired.invoke({"query": "x"}) == "X"
        assert asyncio.run(repaired.ainvoke({"query": "y"})) == "Y"
    observations = offline_store.observations()
    assert [(o["type"], o["name"], o["output"]) for o in observations] == [("tool", "lookup", "X"), ("tool", "lookup", "Y")]
