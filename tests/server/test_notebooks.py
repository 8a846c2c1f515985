"""Notebook documents: each code cell gets the command line's findings for the notebook file,
in that cell and in the client's position encoding; they follow cell edits and cells added
or removed; a quick fix or fix-all on a cell edits that cell; closing clears them; IPython
syntax is not reported. The clients are VS Code's and Neovim's with notebook support."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.server.conftest import start
from tests.lint.cli_helpers import run_cli
from tests.server.editor import Editor, apply_text_edits, command_line_findings, lines_of, units
from tests.server.test_diagnostics import shown

pytestmark = pytest.mark.asyncio(loop_scope="module")

IMPORTS = "from agents import function_tool\n\nimport fluxloop_runtime\n"
WRONG_TOOL = '''\
@fluxloop_runtime.tool(name="météo 🌦")
@function_tool
def lookup(query: str) -> str:
    return query.upper()
'''
RIGHT_TOOL = WRONG_TOOL.replace('@fluxloop_runtime.tool(name="météo 🌦")\n@function_tool\n', '@function_tool\n@fluxloop_runtime.tool(name="météo 🌦")\n')
CELLS = [("markdown", "# A tool that says `fluxloop_runtime`"), ("code", IMPORTS), ("code", WRONG_TOOL), ("code", "lookup")]
TOOL_CELL = 2  # the index of WRONG_TOOL's cell in CELLS


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session(lsp: LanguageClient, client_name: str, tmp_path_factory: pytest.TempPathFactory) -> Editor:
    """A session whose client syncs notebooks (VS Code from 1.70 on does)."""
    capabilities = client_capabilities(client_name)
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities(execution_summary_support=True)
    )
    return await start(lsp, client_name, tmp_path_factory.mktemp("workspace"), capabilities=capabilities)


def expected_by_cell(editor: Editor, relative: str, cells: list[tuple[str, str]], uris: list[str]) -> dict[str, list[tuple]]:
    """The command line's findings for the notebook file, per cell URI as (code, message,
    severity, range in the cell in the client's units)."""
    severities = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
    expected: dict[str, list[tuple]] = {uri: [] for (kind, _), uri in zip(cells, uris) if kind == "code"}
    for finding in command_line_findings(editor.root, relative):
        number = finding["cell"]
        lines = lines_of(cells[number - 1][1])

        def position(location: dict) -> tuple[int, int]:
            line = location["row"] - 1
            return line, units(lines[line][: location["column"] - 1] if line < len(lines) else "", editor.encoding)

        expected[uris[number - 1]].append(
            (finding["code"], finding["message"], severities[finding["severity"]], position(finding["location"]), position(finding["end_location"]))
        )
    return expected


async def diagnostics_by_cell(editor: Editor, uris: list[str], cells: list[tuple[str, str]]) -> dict[str, list[tuple]]:
    return {uri: shown(await editor.diagnostics(uri)) for (kind, _), uri in zip(cells, uris) if kind == "code"}


def last_published(editor: Editor, uri: str) -> list[types.Diagnostic] | None:
    found = [params for params in editor.client.published if params.uri == uri]  # type: ignore[attr-defined]
    return list(found[-1].diagnostics) if found else None


async def wait_until_cleared(editor: Editor, uri: str) -> None:
    async def wait() -> None:
        while last_published(editor, uri) != []:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(wait(), 30)


