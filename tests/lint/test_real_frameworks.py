"""With the real OpenAI Agents SDK and LangChain: the wrong order breaks the framework, the fix
restores the framework's object."""

from __future__ import annotations

import importlib.util
import textwrap

import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import LintSettings

AGENTS_MODULE = textwrap.dedent(
    '''
    import fluxloop_runtime
    from agents import function_tool


    @fluxloop_runtime.tool(name="tool.lookup")
    @function_tool
    def lookup(query: str) -> str:
        """Look something up."""
        return query.upper()
    '''
).lstrip()

LANGCHAIN_MODULE = textwrap.dedent(
    '''
    from fluxloop_runtime import tool as fl_tool
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


def _fix(tmp_path, source, name):
    result = lint_source(source.encode(), f"{name}.py", LintSettings(), fix=True)
    assert [finding.code for finding in lint_source(source, f"{name}.py", LintSettings()).findings] == ["FLX101"]
    assert result.fixed == 1 and result.findings == () and isinstance(result.fixed_source, bytes)
    wrong, fixed = tmp_path / f"{name}_wrong.py", tmp_path / f"{name}_fixed.py"
    wrong.write_text(source)
    fixed.write_bytes(result.fixed_source)
    return wrong, fixed, result.fixed_source.decode()


def _runtime_with_tool():
    runtime = pytest.importorskip("fluxloop_runtime")
    if not hasattr(runtime, "tool"):
        pytest.skip(
            "fluxloop_runtime has no `tool` decorator on this branch yet (it is built on another "
            "branch); the import-and-run steps run once it is merged"
        )
    return runtime


def test_agents_sdk_rejects_a_plain_function_the_way_the_wrong_order_produces():
    """The framework behaviour the rule is about, independent of the FluxLoop decorator."""
    from agents.exceptions import UserError
    from agents.models.openai_responses import Converter

    def lookup(query: str) -> str:
        return query

    with pytest.raises(UserError, match="Unknown tool type"):
        Converter.convert_tools([lookup], [])


def test_agents_sdk_wrong_order_fails_and_the_fix_restores_the_tool(tmp_path):
    wrong, fixed, fixed_source = _fix(tmp_path, AGENTS_MODULE, "agents_tools")
    assert "@function_tool\n@fluxloop_runtime.tool(name=\"tool.lookup\")\ndef lookup" in fixed_source

    runtime = _runtime_with_tool()
    from agents import FunctionTool
    from agents.exceptions import UserError
    from agents.models.openai_responses import Converter

    try:
        broken = _import(wrong, "agents_tools_wrong")
    except TypeError as error:  # fluxloop_runtime refuses the FunctionTool when decorating
        assert "not callable" in str(error)
    else:
        assert not isinstance(broken.lookup, FunctionTool)
        with pytest.raises(UserError, match="Unknown tool type"):
            Converter.convert_tools([broken.lookup], [])

    repaired = _import(fixed, "agents_tools_fixed")
    assert isinstance(repaired.lookup, FunctionTool)
    converted = Converter.convert_tools([repaired.lookup], [])
    assert converted.tools[0]["name"] == "lookup"
    assert runtime is not None


def test_langchain_wrong_order_is_not_a_tool_and_the_fix_restores_it(tmp_path):
    wrong, fixed, fixed_source = _fix(tmp_path, LANGCHAIN_MODULE, "langchain_tools")
    assert "        @tool\n        @fl_tool()\n        def lookup" in fixed_source

    _runtime_with_tool()
    from langchain_core.tools import BaseTool, StructuredTool

    try:
        broken = _import(wrong, "langchain_tools_wrong").Tools.build()
    except TypeError as error:  # fluxloop_runtime refuses the StructuredTool when decorating
        assert "not callable" in str(error)
    else:
        assert not isinstance(broken, BaseTool)
        with pytest.raises(AttributeError):
            broken.invoke({"query": "x"})

    repaired = _import(fixed, "langchain_tools_fixed").Tools.build()
    assert isinstance(repaired, StructuredTool)
    assert repaired.invoke({"query": "x"}) == "X"
