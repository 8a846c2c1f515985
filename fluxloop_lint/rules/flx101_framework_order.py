"""FLX101: a FluxLoop decorator above a transforming or registering framework decorator."""

from __future__ import annotations

from fluxloop_lint.context import DecoratorInfo
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.decorator_order import ORDER_RULE_CATEGORIES, DecoratorOrderRule, describe
from fluxloop_lint.types import Applicability, FrameworkKind


class FrameworkOrderRule(DecoratorOrderRule):
    CODE = "FLX101"
    NAME = "fluxloop-above-framework-decorator"
    # The remedy stays in the message too: tests pin it there ("Pattern B").
    MESSAGE = "@{fluxloop} sits above {framework}: {consequence}; put the framework decorator outermost (Pattern B) or instrument the body (Pattern A)"
    FIX_TITLE = "Move @{fluxloop} below @{below} (Pattern B), or instrument the body (Pattern A)"
    WHAT = (
        "Reports a FluxLoop decorator placed above a framework decorator that turns the function "
        "into a framework object (transforming: `@function_tool`, LangChain's `@tool`) or "
        "registers it (registering: `@mcp.tool()`, `@router.get(...)`)."
    )
    RATIONALE = (
        "Framework decorators such as `@function_tool`, LangChain's `@tool` or `@mcp.tool()` "
        "either turn the function into a framework object (a Tool, Task, Command) or register "
        "it. A FluxLoop decorator above them wraps that object back into a plain function: "
        "the OpenAI Agents SDK then fails when it builds the request (`UserError: Unknown tool "
        "type`), LangChain's tool is no longer a tool (the public SDK fails with `'StructuredTool' "
        "object has no attribute '__name__'`), `fluxloop_runtime` refuses it at import, and a "
        "registering framework keeps calling the function it stored, so the tracer never runs. "
        "Keep the framework decorator outermost and put the FluxLoop decorator just below it "
        "(Pattern B), or instrument inside the body (Pattern A, `--fix-strategy manual`)."
    )
    FIX_SAFETY = (
        "Safe: the fix only reorders the decorators. Every FluxLoop decorator above the lowest "
        "framework decorator moves just below it, with its arguments and the comments on its "
        "lines; the framework then gets its own object back, and the FluxLoop wrapper it calls "
        "keeps the function's signature. It never moves a decorator past one the linter does not "
        "know. With `--fix-strategy manual` the FluxLoop decorator is replaced by Pattern A "
        "instrumentation in the body instead."
    )
    FIX = Applicability.SAFE
    CATEGORIES = ORDER_RULE_CATEGORIES["FLX101"]

    def message(self, fluxloop: DecoratorInfo, below: DecoratorInfo) -> str:
        assert below.framework is not None
        if below.framework.kind is FrameworkKind.TRANSFORMING:
            consequence = "at run time the framework gets a plain function instead of its own object and rejects it"
        else:
            consequence = "the framework registers the undecorated function, so the FluxLoop decorator never runs"
        return self.MESSAGE.format(fluxloop=fluxloop.label, framework=describe(below), consequence=consequence)

    VALID = (
        Valid(
            """
            import fluxloop
            from agents import function_tool

            @function_tool
            @fluxloop.tool()
            def lookup(query: str) -> str:
                return query
            """
        ),
        Valid(
            """
            from fluxloop_runtime import tool as fl_tool
            from langchain_core.tools import tool

            @tool
            @fl_tool()
            def lookup(query: str) -> str:
                \"\"\"Look something up.\"\"\"
                return query
            """
        ),
        Valid(
            """
            import fluxloop
            from myproject.tools import function_tool  # not the Agents SDK's

            @fluxloop.tool()
            @function_tool
            def lookup(query: str) -> str:
                return query
            """
        ),
        Valid(
            """
            import fluxloop
            from agents import function_tool

            def function_tool(func):  # shadows the import
                return func

            @fluxloop.tool()
            @function_tool
            def lookup(query: str) -> str:
                return query
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop
            from agents import function_tool

            @fluxloop.tool(name="tool.lookup")
            @function_tool
            def lookup(query: str) -> str:
                return query
            """,
            4,
            1,
            """
            import fluxloop
            from agents import function_tool

            @function_tool
            @fluxloop.tool(name="tool.lookup")
            def lookup(query: str) -> str:
                return query
            """,
            expected_message=(
                "@fluxloop.tool sits above @function_tool (agents.function_tool, transforming): at run "
                "time the framework gets a plain function instead of its own object and rejects it; put "
                "the framework decorator outermost (Pattern B) or instrument the body (Pattern A)"
            ),
        ),
        Invalid(
            """
            import fluxloop_runtime as fl
            import langchain_core.tools

            # A tool the agent calls.
            @fl.tool()  # traced
            # framework decorator
            @langchain_core.tools.tool(
                "lookup",
            )
            def lookup(query: str) -> str:
                \"\"\"Look something up.\"\"\"
                return query
            """,
            5,
            1,
            """
            import fluxloop_runtime as fl
            import langchain_core.tools

            # A tool the agent calls.
            # framework decorator
            @langchain_core.tools.tool(
                "lookup",
            )
            @fl.tool()  # traced
            def lookup(query: str) -> str:
                \"\"\"Look something up.\"\"\"
                return query
            """,
            expected_message=(
                "@fl.tool sits above @langchain_core.tools.tool (langchain_core.tools.tool, "
                "transforming): at run time the framework gets a plain function instead of its own object"
                " and rejects it; put the framework decorator outermost (Pattern B) or instrument the "
                "body (Pattern A)"
            ),
        ),
        Invalid(
            """
            from mcp.server.fastmcp import FastMCP
            from fluxloop import trace, tool

            mcp = FastMCP("demo")

            class Tools:
                def build(self):
                    @tool()
                    @mcp.tool()
                    @trace()
                    def search(query: str) -> str:
                        return query
                    return search
            """,
            8,
            9,
            """
            from mcp.server.fastmcp import FastMCP
            from fluxloop import trace, tool

            mcp = FastMCP("demo")

            class Tools:
                def build(self):
                    @mcp.tool()
                    @tool()
                    @trace()
                    def search(query: str) -> str:
                        return query
                    return search
            """,
            expected_message=(
                "@tool sits above @mcp.tool (mcp.server.fastmcp.FastMCP.tool, registering): the framework"
                " registers the undecorated function, so the FluxLoop decorator never runs; put the "
                "framework decorator outermost (Pattern B) or instrument the body (Pattern A)"
            ),
        ),
        Invalid(
            """
            import fluxloop
            from fastapi import APIRouter

            router = APIRouter()

            @fluxloop.trace()
            @router.get("/items")
            async def items():
                return []
            """,
            6,
            1,
            """
            import fluxloop
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/items")
            @fluxloop.trace()
            async def items():
                return []
            """,
            expected_message=(
                "@fluxloop.trace sits above @router.get (fastapi.APIRouter.get, registering): the "
                "framework registers the undecorated function, so the FluxLoop decorator never runs; put "
                "the framework decorator outermost (Pattern B) or instrument the body (Pattern A)"
            ),
        ),
        Invalid(
            """
            import fluxloop
            from myproject.server import mcp  # constructor unknown: fall back to the method name

            @fluxloop.tool()
            @mcp.tool()
            def search(query: str) -> str:
                return query
            """,
            4,
            1,
            """
            import fluxloop
            from myproject.server import mcp  # constructor unknown: fall back to the method name

            @mcp.tool()
            @fluxloop.tool()
            def search(query: str) -> str:
                return query
            """,
            expected_message=(
                "@fluxloop.tool sits above @mcp.tool (a framework's `tool` by its method name, "
                "transforming): at run time the framework gets a plain function instead of its own object"
                " and rejects it; put the framework decorator outermost (Pattern B) or instrument the "
                "body (Pattern A)"
            ),
        ),
    )
