"""The language server under test, started with `python -m fluxloop_lint server` and driven
over stdio by pytest-lsp's client with the capabilities of VS Code (publish diagnostics,
versioned edits) and of Neovim (pull diagnostics, unversioned edits, UTF-8 positions)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.server.editor import Editor, make_client

CLIENTS = ["visual-studio-code@v1.65.2", "neovim@v0.11.0"]
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "fluxloop_lint", "server"], client_factory=make_client)


async def start(
    client: LanguageClient, name: str, root: Path, options: Any = None, capabilities: types.ClientCapabilities | None = None
) -> Editor:
    (root / "pyproject.toml").write_text("[tool.fluxloop-lint]\n", encoding="utf-8")
    params = types.InitializeParams(
        capabilities=capabilities or client_capabilities(name),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
        initialization_options=options,
    )
    result = await client.initialize_session(params)
    return Editor(client, name, root, result)


# One server per client and test module (starting one takes a second or more: lsprotocol's
# types alone); each test works in its own folder of the workspace.
@pytest.fixture(scope="module", params=CLIENTS, ids=["vscode", "neovim"])
def client_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest_lsp.fixture(config=SERVER, scope="module")
async def lsp(lsp_client: LanguageClient, client_name: str) -> AsyncIterator[None]:
    yield
    await lsp_client.shutdown_session()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session(lsp: LanguageClient, client_name: str, tmp_path_factory: pytest.TempPathFactory) -> Editor:
    """A session with the default initialization options, in an empty project."""
    return await start(lsp, client_name, tmp_path_factory.mktemp("workspace"))


@pytest.fixture
def editor(session: Editor, request: pytest.FixtureRequest) -> Editor:
    """The module's session, working in a folder of its own for this test."""
    return session.in_folder(request.node.name)
