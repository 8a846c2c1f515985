"""FLX108: a FluxLoop decorator applied by hand (called) to a framework object."""

from __future__ import annotations

import functools

import libcst as cst

from fluxloop_lint.context import DecoratorInfo, FileContext
from fluxloop_lint.fixes.applied_call import Candidate, manual_fix_for_calls, swap_fix
from fluxloop_lint.frameworks import FrameworkDecorator
from fluxloop_lint.names import ResolvedName
from fluxloop_lint.rules.base import Invalid, Rule, Valid
from fluxloop_lint.rules.framework_objects import FluxLoopApplication, FrameworkObject, fluxloop_application, framework_object
from fluxloop_lint.types import Applicability, Fix, FixStrategy

class DecoratorCallOnFrameworkObjectRule(Rule):
    CODE = "FLX108"
    NAME = "fluxloop-call-on-framework-object"
    MESSAGE = "{fluxloop} is applied to {framework}: {consequence}"
    FIX_TITLE = "Apply {fluxloop} to the function inside the framework call (Pattern B), or instrument the function's body (Pattern A)"
    FIX_TITLE_FOR_A_NAME = "Apply {fluxloop} to the function where the framework object is made"
    WHAT = (
        "Reports a FluxLoop decorator called by hand on what a framework made of a function: "
        "`fluxloop.tool()(function_tool(search))`, `fluxloop.trace()(StructuredTool.from_function(f))`, "
        "`fluxloop.tool()(mcp.tool()(search))`, or a name bound to such an object, anywhere in an expression."
    )
    RATIONALE = (
        "Calling a FluxLoop decorator by hand on what a framework made of a function "
        "(`fluxloop.tool()(function_tool(search))`, `fluxloop.trace()(StructuredTool.from_function(f))`, "
        "a name bound to one, in a list of tools or an argument) is FLX101 written as calls: "
        "the FluxLoop wrapper gets the framework's object, not the function. `fluxloop_runtime` "
        "refuses it at import; the public SDK fails at import on a LangChain tool (`'StructuredTool' "
        "object has no attribute '__name__'`) and turns an Agents SDK `FunctionTool` into a plain "
        "function that the SDK rejects when it builds the request (`UserError: Unknown tool "
        "type`). After a registering decorator "
        "(`mcp.tool()(search)`) the framework has already stored the untraced function, so the "
        "tracer never runs. Apply the FluxLoop decorator to the function inside the framework "
        "call, `function_tool(fluxloop.tool()(search))` (the safe fix), or instrument the "
        "function's body (Pattern A, `--fix-strategy manual`, for a function defined in the "
        "same file). A name bound to a framework object is reported without a fix: the "
        "FluxLoop call belongs where the object is made."
    )
    FIX_SAFETY = (
        "Safe: the fix swaps the two calls, `function_tool(fluxloop.tool()(search))`, keeping the "
        "FluxLoop call's arguments and the comments inside its parentheses; the framework then "
        "makes its object of the traced function, as with the decorators in Pattern B. With "
        "`--fix-strategy manual`, a `def` of the same file that has no decorators and is named "
        "nowhere else is instrumented in its body instead (instrumenting the body traces every "
        "call of the function, so it must have no other use). A name bound to a framework "
        "object gets no fix."
    )
    FIX = Applicability.SAFE
    # Every reported form applies the result of a call, `fluxloop.tool(...)(...)`: a file
    # without `)(` keeps the engine's statement-only walk.
    TEXT_TRIGGERS = (")(",)

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._candidates: list[Candidate] = []

    def visit_Call(self, node: cst.Call) -> None:
        application = fluxloop_application(self.context, node)
        if application is None:
            return
        made = framework_object(self.context, application.argument)
        if made is None:
            return
        fix = None
        if made.function is not None and isinstance(application.argument, cst.Call):
            # A name bound to a framework object gets no fix: the call that made it is elsewhere.
            self._candidates.append((node, application.argument, made.function, _as_decorator(self.context, application)))
            fix = functools.partial(self._fix, node, application.argument, made.function)
        title = self.FIX_TITLE if fix is not None else self.FIX_TITLE_FOR_A_NAME
        self.report(node, self._message(application, made), build_fix=fix, fix_title=title.format(fluxloop=application.label))

    def _message(self, application: FluxLoopApplication, made: FrameworkObject) -> str:
        maker = made.maker
        if made.by_method_name is not None:
            how = f"a framework's `{made.by_method_name}` by its method name, {maker.kind.name.lower()}"
        elif isinstance(maker, FrameworkDecorator):
            how = f"{maker.qualified_name}, {maker.kind.name.lower()}"
        else:
            how = f"{maker.qualified_name}, a {maker.framework} object"
        if isinstance(application.argument, cst.Name):
            how = f"made by {how}"
        written = self.context.module.code_for_node(application.argument)
        what = f"`{written}`" if "\n" not in written and len(written) <= 60 else "a framework object"
        if made.registering:
            consequence = "the framework already registered the untraced function, so the FluxLoop wrapper never runs"
        else:
            consequence = "the FluxLoop wrapper gets the framework's object instead of the function, and fails at import or hands the framework a plain function"
        return self.MESSAGE.format(fluxloop=application.label, framework=f"{what} ({how})", consequence=consequence)

    def _fix(self, node: cst.Call, framework_call: cst.Call, function: cst.Arg) -> Fix | None:
        if self.context.settings.fix_strategy is FixStrategy.MANUAL:
            manual, converted = self.context.in_fixes(
                ("manual", self.CODE), lambda: manual_fix_for_calls(self.context, self._candidates)
            )
            if manual is not None and id(node) in converted:
                return manual
        return swap_fix(self.context, node, framework_call, function)

    VALID = (
        Valid(
            """
            import fluxloop
            from agents import function_tool

            def search(query: str) -> str:
                return query

            search_tool = function_tool(fluxloop.tool(name="t")(search))
            """
        ),
        Valid(
            """
            import fluxloop
            from myproject.tools import function_tool  # not the Agents SDK's

            def search(query: str) -> str:
                return query

            search_tool = fluxloop.tool()(function_tool(search))
            """
        ),
        Valid(
            """
            import fluxloop
            from agents import function_tool

            def search(query: str) -> str:
                return query

            strict = function_tool(name_override="lookup")  # a decorator, not a tool
            traced = fluxloop.tool()(search)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop
            from agents import function_tool

            def search(query: str) -> str:
                return query

            search_tool = fluxloop.tool(name="t")(function_tool(search))
            """,
            7,
            15,
            """
            import fluxloop
            from agents import function_tool

            def search(query: str) -> str:
                return query

            search_tool = function_tool(fluxloop.tool(name="t")(search))
            """,
            expected_message=(
                "fluxloop.tool(...) is applied to `function_tool(search)` (agents.function_tool, "
                "transforming): the FluxLoop wrapper gets the framework's object instead of the function,"
                " and fails at import or hands the framework a plain function"
            ),
        ),
        Invalid(
            """
            import fluxloop_runtime as fl
            from langchain_core.tools import StructuredTool

            def summarize(text: str) -> str:
                \"\"\"Summarize a text.\"\"\"
                return text[:10]

            summary_tool = fl.trace()(
                # the LangChain tool
                StructuredTool.from_function(summarize, name="summary")
            )
            """,
            8,
            16,
            """
            import fluxloop_runtime as fl
            from langchain_core.tools import StructuredTool

            def summarize(text: str) -> str:
                \"\"\"Summarize a text.\"\"\"
                return text[:10]

            summary_tool = StructuredTool.from_function(fl.trace()(
                # the LangChain tool
                summarize
            ), name="summary")
            """,
            expected_message=(
                'fl.trace(...) is applied to `StructuredTool.from_function(summarize, name="summary")` '
                "(langchain_core.tools.StructuredTool.from_function, a LangChain object): the FluxLoop "
                "wrapper gets the framework's object instead of the function, and fails at import or "
                "hands the framework a plain function"
            ),
        ),
        Invalid(
            """
            import fluxloop
            from agents import Agent, function_tool

            def search(query: str) -> str:
                return query

            agent = Agent(name="a", tools=[fluxloop.tool()(function_tool(search, name_override="lookup"))])
            """,
            7,
            32,
            """
            import fluxloop
            from agents import Agent, function_tool

            def search(query: str) -> str:
                return query

            agent = Agent(name="a", tools=[function_tool(fluxloop.tool()(search), name_override="lookup")])
            """,
            expected_message=(
                'fluxloop.tool(...) is applied to `function_tool(search, name_override="lookup")` '
                "(agents.function_tool, transforming): the FluxLoop wrapper gets the framework's object "
                "instead of the function, and fails at import or hands the framework a plain function"
            ),
        ),
        Invalid(
            """
            import fluxloop
            from mcp.server.fastmcp import FastMCP

            mcp = FastMCP("demo")

            def search(query: str) -> str:
                return query

            traced_search = fluxloop.tool()(mcp.tool()(search))
            """,
            9,
            17,
            """
            import fluxloop
            from mcp.server.fastmcp import FastMCP

            mcp = FastMCP("demo")

            def search(query: str) -> str:
                return query

            traced_search = mcp.tool()(fluxloop.tool()(search))
            """,
            expected_message=(
                "fluxloop.tool(...) is applied to `mcp.tool()(search)` (mcp.server.fastmcp.FastMCP.tool, "
                "registering): the framework already registered the untraced function, so the FluxLoop "
                "wrapper never runs"
            ),
        ),
        Invalid(
            """
            import fluxloop
            from agents import function_tool

            def search(query: str) -> str:
                return query

            search_tool = function_tool(search)
            traced_tool = fluxloop.tool()(search_tool)  # the FluxLoop call belongs where the tool is made
            """,
            8,
            15,
            expected_message=(
                "fluxloop.tool(...) is applied to `search_tool` (made by agents.function_tool, "
                "transforming): the FluxLoop wrapper gets the framework's object instead of the function,"
                " and fails at import or hands the framework a plain function"
            ),
        ),
    )


def _as_decorator(context: FileContext, application: FluxLoopApplication) -> DecoratorInfo:
    """The FluxLoop factory call as the decorator the manual rewrite removes."""
    return DecoratorInfo(
        cst.Decorator(decorator=application.factory),
        application.label,
        ResolvedName(application.qualified_name),
        called=True,
        fluxloop=True,
        sdk=context.is_sdk(application.qualified_name),
        framework=None,
    )
