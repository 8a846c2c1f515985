"""Jupyter notebooks: their code cells linted, and fixed, as one Python module.

A notebook is nbformat 4 JSON. Its code cells, in order, are joined into one module (so a
name imported in one cell is known in the next) with a marker comment line between cells and
their IPython syntax masked (ipython.py); markdown and raw cells, and cells that start with a
cell magic, are left out. That module goes through `engine.lint_source` unchanged, and what
comes back is mapped to the cells: positions become (cell number, line in the cell), and a
fixed module is split at its markers into the cells' new code. A fix that loses or moves a
marker or an IPython line is refused, and the notebook is left as it was.

Writing a fixed notebook replaces, in the JSON text, only the `source` values of the cells
that changed, written in the style of the value they replace (a list of lines or one string,
its indentation, non-ASCII escaped or not): everything else stays byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from json.decoder import scanstring

from fluxloop_lint import ipython
from fluxloop_lint.codes import SYNTAX_ERROR_CODE, is_selected, rule_selectors
from fluxloop_lint.fixes.edits import apply_edits, split_lines
from fluxloop_lint.prefilter import mentions_fluxloop
from fluxloop_lint.types import Edit, FileResult, Finding, LintSettings, Position

# Between two cells' code; neither it nor ipython's placeholders name FluxLoop, so the
# joined code mentions FluxLoop only where the cells do.
CELL_MARKER = "# -- notebook cell {number} --"
_BOM = "\ufeff"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotebookError(Exception):
    """Not a notebook this linter can read; `line` and `column` place the problem in the file."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class CodeCell:
    number: int  # from 1, counting every cell, as Jupyter shows them
    source: str
    span: tuple[int, int]  # where its `source` value is in the notebook's JSON text


@dataclass(frozen=True)
class Notebook:
    text: str  # the JSON text (after a byte order mark, kept in `bom`)
    bom: str
    cells: tuple[CodeCell, ...]  # the code cells

    def with_sources(self, sources: dict[int, str]) -> bytes:
        """The notebook's bytes with the code cells numbered in `sources` given that code."""
        text = self.text
        for cell in sorted((cell for cell in self.cells if cell.number in sources), key=lambda cell: -cell.span[0]):
            start, end = cell.span
            text = text[:start] + _source_json(text, cell, sources[cell.number]) + text[end:]
        return (self.bom + text).encode("utf-8")


# -- reading ----------------------------------------------------------------------------------


def _skip(text: str, index: int) -> int:
    return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]


def _members(text: str, index: int) -> Iterator[tuple[str, int, int]]:
    """(key, value start, value end) of the members of the JSON object at `index` (valid JSON)."""
    index = _skip(text, index + 1)
    while text[index] != "}":
        key, index = scanstring(text, index + 1)
        index = _skip(text, _skip(text, index) + 1)  # past the `:`
        _, end = _DECODER.raw_decode(text, index)
        yield key, index, end
        index = _skip(text, end)
        if text[index] == ",":
            index = _skip(text, index + 1)


def _elements(text: str, index: int) -> Iterator[int]:
    """The start of each element of the JSON array at `index` (valid JSON)."""
    index = _skip(text, index + 1)
    while text[index] != "]":
        yield index
        _, end = _DECODER.raw_decode(text, index)
        index = _skip(text, end)
        if text[index] == ",":
            index = _skip(text, index + 1)


def _source_spans(text: str) -> list[tuple[int, int] | None]:
    """Per cell, where its `source` value is in the JSON text (the last one, as `json.loads`
    keeps the last of repeated keys)."""
    cells = [start for key, start, _ in _members(text, _skip(text, 0)) if key == "cells"][-1]
    spans: list[tuple[int, int] | None] = []
    for cell in _elements(text, cells):
        sources = [(start, end) for key, start, end in _members(text, cell) if key == "source"] if text[cell] == "{" else []
        spans.append(sources[-1] if sources else None)
    return spans


