"""FLX001: the file cannot be decoded or parsed."""

from __future__ import annotations

from fluxloop_lint.rules.base import Invalid, Rule, Valid


class SyntaxErrorRule(Rule):
    """Reported by the engine itself when decoding or parsing fails; it has no visitor."""

    CODE = "FLX001"
    NAME = "syntax-error"
    MESSAGE = "cannot parse this file: {error}; the linter checked nothing in it and will not change it"
    RATIONALE = (
        "A file that cannot be decoded or parsed cannot be checked, and a fix cannot be applied "
        "to it safely. The finding carries the parser's position; fix the syntax (or the "
        "encoding) and lint again. The other files of the run are checked as usual."
    )
    VALID = (Valid("import fluxloop\n\n\n@fluxloop.tool()\ndef lookup(query):\n    return query\n"),)
    INVALID = (
        Invalid("import fluxloop\n\n\n@fluxloop.tool()\ndef lookup(query:\n    return query\n", 5, 11),
    )
