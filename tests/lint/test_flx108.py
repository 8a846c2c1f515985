"""FLX108 beyond its examples: where the calls can be, the constructors, the name forms, what
is not reported, and the manual strategy."""

from __future__ import annotations

import inspect
import textwrap

import libcst as cst
import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.frameworks import OBJECT_CONSTRUCTORS
from fluxloop_lint.types import FixStrategy, LintSettings

from tests.lint.test_frameworks_registry import _object_at, _public_modules

DEFAULT = LintSettings()
MANUAL = LintSettings(fix_strategy=FixStrategy.MANUAL)


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _places(source: str, settings: LintSettings = DEFAULT) -> list[tuple[str, int, int]]:
    return [(finding.code, finding.start.line, finding.start.column) for finding in lint_source(source, "t.py", settings).findings]


def _fixed(source: str, settings: LintSettings = DEFAULT) -> str:
    """The fixed source, checked as every fix is: it parses, nothing FLX108 remains, and a
    second fix changes nothing."""
    result = lint_source(source, "t.py", settings, fix=True)
    assert result.errors == ()
    assert result.fixed_source is not None
    cst.parse_module(result.fixed_source)
    assert [finding.code for finding in result.findings] == []
    assert lint_source(result.fixed_source, "t.py", settings, fix=True).fixed_source is None
    return result.fixed_source


def test_calls_inside_lists_arguments_dicts_functions_and_classes():
    source = _source(
        """
        import fluxloop
        from agents import Agent, function_tool
        from langchain_core.tools import StructuredTool

        def search(query: str) -> str:
            return query

        def summarize(text: str) -> str:
            \"\"\"Summarize.\"\"\"
            return text

        agent = Agent(name="a", tools=[fluxloop.tool()(function_tool(search)), fluxloop.trace()(StructuredTool.from_function(summarize))])
        registry = {"search": fluxloop.tool()(function_tool(search))}
        print(fluxloop.tool()(function_tool(search)))

        def build():
            return [fluxloop.tool()(function_tool(search))]

        class Tools:
            search_tool = fluxloop.tool()(function_tool(search))
        """
    )
    assert _places(source) == [
        ("FLX108", 12, 32), ("FLX108", 12, 72), ("FLX108", 13, 23), ("FLX108", 14, 7), ("FLX108", 17, 13), ("FLX108", 20, 19),
    ]
    fixed = _fixed(source)
    assert "tools=[function_tool(fluxloop.tool()(search)), StructuredTool.from_function(fluxloop.trace()(summarize))]" in fixed
    assert '{"search": function_tool(fluxloop.tool()(search))}' in fixed
    assert "print(function_tool(fluxloop.tool()(search)))" in fixed
    assert "return [function_tool(fluxloop.tool()(search))]" in fixed
    assert "    search_tool = function_tool(fluxloop.tool()(search))" in fixed


@pytest.mark.parametrize(
    ("imports", "wrong", "right"),
    [
        ("from langchain_core.tools import Tool", 'Tool("search", search, "Search.")', None),
        ("from langchain_core.tools import Tool", 'Tool.from_function(search, "search", "Search.")', None),
        ("from langchain_core.tools import StructuredTool", 'StructuredTool(name="s", description="d", func=search, args_schema=None)', None),
        ("import langchain_core.tools.structured as structured", "structured.StructuredTool.from_function(func=search)", None),
        ("from langchain_core.runnables import RunnableLambda", "RunnableLambda(search)", None),
        ("from agents import FunctionTool", 'FunctionTool("s", "d", {}, search)', None),
        ("from agents import FunctionTool", 'FunctionTool(name="s", description="d", params_json_schema={}, on_invoke_tool=search)', None),
        ("from llama_index.core.tools import FunctionTool", 'FunctionTool.from_defaults(search, name="s")', None),
        ("from pydantic_ai import Tool", "Tool(search, takes_ctx=False)", None),
        ("from langchain_core.tools import tool", 'tool("search", search)', None),
        ("from langchain_core.tools import tool", "tool(search)", None),
        ("from mcp.server.mcpserver import MCPServer\nmcp = MCPServer('m')", "mcp.tool()(search)", None),
        ("from mcp.server.mcpserver import MCPServer\nmcp = MCPServer('m')", 'mcp.tool(name="s")(search)', None),
    ],
)
def test_framework_objects_built_by_constructors_and_decorator_calls(imports, wrong, right):
    source = f"import fluxloop\n{imports}\n\ndef search(query):\n    return query\n\nt = fluxloop.tool(name='x')({wrong})\n"
    line = source.count("\n")
    assert _places(source) == [("FLX108", line, 5)]
    fixed = _fixed(source)
    assert "fluxloop.tool(name='x')(search)" in fixed.splitlines()[-1]
    assert fixed.splitlines()[-1].startswith("t = " + wrong.split("(")[0])


