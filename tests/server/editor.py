"""A test editor around pytest-lsp's client: opens, edits and applies edits the way an editor
does, and reads diagnostics the way its client does (pulled by Neovim, published to VS Code)."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from pathlib import Path
from typing import Any

import nbformat
from lsprotocol import types
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

from tests.lint.cli_helpers import run_cli

WAIT_SECONDS = 30
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every diagnostics notification and accepting
    dynamic registrations, as editors do."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    features: dict[str, Any] = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
        types.CLIENT_REGISTER_CAPABILITY: register,
    }
    register_lsp_features(client, features)
    return client


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def lines_of(text: str) -> list[str]:
    return _LINE.findall(text)


def offset_of(text: str, position: types.Position, encoding: str) -> int:
    lines = lines_of(text)
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line].rstrip("\r\n")
    column, counted = 0, 0
    while column < len(line) and counted < position.character:
        counted += units(line[column], encoding)
        column += 1
    return start + column


def apply_text_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    spans = sorted(
        ((offset_of(text, edit.range.start, encoding), offset_of(text, edit.range.end, encoding), edit.new_text) for edit in edits),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


class Editor:
    def __init__(self, client: LanguageClient, name: str, root: Path, result: types.InitializeResult) -> None:
        self.client = client
        self.name = name
        self.root = root
        self.server_capabilities = result.capabilities
        self.encoding = result.capabilities.position_encoding or "utf-16"
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}  # of text documents, cells and notebooks
        self.notebook_of: dict[str, str] = {}  # a cell's notebook
        self.cells: dict[str, list[types.NotebookCell]] = {}  # a notebook's cells

    def in_folder(self, name: str) -> Editor:
        """The same session, working in a new folder (a project of its own) of the workspace."""
        folder = self.root / re.sub(r"\W+", "_", name)
        folder.mkdir()
        (folder / "pyproject.toml").write_text("[tool.fluxloop-lint]\n", encoding="utf-8")
        other = copy.copy(self)
        other.root = folder
        return other

    @property
    def pulls(self) -> bool:
        return self.client.capabilities.text_document.diagnostic is not None  # type: ignore[union-attr]

    @property
    def versioned_edits(self) -> bool:
        workspace_edit = self.client.capabilities.workspace.workspace_edit  # type: ignore[union-attr]
        return bool(workspace_edit and workspace_edit.document_changes)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def uri(self, relative: str) -> str:
        return self.path(relative).as_uri()

    def write(self, relative: str, text: str) -> None:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def open(self, relative: str, text: str, language: str = "python") -> str:
        """Write the file, then open it in the editor."""
        self.write(relative, text)
        uri = self.uri(relative)
        self.texts[uri], self.versions[uri] = text, 1
        document = types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=document))
        return uri

    def change(self, uri: str, text: str) -> int:
        if uri in self.notebook_of:
            return self.change_cell(uri, text)
        self.versions[uri] += 1
        self.texts[uri] = text
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        change = types.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document, content_changes=[change]))
        return self.versions[uri]

    # -- notebooks, sent as VS Code sends them: Python code cells as text documents, markdown not

    def _cell(self, notebook: str, kind: types.NotebookCellKind, text: str) -> tuple[types.NotebookCell, types.TextDocumentItem | None]:
        uri = f"vscode-notebook-cell:{notebook.removeprefix('file://')}#cell{len(self.notebook_of)}"
        self.notebook_of[uri] = notebook
        cell = types.NotebookCell(kind=kind, document=uri)
        if kind != types.NotebookCellKind.Code:
            return cell, None
        self.texts[uri], self.versions[uri] = text, 1
        return cell, types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)

    def open_notebook(self, relative: str, cells: list[tuple[str, str]]) -> list[str]:
        """Write the notebook (cells as ("code" | "markdown", source)) with nbformat, open it in
        the editor, and return its cells' URIs."""
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(text) if kind == "code" else nbformat.v4.new_markdown_cell(text) for kind, text in cells]
        )
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        uri = path.as_uri()
        kinds = {"code": types.NotebookCellKind.Code, "markdown": types.NotebookCellKind.Markup}
        opened = [self._cell(uri, kinds[kind], text) for kind, text in cells]
        self.cells[uri], self.versions[uri] = [cell for cell, _ in opened], 1
        document = types.NotebookDocument(uri=uri, notebook_type="jupyter-notebook", version=1, cells=self.cells[uri])
        items = [item for _, item in opened if item is not None]
        self.client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(notebook_document=document, cell_text_documents=items))
        return [cell.document for cell in self.cells[uri]]

    def _change_notebook(self, notebook: str, cells: types.NotebookDocumentCellChanges) -> None:
        self.versions[notebook] += 1
        document = types.VersionedNotebookDocumentIdentifier(uri=notebook, version=self.versions[notebook])
        change = types.NotebookDocumentChangeEvent(cells=cells)
        self.client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(notebook_document=document, change=change))

    def change_cell(self, uri: str, text: str) -> int:
        """Replace a cell's text; returns the cell's new version."""
        self.versions[uri] += 1
        self.texts[uri] = text
        content = types.NotebookDocumentCellContentChanges(
            document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
        self._change_notebook(self.notebook_of[uri], types.NotebookDocumentCellChanges(text_content=[content]))
        return self.versions[uri]

    def replace_cells(self, notebook: str, start: int, delete: int, added: list[tuple[str, str]]) -> list[str]:
        """Delete `delete` cells at index `start` and put the `added` cells there; returns the new cells' URIs."""
        kinds = {"code": types.NotebookCellKind.Code, "markdown": types.NotebookCellKind.Markup}
        opened = [self._cell(notebook, kinds[kind], text) for kind, text in added]
        removed = self.cells[notebook][start : start + delete]
        self.cells[notebook][start : start + delete] = [cell for cell, _ in opened]
        structure = types.NotebookDocumentCellChangeStructure(
            array=types.NotebookCellArrayChange(start=start, delete_count=delete, cells=[cell for cell, _ in opened]),
            did_open=[item for _, item in opened if item is not None],
            did_close=[types.TextDocumentIdentifier(uri=cell.document) for cell in removed if cell.document in self.versions],
        )
        self._change_notebook(notebook, types.NotebookDocumentCellChanges(structure=structure))
        return [cell.document for cell, _ in opened]

    def move_cell(self, notebook: str, old: int, new: int) -> None:
        """Move the cell at index `old` to index `new`: one change of the cells between them, which keep their documents."""
        cells = self.cells[notebook]
        start, end = min(old, new), max(old, new) + 1
        span = cells[start:end]
        span.insert(new - start, span.pop(old - start))
        cells[start:end] = span
        array = types.NotebookCellArrayChange(start=start, delete_count=len(span), cells=span)
        self._change_notebook(notebook, types.NotebookDocumentCellChanges(structure=types.NotebookDocumentCellChangeStructure(array=array)))

    def close_notebook(self, notebook: str) -> None:
        cells = [types.TextDocumentIdentifier(uri=cell.document) for cell in self.cells[notebook] if cell.document in self.versions]
        params = types.DidCloseNotebookDocumentParams(notebook_document=types.NotebookDocumentIdentifier(uri=notebook), cell_text_documents=cells)
        self.client.notebook_document_did_close(params)

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))

    async def published(self, uri: str, version: int | None = None) -> list[types.Diagnostic]:
        """Wait for diagnostics published for `uri` (for `version`, when given)."""

        def found() -> types.PublishDiagnosticsParams | None:
            for params in reversed(self.client.published):  # type: ignore[attr-defined]
                if params.uri == uri and (version is None or params.version == version):
                    return params
            return None

        async def wait() -> types.PublishDiagnosticsParams:
            while (params := found()) is None:
                await asyncio.sleep(0.01)
            return params

        return list((await asyncio.wait_for(wait(), WAIT_SECONDS)).diagnostics)

    async def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """The current version's diagnostics, as this client gets them."""
        if self.pulls:
            report = await self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            return list(report.items)
        return await self.published(uri, self.versions[uri])

    async def code_actions(
        self, uri: str, at: types.Range, only: list[str] | None = None, diagnostics: list[types.Diagnostic] | None = None
    ) -> list[types.CodeAction]:
        context = types.CodeActionContext(diagnostics=diagnostics or [], only=only)
        params = types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=uri), range=at, context=context)
        actions = await self.client.text_document_code_action_async(params)
        return [action for action in actions or [] if isinstance(action, types.CodeAction)]

    async def edit_of(self, action: types.CodeAction) -> types.WorkspaceEdit:
        """The action's edit, asked for (`codeAction/resolve`) when the server left it out."""
        if action.edit is None:
            action = await self.client.code_action_resolve_async(action)
        assert action.edit is not None
        return action.edit

    def apply(self, uri: str, edit: types.WorkspaceEdit) -> str:
        """Apply a workspace edit as this client does (checking the version of versioned
        edits), send the change and return the new text."""
        if self.versioned_edits:
            assert edit.changes is None
            (document_edit,) = edit.document_changes  # type: ignore[misc]
            assert isinstance(document_edit, types.TextDocumentEdit)
            assert document_edit.text_document.uri == uri
            assert document_edit.text_document.version == self.versions[uri], "an edit for another version"
            edits = list(document_edit.edits)
        else:
            assert edit.document_changes is None and edit.changes is not None
            edits = list(edit.changes[uri])
        text = apply_text_edits(self.texts[uri], edits, self.encoding)  # type: ignore[arg-type]
        self.change(uri, text)
        return text

    def range_of(self, line: int, character: int = 0, end_character: int | None = None) -> types.Range:
        end = character if end_character is None else end_character
        return types.Range(types.Position(line, character), types.Position(line, end))


def command_line_findings(root: Path, relative: str, *options: str) -> list[dict[str, Any]]:
    result = run_cli("--output-format", "json", "--no-cache", *options, relative, cwd=root)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def command_line_fix(root: Path, relative: str, text: str, *options: str) -> str:
    """What `fluxloop-lint --fix` writes for `text` (fixed through standard input)."""
    result = run_cli("--fix", "--no-cache", *options, "--stdin-filename", relative, "-", cwd=root, input=text.encode())
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout_bytes.decode("utf-8") if hasattr(result, "stdout_bytes") else result.stdout
