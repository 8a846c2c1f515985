"""The rule base class and the example types every rule carries (as Fixit's rules do).

A rule declares which node types it wants by defining `visit_<NodeType>` (and, if needed,
`leave_<NodeType>`) methods; the engine builds its dispatch table from those names once per
process and calls them during its single walk of the module. Rules report through
`self.report(...)`; positions are resolved by the engine, only when something was reported.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.types import Applicability, Fix, Severity


@dataclass(frozen=True)
class Valid:
    """Source the rule must not report (written indented in the rule; stored dedented)."""

    code: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", _example_text(self.code))


@dataclass(frozen=True)
class Invalid:
    """Source the rule must report at `line`:`column` (1-based, as the text output shows),
    and, when the rule has a fix, the source after fixing (`expected_replacement`)."""

    code: str
    line: int
    column: int
    expected_replacement: str | None = None
    expected_message: str | None = None  # the finding's whole message, when given

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", _example_text(self.code))
        if self.expected_replacement is not None:
            object.__setattr__(self, "expected_replacement", _example_text(self.expected_replacement))


def _example_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class Rule:
    CODE: ClassVar[str]
    NAME: ClassVar[str]
    # The rule's documentation, in Ruff's shape: What it does / Why is this bad / Example
    # (INVALID[0]) / Use instead (its expected_replacement, else VALID[0]) / Fix safety.
    MESSAGE: ClassVar[str]  # the finding in one short line; rules fill its {placeholders}
    FIX_TITLE: ClassVar[str | None] = None  # what to do about it, imperative; rules fill its {placeholders}
    WHAT: ClassVar[str] = ""  # What it does
    RATIONALE: ClassVar[str]  # Why is this bad
    FIX_SAFETY: ClassVar[str] = ""  # Fix safety: what the fix changes, and why it is safe or unsafe
    DEFAULT_ENABLED: ClassVar[bool] = True
    # Selected only by a selector equal to CODE, never by `ALL` or a prefix (`FLX2`); such a
    # rule is also off by default (DEFAULT_ENABLED = False). `ignore` still matches it by prefix.
    EXPLICIT_ONLY: ClassVar[bool] = False
    SEVERITY: ClassVar[Severity] = Severity.ERROR
    FIX: ClassVar[Applicability | None] = None
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    # The rule runs on a file only if its text contains one of these (none: always runs).
    TEXT_TRIGGERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: FileContext) -> None:
        self.context = context

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        build_fix: Callable[[], Fix | None] | None = None,
        noqa_node: cst.CSTNode | None = None,
        fix_title: str | None = None,
    ) -> None:
        """Report a finding at `node`. `fix_title` is FIX_TITLE with its placeholders filled
        (FIX_TITLE itself when not given)."""
        self.context.report(
            self.CODE, node, message, build_fix=build_fix, noqa_node=noqa_node, fix_title=fix_title or self.FIX_TITLE
        )
