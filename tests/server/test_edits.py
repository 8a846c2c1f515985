"""Edits as typing makes them, one version after another: the server parses again only the
statements an edit changed, and every version's diagnostics are still the command line's for
that text, also after the syntax was broken and repaired; a quick fix on an edited version
applies as `--fix` does."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.server.editor import Editor, command_line_fix
from tests.server.test_diagnostics import SOURCE, expected_diagnostics, shown

pytestmark = pytest.mark.asyncio(loop_scope="module")

MORE = '''

@fluxloop_runtime.trace(name="lookup")
@function_tool
def lookup(query: str) -> str:
    """Look a query up."""
    return query.upper()


class Helper:
    @fluxloop_runtime.trace(name="helper.clean")
    @staticmethod
    def clean(text: str) -> str:
        return text.strip()
'''


async def test_each_version_of_an_edited_file_gets_the_command_lines_findings(editor: Editor) -> None:
    text = SOURCE + MORE
    uri = editor.open("agent/edited.py", text)
    assert shown(await editor.diagnostics(uri)) == expected_diagnostics(editor, "agent/edited.py", text)
    edits = [
        text.replace("return query.upper()", "return query.lower()"),  # inside one function
        text.replace("def lookup(query: str) -> str:", "def lookup(query: str -> str:"),  # broken
        text.replace('"""Look a query up."""', '"""Look a query up."""\n    # a comment'),  # repaired, edited
        "import functools\n\n" + text,  # a statement above everything: every line moves
        text.replace("@function_tool\ndef lookup", "def lookup"),  # a finding goes
    ]
    for version in edits:
        editor.change(uri, version)
        editor.write("agent/edited.py", version)
        assert shown(await editor.diagnostics(uri)) == expected_diagnostics(editor, "agent/edited.py", version)


async def test_a_quick_fix_on_an_edited_version_applies_as_fix_does(editor: Editor) -> None:
    uri = editor.open("agent/fixed.py", SOURCE + MORE)
    await editor.diagnostics(uri)
    edited = "import functools\n\n" + SOURCE + MORE.replace("query.upper()", "query.title()")
    editor.change(uri, edited)
    diagnostics = await editor.diagnostics(uri)
    lookup = next(diagnostic for diagnostic in diagnostics if diagnostic.message.startswith("@fluxloop_runtime.trace sits above @function_tool"))
    actions = await editor.code_actions(uri, lookup.range, only=[types.CodeActionKind.QuickFix], diagnostics=[lookup])
    fixed = editor.apply(uri, actions[0].edit)  # type: ignore[arg-type]
    # That finding's fix only: the other findings stay, and --fix makes the same of both texts.
    assert fixed == edited.replace(
        '@fluxloop_runtime.trace(name="lookup")\n@function_tool\n', '@function_tool\n@fluxloop_runtime.trace(name="lookup")\n'
    )
    assert command_line_fix(editor.root, "agent/fixed.py", fixed) == command_line_fix(editor.root, "agent/fixed.py", edited)
