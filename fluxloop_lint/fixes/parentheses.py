"""FLX105's fix: call a bare decorator factory (`@fluxloop.tool` becomes `@fluxloop.tool()`)."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.types import Applicability, Edit, Fix, Position


def call_decorator_fix(context: FileContext, decorator: cst.Decorator, label: str) -> Fix:
    end = context.position(decorator.decorator).end
    where = Position(end.line, end.column + 1)
    return Fix(Applicability.SAFE, f"Call it: @{label}()", (Edit(where, where, "()"),))
