"""The language server's handlers (pygls 2), wiring documents to the linter.

Diagnostics are pulled (`textDocument/diagnostic`) by clients that can, and published on
open, change and save for the others; a published result is always that of the document's
newest version. Closing a document publishes an empty list.

A notebook document is linted as a whole (`notebooks`), and each of its code cells, a text
document of its own, gets the findings in that cell: diagnostics, code actions and hovers
on a cell's URI are those of its notebook's newest version, placed in the cell.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from fluxloop_lint import __version__
from fluxloop_lint.fixes.manual import MESSAGE as PATTERN_A_FIX
from fluxloop_lint.runner import lint_document
from fluxloop_lint.server import actions
from fluxloop_lint.server.diagnostics import diagnostic
from fluxloop_lint.server.hover import hover_text
from fluxloop_lint.server.linting import Linted, Linter, Snapshot
from fluxloop_lint.server.notebooks import SYNC_OPTIONS, NotebookView, fixed_cell_source, view_of
from fluxloop_lint.server.pattern_a import function_edits
from fluxloop_lint.server.positions import LineIndex, overlaps
from fluxloop_lint.server.projects import OptionError, Projects, is_configuration_file, overrides_from, with_overrides
from fluxloop_lint.types import Finding, FixStrategy

PYTHON_SUFFIXES = (".py", ".pyi")
PATTERN_A_CODES = ("FLX101", "FLX102", "FLX207")  # the findings whose manual-strategy fix is Pattern A
FIX_ALL_TITLE = "Fix all fluxloop-lint problems"
CONFIGURATION_WATCHERS = ("**/pyproject.toml", "**/fluxloop-lint.toml")


@dataclass(frozen=True)
class Shown:
    """What a request on a text document is about: the snapshot linted for it (the document's,
    or its notebook's), and the text the document holds (all of it, or the one cell's)."""

    snapshot: Snapshot
    uri: str
    version: int | None
    text: str
    cell: int | None  # the cell's number in its notebook; None for a file

    def findings(self, linted: Linted | None) -> list[Finding]:
        return [finding for finding in linted.result.findings if finding.cell == self.cell] if linted is not None else []


class FluxLoopServer(LanguageServer):
    def __init__(self) -> None:
        # Whole texts on change: pygls applies incremental changes on `str.splitlines` lines,
        # which also break at form feeds and U+2028 (the protocol's lines do not), and would
        # put such a document's edits in the wrong place.
        super().__init__(
            "fluxloop-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full, notebook_document_sync=SYNC_OPTIONS
        )
        self.projects = Projects(overrides_from(None), self.show_error)
        self.linter = Linter(self.projects)
        self.option_error: str | None = None
        self.published: dict[str, Linted] = {}  # per document, what its diagnostics were published from
        self.published_cells: dict[str, set[str]] = {}  # per notebook, the cells diagnostics were published for

    # -- the client's capabilities ---------------------------------------------------------

    def capability(self, *path: str) -> Any:
        value: Any = self.client_capabilities
        for name in path:
            value = getattr(value, name, None) if value is not None else None
        return value

    @property
    def pulls_diagnostics(self) -> bool:
        return self.capability("text_document", "diagnostic") is not None

    # -- messages to the client ---------------------------------------------------------------

    def show_error(self, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # -- documents --------------------------------------------------------------------------------

    def snapshot(self, uri: str) -> Snapshot | None:
        """The open Python document's or notebook's current version (None: not open, not
        Python, or a notebook's cell, which is linted with its notebook)."""
        notebook = self.workspace.notebook_documents.get(unquote(uri))
        if notebook is not None:
            return self.notebook_view(notebook).snapshot
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None or self.workspace.get_notebook_document(cell_uri=uri) is not None:
            return None
        path = document.path or document.uri
        if document.language_id not in (None, "python") and not path.endswith(PYTHON_SUFFIXES):
            return None
        return Snapshot(document.uri, document.version, document.source, path)

    def notebook_view(self, notebook: types.NotebookDocument) -> NotebookView:
        return view_of(notebook, self.workspace.text_documents)

    def shown(self, uri: str) -> Shown | None:
        """What a request on the text document `uri` is about (None: not an open Python file or cell)."""
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        if notebook is None:
            snapshot = self.snapshot(uri)
            return Shown(snapshot, snapshot.uri, snapshot.version, snapshot.text, None) if snapshot is not None else None
        view = self.notebook_view(notebook)
        cell = view.cell(uri)
        return Shown(view.snapshot, cell.uri, cell.version, cell.text, cell.number) if cell is not None else None

    def index(self, text: str) -> LineIndex:
        return LineIndex(text, self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def is_current(self, snapshot: Snapshot) -> bool:
        return self.snapshot(snapshot.uri) == snapshot

    async def lint(self, snapshot: Snapshot) -> Linted | None:
        """The snapshot's findings; None when it was overtaken or the lint failed (logged)."""
        linted = await self.linter.lint(snapshot, lambda: self.is_current(snapshot))
        if linted is not None and linted.result.errors:
            for error in linted.result.errors:
                self.log(f"fluxloop-lint: {snapshot.path}: {error}")
            return None
        return linted

    async def publish(self, uri: str) -> None:
        """Publish the newest version's diagnostics; a lint overtaken by a newer version is dropped."""
        snapshot = self.snapshot(uri)
        if snapshot is None:
            return
        linted = await self.lint(snapshot)
        if linted is None or not self.is_current(snapshot) or self.published.get(snapshot.uri) == linted:
            return
        self.published[snapshot.uri] = linted
        notebook = self.workspace.notebook_documents.get(unquote(snapshot.uri))
        if notebook is None:
            self.publish_findings(snapshot.uri, snapshot.version, snapshot.text, linted.result.findings)
            return
        cells = self.notebook_view(notebook).cells  # the snapshot's: it is current
        for cell in cells:
            self.publish_findings(cell.uri, cell.version, cell.text, [finding for finding in linted.result.findings if finding.cell == cell.number])
        uris = {cell.uri for cell in cells}
        for gone in self.published_cells.get(snapshot.uri, set()) - uris:  # cells removed since
            self.publish_findings(gone, None, "", [])
        self.published_cells[snapshot.uri] = uris

    def publish_findings(self, uri: str, version: int | None, text: str, findings: Sequence[Finding]) -> None:
        index = self.index(text)
        diagnostics = [diagnostic(finding, index) for finding in findings]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))

    async def pattern_a_actions(
        self, snapshot: Snapshot, index: LineIndex, target: actions.Target, selection: types.Range
    ) -> list[types.CodeAction]:
        """The Pattern A rewrite of the function whose FluxLoop decorator is selected, from
        the manual fix the command line would apply (`--fix-strategy manual --unsafe-fixes`)."""
        configuration = self.linter.configuration(snapshot)
        manual = with_overrides(configuration, fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True)
        result = await self.linter.run(lambda: lint_document(snapshot.path, snapshot.text, manual))
        for finding in result.findings:
            if (
                finding.code in PATTERN_A_CODES
                and finding.fix is not None
                and finding.fix.message == PATTERN_A_FIX
                and overlaps(index.range(finding.start, finding.end), selection)
            ):
                edits = function_edits(snapshot.text, finding.fix.edits, finding.start.line)
                if edits is None:
                    return []
                text_edits = [index.text_edit(edit) for edit in edits]
                return [types.CodeAction(title=actions.PATTERN_A_TITLE, kind=actions.PATTERN_A, edit=target.edit(text_edits))]
        return []

    @property
    def resolves_edits(self) -> bool:
        """The client asks for an action's edit (`codeAction/resolve`) when it is chosen."""
        properties = self.capability("text_document", "code_action", "resolve_support", "properties") or ()
        return "edit" in properties and bool(self.capability("text_document", "code_action", "data_support"))

    async def fix_all_actions(
        self, shown: Shown, index: LineIndex, target: actions.Target, findings: Sequence[Finding]
    ) -> list[types.CodeAction]:
        """What `--fix` writes for the document, as one action (none when nothing changes).
        Clients that resolve edits get the edit only when they choose the action: editors ask
        for code actions at every move of the cursor, and fixing costs more than linting."""
        snapshot = shown.snapshot
        unsafe_fixes = self.linter.configuration(snapshot).settings_for(snapshot.path).unsafe_fixes
        if not any(finding.fix is not None and finding.fix.edits and finding.fix.applies(unsafe_fixes) for finding in findings):
            return []
        # In a cell, whether there is an action depends on the fix: it must change no other cell.
        if self.resolves_edits and shown.cell is None:
            return [types.CodeAction(title=FIX_ALL_TITLE, kind=actions.FIX_ALL, data={"uri": shown.uri, "version": shown.version})]
        action = await self.fix_all(shown, index, target)
        return [action] if action is not None else []

    async def fix_all(self, shown: Shown, index: LineIndex, target: actions.Target) -> types.CodeAction | None:
        """What `--fix` writes for the file, or for a notebook's cell when it changes no other cell."""
        snapshot = shown.snapshot
        fixed = await self.linter.fixed(snapshot, self.linter.configuration(snapshot))
        for error in fixed.errors:
            self.log(f"fluxloop-lint: {snapshot.path}: {error}")
        new = fixed.fixed_source
        if isinstance(new, bytes) and shown.cell is not None:
            new = fixed_cell_source(snapshot, new, shown.cell)
        if fixed.errors or not isinstance(new, str):
            return None
        return actions.rewrite_action(FIX_ALL_TITLE, actions.FIX_ALL, shown.text, new, index, target)

    def target(self, shown: Shown) -> actions.Target:
        versioned = bool(self.capability("workspace", "workspace_edit", "document_changes"))
        return actions.Target(shown.uri, shown.version, versioned)

    async def refresh(self) -> None:
        """After a configuration change: new diagnostics for every open document."""
        if self.pulls_diagnostics:
            if self.capability("workspace", "diagnostics", "refresh_support"):
                await self.workspace_diagnostic_refresh_async(None)
            return
        for uri in [*self.workspace.text_documents, *self.workspace.notebook_documents]:
            await self.publish(uri)


