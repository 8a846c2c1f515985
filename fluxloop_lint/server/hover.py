"""Hover: `explain`'s text for the rule code under the cursor in a `# noqa` comment, or for
the findings whose range holds the cursor."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types

from fluxloop_lint.engine import NOQA_COMMENT
from fluxloop_lint.rule_docs import explanation
from fluxloop_lint.rules import rule_for_code
from fluxloop_lint.server.positions import LineIndex, overlaps
from fluxloop_lint.types import Finding

_CODE = re.compile(r"[A-Za-z]+[0-9]+")


def hover_text(position: types.Position, index: LineIndex, findings: Sequence[Finding]) -> str | None:
    code = _noqa_code_at(position, index)
    codes = [code] if code is not None else []
    if not codes:
        cursor = types.Range(position, position)
        for finding in findings:
            if finding.code not in codes and overlaps(index.range(finding.start, finding.end), cursor):
                codes.append(finding.code)
    rules = [rule for rule in map(rule_for_code, codes) if rule is not None]
    return "\n\n".join(explanation(rule) for rule in rules) or None


def _noqa_code_at(position: types.Position, index: LineIndex) -> str | None:
    """The rule code under the cursor when it is in a `# noqa: ...` list."""
    line = index.line(position.line)
    match = NOQA_COMMENT.search(line)
    if match is None or match.group("codes") is None:
        return None
    column = index.offset_of(position) - index.starts[position.line]
    for code in _CODE.finditer(line, match.start("codes"), match.end("codes")):
        if code.start() <= column <= code.end():
            return code.group().upper()
    return None
