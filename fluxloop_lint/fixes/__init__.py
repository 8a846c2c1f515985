"""Fix builders. Decorator-placement findings go through `decorator_fix`, the one place that
chooses a builder by `settings.fix_strategy`."""

from __future__ import annotations

from fluxloop_lint.context import DecoratorInfo, FileContext
from fluxloop_lint.fixes.manual import MISPLACED, manual_fix, misplaced
from fluxloop_lint.fixes.reorder import reorder_fix
from fluxloop_lint.types import Applicability, Fix, FixStrategy


def decorator_fix(
    context: FileContext,
    decorators: tuple[DecoratorInfo, ...],
    moving: tuple[int, ...],
    target: int,
    applicability: Applicability,
) -> Fix | None:
    """The fix for FluxLoop decorators at `moving` that must end up below `target`."""
    if context.settings.fix_strategy is FixStrategy.MANUAL and any(misplaced(decorators, index) for index in moving):
        # Pattern A for FluxLoop decorators above transforming, registering and descriptor
        # decorators (FLX101, FLX102). The rest (FLX103, FLX104, or a function the manual
        # rewrite cannot convert faithfully) keeps reordering.
        fix = manual_fix(context, MISPLACED, decorators[moving[0]].node)
        if fix is not None:
            return fix
    return reorder_fix(context, decorators, moving, target, applicability)
