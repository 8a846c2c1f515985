"""A rule's documentation, built from its class in Ruff's shape: What it does / Why is this
bad / Example / Use instead / Fix safety, with the short message and the fix title.

`explain` and the language server's hover print `explanation`, SARIF carries it as each
rule's help, and the README's rule table is `rule_table` (a test keeps the two in sync).
Takes rule classes as arguments and imports nothing heavy.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Any

EXPLICIT_ONLY_NOTE = "explicit only"


def message_summary(template: str, placeholder: str = "<{}>") -> str:
    """A MESSAGE or FIX_TITLE with its `{placeholders}` shown as `<placeholders>` (or in the
    given `placeholder` form)."""
    return "".join(
        literal + (placeholder.format(field) if field is not None else "")
        for literal, field, _, _ in string.Formatter().parse(template)
    )


def fix_word(rule: Any) -> str:
    """`safe`, `unsafe` or `none`: what `--fix` does with the rule's findings."""
    return rule.FIX.value if rule.FIX is not None else "none"


def explanation(rule: Any) -> str:
    """`explain`'s text: the code and name, the message, the fix title, then the sections.
    Paragraphs are left unwrapped and code is indented, so the text is Markdown as well."""
    parts = [f"{rule.CODE} ({rule.NAME})", "", message_summary(rule.MESSAGE), ""]
    if rule.FIX_TITLE:
        parts.append(f"help: {message_summary(rule.FIX_TITLE)}")
    parts.append(f"Fix: {fix_word(rule)}")
    if rule.EXPLICIT_ONLY:
        parts.append(f"Selection: {EXPLICIT_ONLY_NOTE} (`--select {rule.CODE}`; `ALL` and prefixes do not select it)")
    if rule.WHAT:
        parts += ["", "## What it does", "", rule.WHAT.strip()]
    parts += ["", "## Why is this bad?", "", rule.RATIONALE.strip()]
    wrong = rule.INVALID[0] if rule.INVALID else None
    if wrong is not None:
        parts += ["", "## Example", "", "Wrong:", "", _indent(wrong.code)]
    if wrong is not None and wrong.expected_replacement is not None:
        parts += ["", "## Use instead", "", "Right (what --fix writes):", "", _indent(wrong.expected_replacement)]
    elif rule.VALID:
        parts += ["", "## Use instead", "", "Right:", "", _indent(rule.VALID[0].code)]
    if rule.FIX_SAFETY:
        parts += ["", "## Fix safety", "", rule.FIX_SAFETY.strip()]
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.strip("\n").splitlines())


def rule_table(rules: Iterable[Any]) -> str:
    """The README's rule table: one row a rule, from the same attributes as `explanation`
    (placeholders written `&lt;name&gt;`, which Markdown shows as `<name>`)."""
    rows = ["| code | name | what it does | fix |", "|---|---|---|---|"]
    for rule in rules:
        title = message_summary(rule.FIX_TITLE, "&lt;{}&gt;") if rule.FIX_TITLE else ""
        fix = fix_word(rule) + (f": {title}" if title else "")
        cells = (rule.CODE, f"`{rule.NAME}`", rule.WHAT.strip(), fix)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"