@pytest.mark.parametrize(
    "line",
    [
        "t = fluxloop.tool()(search)",  # a plain function
        "t = fluxloop.tool()(helper(search))",  # nothing known
        "t = fluxloop.tool()(function_tool)",  # the decorator itself
        'strict = function_tool(name_override="s")\nt = fluxloop.tool()(function_tool(name_override="s"))',  # a decorator
        't = fluxloop.tool()(tool("name"))',  # LangChain's tool called with a name: a decorator
        "t = fluxloop.tool()(kernel_function(search))",  # marking: the function comes back
        "t = fluxloop.tool()(function_tool(search), 1)",  # not a decorator application
        "t = fluxloop.tool(function_tool(search))",  # not applied: FluxLoop's arguments
        "t = notfluxloop.tool()(function_tool(search))",
        "t = function_tool(fluxloop.tool()(search))",  # Pattern B as calls
    ],
)
def test_not_reported(line):
    source = (
        "import fluxloop, notfluxloop\nfrom agents import function_tool\nfrom langchain_core.tools import tool\n"
        "from semantic_kernel.functions import kernel_function\nfrom helpers import helper\n\n"
        f"def search(query):\n    return query\n\n{line}\n"
    )
    assert _places(source) == []


def test_a_name_bound_to_a_framework_object_is_reported_without_a_fix():
    source = _source(
        """
        import fluxloop_runtime as fl
        from agents import Agent, function_tool
        from langchain_core.tools import StructuredTool

        def search(query: str) -> str:
            return query

        search_tool = function_tool(search)
        summary_tool = StructuredTool.from_function(search, name="s")
        agent = Agent(name="a", tools=[fl.tool()(search_tool), fl.trace()(summary_tool)])

        def later(search_tool):  # a parameter: unknown
            return fl.tool()(search_tool)
        """
    )
    result = lint_source(source, "t.py", DEFAULT)
    assert [(f.code, f.start.line, f.start.column) for f in result.findings] == [("FLX108", 10, 32), ("FLX108", 10, 56)]
    assert "`search_tool` (made by agents.function_tool, transforming)" in result.findings[0].message
    assert "`summary_tool` (made by langchain_core.tools.StructuredTool.from_function, a LangChain object)" in result.findings[1].message
    assert all(finding.fix is None for finding in result.findings)
    assert lint_source(source, "t.py", DEFAULT, fix=True).fixed_source is None


def test_registering_message_says_the_untraced_function_was_registered():
    source = "import fluxloop\nfrom mcp.server.mcpserver import MCPServer\nmcp = MCPServer('m')\ndef f(): pass\nt = fluxloop.tool()(mcp.tool()(f))\n"
    [finding] = lint_source(source, "t.py", DEFAULT).findings
    assert finding.message.startswith("fluxloop.tool(...) is applied to `mcp.tool()(f)` (mcp.server.mcpserver.MCPServer.tool, registering)")
    assert "already registered the untraced function" in finding.message


def test_a_decorator_method_of_an_object_the_file_cannot_resolve_is_known_by_its_name_as_in_flx101():
    source = "import fluxloop\nfrom myproject.server import mcp\ndef f(): pass\nt = fluxloop.tool()(mcp.tool()(f))\n"
    [finding] = lint_source(source, "t.py", DEFAULT).findings
    assert "`mcp.tool()(f)` (a framework's `tool` by its method name, " in finding.message
    assert _fixed(source).endswith("t = mcp.tool()(fluxloop.tool()(f))\n")


def test_noqa_on_any_line_of_the_statement():
    source = "import fluxloop\nfrom agents import function_tool\ndef f(): pass\ntools = [\n    fluxloop.tool()(function_tool(f)),\n]  # noqa: FLX108\n"
    assert _places(source) == []


def test_a_file_without_the_trigger_text_is_not_walked_for_calls_and_a_mention_inside_a_string_does_not_count():
    assert _places("import fluxloop\nx = 'fluxloop.tool()(function_tool(f))'\n") == []


# -- the manual strategy ---------------------------------------------------------------------


def test_manual_strategy_converts_every_call_in_one_pass_and_removes_the_unused_import():
    source = _source(
        """
        import fluxloop
        from agents import Agent, function_tool
        from langchain_core.tools import StructuredTool


        def search(query: str) -> str:
            return query.upper()


        async def summarize(text: str) -> str:
            \"\"\"Summarize.\"\"\"
            return text[:3]


        agent = Agent(
            name="a",
            tools=[
                fluxloop.tool(name="tool.search")(function_tool(search)),
                fluxloop.trace(observation_type="chain")(StructuredTool.from_function(coroutine=summarize, name="s", description="d")),
            ],
        )
        """
    )
    result = lint_source(source, "t.py", MANUAL, fix=True)
    assert result.fixed == 2
    fixed = _fixed(source, MANUAL)
    assert "import fluxloop\n" not in fixed
    assert fixed.startswith("from fluxloop import get_current_context\nfrom fluxloop.models import ObservationData, ObservationType\n")
    assert "        function_tool(search),\n        StructuredTool.from_function(coroutine=summarize" in fixed
    assert 'name="tool.search"' in fixed and "type=ObservationType.CHAIN" in fixed
    assert fixed.count("fl_ctx.push_observation(obs)") == 2


