"""Initialization options, bad configuration, bad messages: the server reports what is wrong
once, keeps running on the file's settings, and answers what follows."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.server.conftest import SERVER, start
from tests.server.editor import Editor, command_line_fix, make_client
from tests.server.test_diagnostics import SOURCE

pytestmark = pytest.mark.asyncio(loop_scope="module")

VS_CODE = "visual-studio-code@v1.65.2"
RETRY = "import fluxloop_runtime\nfrom acme import retry\n\n\n@fluxloop_runtime.tool\n@retry\ndef fetch(url):\n    return url\n"


@pytest_lsp.fixture(config=SERVER, loop_scope="module")
async def fresh(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A server of its own, for tests that initialize it with options."""
    yield
    if lsp_client._server is not None and lsp_client._server.returncode is None:  # not shut down by the test
        await lsp_client.shutdown_session()


def errors_shown(client: LanguageClient) -> list[str]:
    return [message.message for message in client.messages if message.type == types.MessageType.Error]


async def test_initialization_options_win_over_the_file(fresh: LanguageClient, tmp_path: Path) -> None:
    editor = await start(fresh, VS_CODE, tmp_path, {"extend-select": ["FLX104"], "unsafe-fixes": True, "fix-strategy": "reorder"})
    uri = editor.open("fetch.py", RETRY)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.code == "FLX104"
    actions = await editor.code_actions(uri, diagnostic.range, only=[types.CodeActionKind.QuickFix])
    fix = actions[0]
    assert fix.title.endswith("(FLX104, unsafe fix)") and not fix.is_preferred
    assert errors_shown(fresh) == []


async def test_a_bad_option_is_shown_once_and_the_files_settings_apply(fresh: LanguageClient, tmp_path: Path) -> None:
    editor = await start(fresh, VS_CODE, tmp_path, {"select": ["E501"], "unsafe-fixes": True})
    uri = editor.open("tools.py", SOURCE)
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uri)] == ["FLX101"]
    await asyncio.sleep(0.1)
    (error,) = errors_shown(fresh)
    assert "'select'" in error and "E501" in error
    # unsafe-fixes was ignored with the rest: the file's settings, nothing else.
    other = editor.open("fetch.py", RETRY)
    assert await editor.diagnostics(other) == []


async def test_a_bad_configuration_file_is_shown_once_and_the_defaults_apply(editor: Editor) -> None:
    editor.write("pyproject.toml", '[tool.fluxloop-lint]\nfix-strategy = "sideways"\n')
    first = editor.open("one.py", SOURCE)
    second = editor.open("two.py", SOURCE)
    assert [diagnostic.code for diagnostic in await editor.diagnostics(first)] == ["FLX101"]
    assert [diagnostic.code for diagnostic in await editor.diagnostics(second)] == ["FLX101"]
    await asyncio.sleep(0.1)
    shown = [message for message in errors_shown(editor.client) if str(editor.root) in message]
    assert len(shown) == 1 and "fix-strategy" in shown[0]


async def test_bad_messages_unknown_methods_and_documents_get_errors_or_nothing(editor: Editor) -> None:
    uri = editor.open("tools.py", SOURCE)
    assert await editor.diagnostics(uri) != []
    # A body that is not JSON, then one that is not a message.
    for body in (b"{not json", b'{"jsonrpc": "2.0", "method": 7}'):
        editor.client._server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # type: ignore[union-attr]
    with pytest.raises(JsonRpcMethodNotFound):
        await editor.client.protocol.send_request_async("fluxloop/unknown", {})
    editor.client.protocol.notify("fluxloop/unknownNotification", {})
    unknown = types.TextDocumentIdentifier(uri=editor.uri("never_opened.py"))
    everywhere = types.Range(types.Position(0, 0), types.Position(9, 0))
    context = types.CodeActionContext(diagnostics=[])
    assert await editor.client.text_document_code_action_async(types.CodeActionParams(text_document=unknown, range=everywhere, context=context)) is None
    assert await editor.client.text_document_hover_async(types.HoverParams(text_document=unknown, position=types.Position(0, 0))) is None
    report = await editor.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=unknown))
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and list(report.items) == []
    # Still answering, with the same findings.
    editor.change(uri, SOURCE + "\n")
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uri)] == ["FLX101"]


async def test_a_client_that_does_not_resolve_actions_gets_fix_all_with_its_edit(fresh: LanguageClient, tmp_path: Path) -> None:
    capabilities = client_capabilities(VS_CODE)
    capabilities.text_document.code_action.resolve_support = None  # type: ignore[union-attr]
    editor = await start(fresh, VS_CODE, tmp_path, capabilities=capabilities)
    uri = editor.open("tools.py", SOURCE)
    await editor.diagnostics(uri)
    (fix_all,) = await editor.code_actions(uri, editor.range_of(0), only=["source.fixAll"])
    assert fix_all.edit is not None
    assert editor.apply(uri, fix_all.edit) == command_line_fix(editor.root, "tools.py", SOURCE)


async def test_shutdown_then_exit_ends_the_server_with_status_0(fresh: LanguageClient, tmp_path: Path) -> None:
    editor = await start(fresh, VS_CODE, tmp_path)
    uri = editor.open("tools.py", SOURCE)
    await editor.diagnostics(uri)
    await fresh.shutdown_session()
    assert fresh._server is not None and fresh._server.returncode == 0


# The real server, with a fault put into the engine: a text holding CRASH_MARKER makes it raise.
CRASH_MARKER = "# make-the-engine-raise"
FAULTY_SERVER = ClientServerConfig(
    server_command=[
        sys.executable,
        "-c",
        "import fluxloop_lint.engine as engine\n"
        "real = engine.lint_source\n"
        "def lint_source(source, *args, **kwargs):\n"
        f"    if {CRASH_MARKER!r} in source:\n"
        "        raise RuntimeError('a rule broke')\n"
        "    return real(source, *args, **kwargs)\n"
        "engine.lint_source = lint_source\n"
        "from fluxloop_lint.server import serve\n"
        "serve()\n",
    ],
    client_factory=make_client,
)


@pytest_lsp.fixture(config=FAULTY_SERVER, loop_scope="module")
async def faulty(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield
    await lsp_client.shutdown_session()


async def test_an_internal_error_is_logged_and_the_last_diagnostics_stay(faulty: LanguageClient, tmp_path: Path) -> None:
    editor = await start(faulty, VS_CODE, tmp_path)
    uri = editor.open("tools.py", SOURCE)
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uri)] == ["FLX101"]
    faulty.published.clear()  # type: ignore[attr-defined]
    editor.change(uri, SOURCE + CRASH_MARKER + "\n")
    while not any("a rule broke" in message.message for message in faulty.log_messages):
        await asyncio.sleep(0.01)
    (logged,) = [message for message in faulty.log_messages if "a rule broke" in message.message]
    assert logged.type == types.MessageType.Error and "internal error" in logged.message
    assert faulty.published == []  # type: ignore[attr-defined]
    # The next good version is linted and published as usual.
    editor.change(uri, SOURCE)
    assert [diagnostic.code for diagnostic in await editor.diagnostics(uri)] == ["FLX101"]