async def test_each_cell_gets_the_command_lines_findings_and_they_follow_its_edits(editor: Editor) -> None:
    assert editor.server_capabilities.notebook_document_sync is not None
    uris = editor.open_notebook("agent.ipynb", CELLS)
    expected = expected_by_cell(editor, "agent.ipynb", CELLS, uris)
    # The import and the misplaced decorator are in different cells; the finding is the tool cell's.
    assert [[code for code, *_ in found] for found in expected.values()] == [[], ["FLX101"], []]
    assert expected[uris[TOOL_CELL]][0][3][0] == 0  # its first line, counted in the cell
    assert await diagnostics_by_cell(editor, uris, CELLS) == expected

    editor.change(uris[TOOL_CELL], RIGHT_TOOL)
    assert await editor.diagnostics(uris[TOOL_CELL]) == []
    moved = "\n\n" + WRONG_TOOL  # the finding two lines further down in the cell
    editor.change(uris[TOOL_CELL], moved)
    cells = [*CELLS[:TOOL_CELL], ("code", moved), *CELLS[TOOL_CELL + 1 :]]
    editor.open_notebook("moved.ipynb", cells)  # the same notebook on disk, for the command line
    assert shown(await editor.diagnostics(uris[TOOL_CELL])) == expected_by_cell(editor, "moved.ipynb", cells, uris)[uris[TOOL_CELL]]
    assert [diagnostic.range.start.line for diagnostic in await editor.diagnostics(uris[TOOL_CELL])] == [2]


async def test_after_a_burst_of_cell_edits_the_last_versions_findings_are_shown(editor: Editor) -> None:
    uris = editor.open_notebook("agent.ipynb", CELLS)
    tool = uris[TOOL_CELL]
    await editor.diagnostics(tool)
    for blank_lines in range(1, 6):  # the finding one line further down each time
        last = editor.change(tool, "\n" * blank_lines + WRONG_TOOL)
    found = await editor.diagnostics(tool)
    assert [(diagnostic.code, diagnostic.range.start.line) for diagnostic in found] == [("FLX101", 5)]
    if not editor.pulls:  # no cell's diagnostics come from a version that is not its own
        for params in editor.client.published:  # type: ignore[attr-defined]
            if params.uri == tool and params.version is not None and params.diagnostics:
                assert params.diagnostics[0].range.start.line == params.version - 1
    assert last == 6


async def test_cells_added_and_removed_are_linted_with_the_notebook(editor: Editor) -> None:
    uris = editor.open_notebook("agent.ipynb", CELLS)
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uris[TOOL_CELL])] == ["FLX101"]
    # A markdown cell and a second misplaced tool before the first: every number after moves.
    added = editor.replace_cells(editor.root.joinpath("agent.ipynb").as_uri(), 1, 0, [("markdown", "notes"), ("code", WRONG_TOOL)])
    cells = [CELLS[0], ("markdown", "notes"), ("code", WRONG_TOOL), *CELLS[1:]]
    uris = [uris[0], *added, *uris[1:]]
    editor.open_notebook("added.ipynb", cells)
    expected = expected_by_cell(editor, "added.ipynb", cells, uris)
    # The new tool cell runs before the import, where `fluxloop_runtime` is not FluxLoop's yet.
    assert [[code for code, *_ in found] for found in expected.values()] == [[], [], ["FLX101"], []]
    assert shown(await editor.diagnostics(added[1])) == expected[added[1]]
    assert shown(await editor.diagnostics(uris[TOOL_CELL + 2])) == expected[uris[TOOL_CELL + 2]]

    # The old tool cell removed: its diagnostics go.
    removed = uris[TOOL_CELL + 2]
    editor.replace_cells(editor.root.joinpath("agent.ipynb").as_uri(), TOOL_CELL + 2, 1, [])
    if editor.pulls:
        assert await editor.diagnostics(removed) == []
    else:
        await wait_until_cleared(editor, removed)


async def test_a_cell_moved_is_linted_in_its_new_place(editor: Editor) -> None:
    notebook = editor.root.joinpath("agent.ipynb").as_uri()
    uris = editor.open_notebook("agent.ipynb", CELLS)
    tool = uris[TOOL_CELL]
    assert [diagnostic.code for diagnostic in await editor.diagnostics(tool)] == ["FLX101"]
    for old, new, codes in ((TOOL_CELL, 0, []), (0, TOOL_CELL, ["FLX101"])):  # above the import, then back
        editor.client.published.clear()  # type: ignore[attr-defined]
        editor.move_cell(notebook, old, new)
        found = await editor.diagnostics(tool) if editor.pulls else await editor.published(tool)
        assert [diagnostic.code for diagnostic in found] == codes


