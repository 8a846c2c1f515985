"""Parsing a document again after an edit, reusing the statements that did not change.

The language server lints a document at every edit, and LibCST's parse of the whole text is
most of the cost. An `IncrementalParse` belongs to one document. At each version it splits
the text into chunks, one per top-level statement (CPython's `ast`, in C, finds where they
begin), parses with LibCST only the chunks whose text it has not seen in the version before,
and assembles the module from them. Positions are computed per chunk, once, when a finding
first asks, and moved by the lines the chunk now starts at.

The assembled module is the module `libcst.parse_module` makes of the whole text
(`deep_equals`), so the engine's one walk and its rules see the same tree. A chunk runs from
its statement's first line to the next statement's, so the comments after a statement are
parsed with it, followed by a `pass` that stands for the next statement: LibCST gives the
lines indented into the statement's last block to that block, and the rest to the `pass`,
as it would to the next statement, whose leading lines they become. What else a module holds
is checked to agree between chunks; wherever the pieces could differ from the whole (no
statement or a syntax error, lines that end in `\\`, form feeds, lone carriage returns, an
indentation or newline style that differs between chunks), the whole text is parsed.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from bisect import bisect_right
from itertools import accumulate

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

from fluxloop_lint import syntax_tree
from fluxloop_lint.engine import WholeParse, node_positions

# Lines between two top-level statements: blank, or a comment (which cannot continue a line).
_BETWEEN_STATEMENTS = re.compile(r"(?:[ \t]*(?:#[^\r\n]*)?\r?\n)*")
_DEFAULT_INDENT = "    "  # LibCST's, for a module without an indented block


@dataclass(eq=False, repr=False)
class Chunk:
    """The text of one top-level statement (the first chunk also holds the module's header),
    the comments and blank lines after it, and LibCST's module of that text alone, followed
    (except at the end of the document) by a `pass` standing for the next statement: the lines
    after the statement are parsed as the whole text's, where a statement follows them."""

    text: str
    module: cst.Module
    statements: Sequence[cst.BaseStatement]  # the text's own, without the `pass`
    trailing: Sequence[cst.EmptyLine]  # the lines after them that the next statement gets
    opens_block: bool  # some statement has an indented block: the chunk's indentation counts
    positions: dict[cst.CSTNode, CodeRange] | None = None  # in the chunk's own lines, once asked
    # The chunk's first statement with the trailing lines of the chunk before as its leading
    # lines, and that chunk: reused while the chunk before stays the same.
    joined: tuple[Chunk, cst.BaseStatement] | None = None

    def node_positions(self) -> dict[cst.CSTNode, CodeRange]:
        if self.positions is None:
            self.positions = node_positions(self.module)
        return self.positions


@dataclass(eq=False, repr=False)
class Assembled:
    """A version's module made from chunks, with where each statement came from."""

    module: cst.Module
    chunks: list[Chunk]
    # Per statement of the module: its chunk, the lines before that chunk, and the chunk's
    # own node for it (different when the statement took the leading lines of the chunk before).
    places: dict[cst.BaseStatement, tuple[Chunk, int, cst.BaseStatement]] = field(default_factory=dict)


class IncrementalParse(WholeParse):
    """The engine's parser for one document whose versions follow each other (not thread-safe:
    the server lints in one thread)."""

    def __init__(self) -> None:
        # The last version's chunks, by text and whether the chunk ends the document.
        self.chunks: dict[tuple[str, bool], list[Chunk]] = {}
        self.last: Assembled | None = None
        self.reused = 0  # chunks of the last version found unchanged (for tests and benchmarks)
        # The last version assembled: its text, and the line and offset each chunk starts at.
        self.text: str | None = None
        self.starts: list[int] = []
        self.offsets: list[int] = []

    def parse(self, text: str, path: str) -> cst.Module:
        assembled = self.assemble(text)
        if assembled is None:
            self.last = None
            return super().parse(text, path)
        self.last = assembled
        return assembled.module

    def positions(self, module: cst.Module, statements: set[cst.BaseStatement | None]) -> Mapping[cst.CSTNode, CodeRange]:
        if self.last is None or self.last.module is not module or None in statements:
            return super().positions(module, statements)
        return AssembledPositions(self.last, statements)

    def assemble(self, text: str) -> Assembled | None:
        """The module of `text` from its chunks, or None when the whole text must be parsed."""
        starts = self.statement_starts(text)
        if starts is None:
            return None
        previous: dict[tuple[str, bool], list[Chunk]] = self.chunks
        fresh: dict[tuple[str, bool], list[Chunk]] = {}
        chunks: list[Chunk] = []
        reused = 0
        offsets = chunk_offsets(text, starts)
        pieces = [text[begin:end] for begin, end in zip(offsets, offsets[1:])]
        for number, piece in enumerate(pieces):
            key = (piece, number == len(pieces) - 1)
            known = previous.get(key, ())
            taken = len(fresh.get(key, ()))  # a repeated text takes the next of its chunks, in order
            if taken < len(known):
                chunk = known[taken]
                reused += 1
            else:
                chunk = _parse_chunk(*key)
                if chunk is None:
                    return None
            chunks.append(chunk)
            fresh.setdefault(key, []).append(chunk)
        module = _join(chunks)
        if module is None:
            return None
        # What was not reused is dropped: a document's cache holds one version.
        self.chunks, self.reused = fresh, reused
        self.text, self.starts, self.offsets = text, starts, offsets
        assembled = Assembled(module, chunks)
        statements = iter(module.body)
        for chunk, start in zip(chunks, starts):
            for own in chunk.statements:
                assembled.places[next(statements)] = (chunk, start - 1, own)
        return assembled

    def statement_starts(self, text: str) -> list[int] | None:
        """`statement_starts(text)`, from the last version's where the edit did not reach:
        only the chunks from the one before the first changed character to the one holding
        the last are split again. The text around them is unchanged and starts a statement
        at both ends, so it splits as before, its lines moved by those the edit added."""
        old = self.text
        if old is None or not _splittable(text):
            return statement_starts(text)
        prefix = _common_prefix(old, text)
        suffix = _common_suffix(old, text, min(len(old), len(text)) - prefix)
        first = bisect_right(self.offsets, max(prefix - 1, 0)) - 1
        last = bisect_right(self.offsets, max(len(old) - suffix - 1, prefix - 1, 0)) - 1
        begin, end = self.offsets[first], self.offsets[last + 1] + len(text) - len(old)
        changed = _split(text[begin:end], ends_document=last == len(self.starts) - 1)
        if changed is None:  # a syntax error, or an edit that joined the region to what follows
            return statement_starts(text)
        base = self.starts[first] - 1
        moved = text.count("\n", begin, end) - old.count("\n", begin, self.offsets[last + 1])
        return [
            *self.starts[:first],
            *(base + line for line in changed),
            *(line + moved for line in self.starts[last + 1 :]),
        ]


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (by halving: string comparisons run in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most `limit`."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _splittable(text: str) -> bool:
    # Form feeds reset columns; CPython and LibCST count a lone CR as a line break.
    return "\f" not in text and text.count("\r") == text.count("\r\n")


def statement_starts(text: str) -> list[int] | None:
    """The line (1-based) each top-level statement group starts on, the first always 1; None
    when the text is not split (it does not parse, or the pieces might not parse as the whole)."""
    return _split(text, ends_document=True) if _splittable(text) else None


def _split(text: str, *, ends_document: bool) -> list[int] | None:
    """`statement_starts` of a text that is the document, or (not `ends_document`) a part of
    it followed by a statement: then what follows its last statement must be comments."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about the user's code are not ours to show
            tree = compile(text, "<document>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except Exception:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError...
        return None
    if not tree.body:
        return None
    lines = text.split("\n")
    starts = [1]
    last_end = 0
    for statement in tree.body:
        decorators = getattr(statement, "decorator_list", None)
        first = decorators[0].lineno if decorators else statement.lineno
        if first <= last_end:  # `a = 1; b = 2`: one line, one chunk
            last_end = max(last_end, statement.end_lineno or first)
            continue
        line = lines[first - 1]
        if not line or line[0] in " \t#" or decorators and line[0] != "@":
            return None  # a decorator in parentheses over lines, or anything unusual: parse the whole
        if last_end:
            if not _ends_statements(lines, last_end, first):
                return None
            starts.append(first)
        last_end = statement.end_lineno or first
    if not ends_document and (lines[-1] or not _ends_statements(lines, last_end, len(lines))):
        return None
    return starts


def _ends_statements(lines: list[str], last_end: int, first: int) -> bool:
    """Whether the lines between a statement ending on `last_end` and one starting on `first`
    are blank or comments, and the statement does not end with a `\\` that would join them."""
    if lines[last_end - 1].rstrip("\r").endswith("\\"):
        return False
    between = "\n".join(lines[last_end : first - 1])
    return _BETWEEN_STATEMENTS.fullmatch(between + "\n" if between else "") is not None


def _parse_chunk(text: str, ends_document: bool) -> Chunk | None:
    try:
        if ends_document:
            module = cst.parse_module(text)
            statements, trailing = module.body, module.footer
        else:
            module = cst.parse_module(text + "pass" + ("\r\n" if text.endswith("\r\n") else "\n"))
            *statements, standing_in = module.body
            trailing = standing_in.leading_lines
    except Exception:
        return None
    return Chunk(text, module, statements, trailing, any(_opens_block(statement) for statement in statements))


def _opens_block(node: cst.CSTNode) -> bool:
    """Whether the statement has an indented block (where LibCST finds a module's indentation)."""
    if isinstance(node, (cst.IndentedBlock, cst.Match)):
        return True
    return any(_opens_block(child) for child in syntax_tree.children(node, syntax_tree.statement_fields(type(node))))


def _join(chunks: list[Chunk]) -> cst.Module | None:
    """The module of the chunks' texts one after another, or None when the pieces disagree on
    what the whole would hold (indentation, newline) or hold a header after the first chunk."""
    first, last = chunks[0].module, chunks[-1].module
    indent = next((chunk.module.default_indent for chunk in chunks if chunk.opens_block), _DEFAULT_INDENT)
    body: list[cst.BaseStatement] = []
    before: Chunk | None = None
    for chunk in chunks:
        module = chunk.module
        if chunk.opens_block and module.default_indent != indent:
            return None
        if module.default_newline != first.default_newline:
            return None
        if before is None:
            body.extend(chunk.statements)
        elif module.header or not chunk.statements:
            return None
        else:
            body.append(_joined_first(before, chunk))
            body.extend(chunk.statements[1:])
        before = chunk
    return cst.Module(
        body=body,
        header=first.header,
        footer=last.footer,
        encoding=first.encoding,
        default_indent=indent,
        default_newline=first.default_newline,
        has_trailing_newline=last.has_trailing_newline,
    )


def _joined_first(before: Chunk, chunk: Chunk) -> cst.BaseStatement:
    """The chunk's first statement, given the lines that end the chunk before."""
    if chunk.joined is not None and chunk.joined[0] is before:
        return chunk.joined[1]
    statement = chunk.statements[0]
    if before.trailing:
        statement = statement.with_changes(leading_lines=(*before.trailing, *statement.leading_lines))
    chunk.joined = (before, statement)
    return statement


class AssembledPositions(dict[cst.CSTNode, CodeRange]):
    """The positions of an assembled module's nodes, from its chunks' positions: first those
    of the chunks holding `statements`, then of every chunk, then (for a node outside every
    statement, such as the module's header) a code-generation pass over the whole module."""

    def __init__(self, assembled: Assembled, statements: set[cst.BaseStatement | None]) -> None:
        super().__init__()
        self.assembled = assembled
        self.searched = [assembled.places[statement] for statement in statements if statement is not None]
        self.everywhere = False

    def __missing__(self, node: cst.CSTNode) -> CodeRange:
        found = self._find(node, self.searched)
        if found is None and not self.everywhere:
            self.everywhere = True
            self.searched = list(self.assembled.places.values())
            found = self._find(node, self.searched)
        if found is None:
            found = node_positions(self.assembled.module)[node]  # raises KeyError for a stranger
        self[node] = found
        return found

    def _find(self, node: cst.CSTNode, places: list[tuple[Chunk, int, cst.BaseStatement]]) -> CodeRange | None:
        place = self.assembled.places.get(node)  # type: ignore[call-overload]
        if place is not None:
            chunk, shift, own = place
            return _shifted(chunk.node_positions()[own], shift)
        for chunk, shift, _own in places:
            where = chunk.node_positions().get(node)
            if where is not None:
                return _shifted(where, shift)
        return None


def _shifted(where: CodeRange, lines: int) -> CodeRange:
    if not lines:
        return where
    start, end = where.start, where.end
    return CodeRange(CodePosition(start.line + lines, start.column), CodePosition(end.line + lines, end.column))


def chunk_offsets(text: str, starts: list[int]) -> list[int]:
    """Where the chunks that begin on the lines `starts` begin, and the text's end."""
    lines = [0, *accumulate(len(line) + 1 for line in text.split("\n"))]  # where each line begins
    return [0, *(lines[line - 1] for line in starts[1:]), len(text)]
