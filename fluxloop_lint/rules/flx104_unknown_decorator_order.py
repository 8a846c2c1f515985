"""FLX104: a FluxLoop decorator above a decorator the linter does not know (off by default)."""

from __future__ import annotations

from fluxloop_lint.context import DecoratorInfo
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.decorator_order import ORDER_RULE_CATEGORIES, DecoratorOrderRule, describe
from fluxloop_lint.types import Applicability, Severity


class UnknownDecoratorOrderRule(DecoratorOrderRule):
    CODE = "FLX104"
    NAME = "fluxloop-above-unknown-decorator"
    MESSAGE = "@{fluxloop} sits above {decorator}, which the linter does not know: if it transforms or registers the function, the FluxLoop decorator breaks it or never runs"
    FIX_TITLE = "Move @{fluxloop} below @{below}, or declare @{below} in `framework-decorators`"
    WHAT = (
        "Reports (as a warning; off by default) a FluxLoop decorator placed above a decorator "
        "that is neither FluxLoop's nor in the registry of framework decorators."
    )
    RATIONALE = (
        "The linter knows the decorators of the common agent and application frameworks. "
        "When a FluxLoop decorator sits above one it does not know, it cannot tell whether the "
        "order is harmful. Select this rule to review such places; declare your own framework "
        "decorators (qualified name and kind) under `framework-decorators` in the "
        "configuration. The fix is unsafe: moving a decorator can change behaviour."
    )
    FIX_SAFETY = (
        "Unsafe: the fix moves the FluxLoop decorator below a decorator whose effect the linter "
        "does not know. If that decorator only wraps the function, the FluxLoop wrapper then "
        "records each inner call (a `@retry` makes several observations where there was one); "
        "if it uses the function's identity or signature, behaviour may change."
    )
    DEFAULT_ENABLED = False
    FIX = Applicability.UNSAFE
    SEVERITY = Severity.WARNING
    CATEGORIES = ORDER_RULE_CATEGORIES["FLX104"]

    def message(self, fluxloop: DecoratorInfo, below: DecoratorInfo) -> str:
        return self.MESSAGE.format(fluxloop=fluxloop.label, decorator=describe(below))

    VALID = (
        Valid(
            """
            import functools
            import fluxloop
            from myproject.retry import retry

            @retry(times=3)
            @fluxloop.tool()
            @functools.lru_cache
            def lookup(query: str) -> str:
                return query
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop
            from myproject.retry import retry

            @fluxloop.tool()
            @retry(times=3)
            def lookup(query: str) -> str:
                return query
            """,
            4,
            1,
            """
            import fluxloop
            from myproject.retry import retry

            @retry(times=3)
            @fluxloop.tool()
            def lookup(query: str) -> str:
                return query
            """,
            expected_message=(
                "@fluxloop.tool sits above @retry, which the linter does not know: if it transforms or "
                "registers the function, the FluxLoop decorator breaks it or never runs"
            ),
        ),
    )
