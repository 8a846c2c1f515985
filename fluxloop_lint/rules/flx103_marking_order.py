"""FLX103: a FluxLoop decorator above a marking framework decorator (a warning)."""

from __future__ import annotations

from fluxloop_lint.context import DecoratorInfo
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.decorator_order import ORDER_RULE_CATEGORIES, DecoratorOrderRule, describe
from fluxloop_lint.types import Applicability, Severity


class MarkingOrderRule(DecoratorOrderRule):
    CODE = "FLX103"
    NAME = "fluxloop-above-marking-decorator"
    MESSAGE = "@{fluxloop} sits above {framework}: this usually works (the wrapper copies the marker), but the framework may inspect the wrapper instead of your function"
    FIX_TITLE = "Move @{fluxloop} below @{below}"
    WHAT = (
        "Reports (as a warning) a FluxLoop decorator placed above a marking framework decorator, "
        "one that sets attributes on the function and returns it."
    )
    RATIONALE = (
        "Marking decorators (Semantic Kernel's `kernel_function`, LlamaIndex's `step`, "
        "AutoGen core's `message_handler`, Temporal's `workflow.run`, `pytest.mark.*`) set "
        "attributes on the function and return it. A FluxLoop decorator above them usually "
        "works because it copies `__dict__`, but the framework then sees the wrapper, and any "
        "attribute set later is lost. This is a warning; the fix puts the framework decorator "
        "outermost as everywhere else."
    )
    FIX_SAFETY = (
        "Safe: only the order of the decorators changes. The framework decorator then marks the "
        "FluxLoop wrapper, which is what the framework calls, and the wrapper calls your function as before."
    )
    FIX = Applicability.SAFE
    SEVERITY = Severity.WARNING
    CATEGORIES = ORDER_RULE_CATEGORIES["FLX103"]

    def message(self, fluxloop: DecoratorInfo, below: DecoratorInfo) -> str:
        return self.MESSAGE.format(fluxloop=fluxloop.label, framework=describe(below))

    VALID = (
        Valid(
            """
            import pytest
            import fluxloop

            @pytest.mark.slow
            @fluxloop.trace()
            def test_agent():
                pass
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from semantic_kernel.functions import kernel_function
            import fluxloop

            class Plugin:
                @fluxloop.tool()
                @kernel_function(name="lookup")
                def lookup(self, query: str) -> str:
                    return query
            """,
            5,
            5,
            """
            from semantic_kernel.functions import kernel_function
            import fluxloop

            class Plugin:
                @kernel_function(name="lookup")
                @fluxloop.tool()
                def lookup(self, query: str) -> str:
                    return query
            """,
            expected_message=(
                "@fluxloop.tool sits above @kernel_function (semantic_kernel.functions.kernel_function, "
                "marking): this usually works (the wrapper copies the marker), but the framework may "
                "inspect the wrapper instead of your function"
            ),
        ),
    )
