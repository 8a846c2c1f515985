"""Notebook documents (`notebookDocument/*`): one version of an open notebook, as the notebook
file the command line would lint.

The client sends a notebook as a list of cells, each code cell a text document of its own.
Its code cells are written out as an nbformat 4 notebook, markdown and raw cells as empty
cells of their kind (so cells keep Jupyter's numbers, which count every cell), and that text
is linted as a `.ipynb` file (`notebooks.lint_notebook`, through `runner.lint_document`): the
findings come back in (cell number, line in the cell), and a fix as the notebook's new text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from fluxloop_lint.files import NOTEBOOK_SUFFIX
from fluxloop_lint.notebooks import code_cells
from fluxloop_lint.server.linting import Snapshot

PYTHON = "python"
# What the server asks the client to send: Jupyter notebooks, with their Python cells.
SYNC_OPTIONS = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="jupyter-notebook", cells=[types.NotebookCellLanguage(language=PYTHON)]
        )
    ],
    save=True,
)


@dataclass(frozen=True)
class Cell:
    """One code cell of an open notebook, in the version the notebook's snapshot holds."""

    number: int  # from 1, counting every cell, as Jupyter (and the command line) numbers them
    uri: str
    version: int | None
    text: str


@dataclass(frozen=True)
class NotebookView:
    snapshot: Snapshot  # the notebook as nbformat JSON, reported against its `.ipynb` path
    cells: tuple[Cell, ...]  # the Python code cells

    def cell(self, uri: str) -> Cell | None:
        return next((cell for cell in self.cells if unquote(cell.uri) == unquote(uri)), None)


def _cell_json(cell_type: str, source: str) -> dict[str, object]:
    if cell_type != "code":
        return {"cell_type": cell_type, "metadata": {}, "source": source}
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def view_of(notebook: types.NotebookDocument, documents: Mapping[str, TextDocument]) -> NotebookView:
    """The notebook's current version; code cells in another language (or not synced) are
    left out, as raw cells."""
    cells: list[Cell] = []
    cells_json = []
    for number, notebook_cell in enumerate(notebook.cells, start=1):
        document = documents.get(unquote(notebook_cell.document))
        is_python = document is not None and document.language_id in (None, PYTHON)
        if notebook_cell.kind != types.NotebookCellKind.Code or document is None or not is_python:
            kind = "markdown" if notebook_cell.kind == types.NotebookCellKind.Markup else "raw"
            cells_json.append(_cell_json(kind, ""))
            continue
        cells.append(Cell(number, notebook_cell.document, document.version, document.source))
        cells_json.append(_cell_json("code", document.source))
    text = json.dumps({"cells": cells_json, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}, ensure_ascii=False)
    path = to_fs_path(notebook.uri) or notebook.uri
    if not path.endswith(NOTEBOOK_SUFFIX):
        path += NOTEBOOK_SUFFIX  # linted as a notebook whatever the client calls it
    return NotebookView(Snapshot(notebook.uri, notebook.version, text, path), tuple(cells))


def fixed_cell_source(notebook: Snapshot, fixed: bytes, number: int) -> str | None:
    """Cell `number`'s code in the notebook `--fix` made of the snapshot (`fixed`), when the
    fix changes that cell and no other (a fix-all on a cell edits only that cell)."""
    before, after = code_cells(notebook.text.encode("utf-8")), code_cells(fixed)
    changed = {cell for cell, source in after.items() if source != before.get(cell)}
    return after[number] if changed == {number} else None
