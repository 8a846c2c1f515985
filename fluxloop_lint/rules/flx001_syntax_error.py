"""FLX001: the file cannot be decoded or parsed."""

from __future__ import annotations

from fluxloop_lint.rules.base import Invalid, Rule, Valid
from fluxloop_lint.types import Finding, Position


class SyntaxErrorRule(Rule):
    """Reported by the engine itself when decoding or parsing fails; it has no visitor."""

    CODE = "FLX001"
    NAME = "syntax-error"
    MESSAGE = "cannot parse this file: {error}; the linter checked nothing in it and will not change it"
    FIX_TITLE = "Fix the syntax (or the encoding) and lint again"
    WHAT = (
        "Reports a file that mentions FluxLoop but cannot be read, decoded or parsed (a notebook: "
        "not nbformat 4 JSON, or code cells that do not parse), at the parser's position."
    )
    RATIONALE = (
        "A file that cannot be decoded or parsed cannot be checked, and a fix cannot be applied "
        "to it safely. The finding carries the parser's position; fix the syntax (or the "
        "encoding) and lint again. The other files of the run are checked as usual."
    )
    FIX_SAFETY = "There is no fix: the linter never changes a file it cannot parse."

    @classmethod
    def finding(cls, error: str, path: str, where: Position) -> Finding:
        """The finding for a file (or notebook) that cannot be decoded or parsed, at `where`."""
        return Finding(cls.CODE, cls.MESSAGE.format(error=error), path, where, where, fix_title=cls.FIX_TITLE)
    VALID = (Valid("import fluxloop\n\n\n@fluxloop.tool()\ndef lookup(query):\n    return query\n"),)
    INVALID = (
        Invalid(
            "import fluxloop\n\n\n@fluxloop.tool()\ndef lookup(query:\n    return query\n",
            5,
            11,
            expected_message=(
                "cannot parse this file: '(' was never closed; the linter checked nothing in it and will not change it"
            ),
        ),
    )