@pytest.mark.parametrize(
    ("definition", "why"),
    [
        ("from helpers import search", "not defined in this file"),
        ("import functools\n@functools.cache\ndef search(query):\n    return query", "decorated"),
        ("def search(query):\n    return query\nDIRECT = search('x')", "named elsewhere: direct calls would start being traced"),
    ],
)
def test_manual_strategy_swaps_where_the_body_cannot_be_instrumented(definition, why):
    source = f"import fluxloop\nfrom agents import function_tool\n{definition}\n\nt = fluxloop.tool()(function_tool(search))\n"
    assert _fixed(source, MANUAL).endswith("t = function_tool(fluxloop.tool()(search))\n"), why


def test_manual_strategy_with_misplaced_decorators_in_the_same_file():
    source = _source(
        """
        import fluxloop
        from agents import function_tool


        @fluxloop.tool(name="tool.lookup")
        @function_tool
        def lookup(query: str) -> str:
            return query


        def search(query: str) -> str:
            return query


        search_tool = fluxloop.tool(name="tool.search")(function_tool(search))
        """
    )
    assert [code for code, _, _ in _places(source)] == ["FLX101", "FLX108"]
    fixed = _fixed(source, MANUAL)
    assert [code for code, _, _ in _places(fixed, MANUAL)] == []
    assert "@fluxloop" not in fixed and "fluxloop.tool(" not in fixed
    assert fixed.count("fl_ctx.push_observation(obs)") == 2
    assert fixed.count("from fluxloop import get_current_context\n") == 1


# -- the constructors' registry data -----------------------------------------------------------

CONSTRUCTOR_PACKAGES = ("agents", "langchain_core", "mcp")  # installed by the test extra
NOT_INSTALLED_RELEASE = ("mcp.server.fastmcp.",)  # mcp 1.x; the test extra has mcp 2.x


def _constructor_signature(path: str):
    value = _object_at(path)
    assert value is not None, f"{path} does not import"
    return inspect.signature(value)


@pytest.mark.parametrize(
    "constructor",
    [c for c in OBJECT_CONSTRUCTORS if c.qualified_name.split(".", 1)[0] in CONSTRUCTOR_PACKAGES],
    ids=lambda constructor: constructor.qualified_name,
)
def test_each_installed_constructor_takes_the_function_where_the_registry_says(constructor):
    if constructor.qualified_name.startswith(NOT_INSTALLED_RELEASE):
        pytest.skip("a path of another release than the installed one")
    parameters = _constructor_signature(constructor.qualified_name).parameters
    assert constructor.parameter in parameters
    positional = [name for name, p in parameters.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    expected = positional.index(constructor.parameter) if constructor.parameter in positional else None
    assert constructor.position == expected
    assert all(name in parameters for name in constructor.also)


@pytest.mark.parametrize("package", CONSTRUCTOR_PACKAGES)
def test_every_public_alias_of_a_constructor_class_is_registered(package):
    registered = {c.qualified_name for c in OBJECT_CONSTRUCTORS}
    owners: dict[int, tuple[object, str, str]] = {}  # class id -> (class, a registered path, method or "")
    for name in registered:
        if name.split(".", 1)[0] != package:
            continue
        value = _object_at(name)
        if isinstance(value, type):
            owners[id(value)] = (value, name, "")
        elif value is not None:
            owner_path, _, method = name.rpartition(".")
            owner = _object_at(owner_path)
            owners[id(owner)] = (owner, owner_path, method)
    assert owners
    missing = []
    for module in _public_modules(package):
        for attribute, value in vars(module).items():
            if attribute.startswith("_") or id(value) not in owners or owners[id(value)][0] is not value:
                continue
            # Public: defined there or exported there; not a module's own import of it.
            if value.__module__ != module.__name__ and attribute not in getattr(module, "__all__", ()):
                continue
            _, known, method = owners[id(value)]
            path = f"{module.__name__}.{attribute}" + (f".{method}" if method else "")
            if path not in registered:
                missing.append(f"{path} (same object as {known})")
    assert not missing, "public paths missing from OBJECT_CONSTRUCTORS:\n" + "\n".join(sorted(missing))


def test_the_command_line_and_flake8_report_the_same_calls(tmp_path):
    from tests.lint.test_flake8_plugin import cli_places, flake8_places, run_flake8

    (tmp_path / "tools.py").write_text(
        _source(
            """
            import fluxloop
            from agents import Agent, function_tool


            def search(query: str) -> str:
                return query


            agent = Agent(
                name="a",
                tools=[fluxloop.tool()(function_tool(search))],
            )
            """
        )
    )
    expected_place = (tmp_path / "tools.py", 11, 12, "FLX108")
    cli = cli_places(cwd=tmp_path)
    assert [place[:4] for place in cli] == [expected_place]
    flake8 = flake8_places(run_flake8("--select", "FLX", ".", cwd=tmp_path), tmp_path)
    assert flake8 == cli
