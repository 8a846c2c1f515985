"""Name resolution: which decorators resolve to which qualified names."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from fluxloop_lint.context import FileContext
from fluxloop_lint.engine import _plan, _Walk
from fluxloop_lint.frameworks import registry_for
from fluxloop_lint.rules.base import Rule
from fluxloop_lint.types import LintSettings


class _RecordDecorators(Rule):
    CODE = "TEST"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        for info in self.context.decorators_of(node):
            self.context.seen[node.name.value].append(info)


def decorators(source: str) -> dict[str, list]:
    module = cst.parse_module(textwrap.dedent(source))
    context = FileContext(module, module.code, LintSettings(), registry_for(), frozenset())
    context.seen = __import__("collections").defaultdict(list)
    _Walk(context, [_RecordDecorators(context)], _plan((_RecordDecorators,))).node(module)
    return context.seen


def qualified(source: str, function: str = "f") -> list[str | None]:
    return [info.resolved.qualified_name if info.resolved else None for info in decorators(source)[function]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import agents\n@agents.function_tool\ndef f(): pass\n", ["agents.function_tool"]),
        ("import agents as a\n@a.function_tool()\ndef f(): pass\n", ["agents.function_tool"]),
        ("import langchain_core.tools\n@langchain_core.tools.tool\ndef f(): pass\n", ["langchain_core.tools.tool"]),
        ("import langchain_core.tools as t\n@t.tool\ndef f(): pass\n", ["langchain_core.tools.tool"]),
        ("from agents import function_tool as ft\n@ft\ndef f(): pass\n", ["agents.function_tool"]),
        ("from agents.tool import function_tool\n@function_tool\ndef f(): pass\n", ["agents.tool.function_tool"]),
        ("from .tools import function_tool\n@function_tool\ndef f(): pass\n", [None]),
        ("from agents import function_tool\nfunction_tool = 1\n@function_tool\ndef f(): pass\n", [None]),
        ("from agents import function_tool\ndef function_tool(x): return x\n@function_tool\ndef f(): pass\n", [None]),
        ("from agents import function_tool\nclass function_tool: pass\n@function_tool\ndef f(): pass\n", [None]),
        ("@staticmethod\ndef f(): pass\n", ["builtins.staticmethod"]),
        ("from agents import function_tool as tool\nmy_tool = tool\n@my_tool\ndef f(): pass\n", ["agents.function_tool"]),
    ],
)
def test_import_forms(source, expected):
    assert qualified(source) == expected


def test_imports_inside_functions_type_checking_and_try():
    source = """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from agents import function_tool
        try:
            from langchain_core.tools import tool
        except ImportError:
            tool = None

        @function_tool
        def f(): pass

        def build():
            from agents import input_guardrail as guard
            @guard
            def g(): pass

        @guard
        def h(): pass
    """
    seen = decorators(source)
    assert seen["f"][0].resolved.qualified_name == "agents.function_tool"
    assert seen["g"][0].resolved.qualified_name == "agents.input_guardrail"
    assert seen["h"][0].resolved.qualified_name is None  # the import was local to build()


def test_try_body_import_wins_over_the_except_fallback():
    source = """
        try:
            from langchain_core.tools import tool
        except ImportError:
            tool = None
        @tool
        def f(): pass
    """
    # When the import works (the case worth checking) the decorator is LangChain's.
    assert qualified(source) == ["langchain_core.tools.tool"]


def test_parameter_shadows_import():
    source = """
        from langchain_core.tools import tool
        def build(tool):
            @tool
            def f(): pass
    """
    assert qualified(source) == [None]


def test_class_scope_is_not_visible_in_methods():
    source = """
        from agents import function_tool
        class A:
            function_tool = staticmethod
            @function_tool
            def f(self): pass
            def g(self):
                @function_tool
                def inner(): pass
    """
    seen = decorators(source)
    assert seen["f"][0].resolved.qualified_name == "builtins.staticmethod"
    assert seen["inner"][0].resolved.qualified_name == "agents.function_tool"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n@mcp.tool()\ndef f(): pass\n",
         "mcp.server.fastmcp.FastMCP.tool"),
        ("import fastapi\napp = fastapi.FastAPI()\n@app.post('/x')\ndef f(): pass\n", "fastapi.FastAPI.post"),
        ("from fastapi import APIRouter\nrouter: APIRouter = APIRouter()\n@router.get('/x')\ndef f(): pass\n",
         "fastapi.APIRouter.get"),
        ("from pydantic_ai import Agent\nagent = Agent('m')\n@agent.tool\ndef f(ctx): pass\n", "pydantic_ai.Agent.tool"),
        ("import click\n@click.group()\ndef cli(): pass\n@cli.command()\ndef f(): pass\n", "click.Group.command"),
    ],
)
def test_instance_decorators_resolve_through_the_constructor(source, expected):
    info = decorators(source)["f"][0]
    assert info.resolved.qualified_name == expected
    assert info.framework is not None and info.framework.qualified_name == expected


def test_method_name_fallback_only_when_the_receiver_is_unresolvable():
    unresolvable = decorators("from myapp.server import mcp\n@mcp.tool()\ndef f(): pass\n")["f"][0]
    assert unresolvable.framework is not None and unresolvable.framework.kind.value in "TR"
    parameter = decorators("def build(app):\n    @app.get('/x')\n    def f(): pass\n")["f"][0]
    assert parameter.framework is not None
    resolved_other = decorators("import agents\nagent = agents.Agent(name='a')\n@agent.tool\ndef f(): pass\n")["f"][0]
    assert resolved_other.framework is None  # the OpenAI Agent has no .tool decorator
    # `get` is a FastAPI method's name, but `fastapi.get` is no decorator: a known package's
    # unregistered attribute is not classified by its name.
    module_attribute = decorators("import fastapi\n@fastapi.get('/x')\ndef f(): pass\n")["f"][0]
    assert module_attribute.framework is None


def test_property_setter_is_a_descriptor():
    source = """
        class A:
            @property
            def x(self): return 1
            @x.setter
            def f(self, value): pass
    """
    info = decorators(source)["f"][0]
    assert info.resolved.qualified_name == "builtins.property.setter"
    assert info.framework.kind.value == "D"


def test_fluxloop_names_through_every_import_form():
    source = """
        import fluxloop
        import fluxloop as fl
        from fluxloop import tool as fl_tool
        import fluxloop_runtime
        @fluxloop.tool()
        @fl.agent()
        @fl_tool
        @fluxloop_runtime.trace()
        def f(): pass
    """
    seen = decorators(source)["f"]
    assert [info.fluxloop for info in seen] == [True, True, True, True]
    assert [info.sdk for info in seen] == [True, True, True, False]
