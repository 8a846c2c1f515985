"""The rule catalogue: one module per rule, exported here in code order."""

from __future__ import annotations

from fluxloop_lint.rules.base import Rule
from fluxloop_lint.rules.flx001_syntax_error import SyntaxErrorRule
from fluxloop_lint.rules.flx101_framework_order import FrameworkOrderRule

ALL_RULES: tuple[type[Rule], ...] = (
    SyntaxErrorRule,
    FrameworkOrderRule,
)

_BY_CODE = {rule.CODE: rule for rule in ALL_RULES}


def rule_for_code(code: str) -> type[Rule] | None:
    """The rule class with this code, or None."""
    return _BY_CODE.get(code.upper())
