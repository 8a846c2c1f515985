"""The rule codes, as data, and how selectors choose among them, without importing the
rules (LibCST): the configuration checks selectors with it, the engine selects rules with it.

A test holds `RULE_CODES` equal to `engine.known_codes()`, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fluxloop_lint.types import FixStrategy, LintSettings

RULE_CODES: tuple[str, ...] = (
    "FLX001",
    "FLX101",
    "FLX102",
    "FLX103",
    "FLX104",
    "FLX105",
    "FLX106",
    "FLX107",
    "FLX108",
    "FLX201",
    "FLX202",
    "FLX203",
    "FLX204",
    "FLX205",
    "FLX206",
    "FLX207",
    "FLX301",
)
CODE_PREFIX = "FLX"
SYNTAX_ERROR_CODE = "FLX001"  # also what an unreadable file is reported as
# The explicit-only rule that `--fix-strategy manual --unsafe-fixes` asks for (see
# `rule_selectors`).
MANUAL_INSTRUMENTATION_CODE = "FLX207"
# What a selector looks like (a code, a prefix or ALL); `check_selectors` says whether it names a rule.
SELECTOR = re.compile(r"ALL|[A-Z]{1,3}[0-9]{0,3}")


def check_selectors(selectors: Iterable[str]) -> None:
    """Raise ValueError unless every selector is `ALL`, a rule code or a prefix of one.

    As in Ruff, a selector naming no rule is an error, other tools' codes (`E501`) included.
    """
    for selector in selectors:
        if selector == "ALL":
            continue
        if not selector.startswith(CODE_PREFIX) or not any(code.startswith(selector) for code in RULE_CODES):
            raise ValueError(f"unknown rule code '{selector}'")


def specificity(code: str, selectors: Iterable[str], *, explicit_only: bool = False) -> int | None:
    """How specifically the most specific matching selector names `code` (None: no match).
    An explicit-only code is matched only by itself, never by `ALL` or a prefix."""
    best: int | None = None
    for selector in selectors:
        selector = selector.strip().upper()
        if selector == code:
            length = len(selector)
        elif explicit_only:
            continue
        elif selector == "ALL":
            length = 0
        elif selector and code.startswith(selector):
            length = len(selector)
        else:
            continue
        best = length if best is None else max(best, length)
    return best


Selectors = tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def rule_selectors(settings: LintSettings) -> Selectors:
    """`select`, `extend_select`, `ignore` and `per_file_ignore` as rules are selected by them.

    `--fix-strategy manual --unsafe-fixes` asks for FLX207 (an explicit-only rule), so it
    joins `extend_select` wherever these selectors would run it were it an ordinary rule on by
    default: `--select FLX1`, `--ignore FLX2`, `--ignore FLX207` or a per-file ignore keep it
    out, as an explicit selection of other codes or an explicit ignore should.
    """
    selectors = (settings.select, settings.extend_select, settings.ignore, settings.per_file_ignore)
    if settings.fix_strategy is FixStrategy.MANUAL and settings.unsafe_fixes and is_selected(MANUAL_INSTRUMENTATION_CODE, *selectors):
        return settings.select, (*settings.extend_select, MANUAL_INSTRUMENTATION_CODE), settings.ignore, settings.per_file_ignore
    return selectors


def is_selected(
    code: str,
    select: Iterable[str] | None,
    extend_select: Iterable[str],
    ignore: Iterable[str],
    per_file_ignore: Iterable[str] = (),
    *,
    default_enabled: bool = True,
    explicit_only: bool = False,
) -> bool:
    """Whether the selectors run the rule `code`. `select` None means the rules on by default.
    As in Ruff, the most specific selector wins (`--ignore FLX1 --extend-select FLX104` runs
    FLX104); on a tie, `ignore` wins. `ignore` matches explicit-only rules by prefix and `ALL`
    too. A per-file ignore that matches removes the rule whatever selects it."""
    if specificity(code, per_file_ignore) is not None:
        return False
    if select is None:
        selected = -1 if default_enabled else None
    else:
        selected = specificity(code, select, explicit_only=explicit_only)
    extended = specificity(code, extend_select, explicit_only=explicit_only)
    if extended is not None and (selected is None or extended > selected):
        selected = extended
    ignored = specificity(code, ignore)
    return selected is not None and (ignored is None or selected > ignored)
