"""A FluxLoop decorator above a framework or descriptor decorator, as a Fixit rule."""

from __future__ import annotations

import libcst as cst
from fixit import Invalid, LintRule, Valid
from libcst.metadata import QualifiedNameProvider

FLUXLOOP_MODULES = ("fluxloop", "fluxloop_runtime")

FRAMEWORK_DECORATORS = frozenset(
    {
        "agents.function_tool",
        "agents.tool.function_tool",
        "agents.input_guardrail",
        "agents.output_guardrail",
        "langchain_core.tools.tool",
        "langchain.tools.tool",
        "langchain.agents.tool",
        "langchain_core.runnables.chain",
        "langgraph.func.task",
        "langgraph.func.entrypoint",
        "crewai.tools.tool",
        "smolagents.tool",
        "strands.tool",
        "celery.shared_task",
        "click.command",
        "click.group",
        "pytest.fixture",
        "ray.remote",
        "prefect.flow",
        "prefect.task",
        "builtins.staticmethod",
        "builtins.classmethod",
        "builtins.property",
        "functools.cached_property",
        "abc.abstractmethod",
    }
)

# Methods of framework instances (`@mcp.tool()`, `@app.get(...)`): matched by attribute name.
INSTANCE_DECORATOR_ATTRIBUTES = frozenset({"tool", "resource", "prompt", "get", "post", "route", "task", "command"})


class FluxLoopDecoratorOrder(LintRule):
    """FluxLoop decorators must sit below framework decorators (Pattern B)."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    MESSAGE = "FluxLoop decorator above a framework decorator: move it below (Pattern B)"

    VALID = [
        Valid(
            """
            from agents import function_tool
            import fluxloop
            @function_tool
            @fluxloop.tool()
            def f(): ...
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from agents import function_tool
            import fluxloop
            @fluxloop.tool()
            @function_tool
            def f(): ...
            """
        ),
    ]

    def _names(self, decorator: cst.Decorator) -> set[str]:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        return {name.name for name in self.get_metadata(QualifiedNameProvider, expression, set())}

    def _is_fluxloop(self, names: set[str]) -> bool:
        return any(name.split(".", 1)[0] in FLUXLOOP_MODULES for name in names)

    def _is_framework(self, decorator: cst.Decorator, names: set[str]) -> bool:
        if names & FRAMEWORK_DECORATORS:
            return True
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        return (
            isinstance(expression, cst.Attribute)
            and expression.attr.value in INSTANCE_DECORATOR_ATTRIBUTES
            and not self._is_fluxloop(names)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        fluxloop_above: cst.Decorator | None = None
        for decorator in node.decorators:
            names = self._names(decorator)
            if self._is_fluxloop(names):
                fluxloop_above = fluxloop_above or decorator
            elif fluxloop_above is not None and self._is_framework(decorator, names):
                self.report(fluxloop_above, self.MESSAGE)
                return
