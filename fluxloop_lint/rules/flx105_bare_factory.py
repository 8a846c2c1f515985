"""FLX105 (SDK only): a FluxLoop decorator factory used bare (`@fluxloop.tool`)."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.fixes.parentheses import call_decorator_fix
from fluxloop_lint.rules.base import Invalid, Rule, Valid
from fluxloop_lint.types import Applicability


class BareFactoryRule(Rule):
    CODE = "FLX105"
    NAME = "bare-fluxloop-decorator-factory"
    MESSAGE = "@{label} is used without parentheses: with the fluxloop SDK, `{name}` becomes the decorator itself and calling it no longer runs your function"
    FIX_TITLE = "Write @{label}()"
    WHAT = (
        "Reports a decorator factory of the public `fluxloop` SDK (`tool`, `agent`, `prompt`, "
        "`trace`) used without parentheses."
    )
    RATIONALE = (
        "The public FluxLoop SDK's `tool`, `agent`, `prompt` and `trace` are decorator "
        "factories: `@fluxloop.tool` without `()` passes the function as the `name` argument "
        "and binds the returned decorator to your function's name, silently. `fluxloop_runtime` "
        "supports both forms, so this is reported only where the name comes from `fluxloop`."
    )
    FIX_SAFETY = (
        "Safe: the fix adds `()`, which is what the factory expects; the function is then "
        "decorated with the factory's defaults and runs again when called."
    )
    FIX = Applicability.SAFE

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not node.decorators:
            return
        for info in self.context.decorators_of(node):
            if info.sdk and not info.called:
                self.report(
                    info.node,
                    self.MESSAGE.format(label=info.label, name=node.name.value),
                    build_fix=lambda info=info: call_decorator_fix(self.context, info.node, info.label),
                    fix_title=self.FIX_TITLE.format(label=info.label),
                )

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
            from fluxloop import agent

            @agent
            def run(question: str) -> str:
                return question
            """,
            3,
            1,
            """
            from fluxloop import agent

            @agent()
            def run(question: str) -> str:
                return question
            """,
            expected_message=(
                "@agent is used without parentheses: with the fluxloop SDK, `run` becomes the decorator "
                "itself and calling it no longer runs your function"
            ),
        ),
        Invalid(
            """
            from fluxloop import tool

            class Tools:
                @tool  # traced
                def lookup(self, query: str) -> str:
                    return query
            """,
            4,
            5,
            """
            from fluxloop import tool

            class Tools:
                @tool()  # traced
                def lookup(self, query: str) -> str:
                    return query
            """,
            expected_message=(
                "@tool is used without parentheses: with the fluxloop SDK, `lookup` becomes the decorator"
                " itself and calling it no longer runs your function"
            ),
        ),
    )