def build_server() -> FluxLoopServer:
    server = FluxLoopServer()

    def guarded(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """Log a notification handler's internal error instead of losing it."""

        async def run(params: Any) -> Any:
            try:
                return await handler(params)
            except Exception:
                server.log(f"fluxloop-lint: internal error: {traceback.format_exc()}")
                return None

        run.__name__ = handler.__name__
        return run

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        try:
            server.projects.overrides = overrides_from(params.initialization_options)
        except OptionError as error:
            server.option_error = f"fluxloop-lint: {error}; the initialization options are ignored"

    @server.feature(types.INITIALIZED)
    @guarded
    async def initialized(params: types.InitializedParams) -> None:
        if server.option_error is not None:
            server.show_error(server.option_error)
        if server.capability("workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in CONFIGURATION_WATCHERS]
            registration = types.Registration(
                id="fluxloop-lint-configuration",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            await server.client_register_capability_async(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.linter.shutdown()

    async def document_changed(params: types.DidOpenTextDocumentParams | types.DidChangeTextDocumentParams | types.DidSaveTextDocumentParams) -> None:
        if not server.pulls_diagnostics:  # a client that pulls asks when it wants them
            await server.publish(params.text_document.uri)

    for method in (types.TEXT_DOCUMENT_DID_OPEN, types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_SAVE):
        server.feature(method)(guarded(document_changed))

    async def notebook_changed(
        params: types.DidOpenNotebookDocumentParams | types.DidChangeNotebookDocumentParams | types.DidSaveNotebookDocumentParams,
    ) -> None:
        if not server.pulls_diagnostics:
            await server.publish(params.notebook_document.uri)

    for method in (types.NOTEBOOK_DOCUMENT_DID_OPEN, types.NOTEBOOK_DOCUMENT_DID_CHANGE, types.NOTEBOOK_DOCUMENT_DID_SAVE):
        server.feature(method)(guarded(notebook_changed))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_closed(params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        server.linter.forget(uri)
        server.published.pop(uri, None)
        cells = server.published_cells.pop(uri, set()) | {cell.uri for cell in params.cell_text_documents}
        for cell in sorted(cells):
            server.publish_findings(cell, None, "", [])

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.linter.forget(params.text_document.uri)
        server.published.pop(params.text_document.uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="fluxloop-lint", inter_file_dependencies=True, workspace_diagnostics=False),
    )
    async def pull_diagnostics(params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        shown = server.shown(params.text_document.uri)
        if shown is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        snapshot = shown.snapshot
        linted = await server.lint(snapshot)
        if linted is None:  # the lint failed: the client keeps what it has
            if params.previous_result_id is not None:
                return types.RelatedUnchangedDocumentDiagnosticReport(result_id=params.previous_result_id)
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        result_id = f"{linted.generation}:{snapshot.version}:{hash(snapshot.text)}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        index = server.index(shown.text)
        items = [diagnostic(finding, index) for finding in shown.findings(linted)]
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded
    async def watched_files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        if any(is_configuration_file(to_fs_path(change.uri) or change.uri) for change in params.changes):
            server.projects.forget()
            await server.refresh()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=list(actions.KINDS), resolve_provider=True)
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        shown = server.shown(params.text_document.uri)
        if shown is None:
            return None
        snapshot = shown.snapshot
        findings = shown.findings(await server.lint(snapshot))
        index = server.index(shown.text)
        target = server.target(shown)
        quick_fix = actions.quick_fix if shown.cell is None else actions.cell_quick_fix
        only = params.context.only
        found: list[types.CodeAction] = []
        if actions.wanted(actions.QUICKFIX, only):
            unsafe_fixes = server.linter.configuration(snapshot).settings_for(snapshot.path).unsafe_fixes
            for finding in findings:
                if overlaps(index.range(finding.start, finding.end), params.range):
                    for action in (quick_fix(finding, index, target, unsafe_fixes), actions.noqa_action(finding, index, target)):
                        if action is not None:
                            found.append(action)
        # Pattern A rewrites a function and the module's imports, which in a notebook are in other cells.
        if actions.wanted(actions.PATTERN_A, only) and shown.cell is None and _on_decorator(index, params.range):
            found.extend(await server.pattern_a_actions(snapshot, index, target, params.range))
        if actions.wanted(actions.FIX_ALL, only):
            found.extend(await server.fix_all_actions(shown, index, target, findings))
        return found

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve_code_action(action: types.CodeAction) -> types.CodeAction:
        """Fill in a fix-all action's edit, for the version it was offered on."""
        data = action.data if isinstance(action.data, dict) else {}
        shown = server.shown(str(data.get("uri", "")))
        if action.kind != actions.FIX_ALL or shown is None or shown.version != data.get("version"):
            return action
        resolved = await server.fix_all(shown, server.index(shown.text), server.target(shown))
        if resolved is not None:
            action.edit = resolved.edit
        return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        shown = server.shown(params.text_document.uri)
        if shown is None:
            return None
        findings = shown.findings(await server.lint(shown.snapshot))
        text = hover_text(params.position, server.index(shown.text), findings)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.PlainText, value=text))

    return server


def _on_decorator(index: LineIndex, selection: types.Range) -> bool:
    """Whether the selection touches a line that starts a decorator (a cheap test before
    linting once more for the Pattern A action)."""
    return any(index.line(number).lstrip().startswith("@") for number in range(selection.start.line, selection.end.line + 1))

