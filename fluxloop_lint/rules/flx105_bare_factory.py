"""FLX105 (SDK only): a FluxLoop decorator factory used bare (`@fluxloop.tool`)."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.fixes.parentheses import call_decorator_fix
from fluxloop_lint.rules.base import Invalid, Rule, Valid
from fluxloop_lint.types import Applicability


class BareFactoryRule(Rule):
    CODE = "FLX105"
    NAME = "bare-fluxloop-decorator-factory"
    MESSAGE = "@{label} is used without parentheses: with the fluxloop SDK, `{name}` becomes the decorator itself and calling it no longer runs your function; write @{label}()"
    RATIONALE = (
        "The public FluxLoop SDK's `tool`, `agent`, `prompt` and `trace` are decorator "
        "factories: `@fluxloop.tool` without `()` passes the function as the `name` argument "
        "and binds the returned decorator to your function's name, silently. `fluxloop_runtime` "
        "supports both forms, so this is reported only where the name comes from `fluxloop`."
    )
    FIX = Applicability.SAFE

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not node.decorators:
            return
        for info in self.context.decorators_of(node):
            if info.sdk and not info.called:
                message = self.MESSAGE.format(label=info.label, name=node.name.value)
                self.report(info.node, message, build_fix=lambda info=info: call_decorator_fix(self.context, info.node, info.label))

    VALID = (
        Valid(
            """
            import fluxloop

            @fluxloop.tool()
            def lookup(query: str) -> str:
                return query
            """
        ),
        Valid(
            """
            import fluxloop_runtime as fluxloop

            @fluxloop.tool
            def lookup(query: str) -> str:
                return query
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from fluxloop import agent, tool

            @agent
            def run(question: str) -> str:
                return lookup(question)

            class Tools:
                @tool  # traced
                def lookup(self, query: str) -> str:
                    return query
            """,
            3,
            1,
            """
            from fluxloop import agent, tool

            @agent()
            def run(question: str) -> str:
                return lookup(question)

            class Tools:
                @tool()  # traced
                def lookup(self, query: str) -> str:
                    return query
            """,
        ),
    )
