"""Diagnostics: the command line's findings, with ranges in the client's position encoding,
on open and change, pulled or published; cleared on close; refreshed when the configuration
changes; only the newest version's after a burst of edits."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.server.editor import Editor, command_line_findings, command_line_fix, lines_of, units

pytestmark = pytest.mark.asyncio(loop_scope="module")

# FLX101 on line 6, whose range ends after characters outside the BMP and outside ASCII
# (UTF-8, UTF-16 and code points all count them differently), and a correctly placed
# decorator on line 13.
SOURCE = '''\
from agents import function_tool

import fluxloop_runtime


@fluxloop_runtime.tool(name="météo 🌦")
@function_tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"sunny in {city}"


@fluxloop_runtime.agent(name="planner")
def plan(goal: str) -> str:
    return goal
'''


def expected_diagnostics(editor: Editor, relative: str, text: str, *options: str) -> list[tuple]:
    """The command line's findings as (code, message, severity, range in the client's units)."""
    lines = lines_of(text)

    def position(location: dict) -> tuple[int, int]:
        line = location["row"] - 1
        prefix = lines[line][: location["column"] - 1] if line < len(lines) else ""
        return line, units(prefix, editor.encoding)

    severities = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
    return [
        (finding["code"], finding["message"], severities[finding["severity"]], position(finding["location"]), position(finding["end_location"]))
        for finding in command_line_findings(editor.root, relative, *options)
    ]


def shown(diagnostics: list[types.Diagnostic]) -> list[tuple]:
    assert all(diagnostic.source == "fluxloop-lint" for diagnostic in diagnostics)
    return [
        (
            diagnostic.code,
            diagnostic.message,
            diagnostic.severity,
            (diagnostic.range.start.line, diagnostic.range.start.character),
            (diagnostic.range.end.line, diagnostic.range.end.character),
        )
        for diagnostic in diagnostics
    ]


async def test_open_and_change_give_the_command_lines_findings(editor: Editor) -> None:
    uri = editor.open("agent/tools.py", SOURCE)
    expected = expected_diagnostics(editor, "agent/tools.py", SOURCE)
    assert [code for code, *_ in expected] == ["FLX101"]
    assert shown(await editor.diagnostics(uri)) == expected
    # The end, after `"météo 🌦")`: 38 code points, 39 UTF-16 units, 43 UTF-8 bytes.
    end = (await editor.diagnostics(uri))[0].range.end.character
    assert end == {"utf-16": 39, "utf-8": 43}[editor.encoding]

    changed = SOURCE.replace("@function_tool\n", "")
    editor.change(uri, changed)
    editor.write("agent/tools.py", changed)
    assert shown(await editor.diagnostics(uri)) == expected_diagnostics(editor, "agent/tools.py", changed) == []


async def test_a_file_that_does_not_parse_gets_flx001_and_the_server_goes_on(editor: Editor) -> None:
    broken = "import fluxloop_runtime\n\ndef broken(:\n    pass\n"
    uri = editor.open("broken.py", broken)
    diagnostics = shown(await editor.diagnostics(uri))
    assert diagnostics == expected_diagnostics(editor, "broken.py", broken)
    assert [code for code, *_ in diagnostics] == ["FLX001"]
    fine = editor.open("fine.py", SOURCE)
    assert [code for code, *_ in shown(await editor.diagnostics(fine))] == ["FLX101"]


async def test_files_without_fluxloop_and_other_languages_get_nothing(editor: Editor) -> None:
    plain = editor.open("plain.py", "def add(a, b):\n    return a + b\n")
    assert await editor.diagnostics(plain) == []
    notes = editor.open("notes.md", SOURCE, language="markdown")
    if editor.pulls:
        assert await editor.diagnostics(notes) == []
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=notes), position=types.Position(5, 2))
    )
    assert hover is None


async def test_close_publishes_an_empty_list(editor: Editor) -> None:
    uri = editor.open("tools.py", SOURCE)
    assert await editor.diagnostics(uri) != []
    editor.client.published.clear()  # type: ignore[attr-defined]
    editor.close(uri)
    assert await editor.published(uri) == []


async def test_a_configuration_change_refreshes_the_diagnostics(editor: Editor) -> None:
    uri = editor.open("tools.py", SOURCE)
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uri)] == ["FLX101"]
    if editor.client.capabilities.workspace.did_change_watched_files.dynamic_registration:  # type: ignore[union-attr]
        await asyncio.sleep(0.2)  # the registration follows `initialized`
        watched = [registration.method for registration in editor.client.registrations]  # type: ignore[attr-defined]
        assert watched == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]

    (editor.root / "pyproject.toml").write_text('[tool.fluxloop-lint]\nignore = ["FLX101"]\n', encoding="utf-8")
    editor.client.published.clear()  # type: ignore[attr-defined]
    change = types.FileEvent(uri=(editor.root / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    if editor.pulls:
        await asyncio.sleep(0.2)  # Neovim pulls again on its next edit or request
        assert await editor.diagnostics(uri) == []
    else:
        assert await editor.published(uri) == []
    assert expected_diagnostics(editor, "tools.py", SOURCE) == []


async def test_after_a_burst_of_edits_only_the_last_version_is_published(editor: Editor) -> None:
    # A long file, each version of which changes every statement (so that the server cannot
    # reuse the last version's parse), so that each lint takes longer than the next edit takes
    # to arrive; every version but the last has FLX101, the last has nothing.
    def body(version: int) -> str:
        return "".join(
            f"\n\n@fluxloop_runtime.tool\ndef tool_{number}_{version}(x):\n    return x\n" for number in range(300)
        )

    uri = editor.open("burst.py", SOURCE + body(0))
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uri)] == ["FLX101"]
    editor.client.published.clear()  # type: ignore[attr-defined]
    for number in range(1, 20):
        editor.change(uri, SOURCE.replace("planner", f"planner_{number}") + body(number))
    last = editor.change(uri, SOURCE.replace("@function_tool\n", "") + body(20))
    assert await editor.diagnostics(uri) == []
    if not editor.pulls:
        await asyncio.sleep(0.3)
        published = [params for params in editor.client.published if params.uri == uri]  # type: ignore[attr-defined]
        # Lints overtaken by a newer version are dropped: the last version's diagnostics come
        # last, and an earlier version's are published only when its lint ended before the
        # next edit reached the server (on a loaded machine the server reads the burst slowly).
        # None is ever published under a version it is not the result of.
        assert published[-1].version == last and list(published[-1].diagnostics) == []
        assert len(published) <= 3
        assert [params.version for params in published] == sorted({params.version for params in published})
        assert all([diagnostic.code for diagnostic in params.diagnostics] == ["FLX101"] for params in published[:-1])


async def test_crlf_and_unicode_line_separators_keep_the_command_lines_lines(editor: Editor) -> None:
    # U+2028 and a form feed are not line breaks for the protocol nor for the engine
    # (`str.splitlines` would count them); CRLF is one. The server takes whole texts on change,
    # so that no incremental change is applied on `str.splitlines` lines.
    sync = editor.server_capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions) and sync.change == types.TextDocumentSyncKind.Full
    text = SOURCE.replace('import fluxloop_runtime\n', 'import fluxloop_runtime\nNOTE = "a\u2028b\x0cc"\n').replace("\n", "\r\n")
    editor.write("crlf.py", "")
    (editor.root / "crlf.py").write_bytes(text.encode("utf-8"))
    uri = editor.uri("crlf.py")
    editor.texts[uri], editor.versions[uri] = text, 1
    document = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    editor.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=document))
    diagnostics = await editor.diagnostics(uri)
    assert [diagnostic.range.start.line for diagnostic in diagnostics] == [6]
    assert shown(diagnostics) == expected_diagnostics(editor, "crlf.py", text)
    whole = types.Range(types.Position(0, 0), types.Position(0, 0))
    (fix_all,) = await editor.code_actions(uri, whole, only=["source.fixAll"])
    assert editor.apply(uri, await editor.edit_of(fix_all)) == command_line_fix(editor.root, "crlf.py", text)


async def test_findings_through_other_modules_of_the_workspace(editor: Editor) -> None:
    """A decorator made in another module of the project: the same finding as the command line's,
    which says where it comes from; a change to that module on disk shows at the next change."""
    editor.write("common/__init__.py", "")
    editor.write("common/decorators.py", "from agents import function_tool\n\nstrict_tool = function_tool(strict_mode=True)\n")
    editor.write("app/__init__.py", "")
    editor.write("app/server.py", "from mcp.server.mcpserver import MCPServer\n\nmcp = MCPServer('x')\n")
    text = (
        "import fluxloop_runtime as fluxloop\n\nfrom common.decorators import strict_tool\n\nfrom .server import mcp\n\n\n"
        "@fluxloop.tool()\n@strict_tool\ndef search(q: str) -> str:\n    return q\n\n\n"
        "@fluxloop.tool()\n@mcp.tool()\ndef weather(city: str) -> str:\n    return city\n"
    )
    uri = editor.open("app/tools.py", text)
    expected = expected_diagnostics(editor, "app/tools.py", text)
    assert [(code, start) for code, _, _, start, _ in expected] == [("FLX101", (7, 0)), ("FLX101", (13, 0))]
    assert "via common/decorators.py:3" in expected[0][1] and "via app/server.py:3" in expected[1][1]
    assert shown(await editor.diagnostics(uri)) == expected

    editor.write("common/decorators.py", "def strict_tool(fn):\n    return fn  # a house decorator that only returns its argument\n")
    editor.change(uri, text + "\n")
    assert [start for _, _, _, start, _ in shown(await editor.diagnostics(uri))] == [(13, 0)]