def read_notebook(raw: bytes) -> Notebook:
    """The notebook's code cells; NotebookError when it is not nbformat 4 JSON."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not valid UTF-8: byte {raw[error.start]:#04x}") from None
    bom = _BOM if text.startswith(_BOM) else ""
    text = text[len(bom) :]
    try:
        data = json.loads(text)
    except ValueError as error:
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        raise NotebookError(f"not JSON: {getattr(error, 'msg', error)}", line, column) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (no list of cells)")
    if data.get("nbformat") != 4:
        raise NotebookError(f"not an nbformat 4 notebook (nbformat {data.get('nbformat')!r})")
    spans = _source_spans(text)
    cells = []
    for number, (cell, span) in enumerate(zip(data["cells"], spans), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str) or span is None:
            raise NotebookError(f"cell {number} has no source text")
        cells.append(CodeCell(number, source, span))
    return Notebook(text, bom, tuple(cells))


# -- writing ----------------------------------------------------------------------------------


def _line_start(text: str, index: int) -> int:
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _source_json(text: str, cell: CodeCell, source: str) -> str:
    """`source` as JSON in the style of the cell's `source` value in `text`: a list of lines
    (one a line in a layout such as nbformat's, or all on one line) or a string; non-ASCII
    characters escaped only when that value escapes them."""
    start, end = cell.span
    old = text[start:end]
    ensure_ascii = old.isascii() and not cell.source.isascii()
    if not old.startswith("["):
        return json.dumps(source, ensure_ascii=ensure_ascii)
    lines = [json.dumps(line, ensure_ascii=ensure_ascii) for line in source.splitlines(keepends=True)]
    if not lines:
        return "[]"
    newline = "\r\n" if "\r\n" in text else "\n"
    layout = re.fullmatch(r"\[(\r?\n)([ \t]*).*\n([ \t]*)\]", old, re.DOTALL)
    if layout is not None:
        newline, indent, closing = layout.groups()
    elif old == "[]" and "\n" in text:
        # An empty list gives no layout: the one of the key's line, one level deeper.
        closing = re.match(r"[ \t]*", text[_line_start(text, start) :]).group()  # type: ignore[union-attr]
        unit = re.match(r"\{\r?\n([ \t]*)", text)
        indent = closing + (unit.group(1) if unit else " ")
    else:
        separator = "," if '","' in old else ", "
        return "[" + separator.join(lines) + "]"
    return "[" + newline + ("," + newline).join(indent + line for line in lines) + newline + closing + "]"


# -- one module -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _JoinedCell:
    number: int
    masked_lines: tuple[str, ...]  # the IPython lines `ipython.mask` replaced
    ends_with_newline: bool

    @classmethod
    def of(cls, number: int, source: str) -> tuple[_JoinedCell, str]:
        """The cell, and its code as it goes into the module: masked, ending with a newline."""
        code, masked_lines = ipython.mask(source)
        ends_with_newline = code.endswith(("\n", "\r"))
        return cls(number, masked_lines, ends_with_newline or not code), code if ends_with_newline or not code else code + "\n"

    def restored(self, code: str) -> str | None:
        """The cell's source for its code in a module (perhaps fixed); None when an IPython
        line was lost or duplicated."""
        source = ipython.unmask(code, self.masked_lines)
        if source is not None and not self.ends_with_newline and source.endswith("\n"):
            source = source[:-1]
        return source


@dataclass(frozen=True)
class CellModule:
    """The code cells as one Python module, and the way back."""

    text: str
    cells: tuple[_JoinedCell, ...]

    @classmethod
    def join(cls, notebook: Notebook) -> CellModule:
        parts: list[str] = []
        cells = []
        for cell in notebook.cells:
            if ipython.is_cell_magic(cell.source):
                continue
            joined, code = _JoinedCell.of(cell.number, cell.source)
            if cells:
                parts.append(CELL_MARKER.format(number=cell.number) + "\n")
            parts.append(code)
            cells.append(joined)
        return cls("".join(parts), tuple(cells))

    def segments(self, text: str) -> list[list[str]] | None:
        """The lines of `text` (this module, or it fixed) cell by cell; None when its markers
        are not exactly this module's, in order."""
        markers = {CELL_MARKER.format(number=cell.number): index for index, cell in enumerate(self.cells)}
        segments: list[list[str]] = [[]]
        for line in split_lines(text):
            index = markers.get(line.rstrip("\r\n"))
            if index is None:
                segments[-1].append(line)
            elif index == len(segments):
                segments.append([])
            else:
                return None
        return segments if len(segments) == len(self.cells) else None

    def cell_sources(self, text: str) -> dict[int, str] | None:
        """Each cell's code in `text` (this module fixed), IPython lines back in place; None
        when the cells cannot be told apart or an IPython line was lost or duplicated."""
        segments = self.segments(text)
        if segments is None:
            return None
        sources = {}
        for cell, lines in zip(self.cells, segments):
            source = cell.restored("".join(lines))
            if source is None:
                return None
            sources[cell.number] = source
        return sources


class _CellPositions:
    """Maps positions in a module (a CellModule's text, or it fixed) to (cell, position in the cell)."""

    def __init__(self, module: CellModule, segments: Sequence[Sequence[str]]) -> None:
        self.lines: list[tuple[int, int]] = []  # per module line: (cell number, line in the cell)
        for cell, lines in zip(module.cells, segments):
            self.lines.extend((cell.number, number) for number in range(1, len(lines) + 1))
            self.lines.append((cell.number, len(lines) + 1))  # the next marker: the end of this cell

    def locate(self, position: Position) -> tuple[int, Position]:
        cell, line = self.lines[min(position.line, len(self.lines)) - 1]
        return cell, Position(line, position.column)

    def edit(self, edit: Edit) -> Edit:
        """The edit in its cell; one that runs from a cell into another (through the marker
        between them, which no fix may remove) is in no cell."""
        cell, start = self.locate(edit.start)
        end_cell, end = self.locate(edit.end)
        return replace(edit, start=start, end=end, cell=cell if end_cell == cell else None)

    def finding(self, finding: Finding) -> Finding:
        cell, start = self.locate(finding.start)
        _, end = self.locate(finding.end)
        fix = finding.fix
        if fix is not None:
            fix = replace(fix, edits=tuple(self.edit(edit) for edit in fix.edits))
        return replace(finding, start=start, end=end, fix=fix, cell=cell)


def _located(module: CellModule, text: str, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    segments = module.segments(text)
    assert segments is not None  # `text` is this module, or it fixed and checked by cell_sources
    positions = _CellPositions(module, segments)
    return tuple(positions.finding(finding) for finding in findings)


# -- linting ----------------------------------------------------------------------------------


def _unreadable(error: NotebookError, path: str, settings: LintSettings) -> tuple[Finding, ...]:
    from fluxloop_lint.rules.flx001_syntax_error import SyntaxErrorRule

    if not is_selected(SYNTAX_ERROR_CODE, *rule_selectors(settings)):
        return ()
    where = Position(error.line, max(error.column, 1))
    return (SyntaxErrorRule.finding(error.message, path, where),)


def lint_notebook(raw: bytes, path: str, settings: LintSettings, *, fix: bool = False) -> FileResult:
    """`engine.lint_source` for a notebook's bytes: findings in cells, the fixed notebook as
    bytes. Never raises for bad input: a notebook it cannot read is FLX001, with no cell."""
    from fluxloop_lint.engine import lint_source

    try:
        notebook = read_notebook(raw)
    except NotebookError as error:
        return FileResult(path, _unreadable(error, path, settings))
    module = CellModule.join(notebook)
    if not mentions_fluxloop(module.text, settings.fluxloop_modules):
        return FileResult(path)  # FluxLoop is named outside the code (in markdown, in outputs)
    if module.segments(module.text) is None:
        marker = CELL_MARKER.format(number="N")
        return FileResult(path, errors=(f"a code cell holds a line `{marker}`, which the linter uses itself; not checked",))
    result = lint_source(module.text, path, settings, fix=fix)
    fixed = result.fixed_source
    if fixed is None:
        return replace(result, findings=_located(module, module.text, result.findings))
    assert isinstance(fixed, str)
    sources = module.cell_sources(fixed)
    if sources is None:
        unchanged = lint_source(module.text, path, settings)
        refused = f"{path}: the fixes would move code across cells or change IPython lines; nothing was changed"
        return FileResult(path, _located(module, module.text, unchanged.findings), errors=(*result.errors, refused))
    originals = {cell.number: cell.source for cell in notebook.cells}
    changed = {number: source for number, source in sources.items() if source != originals[number]}
    return replace(result, findings=_located(module, fixed, result.findings), fixed_source=notebook.with_sources(changed))


def fixed_cell(number: int, source: str, edits: Sequence[Edit]) -> str | None:
    """A code cell's source after `edits` in that cell (a finding's fix, as `lint_notebook`
    places it: positions in the cell's masked code); None when they change an IPython line."""
    joined, code = _JoinedCell.of(number, source)
    return joined.restored(apply_edits(code, edits))


def code_cells(raw: bytes) -> dict[int, str]:
    """The code of each code cell by number (for diffs); empty when it is not a notebook."""
    try:
        return {cell.number: cell.source for cell in read_notebook(raw).cells}
    except NotebookError:
        return {}
