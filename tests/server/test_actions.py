"""Code actions and hover: a quick fix applies exactly its finding's fix, fix-all writes what
`--fix` writes (also with no diagnostics in the request, as on save), the noqa action
silences one line, the Pattern A action matches the manual fix, and hover shows `explain`."""

from __future__ import annotations

import ast

import pytest

import fluxloop_runtime
from lsprotocol import types

from tests.conftest import OfflineStore
from tests.lint.cli_helpers import run_cli
from tests.server.editor import Editor, command_line_fix
from tests.server.test_diagnostics import SOURCE

pytestmark = pytest.mark.asyncio(loop_scope="module")

FLX101_LINE = 5  # 0-based: the misplaced decorator of SOURCE


def titles(actions: list[types.CodeAction]) -> list[str]:
    return [action.title for action in actions]


async def test_quickfix_applies_the_fix_and_its_diagnostic_goes(editor: Editor) -> None:
    uri = editor.open("tools.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    actions = await editor.code_actions(uri, diagnostic.range, only=[types.CodeActionKind.QuickFix], diagnostics=[diagnostic])
    assert titles(actions) == ["Move @fluxloop_runtime.tool below @function_tool (FLX101)", "Disable FLX101 for this line"]
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert list(fix.diagnostics or ()) == [diagnostic]
    fixed = editor.apply(uri, fix.edit)  # type: ignore[arg-type]
    assert fixed == command_line_fix(editor.root, "tools.py", SOURCE)
    assert await editor.diagnostics(uri) == []


async def test_fix_all_equals_the_command_lines_fix(editor: Editor) -> None:
    uri = editor.open("tools.py", SOURCE)
    diagnostics = await editor.diagnostics(uri)
    expected = command_line_fix(editor.root, "tools.py", SOURCE)
    whole = types.Range(types.Position(0, 0), types.Position(0, 0))
    for only, sent in (
        (["source.fixAll"], []),  # fix on save: no diagnostics in the context
        (["source"], diagnostics),  # kinds match by prefix
        (None, diagnostics),
    ):
        actions = [action for action in await editor.code_actions(uri, whole, only=only, diagnostics=sent) if action.kind == "source.fixAll.fluxloop-lint"]
        assert titles(actions) == ["Fix all fluxloop-lint problems"]
        # Both clients resolve edits: the edit is computed only when the action is chosen.
        assert actions[0].edit is None
        edit = await editor.edit_of(actions[0])
        edits = edit.document_changes[0].edits if editor.versioned_edits else edit.changes[uri]  # type: ignore[index,union-attr]
        # Only the lines that change: the two decorators.
        assert edits and all(5 <= text_edit.range.start.line <= text_edit.range.end.line <= 7 for text_edit in edits)
    assert editor.apply(uri, edit) == expected
    assert await editor.diagnostics(uri) == []
    after = await editor.code_actions(uri, whole, only=["source.fixAll"])
    assert after == []  # nothing left to fix


async def test_unsafe_fixes_are_offered_only_when_enabled(editor: Editor) -> None:
    # FLX104 (an unknown decorator below a FluxLoop one) is off by default and its fix is unsafe.
    source = "import fluxloop_runtime\nfrom acme import retry\n\n\n@fluxloop_runtime.tool\n@retry\ndef fetch(url):\n    return url\n"
    editor.write("fluxloop-lint.toml", 'extend-select = ["FLX104"]\n')
    uri = editor.open("fetch.py", source)
    diagnostics = await editor.diagnostics(uri)
    assert [diagnostic.code for diagnostic in diagnostics] == ["FLX104"]
    actions = await editor.code_actions(uri, diagnostics[0].range, only=[types.CodeActionKind.QuickFix])
    assert titles(actions) == ["Disable FLX104 for this line"]
    assert await editor.code_actions(uri, diagnostics[0].range, only=["source.fixAll"]) == []


async def test_noqa_action_adds_or_extends_the_comment(editor: Editor) -> None:
    for line_end, written in (
        ("", '@fluxloop_runtime.tool(name="météo 🌦")  # noqa: FLX101'),
        ("  # noqa: E501", '@fluxloop_runtime.tool(name="météo 🌦")  # noqa: E501, FLX101'),
    ):
        source = SOURCE.replace('"météo 🌦")\n', f'"météo 🌦"){line_end}\n')
        uri = editor.open(f"noqa{len(line_end)}.py", source)
        (diagnostic,) = await editor.diagnostics(uri)
        actions = await editor.code_actions(uri, editor.range_of(FLX101_LINE, 3), only=[types.CodeActionKind.QuickFix])
        (noqa,) = [action for action in actions if action.title == "Disable FLX101 for this line"]
        fixed = editor.apply(uri, noqa.edit)  # type: ignore[arg-type]
        assert fixed.splitlines()[FLX101_LINE] == written
        assert fixed.replace(written, "") == source.replace(source.splitlines()[FLX101_LINE], "")  # nothing else changed
        assert await editor.diagnostics(uri) == []


async def test_no_noqa_action_where_a_comment_would_land_in_a_string(editor: Editor) -> None:
    source = 'import fluxloop_runtime\nfrom agents import function_tool\n\n\n@fluxloop_runtime.tool(description="""multi\nline""")\n@function_tool\ndef f():\n    pass\n'
    uri = editor.open("strings.py", source)
    (diagnostic,) = await editor.diagnostics(uri)
    actions = await editor.code_actions(uri, diagnostic.range, only=[types.CodeActionKind.QuickFix])
    assert "Disable FLX101 for this line" not in titles(actions)


async def test_pattern_a_action_converts_that_function_as_the_manual_fix_does(editor: Editor, offline_store: OfflineStore) -> None:
    # Both decorators correctly placed (Pattern B), so the file runs as it is.
    source = command_line_fix(editor.root, "tools.py", SOURCE)
    uri = editor.open("tools.py", source)
    planner = source.splitlines().index('@fluxloop_runtime.agent(name="planner")')
    actions = await editor.code_actions(uri, editor.range_of(planner, 2), only=["refactor"])
    assert titles(actions) == ["Convert to manual instrumentation (Pattern A)"]
    assert actions[0].kind == types.CodeActionKind.RefactorRewrite
    converted = editor.apply(uri, actions[0].edit)  # type: ignore[arg-type]
    expected = command_line_fix(editor.root, "tools.py", source, "--fix-strategy", "manual", "--unsafe-fixes")
    assert function_source(converted, "plan") == function_source(expected, "plan")
    assert "@fluxloop_runtime.agent" not in function_source(converted, "plan")
    # The other function keeps its decorators, and the import they need.
    assert function_source(converted, "get_weather") == function_source(source, "get_weather")
    assert "import fluxloop_runtime\n" in converted
    # Run with the real framework: the converted function records its observation.
    namespace: dict = {}
    exec(compile(converted, "tools.py", "exec"), namespace)
    with fluxloop_runtime.instrument("check"):
        assert namespace["plan"]("trip") == "trip"
    (observation,) = [line for line in offline_store.observations() if line["name"] == "planner"]
    assert observation["type"] == "agent" and observation["output"] == "trip"
    assert observation["input"] == {"args": {"goal": "trip"}}
    # Not on a line without a FluxLoop decorator.
    assert await editor.code_actions(uri, editor.range_of(planner + 1, 2), only=["refactor"]) == []


def function_source(text: str, name: str) -> str:
    """A function's source with its decorators."""
    module = ast.parse(text)
    (function,) = [node for node in ast.walk(module) if isinstance(node, ast.FunctionDef) and node.name == name]
    first = min([function.lineno, *(decorator.lineno for decorator in function.decorator_list)])
    return "".join(text.splitlines(keepends=True)[first - 1 : function.end_lineno])


def explain(code: str) -> str:
    result = run_cli("explain", code)
    assert result.exit_code == 0
    return result.stdout.rstrip("\n")


async def hover(editor: Editor, uri: str, line: int, character: int) -> str | None:
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character))
    result = await editor.client.text_document_hover_async(params)
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_explains_noqa_codes_and_diagnostics(editor: Editor) -> None:
    source = SOURCE.replace("return goal\n", "return goal  # noqa: FLX203, FLX101\n")
    uri = editor.open("tools.py", source)
    await editor.diagnostics(uri)
    noqa_line = source.splitlines().index("    return goal  # noqa: FLX203, FLX101")
    line = source.splitlines()[noqa_line]
    assert await hover(editor, uri, noqa_line, line.index("FLX203") + 2) == explain("FLX203")
    assert await hover(editor, uri, noqa_line, line.index("FLX101")) == explain("FLX101")
    assert await hover(editor, uri, noqa_line, 5) is None  # on the code, not the comment
    assert await hover(editor, uri, FLX101_LINE, 4) == explain("FLX101")
    assert await hover(editor, uri, 0, 3) is None
