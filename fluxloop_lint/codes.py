"""The rule codes, as data, for checking selectors without importing the rules (LibCST).

A test holds `RULE_CODES` equal to `engine.known_codes()`, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RULE_CODES: tuple[str, ...] = (
    "FLX001",
    "FLX101",
    "FLX102",
    "FLX103",
    "FLX104",
    "FLX105",
    "FLX106",
    "FLX107",
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
