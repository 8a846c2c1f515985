"""Name resolution: which decorators resolve to which qualified names."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from fluxloop_lint.context import FileContext
from fluxloop_lint.walk import Walk as _Walk, plan as _plan
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


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A factory called with options only gives the decorator back.
        ("from agents import function_tool\nstrict = function_tool(strict_mode=True)\n@strict\ndef f(): pass\n",
         "agents.function_tool"),
        ("from langchain_core.tools import tool\nnamed = tool('lookup')\n@named\ndef f(): pass\n",
         "langchain_core.tools.tool"),
        ("import functools\nfrom agents import function_tool\np = functools.partial(function_tool, strict_mode=True)\n@p\ndef f(): pass\n",
         "agents.function_tool"),
        ("from functools import partial\nfrom agents import function_tool\np = partial(function_tool)\n@p()\ndef f(): pass\n",
         "agents.function_tool"),
        ("from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\nregister = mcp.tool()\n@register\ndef f(): pass\n",
         "mcp.server.fastmcp.FastMCP.tool"),
        # House decorators in the same file, known by what they return.
        ("from agents import function_tool\ndef house(fn):\n    return function_tool(fn)\n@house\ndef f(): pass\n",
         "agents.function_tool"),
        ("from agents import function_tool\ndef house(fn):\n    made = function_tool(fn)\n    return made\n@house\ndef f(): pass\n",
         "agents.function_tool"),
        ("from agents import function_tool\ndef house(**options):\n    def decorate(fn):\n        return function_tool(**options)(fn)\n"
         "    return decorate\n@house(strict_mode=True)\ndef f(): pass\n", "agents.function_tool"),
        ("from agents import function_tool\ndef house(**options):\n    return function_tool(**options)\n@house()\ndef f(): pass\n",
         "agents.function_tool"),
    ],
)
def test_factories_and_house_decorators_are_the_framework_decorator(source, expected):
    [info] = decorators(source)["f"]
    assert info.framework is not None and info.framework.qualified_name == expected


@pytest.mark.parametrize(
    "source",
    [
        # What cannot be proved stays unknown: never a guessed kind.
        "from agents import function_tool\ntool_object = function_tool(lambda: 1)\n@tool_object\ndef f(): pass\n",
        "def house(fn):\n    fn.marked = True\n    return fn\n@house\ndef f(): pass\n",
        "from agents import function_tool\ndef house(fn):\n    if fn:\n        return function_tool(fn)\n    return fn\n@house\ndef f(): pass\n",
        "from agents import function_tool\ndef house():\n    return function_tool(print)\n@house\ndef f(): pass\n",
        "import functools\ndef house(fn):\n    @functools.wraps(fn)\n    def wrapper(*a):\n        return fn(*a)\n    return wrapper\n@house\ndef f(): pass\n",
    ],
)
def test_what_cannot_be_proved_stays_unknown(source):
    [info] = decorators(source)["f"]
    assert info.framework is None


def test_star_imports_bind_a_framework_modules_registered_names():
    source = "from agents import *\nfrom fluxloop import *\n@tool()\n@function_tool\ndef f(): pass\n"
    fluxloop_info, framework_info = decorators(source)["f"]
    assert fluxloop_info.fluxloop
    assert framework_info.framework is not None and framework_info.framework.qualified_name == "agents.function_tool"


def test_a_file_alone_reads_no_other_module(tmp_path):
    from fluxloop_lint.engine import lint_source

    (tmp_path / "helpers.py").write_text("from agents import function_tool as tool\n")
    settings = LintSettings(project_root=str(tmp_path), source_roots=(str(tmp_path),))
    local = "import fluxloop\nfrom agents import function_tool\n@fluxloop.tool()\n@function_tool\ndef f(): pass\n"
    assert lint_source(local, str(tmp_path / "a.py"), settings).dependencies == ()
    # Decorators no FluxLoop decorator sits above never send the linter to other modules.
    above = "import fluxloop\nfrom helpers import tool\n@tool\n@fluxloop.tool()\ndef f(): pass\n"
    assert lint_source(above, str(tmp_path / "b.py"), settings).dependencies == ()
    below = "import fluxloop\nfrom helpers import tool\n@fluxloop.tool()\n@tool\ndef f(): pass\n"
    result = lint_source(below, str(tmp_path / "c.py"), settings)
    assert [finding.code for finding in result.findings] == ["FLX101"]
    assert [Path(path).name for path, _ in result.dependencies] == ["helpers.py"]


def test_a_factory_of_a_framework_object_stands_for_its_class():
    source = (
        "from fastapi import FastAPI\ndef create_app():\n    app = FastAPI()\n    return app\n"
        "api = create_app()\n@api.get('/x')\ndef f(): pass\n"
    )
    [info] = decorators(source)["f"]
    assert info.framework is not None and info.framework.qualified_name == "fastapi.FastAPI.get"
    assert info.resolved.qualified_name == "fastapi.FastAPI.get"  # exact, not the method-name fallback


def test_the_method_name_fallback_stays_when_the_project_proves_nothing(tmp_path):
    from fluxloop_lint.engine import lint_source

    (tmp_path / "registry.py").write_text("class Registry:\n    pass\n\nmcp = Registry()\n")
    settings = LintSettings(project_root=str(tmp_path), source_roots=(str(tmp_path),))
    source = "import fluxloop\nfrom registry import mcp\n@fluxloop.tool()\n@mcp.tool()\ndef f(): pass\n"
    [finding] = lint_source(source, str(tmp_path / "a.py"), settings).findings
    assert "by its method name" in finding.message


def test_a_framework_object_reached_through_an_attribute_is_not_a_method_name_guess():
    from fluxloop_lint.rules.decorator_order import describe

    source = "import fluxloop\nfrom fastapi import FastAPI\napp = FastAPI()\n@fluxloop.trace()\n@app.webhooks.post('/x')\ndef f(): pass\n"
    info = decorators(source)["f"][1]
    assert info.framework.qualified_name == "fastapi.APIRouter.post" and not info.by_method_name
    assert describe(info) == "@app.webhooks.post (fastapi.APIRouter.post, registering)"
    guessed = decorators("def build(bus):\n    @bus.on('x')\n    def f(): pass\n")["f"][0]
    assert guessed.by_method_name and "by its method name" in describe(guessed)
