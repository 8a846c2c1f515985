"""Code actions: a quick fix per fixable finding (in a notebook cell, one that edits only that
cell), `# noqa` for a line, fix-all (what `--fix` writes) and the Pattern A rewrite of one
function. Requested kinds match by prefix, as clients ask (`only: ["source"]` includes
fix-all)."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from fluxloop_lint.engine import NOQA_COMMENT
from fluxloop_lint.fixes.rewrite import line_edits
from fluxloop_lint.server.diagnostics import diagnostic
from fluxloop_lint.server.positions import LineIndex
from fluxloop_lint.notebooks import fixed_cell
from fluxloop_lint.types import Applicability, Edit, Finding, Fix

FIX_ALL = "source.fixAll.fluxloop-lint"
QUICKFIX = types.CodeActionKind.QuickFix
PATTERN_A = types.CodeActionKind.RefactorRewrite
KINDS = (QUICKFIX, PATTERN_A, FIX_ALL)
PATTERN_A_TITLE = "Convert to manual instrumentation (Pattern A)"


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether a client that asked for the kinds `only` (None: any) wants an action of `kind`."""
    return only is None or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)


@dataclass(frozen=True)
class Target:
    """The document version edits apply to, and how the client takes edits."""

    uri: str
    version: int | None
    versioned: bool  # the client supports `documentChanges`

    def edit(self, edits: Sequence[types.TextEdit]) -> types.WorkspaceEdit:
        if self.versioned:
            document = types.OptionalVersionedTextDocumentIdentifier(uri=self.uri, version=self.version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=list(edits))])
        return types.WorkspaceEdit(changes={self.uri: list(edits)})


def _fixable(finding: Finding, unsafe_fixes: bool) -> Fix | None:
    """The finding's fix, when `--fix` would apply it."""
    fix = finding.fix
    return fix if fix is not None and fix.edits and fix.applies(unsafe_fixes) else None


def _fix_action(finding: Finding, fix: Fix, index: LineIndex, target: Target, edits: Sequence[Edit]) -> types.CodeAction:
    unsafe = fix.applicability is Applicability.UNSAFE
    return types.CodeAction(
        title=f"{fix.message} ({finding.code}{', unsafe fix' if unsafe else ''})",
        kind=QUICKFIX,
        diagnostics=[diagnostic(finding, index)],
        edit=target.edit([index.text_edit(edit) for edit in edits]),
        is_preferred=not unsafe,
    )


def quick_fix(finding: Finding, index: LineIndex, target: Target, unsafe_fixes: bool) -> types.CodeAction | None:
    """Exactly the finding's fix, when `--fix` would apply it."""
    fix = _fixable(finding, unsafe_fixes)
    return _fix_action(finding, fix, index, target, fix.edits) if fix is not None else None


def cell_quick_fix(finding: Finding, index: LineIndex, target: Target, unsafe_fixes: bool) -> types.CodeAction | None:
    """The fix of a finding in a notebook cell (`index` holds that cell's text), when it
    edits only that cell and no IPython line in it."""
    fix = _fixable(finding, unsafe_fixes)
    if fix is None or finding.cell is None or any(edit.cell != finding.cell for edit in fix.edits):
        return None
    fixed = fixed_cell(finding.cell, index.text, fix.edits)
    if fixed is None or fixed == index.text:
        return None
    return _fix_action(finding, fix, index, target, line_edits(index.text, fixed))


def noqa_action(finding: Finding, index: LineIndex, target: Target) -> types.CodeAction | None:
    """`# noqa: CODE` added to the finding's first line, or its code added to the line's `# noqa`.
    Not offered where a comment cannot go: in a string that goes on past the line, or after
    a backslash continuation."""
    number = finding.start.line - 1
    line = index.line(number)
    if line.endswith("\\") or _inside_string(index.text, finding.start.line):
        return None
    match = NOQA_COMMENT.search(line)
    if match is not None and match.group("codes") is None:
        return None  # a bare `# noqa` already silences the line
    if match is not None:
        column, content = match.end("codes"), f", {finding.code}"
    else:
        column, content = len(line.rstrip()), f"  # noqa: {finding.code}"
        content = content if column else content.lstrip()
    start = index.starts[number] + column
    position = index.at_offset(start)
    end = index.at_offset(index.starts[number] + len(line))
    return types.CodeAction(
        title=f"Disable {finding.code} for this line",
        kind=QUICKFIX,
        diagnostics=[diagnostic(finding, index)],
        edit=target.edit([types.TextEdit(types.Range(position, end), content)]),
    )


# Python 3.12 splits f-strings into tokens of their own; before, an f-string is one STRING.
_F_STRING_PARTS = {getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)}


def _inside_string(text: str, line: int) -> bool:
    """Whether the end of 1-based `line` falls inside a string token (or the text does not tokenize)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] > line:
                return False
            if token.type == tokenize.STRING or token.type in _F_STRING_PARTS:
                if token.start[0] <= line < token.end[0]:
                    return True
    except (tokenize.TokenError, SyntaxError):
        return True
    return False



def rewrite_action(title: str, kind: str, old: str, new: str, index: LineIndex, target: Target) -> types.CodeAction | None:
    """An action turning the text `old` into `new`, with edits only on the lines that change."""
    if new == old:
        return None
    return types.CodeAction(title=title, kind=kind, edit=target.edit([index.text_edit(edit) for edit in line_edits(old, new)]))
