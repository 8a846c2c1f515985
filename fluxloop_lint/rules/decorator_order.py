"""What FLX101-FLX104 share: a FluxLoop decorator above a decorator it must sit below.

Each of those rules names the kinds of decorator it is about (`CATEGORIES`: framework kinds,
or `UNKNOWN` for decorators the registry does not know). All of a function's order findings
get the same fix: the FluxLoop decorators above the lowest decorator of any category an
enabled rule reports move just below it, so one pass leaves no order finding behind.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from fluxloop_lint.context import DecoratorInfo
from fluxloop_lint.fixes import decorator_fix
from fluxloop_lint.rules.base import Rule
from fluxloop_lint.types import Applicability, Fix, FrameworkKind

UNKNOWN = "unknown"

# Which categories each order rule reports; safe fixes never move past unknown decorators.
ORDER_RULE_CATEGORIES: dict[str, frozenset[str]] = {
    "FLX101": frozenset({FrameworkKind.TRANSFORMING.value, FrameworkKind.REGISTERING.value}),
    "FLX102": frozenset({FrameworkKind.DESCRIPTOR.value}),
    "FLX103": frozenset({FrameworkKind.MARKING.value}),
    "FLX104": frozenset({UNKNOWN}),
}

_KIND_WORDS = {
    FrameworkKind.TRANSFORMING: "transforming",
    FrameworkKind.REGISTERING: "registering",
    FrameworkKind.DESCRIPTOR: "descriptor",
    FrameworkKind.MARKING: "marking",
}


def category(info: DecoratorInfo) -> str | None:
    """The decorator's category for the order rules; None for FluxLoop decorators."""
    if info.fluxloop:
        return None
    if info.framework is None:
        return UNKNOWN
    return info.framework.kind.value


def describe(info: DecoratorInfo) -> str:
    """`@function_tool` (agents.function_tool, transforming); through another module of the
    project, `@strict_tool` (agents.function_tool via common/decorators.py:6, transforming);
    for a receiver the linter could not resolve, `@server.tool` (a framework's `tool` by its
    method name, registering)."""
    if info.framework is None:
        return f"@{info.label}"
    kind = _KIND_WORDS.get(info.framework.kind, info.framework.kind.value)
    if info.by_method_name and info.resolved is not None:
        return f"@{info.label} (a framework's `{info.resolved.attribute}` by its method name, {kind})"
    if info.via is not None:
        return f"@{info.label} ({info.framework.qualified_name} via {info.via}, {kind})"
    return f"@{info.label} ({info.framework.qualified_name}, {kind})"


class DecoratorOrderRule(Rule):
    CATEGORIES: ClassVar[frozenset[str]]

    def message(self, fluxloop: DecoratorInfo, below: DecoratorInfo) -> str:
        raise NotImplementedError

    def fix_title(self, fluxloop: DecoratorInfo, below: DecoratorInfo) -> str:
        """FIX_TITLE filled in: `{fluxloop}` and `{below}` are the two decorators' labels."""
        assert self.FIX_TITLE is not None
        return self.FIX_TITLE.format(fluxloop=fluxloop.label, below=below.label)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if len(node.decorators) < 2:
            return
        decorators = self.context.decorators_of(node)
        for index, info in enumerate(decorators):
            if not info.fluxloop:
                continue
            below = next((other for other in decorators[index + 1 :] if category(other) in self.CATEGORIES), None)
            if below is not None:
                self.report(
                    info.node,
                    self.message(info, below),
                    build_fix=lambda: self._fix(decorators),
                    fix_title=self.fix_title(info, below),
                )

    def _fix(self, decorators: tuple[DecoratorInfo, ...]) -> Fix | None:
        unsafe = self.FIX is Applicability.UNSAFE
        wanted: set[str] = set()
        for code, categories in ORDER_RULE_CATEGORIES.items():
            if code in self.context.enabled_codes and (unsafe or UNKNOWN not in categories):
                wanted |= categories
        target = max(index for index, info in enumerate(decorators) if category(info) in wanted)
        moving = tuple(index for index, info in enumerate(decorators[:target]) if info.fluxloop)
        return decorator_fix(self.context, decorators, moving, target, self.FIX or Applicability.SAFE)