async def test_quick_fix_and_fix_all_on_a_cell_edit_that_cell(editor: Editor) -> None:
    uris = editor.open_notebook("agent.ipynb", CELLS)
    tool = uris[TOOL_CELL]
    (diagnostic,) = await editor.diagnostics(tool)
    actions = await editor.code_actions(tool, diagnostic.range, diagnostics=[diagnostic])
    titles = [action.title for action in actions]
    assert titles == ["Move @fluxloop_runtime.tool below @function_tool (FLX101)", "Disable FLX101 for this line", "Fix all fluxloop-lint problems"]
    assert actions[2].edit is not None  # in a cell, offered only with the edit, which must stay in the cell
    fix_all = actions[2].edit
    if editor.versioned_edits:
        (change,) = fix_all.document_changes  # type: ignore[misc]
        assert change.text_document.uri == tool
        edits = list(change.edits)
    else:
        assert list(fix_all.changes) == [tool]  # type: ignore[arg-type]
        edits = list(fix_all.changes[tool])  # type: ignore[index]
    # What `--fix` writes into that cell of the notebook file.
    assert run_cli("--fix", "--no-cache", "agent.ipynb", cwd=editor.root).exit_code == 0
    written = nbformat.read(str(editor.path("agent.ipynb")), as_version=4)
    assert apply_text_edits(WRONG_TOOL, edits, editor.encoding) == written.cells[TOOL_CELL].source == RIGHT_TOOL
    hover = await editor.client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=tool), position=diagnostic.range.start))
    assert hover is not None and "FLX101" in hover.contents.value  # type: ignore[union-attr]
    assert editor.apply(tool, actions[0].edit) == RIGHT_TOOL  # type: ignore[arg-type]
    assert await editor.diagnostics(tool) == []
    assert await editor.code_actions(tool, diagnostic.range) == []
    # The other cells are as they were, and the command line agrees on the fixed notebook.
    fixed = [*CELLS[:TOOL_CELL], ("code", editor.texts[tool]), *CELLS[TOOL_CELL + 1 :]]
    editor.open_notebook("fixed.ipynb", fixed)
    assert command_line_findings(editor.root, "fixed.ipynb") == []


async def test_no_fix_all_on_a_cell_when_the_fix_also_changes_another_cell(editor: Editor) -> None:
    cells = [*CELLS, ("code", WRONG_TOOL.replace("lookup", "search"))]
    uris = editor.open_notebook("agent.ipynb", cells)
    for tool in (uris[TOOL_CELL], uris[-1]):
        (diagnostic,) = await editor.diagnostics(tool)
        actions = await editor.code_actions(tool, diagnostic.range, diagnostics=[diagnostic])
        assert [action.kind for action in actions] == [types.CodeActionKind.QuickFix] * 2  # the fix and noqa: no fix-all


async def test_close_clears_every_cells_diagnostics(editor: Editor) -> None:
    uris = editor.open_notebook("agent.ipynb", CELLS)
    assert await editor.diagnostics(uris[TOOL_CELL]) != []
    editor.close_notebook(Path(editor.root, "agent.ipynb").as_uri())
    for uri in uris[1:]:
        await wait_until_cleared(editor, uri)


async def test_ipython_lines_are_not_reported(editor: Editor) -> None:
    cells = [("code", "%pip install x\n" + IMPORTS), ("code", "!ls\n" + WRONG_TOOL + "lookup?\n")]
    uris = editor.open_notebook("magic.ipynb", cells)
    found = await diagnostics_by_cell(editor, uris, cells)
    assert found == expected_by_cell(editor, "magic.ipynb", cells, uris)
    assert [[diagnostic[0] for diagnostic in cell] for cell in found.values()] == [[], ["FLX101"]]
    # The quick fix keeps the shell escape and the help line as they were.
    (diagnostic,) = await editor.diagnostics(uris[1])
    actions = await editor.code_actions(uris[1], diagnostic.range, only=[types.CodeActionKind.QuickFix])
    assert editor.apply(uris[1], actions[0].edit) == "!ls\n" + RIGHT_TOOL + "lookup?\n"  # type: ignore[arg-type]
    assert await editor.diagnostics(uris[1]) == []
